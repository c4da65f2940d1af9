from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotalive.cases.synthetic import cases_seed_synthetic


class Command(BaseCommand):
    help = "Add N realistic synthetic applications (is_test) for benchmarks and demos."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        result = cases_seed_synthetic(count=options["count"], seed=options["seed"])
        self.stdout.write(f"{result.created} synthetic cases added in {result.seconds:.1f}s")
