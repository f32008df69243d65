"""`pmo`: serve the app, load demo data, manage users, print the OpenAPI document, work on files.

Commands that work on files (schedule, ...) import nothing from Django, so they start fast and
need no database.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="pmo",
    help="pmo: a project management office in a box.",
    no_args_is_help=True,
    add_completion=False,
)

from pmo.cli import app_commands  # noqa: E402 - the app's commands, registered below

app.command()(app_commands.serve)
app.command()(app_commands.demo)
app.command()(app_commands.createuser)
app.command()(app_commands.openapi)
app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)(app_commands.manage)

from pmo.cli.schedule import schedule  # noqa: E402

app.command("schedule")(schedule)

from pmo.cli.level import level  # noqa: E402

app.command("level")(level)

from pmo.cli.select import select  # noqa: E402

app.command("select")(select)

from pmo.cli.simulate import simulate  # noqa: E402

app.command("simulate")(simulate)
