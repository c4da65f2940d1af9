from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "kotalive.documents"
    label = "documents"
    verbose_name = "Output documents"

    def ready(self) -> None:
        # The worker job that renders and signs issued documents, and the event types, register on import.
        from kotalive.documents import events, jobs  # noqa: F401, PLC0415
