"""The hand-off ledger: every transfer of a subject of any kind between agencies, read from the holders' stretches
(workflow.Holding), and what follows from it per ordered pair of agencies (docs/coordination-metrics.md).

A transfer is two consecutive lead stretches of one subject at different agencies (a hand-off; a hand-back to the
Live Room followed by a disposition elsewhere counts as one transfer between the two agencies). The first lead
stretch of a report came from the platform operator (the Live Room disposed it): a transfer from `origin`.
Coordination requests are subjects of their own, asked by one agency of another; their pair figures (turnaround,
unanswered) come from the requests themselves (kotalive/dashboard).

Per ordered pair (from, to): `transfers`; `accepted` and the median `acceptance_seconds` (received to accepted);
`bounced` ("not ours": the receiving stretch ended handed on or handed back without the work being done there);
`ping_pong` (the subject came back from `to` to `from`: A -> B -> A); and per agency the time spent holding
subjects it did not finish (`wrong_agency_seconds`: every lead stretch but the subject's last).
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from kotalive.workflow.models import Holding

BOUNCED = frozenset({"handed_off", "returned_to_operator"})


@dataclass
class Pair:
    from_agency: str
    to_agency: str
    transfers: int = 0
    accepted: int = 0
    bounced: int = 0
    ping_pong: int = 0
    acceptance: list[float] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        return {
            "from_agency": self.from_agency,
            "to_agency": self.to_agency,
            "transfers": self.transfers,
            "accepted": self.accepted,
            "acceptance_seconds_median": round(statistics.median(self.acceptance)) if self.acceptance else None,
            "bounced": self.bounced,
            "bounce_rate": round(self.bounced / self.transfers, 4) if self.transfers else None,
            "ping_pong": self.ping_pong,
        }


@dataclass
class Ledger:
    pairs: dict[tuple[str, str], Pair]
    wrong_agency_seconds: dict[str, int]
    subjects: int


def handoff_ledger(
    *,
    kinds: tuple[str, ...],
    since: dt.datetime,
    until: dt.datetime,
    origin: str = "",
    excluded: dict[str, QuerySet[Any]] | None = None,
) -> Ledger:
    """The ledger of subjects of `kinds` whose first lead stretch began in [since, until); `origin` is the agency
    code a subject's first stretch came from when it came from the platform operator (a disposed report), or ""
    when a first stretch is no transfer (an application filed straight with its agency). `excluded` names, per kind,
    the subject ids left out (synthetic test applications)."""
    leads = Holding.objects.filter(holder=Holding.AGENCY, role=Holding.LEAD)
    # Subjects whose first lead stretch began in the period, kind by kind (ids of different kinds may be equal): those
    # with a lead stretch that began in it (holding_received_idx) and none before.
    chosen = Q(pk__in=[])
    for kind in kinds:
        began = leads.filter(subject_type=kind, received_at__gte=since, received_at__lt=until).values("subject_id")
        earlier = leads.filter(subject_type=kind, subject_id=OuterRef("subject_id"), received_at__lt=since)
        mine = Q(subject_type=kind, subject_id__in=began) & ~Q(Exists(earlier))
        if excluded and kind in excluded:  # NOT EXISTS: one index probe per subject, not a scan of every subject
            mine &= ~Q(Exists(excluded[kind].filter(pk=OuterRef("subject_id"))))
        chosen |= mine
    rows = (
        leads.filter(chosen)
        .order_by("subject_type", "subject_id", "received_at", "id")
        .values_list("subject_type", "subject_id", "agency__code", "received_at", "accepted_at", "left_at", "outcome")
    )
    by_subject: dict[tuple[str, int], list[tuple[Any, ...]]] = defaultdict(list)
    for kind, subject_id, *stretch in rows.iterator(chunk_size=5000):
        by_subject[(kind, subject_id)].append(tuple(stretch))
    pairs: dict[tuple[str, str], Pair] = {}
    wrong: dict[str, int] = defaultdict(int)
    for (kind, _subject_id), stretches in by_subject.items():
        previous = origin if kind == "complaint" else ""
        for index, (agency, received, accepted, left, outcome) in enumerate(stretches):
            if index < len(stretches) - 1:  # held, but not the one that finished it
                wrong[agency] += int(((left or until) - received).total_seconds())
            if not previous or previous == agency:
                previous = agency
                continue
            pair = pairs.setdefault((previous, agency), Pair(previous, agency))
            pair.transfers += 1
            if accepted is not None:
                pair.accepted += 1
                pair.acceptance.append((accepted - received).total_seconds())
            if outcome in BOUNCED:
                pair.bounced += 1
            if index >= 2 and stretches[index - 2][0] == agency:  # came back: agency -> previous -> agency
                pairs.setdefault((agency, previous), Pair(agency, previous)).ping_pong += 1
            previous = agency
    return Ledger(pairs=pairs, wrong_agency_seconds=dict(wrong), subjects=len(by_subject))
