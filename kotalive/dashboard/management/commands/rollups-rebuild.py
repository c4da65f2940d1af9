import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotalive.dashboard.rollups import rollups_rebuild


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = (
        "Recompute the dashboards' day rollups from the subjects' rows (after a bulk load or a change made without "
        "events). The worker keeps them current otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=_date, help="first day (default: the first submission)")
        parser.add_argument("--to", dest="end", type=_date, help="last day (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = rollups_rebuild(start=options["start"], end=options["end"])
        self.stdout.write(f"recomputed {days} days of rollups")
