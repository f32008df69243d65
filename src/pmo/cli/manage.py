"""`python -m pmo.cli.manage …`: Django's manage.py for pmo."""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.base")
    execute_from_command_line(sys.argv)
