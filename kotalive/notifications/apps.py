from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kotalive.notifications"
    label = "notifications"
    verbose_name = "Notifications"
