from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "pmo.execution"
    label = "execution"
    verbose_name = "Execution"
