from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pmo.accounts"
    label = "accounts"
    verbose_name = "Accounts"
