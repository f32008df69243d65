"""Shared foundations: base models, the error family, audit, concurrency, request guards."""
