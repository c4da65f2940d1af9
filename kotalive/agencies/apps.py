from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "kotalive.agencies"
    label = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        from kotalive.agencies import jobs  # noqa: F401, PLC0415 (registers the worker job)
