import logging
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connections

from kotalive.cases.sla_sweep import sla_sweep
from kotalive.complaints.lapor import lapor_send_due
from kotalive.complaints.sweep import complaint_sweep
from kotalive.core.idempotency import idempotency_forget_old
from kotalive.events.dispatch import dispatch_once

logger = logging.getLogger("kotalive.worker")


class Command(BaseCommand):
    help = (
        "Run the background jobs: deliver outbox events (fan-out, webhooks, in-app notifications) continuously "
        "and the SLA sweep every minute. Several workers may run at once on PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between SLA sweeps")
        parser.add_argument("--once", action="store_true", help="run each job once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        logger.info("worker started: events continuously, SLA sweep every %ss", options["interval"])
        if options["once"]:
            self._dispatch()
            self._sweep()
            return
        # The periodic jobs run in their own thread (and database connection): a long SLA sweep must not hold up
        # event delivery, whose lag budget is half a second.
        periodic = threading.Thread(target=self._periodic, args=(stop, options["interval"]), name="periodic")
        periodic.start()
        while not stop.is_set():
            if not self._dispatch():
                stop.wait(settings.KOTALIVE_WORKER_POLL_SECONDS)
        periodic.join()
        logger.info("worker stopped")

    def _dispatch(self) -> bool:
        """One delivery pass; True when it found work (so the next pass follows at once)."""
        try:
            close_old_connections()
            result = dispatch_once()
            return bool(result["fanned_out"] or result["attempted"])
        except Exception:  # a failed pass must not kill the worker; nothing is marked done, the next pass retries
            logger.exception("event dispatch failed")
            return False

    def _periodic(self, stop: threading.Event, interval: float) -> None:
        try:
            while not stop.is_set():
                started = time.monotonic()
                close_old_connections()
                self._sweep()
                stop.wait(max(0.0, interval - (time.monotonic() - started)))
        finally:
            connections.close_all()

    def _sweep(self) -> None:
        try:
            idempotency_forget_old()
        except Exception:  # the next minute retries
            logger.exception("idempotency clean-up failed")
        try:
            result = sla_sweep()
            if result.checked:
                logger.info(
                    "sla sweep: %s checked, %s changed, %s escalations",
                    result.checked,
                    result.status_changed,
                    result.escalations,
                )
        except Exception:  # the next sweep retries
            logger.exception("sla sweep failed")
        try:
            swept = complaint_sweep()
            if swept.checked or swept.closed:
                logger.info(
                    "complaint sweep: %s checked, %s changed, %s escalations, %s closed unconfirmed",
                    swept.checked,
                    swept.status_changed,
                    swept.escalations,
                    swept.closed,
                )
        except Exception:  # the next sweep retries
            logger.exception("complaint sweep failed")
        try:
            lapor_send_due()
        except Exception:  # unsent messages stay pending; the next minute retries
            logger.exception("SP4N-LAPOR! bridge failed")
