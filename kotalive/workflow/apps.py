from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "kotalive.workflow"
    label = "workflow"
    verbose_name = "Workflow"

    def ready(self) -> None:
        from kotalive.workflow import (
            events,  # noqa: F401, PLC0415 (registers the transition events' source)
            jobs,  # noqa: F401, PLC0415 (registers the delivery job)
            notices,  # noqa: F401, PLC0415 (registers the one notice consumer)
        )
