"""The `pmo` command line."""
