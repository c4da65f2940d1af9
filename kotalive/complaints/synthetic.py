"""Synthetic reports for benchmarks (`bench/complaints_queries.py`): many years of a large city's LAKSA traffic,
written with COPY on PostgreSQL. Never used by the application itself."""

import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Iterator

from django.db import connection, transaction
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency
from kotalive.complaints.models import Category, Complaint
from kotalive.complaints.reference import city_bounds
from kotalive.core.calendar import JAKARTA
from kotalive.core.numbering import number_raise_to
from kotalive.regions.models import Region
from kotalive.workflow.models import WorkflowDefinition

BATCH = 5000
# (state, category, weight): most reports are long finished; a few hundred are open at any time.
STATES = [
    ("closed", "completed", 9400),
    ("rejected", "rejected", 300),
    ("merged", "cancelled", 200),
    ("triage", "submitted", 5),
    ("disposed", "submitted", 15),
    ("in_progress", "in_progress", 60),
    ("resolved", "in_progress", 10),
    ("awaiting_confirmation", "awaiting_citizen", 10),
]
COLUMNS = (
    "workflow_id", "state", "state_category", "version", "sla_working_days", "started_at", "due_at", "sla_status",
    "paused_working_days", "closed_at", "state_entered_at", "tracking", "kind", "category_id", "title",
    "description", "lat", "lon", "kelurahan_id", "address", "attributes", "anonymous", "confidential", "reporter_id",
    "contact_encrypted", "source", "agency_id", "agency_since", "emergency", "submitted_at", "updated_at",
    "open311_token", "lapor_id", "resume_state",
)  # fmt: skip


def _rows(count: int, years: float, seed: int, counters: dict[dt.date, int]) -> Iterator[tuple[object, ...]]:
    rng = random.Random(seed)
    workflow = WorkflowDefinition.objects.filter(code="complaint-standard").order_by("-version").first()
    if workflow is None:
        raise ValueError("load the reference data first (kotalive seed)")
    categories = list(Category.objects.values_list("id", "default_agency_id"))
    reporters = list(User.objects.filter(kind=User.CITIZEN).values_list("id", flat=True)[:20000])
    kelurahan = list(Region.objects.filter(level="kelurahan").values_list("code", flat=True))
    agencies = list(Agency.objects.filter(handles_complaints=True).values_list("id", flat=True))
    south, west, north, east = city_bounds()
    weights = [w for _s, _c, w in STATES]
    now = timezone.now()
    span = years * 365 * 86400
    for _ in range(count):
        state, category, _w = rng.choices(STATES, weights)[0]
        is_open = category not in {"completed", "rejected", "cancelled"}
        age = rng.uniform(0, 12 * 86400) if is_open else rng.uniform(0, span)
        submitted = now - dt.timedelta(seconds=age)
        day = submitted.astimezone(JAKARTA).date()
        counters[day] = counters.get(day, 0) + 1
        category_id, default_agency = rng.choice(categories)
        held = state not in {"triage"} and rng.random() < 0.97
        due = submitted + dt.timedelta(days=4 if state == "triage" else 7)
        yield (
            workflow.pk, state, category, rng.randrange(1, 9), 3, submitted, due,
            ("breached" if due < now else "on_track") if is_open else "met", 0,
            None if is_open else submitted + dt.timedelta(days=rng.uniform(1, 9)), submitted,
            f"LAKSA-{day:%Y%m%d}-{counters[day]:05d}", "complaint", category_id, "Laporan sintetis",
            "Laporan sintetis untuk uji beban.", rng.uniform(south, north), rng.uniform(west, east),
            rng.choice(kelurahan), "", "{}", rng.random() < 0.1, rng.random() < 0.05, rng.choice(reporters), "",
            "app", (default_agency if rng.random() < 0.8 else rng.choice(agencies)) if held else None,
            submitted if held else None, False, submitted, submitted, uuid.UUID(int=rng.getrandbits(128)), "", "",
        )  # fmt: skip


def _insert(batch: list[tuple[object, ...]]) -> None:
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY complaints_complaint ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in batch:
                copy.write_row(row)
    else:
        Complaint.objects.bulk_create(
            [
                Complaint(
                    **{k: (json.loads(str(v)) if k == "attributes" else v) for k, v in zip(COLUMNS, row, strict=True)}
                )
                for row in batch
            ],
            batch_size=1000,
        )


def complaints_seed_synthetic(*, count: int, years: float = 10, seed: int = 1) -> float:
    """Insert `count` synthetic reports over the last `years`; returns the seconds it took. Tracking counters move
    past them so real reports never collide."""
    started = time.perf_counter()
    counters: dict[dt.date, int] = {}
    batch: list[tuple[object, ...]] = []
    with transaction.atomic():
        for row in _rows(count, years, seed, counters):
            batch.append(row)
            if len(batch) >= BATCH:
                _insert(batch)
                batch = []
        if batch:
            _insert(batch)
        for day, last in counters.items():
            number_raise_to(series="LAKSA", day=day, last=last)
    return time.perf_counter() - started
