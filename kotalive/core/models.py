from typing import Any

from django.conf import settings
from django.db import models


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
