from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "kotalive.agencies"
    label = "agencies"
    verbose_name = "Agencies"
