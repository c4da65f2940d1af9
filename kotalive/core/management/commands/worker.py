import logging
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections

from kotalive.core import audit
from kotalive.core.jobs import CONTINUOUS, PERIODIC, run_job

logger = logging.getLogger("kotalive.worker")

# After SIGTERM or SIGINT the worker finishes its pass and stops; if it has not stopped after this many seconds (a
# webhook that hangs until its timeout, a long sweep), SIGALRM ends the process at once. Nothing is lost: every
# step commits in short transactions, and deliveries leased to this worker are taken again by any worker when
# their lease ends (kotalive/events/dispatch.py). Orchestrators wait 10 s (Docker) to 30 s (systemd, Kubernetes).
STOP_DEADLINE_SECONDS = 4.0
# How long the main loop sleeps at a time when idle, so it sees the stop flag at once.
SLEEP_STEP_SECONDS = 0.05


class Command(BaseCommand):
    help = (
        "Run the background jobs the apps registered (kotalive/core/jobs.py): event delivery and audit sealing "
        "continuously, the SLA sweeps and clean-ups every minute. Several workers may run at once on PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between SLA sweeps")
        parser.add_argument("--once", action="store_true", help="run each job once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        try:  # the worker seals the audit log (docs/audit.md): without the private key it must not start
            audit.signing_key()
        except audit.NoSigningKey as exc:
            raise CommandError(f"{exc}; set it (or KOTALIVE_AUDIT_SIGNING_KEY_FILE) for the worker") from None
        self._stopping = False
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_stop_signal)
        logger.info(
            "worker started: %s continuously, %s every %ss",
            ", ".join(job.name for job in CONTINUOUS),
            ", ".join(job.name for job in PERIODIC),
            options["interval"],
        )
        if options["once"]:
            self._pass()
            self._sweep()
            return
        # The periodic jobs run in their own thread (and database connection): a long SLA sweep must not hold up
        # event delivery, whose lag budget is half a second. A daemon, so that a sweep still running at the stop
        # deadline does not keep the process alive (its transaction, one per subject, is rolled back).
        periodic_stop = threading.Event()
        periodic = threading.Thread(
            target=self._periodic, args=(periodic_stop, options["interval"]), name="periodic", daemon=True
        )
        periodic.start()
        while not self._stopping:
            if not self._pass():
                self._idle(settings.KOTALIVE_WORKER_POLL_SECONDS)
        # Normal code from here on, not a signal handler: Event.set() takes the event's lock, which a handler
        # interrupting this same thread inside Event.wait() would wait for forever.
        periodic_stop.set()
        periodic.join(timeout=STOP_DEADLINE_SECONDS / 2)
        if periodic.is_alive():
            logger.warning("worker stopped while a periodic job still ran; the next worker's sweep redoes it")
            # Not through interpreter shutdown: with a daemon thread inside a query or a log call it can block on a
            # lock that thread holds, or abort on stderr's. The database rolls the job's open transaction back.
            os._exit(0)
        logger.info("worker stopped")

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM or SIGINT. A signal handler runs in the main thread between two bytecodes, possibly while that
        thread holds a lock, so it takes none: it sets a plain flag that the loop checks, and arms the deadline."""
        if self._stopping:
            return  # a second signal: the deadline armed by the first one stands
        self._stopping = True
        signal.signal(signal.SIGALRM, _stop_deadline_passed)
        signal.setitimer(signal.ITIMER_REAL, STOP_DEADLINE_SECONDS)

    def _idle(self, seconds: float) -> None:
        """Sleep up to `seconds` in short steps, waking as soon as a stop is asked for."""
        until = time.monotonic() + seconds
        while not self._stopping:
            left = until - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(SLEEP_STEP_SECONDS, left))

    def _pass(self) -> bool:
        """One pass of the continuous jobs; True when one found work (so the next pass follows at once)."""
        close_old_connections()
        found = False
        for job in CONTINUOUS:
            found = run_job(job) or found
        return found

    def _periodic(self, stop: threading.Event, interval: float) -> None:
        """Run each periodic job at its own pace (its `every`, or `interval`), one at a time, all at once first."""
        due = dict.fromkeys((job.name for job in PERIODIC), time.monotonic())
        try:
            while not stop.is_set():
                close_old_connections()
                for job in PERIODIC:
                    if self._stopping or stop.is_set():
                        return
                    if time.monotonic() >= due[job.name]:
                        due[job.name] = time.monotonic() + (job.every or interval)
                        run_job(job)
                stop.wait(max(0.0, min(due.values(), default=time.monotonic() + interval) - time.monotonic()))
        finally:
            connections.close_all()

    def _sweep(self) -> None:
        for job in PERIODIC:
            if self._stopping:
                return
            run_job(job)


def _stop_deadline_passed(signum: int, frame: FrameType | None) -> None:
    """SIGALRM after a stop signal: the pass did not end in time. Only async-signal-safe calls: one write to
    stderr (no logging, whose handler lock the interrupted code may hold) and an immediate exit."""
    os.write(2, b"kotalive worker: not stopped within the deadline, exiting now; leased deliveries are retried\n")
    os._exit(0)
