from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from kotalive.workflow.sweep import sla_sweep, sweep_kinds


class Command(BaseCommand):
    help = (
        "Refresh SLA statuses and apply escalation chains once, for every subject kind (the worker runs each kind's "
        "sweep every minute)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", choices=sweep_kinds(), help="only this kind of subject (default: every kind)")

    def handle(self, *args: Any, **options: Any) -> None:
        plural = {
            model.event_kind: str(model._meta.verbose_name_plural)
            for model in apps.get_models()
            if hasattr(model, "event_kind")
        }
        for kind in [options["kind"]] if options.get("kind") else sweep_kinds():
            result = sla_sweep(kind)
            self.stdout.write(
                f"checked {result.checked} {plural.get(kind, kind)}, {result.status_changed} changed status, "
                f"{result.escalations} escalations"
            )
