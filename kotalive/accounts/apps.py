from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kotalive.accounts"
    label = "accounts"
    verbose_name = "Accounts"
