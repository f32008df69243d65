"""Settings for the test suite: fast hashing, plain static storage, mail kept in memory."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303 - speed in tests only
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if "DATABASE_URL" not in os.environ:
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["OPTIONS"] = {}
from .base import MIDDLEWARE  # noqa: E402

# Tests serve static files through the finders; whitenoise would look for collected files.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]
