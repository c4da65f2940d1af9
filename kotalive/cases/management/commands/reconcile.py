import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotalive.agencies.models import Agency, ApiClient
from kotalive.cases.reconcile import reconcile
from kotalive.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Ask an agency system for the states of the agency's open cases, print every drift as JSON, and repair what "
        "is safe (re-send the events of cases it missed or holds an older version of)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="agency code, e.g. DISDUKCAPIL")
        parser.add_argument("--url", help="the system's reconcile URL (default: its API client's reconcile_url)")
        parser.add_argument("--dry-run", action="store_true", help="report only, repair nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"--agency: no agency {options['agency']!r}")
        url = options["url"] or (
            ApiClient.objects.filter(agency=agency, revoked_at__isnull=True)
            .exclude(reconcile_url="")
            .values_list("reconcile_url", flat=True)
            .first()
        )
        if not url:
            raise CommandError("--url: give one, or set reconcile_url on one of the agency's API clients")
        try:
            report = reconcile(agency=agency, url=url, repair=not options["dry_run"])
        except (DomainError, OSError) as exc:
            raise CommandError(f"the agency system could not be asked: {exc}") from exc
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
