from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "kotalive.coordination"
    label = "coordination"
    verbose_name = "Coordination between agencies"

    def ready(self) -> None:
        from kotalive.coordination import events  # noqa: PLC0415 (the event catalogue is filled once apps are loaded)

        events.register()
        from kotalive.coordination.models import CoordinationRequest  # noqa: PLC0415
        from kotalive.workflow.subjects import subject_kind_register  # noqa: PLC0415

        subject_kind_register(CoordinationRequest)
        # The notice policy, the worker job and the SLA sweep's adapter register on import.
        from kotalive.coordination import announcements, consumers, jobs, sweep  # noqa: F401, PLC0415
