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
