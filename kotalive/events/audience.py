"""Who an event concerns: the value subjects give the kernel and the kernel gives `outbox_write`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Audience:
    """Who an event concerns besides its owning agency: agency codes and user ids (see EventAudience)."""

    agencies: frozenset[str] = frozenset()
    people: frozenset[int] = frozenset()

    def __or__(self, other: "Audience") -> "Audience":
        return Audience(self.agencies | other.agencies, self.people | other.people)
