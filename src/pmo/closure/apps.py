from django.apps import AppConfig


class ClosureConfig(AppConfig):
    name = "pmo.closure"
    label = "closure"
    verbose_name = "Project closure"

    def ready(self) -> None:
        from . import gate_criteria  # noqa: F401  (registers the closing gate's criteria)
