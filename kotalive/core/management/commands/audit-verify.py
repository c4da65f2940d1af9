from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotalive.core.audit import audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit non-zero naming the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = audit_verify()
        if broken is not None:
            raise CommandError(
                f"audit chain broken at entry #{broken.entry_id}: {broken.reason} "
                f"({checked} entries before it are intact)"
            )
        self.stdout.write(f"audit chain intact: {checked} entries")
