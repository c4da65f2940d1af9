from django.db import models
from django.utils import timezone


class DevOutboxMessage(models.Model):
    """A message the "log" channel would have sent. Shown on the DEBUG-only outbox page so that a developer can
    read one-time codes without a real SMS gateway. Never written by the production channels."""

    channel = models.CharField(max_length=10)  # sms | email
    destination = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.destination}"


class Notification(models.Model):
    """An in-app notice to one person (the citizen's bell), written by the event consumer in the worker."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    event_id = models.UUIDField()  # the CloudEvent it comes from: one notice per event and person
    kind = models.CharField(max_length=120)
    subject = models.CharField(max_length=80)  # a tracking number
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event_id"], name="notification_event_unique")]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} -> {self.user_id}"
