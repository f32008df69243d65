"""The REST API (django-ninja) at /api/v1/: one router and schemas per context."""
