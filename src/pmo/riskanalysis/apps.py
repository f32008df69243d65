from django.apps import AppConfig


class RiskAnalysisConfig(AppConfig):
    name = "pmo.riskanalysis"
    label = "riskanalysis"
    verbose_name = "Schedule and cost risk analysis"
