from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "pmo.projects"
    label = "projects"
    verbose_name = "Projects"
