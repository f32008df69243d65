from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "pmo.controls"
    label = "controls"
    verbose_name = "Controls"
