from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotalive.core.errors import ValidationFailed
from kotalive.regions.services import regions_load_csv


class Command(BaseCommand):
    help = "Load or rename regions from a CSV file with columns code,name (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            result = regions_load_csv(actor=None, text=text)
        except ValidationFailed as exc:
            lines = [f"  {where}: {reason}" for where, reasons in exc.errors.items() for reason in reasons]
            raise CommandError(f"{path}: nothing loaded, {len(lines)} problem(s):\n" + "\n".join(lines)) from None
        self.stdout.write(f"{path}: {result.created} created, {result.updated} renamed, {result.unchanged} unchanged")
