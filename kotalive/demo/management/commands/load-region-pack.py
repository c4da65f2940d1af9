from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kotalive.demo.region_pack import RegionPackInvalid, loaded_summary, refused_report, region_pack_load


class Command(BaseCommand):
    help = (
        "Check a region data pack (pack.json and its files) and load it, all of it or nothing: regions, agencies, "
        "services, life-event bundles, complaint categories and cooperation agreements. Every problem names its "
        "file and line; the exit status is 1 when there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the pack's directory (the one holding pack.json)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            loaded = region_pack_load(actor=None, directory=directory)
        except RegionPackInvalid as exc:
            raise CommandError(refused_report(directory, exc)) from None
        self.stdout.write(loaded_summary(directory, loaded))
        configured = Path(settings.KOTALIVE_REGION_PACK).resolve()
        if configured != loaded.pack.directory:
            # The maps, the complaints' bounds and the Open311 jurisdiction are read from the configured pack while
            # the platform runs: a pack loaded but not configured leaves them describing another region.
            self.stderr.write(
                _(
                    "This deployment reads its region pack from %(configured)s (KOTALIVE_REGION_PACK); set it to "
                    "%(directory)s to serve the pack just loaded."
                )
                % {"configured": configured, "directory": loaded.pack.directory}
            )
