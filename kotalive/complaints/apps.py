from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "kotalive.complaints"
    label = "complaints"
    verbose_name = "Complaints and aspirations (LAKSA)"

    def ready(self) -> None:
        from kotalive.complaints import (
            consumers,  # noqa: F401, PLC0415 (registers the in-process event consumers)
            events,  # noqa: PLC0415 (the event catalogue is filled once apps are loaded)
        )

        events.register()
        from kotalive.complaints.models import Complaint  # noqa: PLC0415
        from kotalive.workflow.subjects import subject_kind_register  # noqa: PLC0415

        subject_kind_register(Complaint)  # found by tracking number from other kinds (a coordination request's parent)
        from kotalive.complaints import jobs, sweep  # noqa: F401, PLC0415 (the worker jobs, the SLA sweep's adapter)
