from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotalive.agencies.selectors import agency_get
from kotalive.agencies.services import staff_member_add
from kotalive.core.errors import DomainError, ValidationFailed


class Command(BaseCommand):
    help = "Create a staff account with one role; prints its one-time password (and TOTP link when needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--role", required=True, help="e.g. verifier, head, liaison, agency_admin, operator")
        parser.add_argument("--agency", help="agency code; leave out for a platform-wide role")
        parser.add_argument("--email")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = None
        if options["agency"]:
            agency = agency_get(code=options["agency"])
            if agency is None:
                raise CommandError(f"no agency with code {options['agency']!r}")
        try:
            member = staff_member_add(
                actor=None,
                agency=agency,
                username=options["username"],
                full_name=options["full_name"],
                role=options["role"],
                email=options["email"],
            )
        except ValidationFailed as exc:
            reasons = "; ".join(f"{field}: {', '.join(r)}" for field, r in exc.errors.items())
            raise CommandError(reasons) from None
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"created {member.user.username}; one-time password: {member.initial_password}")
        if member.totp_uri:
            self.stdout.write(f"authenticator (TOTP) link, add it to the person's app: {member.totp_uri}")
