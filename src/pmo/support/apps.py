from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "pmo.support"
    label = "support"
    verbose_name = "Support for project managers and lessons learned"

    def ready(self) -> None:
        from . import gate_criteria  # noqa: F401  (registers `lessons_recorded`)
