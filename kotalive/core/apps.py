from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kotalive.core"
    label = "core"
    verbose_name = "Core"
