from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kotalive.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from kotalive.notifications import consumers  # noqa: F401 (registers the event consumers)
