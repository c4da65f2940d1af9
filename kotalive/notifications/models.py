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
    """A notice to one person about one event: always in the app (the bell), and through the person's ranked
    external channels under the delivery contract (DeliveryAttempt; kotalive/workflow/delivery.py)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    event_id = models.UUIDField()  # the CloudEvent it comes from: one notice per event and person
    kind = models.CharField(max_length=120)
    subject = models.CharField(max_length=80)  # a tracking number
    agency = models.CharField(max_length=20, blank=True)  # the event's owning agency (its outcome events' too)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The delivery contract: delivered on some external channel, or every channel tried and none delivered.
    delivered_at = models.DateTimeField(null=True, blank=True)
    unreachable_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event_id"], name="notification_event_unique")]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"),
            models.Index(fields=["subject"], name="notification_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} -> {self.user_id}"


class ContactPreference(models.Model):
    """How a person wants to be told: external channels in the order to try them, and hours when only the app may
    speak (a message due then waits for the end of the quiet hours)."""

    EMAIL, SMS, WHATSAPP = "email", "sms", "whatsapp"
    CHANNELS = (EMAIL, SMS, WHATSAPP)

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="contact_preference")
    ranking = models.JSONField(default=list)  # e.g. ["whatsapp", "sms", "email"]; [] = the app only
    language = models.CharField(max_length=5, default="id")  # of the messages: id | en
    quiet_start = models.TimeField(null=True, blank=True)  # local time, e.g. 21:00
    quiet_end = models.TimeField(null=True, blank=True)  # e.g. 06:00 (the next morning when before the start)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.ranking) or 'app only'}"


class DeliveryAttempt(models.Model):
    """One try to deliver a notification on one channel, and what became of it. Kept for the life of the subject;
    the citizen and the officers see them."""

    QUEUED, SENT, DELIVERED, FAILED, UNDETERMINED = "queued", "sent", "delivered", "failed", "undetermined"
    STATES = [(s, s) for s in (QUEUED, SENT, DELIVERED, FAILED, UNDETERMINED)]

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempts")
    channel = models.CharField(max_length=10)  # email | sms | whatsapp
    gateway = models.CharField(max_length=40)  # smtp, the gateway's name, or log (development)
    destination = models.CharField(max_length=254)  # where it went (shown masked)
    state = models.CharField(max_length=12, choices=STATES, default=QUEUED)
    tries = models.PositiveSmallIntegerField(default=0)  # sends tried (a temporary failure is tried again)
    not_before = models.DateTimeField(default=timezone.now)  # the end of quiet hours, or the next try
    provider_id = models.CharField(max_length=100, blank=True)  # the gateway's id of the message
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    receipt_due = models.DateTimeField(null=True, blank=True)  # no receipt by then: undetermined
    receipt_at = models.DateTimeField(null=True, blank=True)
    receipt_status = models.CharField(max_length=30, blank=True)  # as the gateway said it
    settled = models.BooleanField(default=False)  # its outcome is on the feed and the next channel planned

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["not_before"], condition=models.Q(state="queued"), name="attempt_queued_idx"),
            models.Index(fields=["receipt_due"], condition=models.Q(state="sent"), name="attempt_awaiting_idx"),
            models.Index(fields=["state"], condition=models.Q(settled=False), name="attempt_unsettled_idx"),
            models.Index(fields=["gateway", "provider_id"], name="attempt_provider_idx"),
            models.Index(fields=["created_at"], name="attempt_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.state}"


class MessageTemplate(models.Model):
    """The operator's wording of one kind of notice on one channel in one language (kotalive/notifications/
    wording.py has the defaults and the placeholders)."""

    kind = models.CharField(max_length=120)  # a notice kind (case.verified) or "*" for every kind without its own
    channel = models.CharField(max_length=10)  # email | sms | whatsapp | app
    language = models.CharField(max_length=5)  # id | en
    subject = models.CharField(max_length=200, blank=True)  # e-mail only
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "channel", "language"], name="message_template_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.language}"
