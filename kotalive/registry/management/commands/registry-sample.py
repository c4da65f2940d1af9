import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kotalive.registry.selectors import persons_without_account


class Command(BaseCommand):
    help = "Print CSV nik,name,birth_date of registry residents (adults), for demos and checks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unregistered", action="store_true", help="only residents who have no account yet")
        parser.add_argument("--count", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        adult_born_before = dt.date(today.year - 17, today.month, min(today.day, 28))  # 17 and older
        people = persons_without_account(born_before=adult_born_before, unregistered=options["unregistered"])
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["nik", "name", "birth_date"])
        for person in people[: options["count"]]:
            writer.writerow([person.nik, person.full_name, person.birth_date.isoformat()])
