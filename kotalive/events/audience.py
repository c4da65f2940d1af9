"""Who an event concerns: the value subjects give the kernel and the kernel gives `outbox_write`; and what the people
who see only a subject's public face may read of its events (each kind says, from its AppConfig.ready())."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Audience:
    """Who an event concerns besides its owning agency: agency codes and user ids (see EventAudience).

    `people` see the whole subject (an applicant, a reporter); `public_people` only its public face (the followers
    of a report: the reporters of duplicates merged into it): the event feed gives them the kind's public keys of
    each event's data and nothing else, and their notices carry no reason nor any other text. Someone in both sets
    is among `people`."""

    agencies: frozenset[str] = frozenset()
    people: frozenset[int] = frozenset()
    public_people: frozenset[int] = frozenset()

    def __or__(self, other: "Audience") -> "Audience":
        people = self.people | other.people
        return Audience(self.agencies | other.agencies, people, (self.public_people | other.public_people) - people)

    def without_public(self) -> "Audience":
        """The same audience less the people who see only the public face (for what is not part of it: a message
        between the subject's people and those handling it)."""
        return Audience(self.agencies, self.people)


# Subject kind (the event type's first part, `complaint` of `complaint.accepted`) -> the keys of an event's `data`
# that the people who see only the subject's public face may read. An allow-list: a kind that registers nothing
# shows them no data at all, and a key added to an event later stays hidden until the kind names it here.
_PUBLIC_KEYS: dict[str, frozenset[str]] = {}


def public_keys_register(kind: str, keys: Iterable[str]) -> None:
    """Name the data keys of `kind`'s events that anyone following a subject of that kind may read (called from
    the kind's AppConfig.ready(); registering again replaces)."""
    _PUBLIC_KEYS[kind] = frozenset(keys)


def public_data(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The part of event `name`'s (`complaint.accepted`) `data` that a person who sees only its subject's public face
    may read: the keys its kind registered, nothing else."""
    allowed = _PUBLIC_KEYS.get(name.partition(".")[0], frozenset())
    return {key: value for key, value in data.items() if key in allowed}
