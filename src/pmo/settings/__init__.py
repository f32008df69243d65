"""Settings: base.py holds everything, switchable by environment variables."""
