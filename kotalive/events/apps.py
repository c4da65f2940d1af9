from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kotalive.events"
    label = "events"
    verbose_name = "Events"
