"""The application commands of `pmo`: createuser, demo and the help texts."""

import pytest
from typer.testing import CliRunner

from pmo.accounts.models import User
from pmo.cli.main import app


@pytest.mark.django_db(transaction=True)
def test_createuser_makes_a_user_with_a_role():
    result = CliRunner().invoke(
        app,
        [
            "createuser",
            "zoe",
            "--role",
            "pmo_analyst",
            "--email",
            "zoe@example.org",
            "--password",
            "a-long-enough-passphrase",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created zoe (PMO analyst)." in result.output
    user = User.objects.get(username="zoe")
    assert user.org_role == "pmo_analyst" and user.check_password("a-long-enough-passphrase")


@pytest.mark.django_db(transaction=True)
def test_createuser_refuses_an_unknown_role_with_one_line():
    result = CliRunner().invoke(
        app, ["createuser", "zed", "--role", "boss", "--password", "a-long-enough-passphrase"]
    )
    assert result.exit_code == 2
    assert "error: Unknown organisation role 'boss'" in result.output
    assert not User.objects.filter(username="zed").exists()


@pytest.mark.django_db(transaction=True)
def test_demo_loads_once_and_then_refuses_without_force():
    runner = CliRunner()
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "Loaded 30 people, 3 portfolios, 12 projects." in first.output
    assert "demo login: pm" in first.output
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 1
    assert "already has data" in again.output


@pytest.mark.parametrize("command", ["serve", "demo", "createuser", "openapi", "schedule", "level"])
def test_every_command_has_help(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
