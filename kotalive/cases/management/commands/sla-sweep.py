from typing import Any

from django.core.management.base import BaseCommand

from kotalive.cases.sla_sweep import sla_sweep


class Command(BaseCommand):
    help = "Refresh SLA statuses and apply escalation chains once (the worker runs this every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sla_sweep()
        self.stdout.write(
            f"checked {result.checked} cases, {result.status_changed} changed status, {result.escalations} escalations"
        )
