from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kotalive.web"
    label = "web"
    verbose_name = "Web pages"
