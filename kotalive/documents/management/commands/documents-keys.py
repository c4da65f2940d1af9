"""List the signing keys, or rotate one: `kotalive documents-keys [--rotate seal|pdf|ca] [--agency CODE]`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotalive.agencies.models import Agency
from kotalive.documents.keys import ca_key, keys_rotate, seal_key
from kotalive.documents.models import SigningKey


class Command(BaseCommand):
    help = "List the document signing keys, or rotate one (old documents keep verifying)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rotate", choices=[SigningKey.SEAL, SigningKey.PDF, SigningKey.CA])
        parser.add_argument("--agency", help="the agency whose official's PDF key to rotate (with --rotate pdf)")

    def handle(self, *args: Any, **options: Any) -> None:
        purpose = options["rotate"]
        if purpose:
            agency = None
            if purpose == SigningKey.PDF:
                agency = Agency.objects.filter(code=options["agency"] or "").first()
                if agency is None:
                    raise CommandError("--rotate pdf needs --agency with an existing agency code")
            row = keys_rotate(actor=None, purpose=purpose, agency=agency)
            self.stdout.write(f"new {purpose} key {row.kid}, valid until {row.valid_until:%Y-%m-%d}")
            return
        ca_key()
        seal_key()
        for row in SigningKey.objects.select_related("agency").order_by("purpose", "valid_from"):
            state = f"retired {row.retired_at:%Y-%m-%d}" if row.retired_at else "current"
            owner = f" {row.agency.code} {row.official_name}" if row.agency else ""
            self.stdout.write(f"{row.purpose:4} {row.kid:32} {state:18} until {row.valid_until:%Y-%m-%d}{owner}")
