from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "pmo.changes"
    label = "changes"
    verbose_name = "Change control and issues"

    def ready(self) -> None:
        from pmo.core.notifications import tasks_rescheduled

        from .receivers import tasks_moved

        tasks_rescheduled.connect(tasks_moved, dispatch_uid="changes.tasks_moved")
