import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One line of the append-only audit log.

    Written by `kotalive.core.audit.audit_record` inside the caller's transaction as a plain insert (no lock that
    another writer takes); sealed afterwards by the worker (`audit_seal`), which gives it its place `seq` in the
    log in commit order, its leaf hash, the chain hash over every entry up to it and the Ed25519 signature of the
    checkpoint at its size. docs/audit.md specifies every byte; `kotalive audit-verify` checks it. The actor is
    protected from deletion: accounts are anonymised, never deleted, so the hashed actor id holds. Auditors and
    the data protection officer read it.
    """

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The seal, written once by the worker (docs/audit.md). Empty until then.
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    leaf_hash = models.CharField(max_length=64, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The sealer's queue: only unsealed entries, oldest first.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit entries are append-only")


class CalendarOverride(models.Model):
    """A local change to the working-day calendar: an extra closure, or a day that works after all (a holiday
    moved by a revised decree). Managed by the operator; every SLA clock reads it."""

    date = models.DateField(unique=True)
    working = models.BooleanField(help_text="True: the office works on this day; False: it is closed")
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'open' if self.working else 'closed'}: {self.reason}"


class NumberCounter(models.Model):
    """The last number given out per series and day (tracking numbers `<PREFIX>-<yyyymmdd>-<n>`).

    Taken by `kotalive.core.numbering.number_take` in a one-statement transaction of its own, before the use case's
    transaction: the row is locked for that statement only, never while a submission does its work.
    """

    series = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "day"], name="number_counter_unique")]

    def __str__(self) -> str:
        return f"{self.series} {self.day} {self.last}"


def _upload_path(instance: "Upload", filename: str) -> str:
    # Never the citizen's file name: a random name, grouped by month, under MEDIA_ROOT (outside the web root).
    return f"uploads/{timezone.now():%Y/%m}/{instance.id}.{instance.kind}"


class Upload(models.Model):
    """A file someone uploaded, checked by its content: a case's document, a report's photo, an output. One store
    for every subject kind (kotalive.core.uploads); kept in the table it was created in."""

    PDF, JPEG, PNG = "pdf", "jpeg", "png"
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads")
    file = models.FileField(upload_to=_upload_path)
    kind = models.CharField(max_length=4)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "cases_upload"  # created by the applications app before uploads served every kind

    def __str__(self) -> str:
        return f"{self.kind} {self.size} B"


class RateCounter(models.Model):
    """Hits of one rate-limit subject in one window (`kotalive.core.ratelimit`), shared by every process."""

    bucket = models.CharField(max_length=160)  # "<limit name>:<subject>"
    slot = models.BigIntegerField()  # the window: seconds since the epoch // the limit's seconds
    hits = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)  # when no estimate reads this window any more

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "slot"], name="core_ratecounter_bucket_slot")]

    def __str__(self) -> str:
        return f"{self.bucket} @{self.slot}: {self.hits}"
