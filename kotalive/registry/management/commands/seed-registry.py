import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kotalive.registry.services import registry_seed_synthetic


class Command(BaseCommand):
    help = "Add a deterministic synthetic population to the registry (same seed, same people; idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--region",
            default=settings.KOTALIVE_REGION_CODE,
            help="kota/kabupaten code whose kelurahan the people live in (default: the deployment's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = registry_seed_synthetic(
            actor=None, people=options["people"], seed=options["seed"], region_code=options["region"]
        )
        self.stdout.write(
            f"{result.people} people in {result.families} families added "
            f"({result.skipped_families} families already present) "
            f"in {time.perf_counter() - started:.1f}s"
        )
