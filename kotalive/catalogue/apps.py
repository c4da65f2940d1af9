from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "kotalive.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"
