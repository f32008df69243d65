"""The server-rendered web application (Django templates + htmx)."""
