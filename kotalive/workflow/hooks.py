"""What runs after every change of a subject, inside its transaction: the one list of after-change hooks each kind
registers (from its AppConfig.ready()), such as an application's stored applicant view (kotalive/cases/snapshots.py).

The kernel calls them after writing a subject's event (`workflow.services.subject_event_write`), so no model imports
the modules that read it back and a new kind adds its hooks without touching the engine.
"""

from collections.abc import Callable
from typing import Any

AfterChange = Callable[[Any], None]
_AFTER_CHANGE: dict[str, list[AfterChange]] = {}


def after_change(kind: str) -> Callable[[AfterChange], AfterChange]:
    """Register `function(subject)` to run after every change of a subject of `kind` (its event_kind)."""

    def register(function: AfterChange) -> AfterChange:
        _AFTER_CHANGE.setdefault(kind, []).append(function)
        return function

    return register


def after_change_run(subject: Any) -> None:
    """Run the hooks of the subject's kind, in the order they were registered."""
    for hook in _AFTER_CHANGE.get(subject.event_kind, ()):
        hook(subject)
