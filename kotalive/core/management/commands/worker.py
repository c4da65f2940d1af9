import logging
import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from kotalive.cases.sla_sweep import sla_sweep

logger = logging.getLogger("kotalive.worker")


class Command(BaseCommand):
    help = "Run the background jobs: the SLA sweep every minute (event delivery joins it with the sync issue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between sweeps")
        parser.add_argument("--once", action="store_true", help="run each job once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        logger.info("worker started: SLA sweep every %ss", options["interval"])
        while not stop.is_set():
            started = time.monotonic()
            try:
                close_old_connections()
                result = sla_sweep()
                if result.checked:
                    logger.info(
                        "sla sweep: %s checked, %s changed, %s escalations",
                        result.checked,
                        result.status_changed,
                        result.escalations,
                    )
            except Exception:  # a failed pass must not kill the worker; the next pass retries
                logger.exception("sla sweep failed")
            if options["once"]:
                break
            stop.wait(max(0.0, options["interval"] - (time.monotonic() - started)))
        logger.info("worker stopped")
