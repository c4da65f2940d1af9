from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kotalive.cases"
    label = "cases"
    verbose_name = "Applications"

    def ready(self) -> None:
        from kotalive.cases import events  # noqa: PLC0415 (the event catalogue is filled once apps are loaded)

        events.register()
        from kotalive.cases import consumers, jobs, snapshots  # noqa: F401, PLC0415 (consumer, worker job, after-change hook)
