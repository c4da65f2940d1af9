"""The dashboards' rollups: what happened on one local (Asia/Jakarta) day to the subjects of one kind, so that a page
over a period sums a few thousand small rows instead of reading a million subjects (docs/adr/0013-dashboard-rollups.md).

Each row is recomputed whole from the subjects' own rows by `kotalive.dashboard.rollups` (never incremented), so a
rollup always equals a recomputation from the raw rows; the worker recomputes the days a subject event touched.

Each kind of rollup has a day table and a month twin (`day` is then the month's first day) holding the sums of the
month's day rows, refreshed with them: a period sums whole months from the twin and only its ragged ends from the day
rows, so that two years cost about what three months do.

The dimensions are plain ids, not foreign keys: a rollup never holds back a change to the catalogue or the agencies
(a figure of a removed category stays in the past days it belongs to)."""

from django.db import models

# Durations are counted in fixed buckets (upper bounds in seconds; the last bucket holds everything longer): the
# median and p90 a page shows are the upper bound of the bucket their rank falls in (docs/coordination-metrics.md).
MINUTE, HOUR, DAY = 60, 3600, 86400
DURATION_BOUNDS = (
    15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR, 6 * HOUR, 8 * HOUR, 12 * HOUR, 18 * HOUR,
    DAY, 36 * HOUR, 2 * DAY, 3 * DAY, 4 * DAY, 5 * DAY, 6 * DAY, 7 * DAY, 10 * DAY, 14 * DAY, 21 * DAY, 30 * DAY,
    45 * DAY, 60 * DAY, 90 * DAY, 180 * DAY,
)  # fmt: skip
BUCKETS = len(DURATION_BOUNDS) + 1
DURATIONS = ("first_response", "completion")
IKM_ELEMENTS = [f"u{i}" for i in range(1, 10)]  # the nine elements of the satisfaction survey (PermenPANRB 14/2017)


def bucket_fields(measure: str) -> list[str]:
    """The column names of one duration's histogram, shortest bucket first."""
    return [f"{measure}_{index:02d}" for index in range(BUCKETS)]


class SubjectFigures(models.Model):
    """One kind ("case" or "complaint") and one combination of agency, service (applications), category and
    kecamatan (reports), on one local day or month. Which agency a measure belongs to: the subject's holder now for
    what was submitted and closed then, the holder at the time for escalations (None: the Live Room)."""

    day = models.DateField()
    kind = models.CharField(max_length=20)
    agency_id = models.BigIntegerField(null=True)
    service_id = models.BigIntegerField(null=True)
    category_id = models.BigIntegerField(null=True)
    kecamatan = models.CharField(max_length=13, blank=True)  # Kemendagri code; "" when the report named no place
    # Submitted then.
    submitted = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)  # of those, answered by staff (the first_response histogram)
    fields = models.PositiveIntegerField(default=0)  # applications: form fields, and those pre-filled
    fields_prefilled = models.PositiveIntegerField(default=0)
    documents_uploaded = models.PositiveIntegerField(default=0)  # uploads the application was the first to hold
    documents_shared = models.PositiveIntegerField(default=0)  # uploads an earlier part of its bundle held already
    documents_reused = models.PositiveIntegerField(default=0)  # an earlier part's output, not asked for
    # Closed then.
    closed = models.PositiveIntegerField(default=0)
    met = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)  # closed after a reopening
    completed = models.PositiveIntegerField(default=0)  # closed as completed (the completion histogram)
    completed_online = models.PositiveIntegerField(default=0)  # completed with nothing to collect at an office
    # Raised then.
    escalations = models.PositiveIntegerField(default=0)
    # Steps taken then by staff (not the citizen, not the system), and of those by an agency system's key.
    staff_steps = models.PositiveIntegerField(default=0)
    system_steps = models.PositiveIntegerField(default=0)
    # IKM answers given then about applications (the survey's nine elements summed: u1 ... u9).
    ikm_answers = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} {self.day} agency={self.agency_id}"


SUBJECT_KEYS = ["kind", "agency_id", "service_id", "category_id", "kecamatan"]
SUBJECT_MONTH_KEYS = ["kind", "agency_id", "service_id", "category_id"]  # the twin has no kecamatan


class SubjectDayRollup(SubjectFigures):
    class Meta:
        # The volumes per week, and per category and kecamatan (the public page), read from the index alone: the rows
        # are wide, and a planner that would rather scan the table than fetch a tenth of it costs a tenth of a second.
        indexes = [
            models.Index(
                fields=["kind", "day"],
                include=["submitted", "closed", "category_id", "kecamatan"],
                name="rollup_kind_day_idx",
            )
        ]


class SubjectMonthRollup(SubjectFigures):
    """A month's sums without the kecamatan: a report's place multiplies the rows by the number of kecamatan (about
    4,000 a month instead of 300 on the benchmark), and only a period narrowed to, or grouped by, a kecamatan needs
    it; those read the day rows."""

    kecamatan = None  # type: ignore[assignment]

    class Meta:
        indexes = [models.Index(fields=["kind", "day"], name="rollup_month_kind_day_idx")]


for _model in (SubjectDayRollup, SubjectMonthRollup):
    for _measure in DURATIONS:  # the two histograms, one column per bucket (summed by the database)
        for _field in bucket_fields(_measure):
            _model.add_to_class(_field, models.PositiveIntegerField(default=0))
    for _element in IKM_ELEMENTS:  # the sums of each survey element's scores
        _model.add_to_class(f"ikm_{_element}", models.PositiveIntegerField(default=0))


class KelurahanFigures(models.Model):
    """Reports submitted on one local day (or month) in one kelurahan, per holding agency now (the map of reports)."""

    day = models.DateField()
    agency_id = models.BigIntegerField(null=True)
    kelurahan = models.CharField(max_length=13)
    submitted = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.kelurahan}: {self.submitted}"


KELURAHAN_KEYS = ["agency_id", "kelurahan"]


class KelurahanDayRollup(KelurahanFigures):
    class Meta:
        indexes = [models.Index(fields=["day"], name="rollup_kelurahan_day_idx")]


class KelurahanMonthRollup(KelurahanFigures):
    class Meta:
        indexes = [models.Index(fields=["day"], name="rollup_kelurahan_month_idx")]


class HandoffFigures(models.Model):
    """The hand-off ledger (kotalive/workflow/ledger.py) of the subjects of one kind whose first lead stretch began on
    one local day (or month). Three sorts of row, told apart by which agencies are set:
    - a pair (`from_agency` and `to_agency`): its transfers, accepted, bounced, ping-pong and the acceptance
      histogram;
    - an agency (`from_agency` alone): `held_elsewhere_seconds`, the time it held subjects it did not finish;
    - the day (neither): `subjects`, how many subjects the ledger of that day covers.
    Agencies are codes, as the matrix shows them."""

    day = models.DateField()
    kind = models.CharField(max_length=20)
    from_agency = models.CharField(max_length=20, blank=True)
    to_agency = models.CharField(max_length=20, blank=True)
    transfers = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)
    ping_pong = models.PositiveIntegerField(default=0)
    held_elsewhere_seconds = models.BigIntegerField(default=0)
    subjects = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.from_agency}->{self.to_agency}"


HANDOFF_KEYS = ["kind", "from_agency", "to_agency"]


class HandoffDayRollup(HandoffFigures):
    class Meta:
        indexes = [models.Index(fields=["day"], name="rollup_handoff_day_idx")]


class HandoffMonthRollup(HandoffFigures):
    class Meta:
        indexes = [models.Index(fields=["day"], name="rollup_handoff_month_idx")]


for _ledger in (HandoffDayRollup, HandoffMonthRollup):  # received to accepted, as the other durations
    for _field in bucket_fields("acceptance"):
        _ledger.add_to_class(_field, models.PositiveIntegerField(default=0))


class RegistryDayRollup(models.Model):
    """Registry look-ups and pre-fills recorded on one local day (registry.RegistryAccess), counted again for today
    and yesterday by a worker job every minute (the accesses are no subject's events)."""

    day = models.DateField(unique=True)
    lookups = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.lookups}"


def figures_of(model: type[models.Model], keys: list[str]) -> list[str]:
    """The summed columns of a rollup model: every column but its id, day and `keys`."""
    return [f.name for f in model._meta.concrete_fields if f.name not in {"id", "day", *keys}]


class RollupDirtyDay(models.Model):
    """A day of a kind that an event touched and whose rollups wait to be recounted (kotalive/dashboard/rollups.py):
    the worker's consumer only marks days, a job every few seconds recounts them, so recounting never holds up the
    delivery of events. `marked_at` moves when the day is marked again; the recount removes a mark only if it has
    not moved meanwhile, so a change that lands during a recount is counted by the next one."""

    kind = models.CharField(max_length=20)
    day = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="rollup_dirty_day_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"
