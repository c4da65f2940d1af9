from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "kotalive.regions"
    label = "regions"
    verbose_name = "Regions"
