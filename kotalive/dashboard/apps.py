from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "kotalive.dashboard"
    label = "dashboard"
    verbose_name = "Coordination dashboards"
