import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kotalive.core.audit import FORMAT, checkpoint_latest, export_line, key_id, public_key_pem, sealed_entries


class Command(BaseCommand):
    help = (
        "Write the sealed audit log as JSON Lines (docs/audit.md, 'Export'): a header with the public key and the "
        "latest checkpoint, then one entry per line in log order."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = checkpoint_latest()
        out = open(options["out"], "w", encoding="utf-8") if options["out"] else sys.stdout  # noqa: SIM115
        try:
            header = {
                "format": FORMAT,
                "public_key": public_key_pem(),
                "key_id": key_id(),
                "checkpoint": checkpoint.as_dict() if checkpoint else None,
            }
            out.write(json.dumps(header, ensure_ascii=False) + "\n")
            size = checkpoint.size if checkpoint else 0
            for entry in sealed_entries():  # up to the header's checkpoint: entries sealed meanwhile wait for the next
                if (entry.seq or 0) > size:
                    break
                out.write(json.dumps(export_line(entry), ensure_ascii=False) + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
