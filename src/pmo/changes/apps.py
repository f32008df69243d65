from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "pmo.changes"
    label = "changes"
    verbose_name = "Change control and issues"
