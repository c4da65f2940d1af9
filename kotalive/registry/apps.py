from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "kotalive.registry"
    label = "registry"
    verbose_name = "Population registry"
