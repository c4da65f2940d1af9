"""What runs after every change of a subject, inside its transaction: the one list of after-change hooks each kind
registers (from its AppConfig.ready()), such as an application's stored applicant view (kotalive/cases/snapshots.py).

The kernel calls them after writing a subject's event (`workflow.services.subject_event_write`), so no model imports
the modules that read it back and a new kind adds its hooks without touching the engine.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

AfterChange = Callable[[Any], None]
_AFTER_CHANGE: dict[str, list[AfterChange]] = {}
_held = threading.local()  # subjects whose hooks wait for the end of an `after_changes_once` block


def after_change(kind: str) -> Callable[[AfterChange], AfterChange]:
    """Register `function(subject)` to run after every change of a subject of `kind` (its event_kind)."""

    def register(function: AfterChange) -> AfterChange:
        _AFTER_CHANGE.setdefault(kind, []).append(function)
        return function

    return register


def after_change_run(subject: Any) -> None:
    """Run the hooks of the subject's kind, in the order they were registered (once at the end of an enclosing
    `after_changes_once` block instead)."""
    held: dict[tuple[str, Any], Any] | None = getattr(_held, "subjects", None)
    if held is not None:
        held[(subject.event_kind, subject.pk)] = subject
        return
    for hook in _AFTER_CHANGE.get(subject.event_kind, ()):
        hook(subject)


@contextmanager
def after_changes_once() -> Iterator[None]:
    """Run the hooks once per changed subject when the block ends, not after each of its events: the SLA sweep
    writes several escalation steps of one subject in one transaction and rebuilds its stored view once. Use it
    inside the transaction; when the block raises, nothing runs (the transaction rolls back anyway)."""
    if getattr(_held, "subjects", None) is not None:  # already inside one: the outer block runs them
        yield
        return
    _held.subjects = {}
    try:
        yield
        subjects = list(_held.subjects.values())
    finally:
        _held.subjects = None
    for subject in subjects:
        for hook in _AFTER_CHANGE.get(subject.event_kind, ()):
            hook(subject)
