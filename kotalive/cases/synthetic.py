"""Realistic synthetic applications for benchmarks and demos (`kotalive seed-cases --count N`).

Cases spread over the catalogue's services and the last two years; most are finished (completed, a few rejected
or cancelled), the rest open in every state with due dates around today. They carry is_test=True, no documents
and no timeline: they exist to load inboxes and dashboards, not to be worked.
"""

import datetime as dt
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.catalogue.models import Service
from kotalive.core.audit import audit_record
from kotalive.core.calendar import JAKARTA
from kotalive.core.numbering import number_raise_to, numbers_last
from kotalive.registry.models import Person

FINISHED = [("completed", "completed", 85), ("rejected", "rejected", 4), ("cancelled", "cancelled", 3)]
OPEN = [
    ("submitted", "submitted", 2),
    ("verification", "in_progress", 2),
    ("processing", "in_progress", 2),
    ("approval", "in_progress", 1),
    ("revision_requested", "awaiting_citizen", 1),
]
BATCH = 20_000


@dataclass(frozen=True)
class SeedCasesResult:
    created: int
    seconds: float


def _rows(
    count: int, seed: int, counters: dict[tuple[str, dt.date], int], offset: dict[tuple[str, dt.date], int]
) -> Iterator[dict[str, object]]:
    """Yield `count` case rows. Tracking sequences start after `offset` (the numbers already taken per agency and
    day); `counters` ends holding how many this run used."""
    rng = random.Random(seed)
    services = list(Service.objects.select_related("current", "agency").filter(current__isnull=False))
    applicants = list(User.objects.filter(kind=User.CITIZEN).values_list("id", flat=True)[:5000])
    staff_by_agency: dict[int, list[int]] = {}
    for user_id, agency_id in User.objects.filter(staff_roles__agency__isnull=False).values_list(
        "id", "staff_roles__agency_id"
    ):
        staff_by_agency.setdefault(agency_id, []).append(user_id)
    people: list[tuple[int | None, str]] = list(Person.objects.order_by("id").values_list("id", "full_name")[:20000])
    people = people or [(None, "WARGA")]
    if not services or not applicants:
        raise ValueError("load the catalogue and at least one citizen first (kotalive seed --demo)")
    states = FINISHED + OPEN
    weights = [w for _s, _c, w in states]
    now = timezone.now()
    for _ in range(count):
        service = rng.choice(services)
        version = service.current
        assert version is not None  # noqa: S101
        state, category, _w = rng.choices(states, weights)[0]
        is_open = category not in {"completed", "rejected", "cancelled"}
        age_days = rng.uniform(0, 20) if is_open else rng.uniform(0, 730)
        submitted = now - dt.timedelta(days=age_days, seconds=rng.randrange(86400))
        day = submitted.astimezone(JAKARTA).date()
        key = (service.agency.code, day)
        counters[key] = counters.get(key, 0) + 1
        due = submitted + dt.timedelta(days=version.sla_working_days * 1.4)
        sla = (
            "paused"
            if category == "awaiting_citizen"
            else (
                ("breached" if due < now else "at_risk" if due - now < dt.timedelta(days=1) else "on_track")
                if is_open
                else rng.choices(["met", "missed"], [9, 1])[0]
            )
        )
        person_id, name = rng.choice(people)
        staff = staff_by_agency.get(service.agency_id, [])
        yield {
            "tracking": f"{service.agency.code}-{day:%Y%m%d}-{counters[key] + offset.get(key, 0):05d}",
            "service_id": service.pk,
            "service_version_id": version.pk,
            "agency_id": service.agency_id,
            "applicant_id": rng.choice(applicants),
            "subject_person_id": person_id,
            "subject_name": str(name).title(),
            "subject_key": "",  # a registry person (or none): no key
            "data": "{}",
            "prefilled": "{}",
            "documents_reused": "{}",
            "snapshot": "{}",
            "resume_state": "",  # not waiting on another agency
            "assignee_id": rng.choice(staff) if staff and rng.random() < 0.6 else None,
            "submitted_at": submitted,
            "is_test": True,
            "workflow_id": version.workflow_id,
            "state": state,
            "state_category": category,
            "version": rng.randrange(1, 6),
            "sla_working_days": version.sla_working_days,
            "started_at": submitted,
            "due_at": due,
            "sla_status": sla,
            "paused_at": submitted + dt.timedelta(hours=20) if sla == "paused" else None,
            "paused_working_days": 0,
            "closed_at": None if is_open else submitted + dt.timedelta(days=rng.uniform(1, 8)),
        }


COLUMNS = (
    "snapshot",
    "tracking",
    "service_id",
    "service_version_id",
    "agency_id",
    "applicant_id",
    "subject_person_id",
    "subject_name",
    "subject_key",
    "data",
    "prefilled",
    "documents_reused",
    "assignee_id",
    "submitted_at",
    "is_test",
    "workflow_id",
    "state",
    "state_category",
    "version",
    "sla_working_days",
    "started_at",
    "due_at",
    "sla_status",
    "paused_at",
    "paused_working_days",
    "closed_at",
    "resume_state",
)


def _insert(batch: list[dict[str, object]]) -> None:
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY cases_case ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in batch:
                copy.write_row(tuple(row[c] for c in COLUMNS))
    else:
        Case.objects.bulk_create(
            [
                Case(
                    **{
                        k: (v if k not in {"data", "prefilled", "documents_reused", "snapshot"} else {})
                        for k, v in row.items()
                    }
                )
                for row in batch
            ],
            batch_size=2000,
        )


def cases_seed_synthetic(*, count: int, seed: int = 1) -> SeedCasesResult:
    """Insert `count` synthetic cases in batches; tracking counters move past them so real cases never collide."""
    started = time.perf_counter()
    # Tracking numbers continue after today's real (or earlier synthetic) cases.
    offset = numbers_last()
    used: dict[tuple[str, dt.date], int] = {}
    batch: list[dict[str, object]] = []
    with transaction.atomic():
        for row in _rows(count, seed, used, offset):
            batch.append(row)
            if len(batch) >= BATCH:
                _insert(batch)
                batch = []
        if batch:
            _insert(batch)
        for (agency, day), last in used.items():
            number_raise_to(series=agency, day=day, last=last + offset.get((agency, day), 0))
        audit_record(actor=None, action="cases.synthetic_seeded", object_type="cases.case", data={"count": count})
    return SeedCasesResult(created=count, seconds=time.perf_counter() - started)
