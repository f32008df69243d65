from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "pmo.monitoring"
    label = "monitoring"
    verbose_name = "Performance and status reports"

    def ready(self) -> None:
        from . import gate_criteria  # noqa: F401 - registers the automatic gate criteria
