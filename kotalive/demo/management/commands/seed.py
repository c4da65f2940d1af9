from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotalive.demo.data import DEMO_CITIZENS, DEMO_STAFF, demo_data_load, reference_data_load
from kotalive.demo.region_pack import RegionPackInvalid, loaded_summary, refused_report


class Command(BaseCommand):
    help = (
        "Load the deployment's region pack (KOTALIVE_REGION_PACK: regions, agencies, services, complaint "
        "categories); with --demo also the demo registry and accounts. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="also load demo accounts (needs KOTALIVE_DEMO=1)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(settings.KOTALIVE_REGION_PACK)
        try:
            loaded = reference_data_load()
        except RegionPackInvalid as exc:
            raise CommandError(refused_report(directory, exc)) from None
        self.stdout.write(loaded_summary(directory, loaded))
        if not options["demo"]:
            return
        if not settings.DEMO:
            raise CommandError("demo accounts share one password: set KOTALIVE_DEMO=1 (refused when DEBUG is off)")
        demo_data_load()
        self.stdout.write(
            "demo data loaded. Demo accounts (password from KOTALIVE_DEMO_PASSWORD, "
            f"default kotalive-demo; here: {settings.DEMO_PASSWORD!r}):"
        )
        for citizen in DEMO_CITIZENS:
            self.stdout.write(f"  {citizen.username:<22} citizen")
        for username, _name, roles, _superuser in DEMO_STAFF:
            described = ", ".join(f"{role}@{agency or 'platform'}" for agency, role in roles)
            self.stdout.write(f"  {username:<22} {described}")
        self.stdout.write(
            "  <agency code>.penghubung  liaison officer of every complaint-handling agency (e.g. pupr.penghubung)"
        )
        self.stdout.write(f"Open311 API key of the demo partner: {settings.KOTALIVE_DEMO_OPEN311_KEY}")
