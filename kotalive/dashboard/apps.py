from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "kotalive.dashboard"
    label = "dashboard"
    verbose_name = "Coordination dashboards"

    def ready(self) -> None:
        from kotalive.dashboard import rollups  # noqa: F401, PLC0415 (registers the worker's rollup consumer)
