import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotalive.core.audit import audit_extends, audit_verify, key_id


class Command(BaseCommand):
    help = (
        "Check the audit log: every leaf and chain hash, every checkpoint signature, no entry missing; report "
        "entries older than a minute that are not sealed yet. Exits 1 naming the first bad entry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--public-key", help="PEM file of the log's Ed25519 public key (default: the configured key's)"
        )
        parser.add_argument(
            "--checkpoint",
            help="JSON file of a checkpoint kept earlier (GET /api/v1/audit/checkpoint): the log must still hold it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = None
        if options["public_key"]:
            loaded = serialization.load_pem_public_key(Path(options["public_key"]).read_bytes())
            if not isinstance(loaded, Ed25519PublicKey):
                raise CommandError("--public-key must be an Ed25519 public key in PEM")
            key = loaded
        result = audit_verify(key=key)
        if result.broken is not None:
            raise CommandError(
                f"audit log broken at entry #{result.broken.entry_id}: {result.broken.reason} "
                f"({result.checked} entries before it are intact)"
            )
        if options["checkpoint"]:
            problem = audit_extends(json.loads(Path(options["checkpoint"]).read_text()))
            if problem:
                raise CommandError(f"audit log does not extend the kept checkpoint: {problem}")
        if result.unsealed_old:
            raise CommandError(
                f"{result.unsealed_old} audit entries older than a minute are not sealed yet: is the worker running? "
                f"({result.checked} sealed entries intact)"
            )
        self.stdout.write(f"audit log intact: {result.checked} sealed entries, head {result.head}, key {key_id(key)}")
