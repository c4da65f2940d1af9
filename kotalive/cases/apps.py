from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kotalive.cases"
    label = "cases"
    verbose_name = "Applications"

    def ready(self) -> None:
        from kotalive.cases import events  # noqa: PLC0415 (the event catalogue is filled once apps are loaded)

        events.register()
        from kotalive.cases.models import Bundle, Case  # noqa: PLC0415
        from kotalive.workflow.subjects import subject_kind_register  # noqa: PLC0415

        subject_kind_register(Case)  # found by tracking number from other kinds (a coordination request's parent)
        subject_kind_register(Bundle)
        # The notice policy, the worker job, the output effect, the after-change hook and the SLA sweep's adapter
        # register on import.
        from kotalive.cases import consumers, jobs, outputs, sla_sweep, snapshots  # noqa: F401, PLC0415
