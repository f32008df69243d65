"""Operational basics: the health check and production settings."""

import os
import subprocess
import sys


def test_healthz_answers_ok_with_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_oversized_body_is_refused_with_413(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post("/accounts/login/", data="x" * 200, content_type="text/plain")
    assert response.status_code == 413
    assert b"the limit is 100 bytes" in response.content


def test_production_settings_pass_the_deployment_check(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmo.settings.prod",
        "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "pmo.example.org",
        "PMO_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their live server
    result = subprocess.run(
        [sys.executable, "-m", "pmo.cli.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
