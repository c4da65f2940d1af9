from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kotalive.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from kotalive.events import jobs  # noqa: F401, PLC0415 (registers the worker job)
