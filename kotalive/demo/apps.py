from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kotalive.demo"
    label = "demo"
    verbose_name = "Reference and demo data"
