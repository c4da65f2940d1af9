"""Requests sent at the same moment, for the concurrency claims tested on PostgreSQL: each call runs in its own
thread with its own database connection, all released together by a barrier."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def at_once(calls: list[Callable[[], Any]], *, timeout: float = 60) -> list[Any]:
    """Run every call at the same moment; their results in the order given. An exception in a call is raised here,
    after all have ended."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index]()
        except BaseException as exc:  # reported by the calling thread below
            failures.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if failures:
        raise failures[0]
    return results
