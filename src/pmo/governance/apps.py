from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "pmo.governance"
    label = "governance"
    verbose_name = "Governance: methodologies, templates, gates and compliance"

    def ready(self) -> None:
        from . import gate_criteria  # noqa: F401  (registers the criteria of existing contexts)
