"""The worker's jobs, registered by the apps that own them (from their AppConfig.ready()), so the worker command
in core runs every app's background work without importing any of them.

- continuous jobs run on every pass of the worker's main loop (event delivery, audit sealing): they return a truthy
  value when they found work, and the next pass then follows at once;
- periodic jobs run in the worker's second thread every `--interval` seconds (SLA sweeps, clean-ups), or every
  `every` seconds when they name their own pace (the dashboards' recount, every few seconds): work that must not
  hold up event delivery.

A job that raises is logged and run again on the next pass or period; jobs keep their own state in the database.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("kotalive.worker")

JobFunction = Callable[[], object]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    every: float | None = None  # periodic jobs: seconds between runs (None: the worker's --interval)


CONTINUOUS: list[Job] = []
PERIODIC: list[Job] = []


def _register(jobs: list[Job], name: str, function: JobFunction, every: float | None = None) -> JobFunction:
    if any(job.name == name for job in jobs):
        raise RuntimeError(f"a worker job named {name!r} is registered twice")
    jobs.append(Job(name, function, every))
    return function


def continuous(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a job for every pass of the worker's main loop."""
    return lambda function: _register(CONTINUOUS, name, function)


def periodic(name: str, every: float | None = None) -> Callable[[JobFunction], JobFunction]:
    """Register a job for the worker's periodic thread: every `every` seconds, or the worker's --interval."""
    return lambda function: _register(PERIODIC, name, function, every)


def run_job(job: Job) -> bool:
    """Run one job, never raising (the next pass retries); True when it reports work done."""
    try:
        return bool(job.run())
    except Exception:  # a failed job must not stop the worker or the other jobs
        logger.exception("worker job %s failed", job.name)
        return False
