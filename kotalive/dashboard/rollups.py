"""Keeping the dashboards' day rollups (kotalive/dashboard/models.py) equal to the subjects' rows.

One way to write a rollup: `rollup_days(kind, days)` recomputes each day whole from the raw rows (the subjects
submitted, closed or escalated that local day) and replaces that day's rows. Who calls it:

- the worker, through the event consumer `dashboard.rollups`: every event about an application or a report marks the
  days that subject can count on (its submission day, its closing day, and the days of its steps and escalations,
  which hold any earlier closing day a reopening moved away from), and those days are recomputed in the consumer's
  transaction, so the pages are as fresh as the worker's last pass (seconds);
- `kotalive rollups-rebuild` and data loaders that write subjects without events (the demo history, the
  benchmark's synthetic load): every day of a range.

Replacing whole days (never incrementing) keeps a replayed event harmless and lets a test compare every rollup row
with a recomputation from the raw rows.
"""

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction
from django.db.models import DateField, Exists, Min, OuterRef, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotalive.agencies.models import Agency, ApiClient
from kotalive.cases.models import Case, CaseDocument
from kotalive.catalogue.models import ServiceVersion
from kotalive.complaints.models import Complaint
from kotalive.core.calendar import JAKARTA, local_date
from kotalive.core.jobs import periodic
from kotalive.core.locks import advisory_xact_lock
from kotalive.dashboard.models import (
    BUCKETS,
    DURATION_BOUNDS,
    HANDOFF_KEYS,
    IKM_ELEMENTS,
    KELURAHAN_KEYS,
    SUBJECT_MONTH_KEYS,
    HandoffDayRollup,
    HandoffMonthRollup,
    KelurahanDayRollup,
    KelurahanMonthRollup,
    RegistryDayRollup,
    RollupDirtyDay,
    SubjectDayRollup,
    SubjectMonthRollup,
    bucket_fields,
    figures_of,
)
from kotalive.dashboard.sums import month_start, next_month
from kotalive.events.consumers import consumer
from kotalive.events.models import OutboxEvent
from kotalive.events.services import TYPE_PREFIX
from kotalive.registry.models import RegistryAccess
from kotalive.workflow.definitions import CANCELLED
from kotalive.workflow.ledger import handoff_ledger
from kotalive.workflow.models import Escalation, Holding, Rating, WorkflowStep

KINDS = ("case", "complaint")
REOPENING = ["reopen", "return_to_agency"]
NOT_STAFF = [
    "applicant",
    "system",
    "",
]  # steps not taken by staff (the citizen's, the engine's)  # the steps after which a closed subject is "reopened"
ONLINE_OUTPUTS = [ServiceVersion.SIGNED_PDF, ServiceVersion.RECORD]  # nothing to collect at an office
LOCK_KEY = 0x4B4C5255  # one rollup writer at a time (the worker's recount, a rebuild)
CATCH_UP_SECONDS = 5.0  # how often the worker recounts the days events touched: the pages' staleness

Key = tuple[int | None, int | None, int | None, str]  # agency, service, category, kecamatan


def bucket(seconds: float) -> int:
    """The histogram bucket of a duration: the first whose upper bound holds it (the last one for longer)."""
    return bisect_left(DURATION_BOUNDS, seconds)


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    since = dt.datetime.combine(day, dt.time.min, tzinfo=JAKARTA)
    return since, since + dt.timedelta(days=1)


def _live(kind: str) -> QuerySet[Any]:
    return Case.objects.filter(is_test=False) if kind == "case" else Complaint.objects.all()


class _Row:
    """One rollup row being counted."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.histograms = {"first_response": [0] * BUCKETS, "completion": [0] * BUCKETS}

    def as_model(self, *, kind: str, day: dt.date, key: Key) -> SubjectDayRollup:
        agency_id, service_id, category_id, kecamatan = key
        row = SubjectDayRollup(
            kind=kind,
            day=day,
            agency_id=agency_id,
            service_id=service_id,
            category_id=category_id,
            kecamatan=kecamatan,
            **self.counts,
        )
        for measure, counts in self.histograms.items():
            for field, n in zip(bucket_fields(measure), counts, strict=True):
                setattr(row, field, n)
        return row


def _key(kind: str, agency_id: int | None, dimension: int | None, kecamatan: str | None) -> Key:
    if kind == "case":
        return (agency_id, dimension, None, "")
    return (agency_id, None, dimension, kecamatan or "")


def _day_rows(kind: str, day: dt.date) -> tuple[list[SubjectDayRollup], list[KelurahanDayRollup]]:
    """Every rollup row of `kind` for `day`, counted from the raw rows."""
    since, until = _bounds(day)
    live = _live(kind)
    dimension = "service_id" if kind == "case" else "category_id"
    place = "agency_id" if kind == "case" else "kelurahan__parent_id"  # cases have no place: a harmless stand-in
    rows: dict[Key, _Row] = defaultdict(_Row)

    submitted = live.filter(submitted_at__gte=since, submitted_at__lt=until)
    if kind == "case":
        _count_applications(submitted, rows)
    else:
        for agency_id, category_id, kecamatan, began, answered in submitted.values_list(
            "agency_id", "category_id", "kelurahan__parent_id", "submitted_at", "first_response_at"
        ):
            row = rows[_key(kind, agency_id, category_id, kecamatan)]
            row.counts["submitted"] += 1
            if answered is not None:
                row.counts["responded"] += 1
                row.histograms["first_response"][bucket((answered - began).total_seconds())] += 1

    reopening = WorkflowStep.objects.filter(subject_type=kind, subject_id=OuterRef("pk"), action__in=REOPENING)
    closed = live.filter(closed_at__gte=since, closed_at__lt=until).annotate(reopened=Exists(reopening))
    online = "service_version__output_kind" if kind == "case" else "state"  # reports have no output: never in the list
    for agency_id, dim, kecamatan, began, ended, sla, category, output, reopened in closed.values_list(
        "agency_id", dimension, place, "submitted_at", "closed_at", "sla_status", "state_category", online, "reopened"
    ):
        row = rows[_key(kind, agency_id, dim, kecamatan)]
        row.counts["closed"] += 1
        # A withdrawn application or report was never served: neither on time nor late (its stored clock says met).
        row.counts["met"] += sla == "met" and category != CANCELLED
        row.counts["missed"] += sla == "missed" and category != CANCELLED
        row.counts["reopened"] += bool(reopened)
        if category == "completed":
            row.counts["completed"] += 1
            row.counts["completed_online"] += kind == "case" and output in ONLINE_OUTPUTS
            row.histograms["completion"][bucket((ended - began).total_seconds())] += 1

    escalated = list(
        Escalation.objects.filter(subject_type=kind, at__gte=since, at__lt=until).values_list("subject_id", "holder")
    )
    if escalated:
        subjects = live.filter(pk__in={pk for pk, _holder in escalated}).values_list("pk", dimension, place)
        dims = {pk: (dim, kecamatan) for pk, dim, kecamatan in subjects}
        agency_of = dict(Agency.objects.values_list("code", "pk"))
        for subject_id, holder in escalated:
            if subject_id not in dims:
                continue  # a test application: not on the dashboards
            dim, kecamatan = dims[subject_id]
            rows[_key(kind, agency_of.get(holder), dim, kecamatan)].counts["escalations"] += 1

    if kind == "case":
        _count_answers(since, until, rows)

    steps = WorkflowStep.objects.filter(subject_type=kind, at__gte=since, at__lt=until).exclude(
        actor_role__in=NOT_STAFF
    )
    stepped = list(steps.annotate(by_system=Exists(ApiClient.objects.filter(account=OuterRef("actor")))).values_list(
        "subject_id", "by_system"))  # fmt: skip
    if stepped:
        subjects = live.filter(pk__in={pk for pk, _by_system in stepped}).values_list(
            "pk", "agency_id", dimension, place
        )
        keys = {pk: _key(kind, agency_id, dim, kecamatan) for pk, agency_id, dim, kecamatan in subjects}
        for subject_id, by_system in stepped:
            if subject_id in keys:  # not a test application
                rows[keys[subject_id]].counts["staff_steps"] += 1
                rows[keys[subject_id]].counts["system_steps"] += by_system

    places: list[KelurahanDayRollup] = []
    if kind == "complaint":
        counted: dict[tuple[int | None, str], int] = defaultdict(int)
        for agency_id, kelurahan in submitted.filter(kelurahan__isnull=False).values_list("agency_id", "kelurahan_id"):
            counted[(agency_id, kelurahan)] += 1
        places = [
            KelurahanDayRollup(day=day, agency_id=agency_id, kelurahan=kelurahan, submitted=n)
            for (agency_id, kelurahan), n in sorted(counted.items(), key=lambda item: (item[0][0] or 0, item[0][1]))
        ]
    return [row.as_model(kind=kind, day=day, key=key) for key, row in rows.items()], places


def _count_applications(submitted: QuerySet[Any], rows: dict[Key, _Row]) -> None:
    """The submission-day measures of applications: volume, first response, and what the citizen was spared (form
    fields pre-filled, documents held already, uploads an earlier part of the same bundle had)."""
    found = list(
        submitted.values_list(
            "pk",
            "agency_id",
            "service_id",
            "submitted_at",
            "first_response_at",
            "data",
            "prefilled",
            "documents_reused",
        )
    )
    attached = list(CaseDocument.objects.filter(case_id__in=[r[0] for r in found]).values_list("case_id", "upload_id"))
    first_holder = dict(
        CaseDocument.objects.filter(upload_id__in={upload for _case, upload in attached})
        .values("upload_id")
        .annotate(first=Min("case_id"))
        .values_list("upload_id", "first")
    )
    uploaded: dict[int, int] = defaultdict(int)
    shared: dict[int, int] = defaultdict(int)
    for case_id, upload_id in attached:
        if first_holder[upload_id] == case_id:
            uploaded[case_id] += 1
        else:
            shared[case_id] += 1
    for pk, agency_id, service_id, began, answered, data, prefilled, reused in found:
        row = rows[_key("case", agency_id, service_id, None)]
        row.counts["submitted"] += 1
        row.counts["fields"] += len(data or {})
        row.counts["fields_prefilled"] += len(prefilled or {})
        row.counts["documents_reused"] += len(reused or {})
        row.counts["documents_uploaded"] += uploaded[pk]
        row.counts["documents_shared"] += shared[pk]
        if answered is not None:
            row.counts["responded"] += 1
            row.histograms["first_response"][bucket((answered - began).total_seconds())] += 1


def _count_answers(since: dt.datetime, until: dt.datetime, rows: dict[Key, _Row]) -> None:
    """The IKM answers given that day, on the row of the application's agency and service."""
    answers = list(
        Rating.objects.filter(subject_type="case", scale=Rating.IKM, at__gte=since, at__lt=until).values_list(
            "subject_id", "scores"
        )
    )
    if not answers:
        return
    rated = Case.objects.filter(pk__in={pk for pk, _scores in answers}, is_test=False)
    owners = rated.values_list("pk", "agency_id", "service_id")
    keys = {pk: _key("case", agency_id, service_id, None) for pk, agency_id, service_id in owners}
    for subject_id, scores in answers:
        if subject_id not in keys:
            continue  # a test application
        row = rows[keys[subject_id]]
        row.counts["ikm_answers"] += 1
        for element, score in zip(IKM_ELEMENTS, scores, strict=True):
            row.counts[f"ikm_{element}"] += score


def _handoff_rows(kind: str, day: dt.date, origin: str) -> list[HandoffDayRollup]:
    """The hand-off ledger of the subjects of `kind` whose first lead stretch began on `day`, as rollup rows (pairs,
    agencies, the day: kotalive/dashboard/models.py)."""
    since, until = _bounds(day)
    tests = {"case": Case.objects.filter(is_test=True)} if kind == "case" else {}
    ledger = handoff_ledger(kinds=(kind,), since=since, until=until, origin=origin, excluded=tests)
    if not ledger.subjects:
        return []
    rows = [HandoffDayRollup(day=day, kind=kind, subjects=ledger.subjects)]
    for agency, seconds in sorted(ledger.wrong_agency_seconds.items()):
        rows.append(HandoffDayRollup(day=day, kind=kind, from_agency=agency, held_elsewhere_seconds=seconds))
    for (source, target), pair in sorted(ledger.pairs.items()):
        row = HandoffDayRollup(
            day=day,
            kind=kind,
            from_agency=source,
            to_agency=target,
            transfers=pair.transfers,
            accepted=pair.accepted,
            bounced=pair.bounced,
            ping_pong=pair.ping_pong,
        )
        counts = [0] * BUCKETS
        for waited in pair.acceptance:
            counts[bucket(waited)] += 1
        for field, n in zip(bucket_fields("acceptance"), counts, strict=True):
            setattr(row, field, n)
        rows.append(row)
    return rows


def rollup_days(kind: str, days: Iterable[dt.date]) -> int:
    """Recompute the rollups of `kind` for each of `days` from the raw rows, replacing what was there (one
    transaction, one writer at a time); returns the number of days."""
    days = sorted(set(days))
    operator = Agency.objects.filter(role=Agency.OPERATOR).order_by("id").values_list("code", flat=True).first()
    with transaction.atomic():
        advisory_xact_lock(LOCK_KEY)
        for day in days:
            HandoffDayRollup.objects.filter(kind=kind, day=day).delete()
            HandoffDayRollup.objects.bulk_create(_handoff_rows(kind, day, operator or ""))
            subject_rows, place_rows = _day_rows(kind, day)
            SubjectDayRollup.objects.filter(kind=kind, day=day).delete()
            SubjectDayRollup.objects.bulk_create(subject_rows)
            if kind == "complaint":
                KelurahanDayRollup.objects.filter(day=day).delete()
                KelurahanDayRollup.objects.bulk_create(place_rows)
        for month in sorted({month_start(day) for day in days}):
            _month_refresh(SubjectDayRollup, SubjectMonthRollup, month, SUBJECT_MONTH_KEYS, kind=kind)
            _month_refresh(HandoffDayRollup, HandoffMonthRollup, month, HANDOFF_KEYS, kind=kind)
            if kind == "complaint":
                _month_refresh(KelurahanDayRollup, KelurahanMonthRollup, month, KELURAHAN_KEYS)
    return len(days)


def _month_refresh(
    day_model: type[models.Model], month_model: type[models.Model], month: dt.date, keys: list[str], **only: str
) -> None:
    """Replace the month twin's rows of `month` (and `only`: the kind) with the sums of that month's day rows, in one
    INSERT ... SELECT: the database sums and writes a few thousand wide rows without a trip through Python (seconds
    saved on every worker pass that touches the month)."""
    figures = figures_of(month_model, keys)
    days = day_model.objects.filter(day__gte=month, day__lt=next_month(month), **only)  # type: ignore[attr-defined]
    summed = days.values(*keys).annotate(month_of=Value(month, DateField()), **{f: Sum(f) for f in figures})
    select, params = summed.order_by().query.sql_with_params()
    table, quote = month_model._meta.db_table, connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [*keys, "day", *figures])  # the SELECT's order: keys, then annotations
    month_model.objects.filter(day=month, **only).delete()  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(table)} ({columns}) {select}", params)  # noqa: S608 (names from the models)


def registry_days(days: Iterable[dt.date]) -> None:
    """Recount the registry look-ups of each of `days` (one writer at a time, as the other rollups)."""
    with transaction.atomic():
        advisory_xact_lock(LOCK_KEY)
        for day in sorted(set(days)):
            since, until = _bounds(day)
            n = RegistryAccess.objects.filter(at__gte=since, at__lt=until).count()
            RegistryDayRollup.objects.update_or_create(day=day, defaults={"lookups": n})


@periodic("dashboard.registry-lookups", every=30)
def registry_lookups_follow() -> bool:
    """Every half minute: the look-ups of every day since the last one counted, yesterday at least (its last
    minutes were counted after midnight; a worker stopped for days catches up when it starts again)."""
    today = local_date(dt.datetime.now(dt.UTC))
    last = RegistryDayRollup.objects.order_by("-day").values_list("day", flat=True).first()
    day = min(last or today, today - dt.timedelta(days=1))
    days = []
    while day <= today:
        days.append(day)
        day += dt.timedelta(days=1)
    registry_days(days)
    return False  # never "work done": the worker's pace does not depend on it


def rollups_rebuild(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Recompute every day from `start` to `end` (by default: from the first subject to today) for both kinds, a
    month per transaction; returns the number of days recomputed. For loaders that write subjects without events,
    and for an operator who changed rows by hand."""
    firsts = [d for d in (_live(kind).aggregate(first=Min("submitted_at"))["first"] for kind in KINDS) if d]
    if start is None:
        start = min(local_date(d) for d in firsts) if firsts else local_date(dt.datetime.now(dt.UTC))
    end = end or local_date(dt.datetime.now(dt.UTC))
    recomputed = 0
    while start <= end:
        month = [start + dt.timedelta(days=i) for i in range(min(31, (end - start).days + 1))]
        for kind in KINDS:
            recomputed += rollup_days(kind, month)
        registry_days(month)
        start = month[-1] + dt.timedelta(days=1)
    return recomputed


def touched_days(kind: str, trackings: set[str], moments: Iterable[dt.datetime] = ()) -> set[dt.date]:
    """The local days on which the subjects of `kind` numbered `trackings` can count in a rollup: submission,
    closing, each step (a closing step leaves the day an earlier closing was counted on), each escalation and each
    answer to the survey; and the days of `moments` (the events' own times)."""
    subjects = dict(_live(kind).filter(tracking__in=trackings).values_list("pk", "submitted_at"))
    days = {local_date(moment) for moment in moments}
    days |= {local_date(moment) for moment in subjects.values() if moment}
    closed = _live(kind).filter(pk__in=list(subjects), closed_at__isnull=False).values_list("closed_at", flat=True)
    days |= {local_date(moment) for moment in closed}
    steps = WorkflowStep.objects.filter(subject_type=kind, subject_id__in=list(subjects)).values_list("at", flat=True)
    days |= {local_date(moment) for moment in steps}
    if kind == "case":  # an upload counts as uploaded on the first application holding it: the others sharing it
        uploads = CaseDocument.objects.filter(case_id__in=list(subjects)).values("upload_id")
        sharing = CaseDocument.objects.filter(upload_id__in=uploads, case__is_test=False)
        days |= {local_date(moment) for moment in sharing.values_list("case__submitted_at", flat=True) if moment}
    # Escalations, answers, and holders' stretches (the ledger counts a subject on the day of its first).
    for model, at in ((Escalation, "at"), (Rating, "at"), (Holding, "received_at")):
        found = model.objects.filter(subject_type=kind, subject_id__in=list(subjects))  # type: ignore[attr-defined]
        days |= {local_date(moment) for moment in found.values_list(at, flat=True)}
    return days


@consumer("dashboard.rollups", label=_("Dashboard figures per day"))
def rollups_follow(events: list[OutboxEvent]) -> None:
    """Mark the days the batch's application and report events touched; `rollups_catch_up` recounts them."""
    now = timezone.now()
    for kind in KINDS:
        mine = [e for e in events if e.type.startswith(f"{TYPE_PREFIX}{kind}.") and not e.test]
        if mine:
            days = touched_days(kind, {e.subject for e in mine}, [e.time for e in mine])
            RollupDirtyDay.objects.bulk_create(
                [RollupDirtyDay(kind=kind, day=day, marked_at=now) for day in sorted(days)],
                update_conflicts=True,
                unique_fields=["kind", "day"],
                update_fields=["marked_at"],
            )


@periodic("dashboard.rollups", every=CATCH_UP_SECONDS)
def rollups_catch_up(*, batch: int = 31) -> int:
    """Recount the marked days, oldest mark first, up to `batch` days of one kind per transaction, until none is
    left; returns the number of days recounted. A mark that moved during its recount stays for the next round."""
    recounted = 0
    while True:
        with transaction.atomic():
            oldest = RollupDirtyDay.objects.order_by("marked_at", "id").first()
            if oldest is None:
                return recounted
            marks = list(RollupDirtyDay.objects.filter(kind=oldest.kind).order_by("day")[:batch])
            recounted += rollup_days(oldest.kind, [mark.day for mark in marks])
            for mark in marks:
                RollupDirtyDay.objects.filter(pk=mark.pk, marked_at=mark.marked_at).delete()
