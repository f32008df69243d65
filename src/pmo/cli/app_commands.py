"""Commands that run the Django application: serve, demo, createuser, openapi, manage.

Django is set up lazily inside each command, so `pmo --help` and the file commands stay fast.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import Annotated

import typer

DEFAULT_SETTINGS = "pmo.settings.base"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()


def call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def serve(
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(envvar="HOST", help="Address to bind.")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="Web server processes.")] = 2,
    demo_if_empty: Annotated[
        bool,
        typer.Option("--demo-if-empty", help="Load the demo portfolio into an empty database."),
    ] = False,
    task_worker: Annotated[
        bool, typer.Option(help="Also run a background-task worker beside the web server.")
    ] = True,
) -> None:
    """Migrate, collect static files, then serve the web app (gunicorn) and a task worker."""
    django_setup()
    from pmo.demo.loader import demo_is_loaded, demo_load, demo_logins

    call("migrate", "--no-input", "-v", "0")
    call("collectstatic", "--no-input", "-v", "0")
    if demo_if_empty and not demo_is_loaded():
        typer.echo("Loading the demo portfolio...")
        demo_load()
    env = {**os.environ}
    children: list[subprocess.Popen[bytes]] = []
    if task_worker:
        children.append(
            subprocess.Popen([sys.executable, "-m", "pmo.cli.manage", "db_worker"], env=env)  # noqa: S603
        )
    web = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:pmo.gunicorn_conf",
            "pmo.wsgi",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    children.append(web)
    typer.echo(f"pmo is serving on http://{host}:{port}/  (Ctrl-C stops it)")
    for username, role, password in demo_logins():
        typer.echo(f"  demo login: {username:<10} {password:<14} {role}")

    def stop(signum: int, frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = web.wait()
    finally:
        stop(0, None)
        for child in children:
            child.wait(timeout=30)
    raise typer.Exit(code if code > 0 else 0)


def demo(
    force: Annotated[
        bool, typer.Option(help="Load even if the database already has data.")
    ] = False,
) -> None:
    """Load the demo organisation: people, portfolios and projects at every stage."""
    django_setup()
    from pmo.demo.loader import demo_is_loaded, demo_load, demo_logins

    call("migrate", "--no-input", "-v", "0")
    if demo_is_loaded() and not force:
        typer.echo("The database already has data; use --force to load the demo anyway.")
        raise typer.Exit(1)
    summary = demo_load()
    typer.echo(summary)
    for username, role, password in demo_logins():
        typer.echo(f"  demo login: {username:<10} {password:<14} {role}")


def createuser(
    username: str,
    role: Annotated[str, typer.Option(help="Organisation role, e.g. pmo_admin.")] = "pmo_admin",
    email: Annotated[str, typer.Option()] = "",
    first_name: Annotated[str, typer.Option()] = "",
    last_name: Annotated[str, typer.Option()] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
    superuser: Annotated[bool, typer.Option(help="Also a Django superuser.")] = False,
) -> None:
    """Create a user with an organisation role."""
    django_setup()
    from pmo.accounts.services import user_create
    from pmo.core.errors import ApplicationError

    try:
        user = user_create(
            username=username,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
            org_role=role,
            is_superuser=superuser,
        )
    except ApplicationError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Created {user.username} ({user.get_org_role_display()}).")


def openapi() -> None:
    """Print the OpenAPI document of the REST API."""
    django_setup()
    from pmo.api.main import api

    typer.echo(json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True))


def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `pmo manage migrate`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pmo manage", *ctx.args])
