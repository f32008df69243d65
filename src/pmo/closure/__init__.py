"""Closing a project: acceptance and sign-off, release, vendors and contracts, PIR, archive."""
