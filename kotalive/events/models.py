import uuid

from django.db import models


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it describes (transactional outbox).

    Columns are the CloudEvents 1.0 attributes; `sequence` numbers the events of one subject (a case's tracking
    number) from 1 without gaps, so consumers can keep order per subject. The dispatcher (synchronization issue)
    delivers rows in `id` order and marks them.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # CloudEvents `id`
    source = models.CharField(max_length=200)
    type = models.CharField(max_length=120, db_index=True)
    subject = models.CharField(max_length=80)
    time = models.DateTimeField()
    sequence = models.PositiveIntegerField()
    agency = models.CharField(max_length=20, blank=True, db_index=True)  # owning agency code (extension)
    data = models.JSONField(default=dict)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="outbox_subject_sequence_unique")]
        indexes = [models.Index(fields=["dispatched_at", "id"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}#{self.sequence}"

    def as_cloudevent(self) -> dict[str, object]:
        return {
            "specversion": "1.0",
            "id": str(self.event_id),
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat(),
            "datacontenttype": "application/json",
            "data": self.data,
            "sequence": self.sequence,
            "agency": self.agency,
        }
