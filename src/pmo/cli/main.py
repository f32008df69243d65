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
