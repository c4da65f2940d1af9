"""Messages on a subject of any kind, one mechanism: the citizen and whoever handles it, the agencies working on
it, and internal notes between staff (workflow.Message). The kind decides who may write and in which role; this
checks the text and writes the message with its event (or, for a note, only its audit entry)."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kotalive.core.audit import audit_record
from kotalive.core.errors import ValidationFailed
from kotalive.core.ratelimit import citizen_take
from kotalive.workflow.models import Message, WorkflowSubject
from kotalive.workflow.services import subject_event_write, workflow_record_step

MAX_LENGTH = 4000


def message_body_clean(body: Any) -> str:
    """The text of a message, or a refusal naming the field and the reason."""
    text = str(body or "").strip()
    if not text:
        raise ValidationFailed({"body": [_("is required")]})
    if len(text) > MAX_LENGTH:
        raise ValidationFailed({"body": [_("must be at most %(limit)d characters") % {"limit": MAX_LENGTH}]})
    return text


def subject_message_post(
    *, subject: WorkflowSubject, actor: Any, author_role: str, body: Any, internal: bool = False, step: bool = False
) -> Message:
    """Write a message on `subject` (locked by the caller, inside its transaction). A message is the event
    `<kind>.message_posted` (with `step`, also a timeline step, as reports show theirs); an internal note is not an
    event at all, since agency systems and the citizen's feed must not see it."""
    text = message_body_clean(body)
    citizen_take(actor, "messages", "KOTALIVE_RATE_MESSAGES")
    message = Message.objects.create(
        subject_type=subject.event_kind,
        subject_id=subject.pk,
        author=actor,
        author_role=author_role,
        body=text,
        internal=internal,
    )
    data = {"message_id": message.pk, "author_role": author_role}
    if internal:
        audit_record(actor=actor, action=f"{subject.event_kind}.note_added", obj=subject, data={"message": message.pk})
    elif step:
        workflow_record_step(
            subject=subject,
            actor=actor,
            action="message",
            from_state=subject.state,
            role=author_role,
            data=data,
            event="message_posted",
            public=False,  # addressed to the subject's people and those handling it, never to its followers
        )
    else:
        subject_event_write(subject=subject, event="message_posted", data=data, public=False)
        audit_record(
            actor=actor, action=f"{subject.event_kind}.message_posted", obj=subject, data={"message": message.pk}
        )
    return message


def subject_messages(subject: WorkflowSubject, *, with_notes: bool) -> "QuerySet[Message]":
    """The subject's messages in order, with the internal notes only for staff of the agencies working on it."""
    messages = Message.objects.filter(subject_type=subject.event_kind, subject_id=subject.pk).select_related("author")
    return messages if with_notes else messages.filter(internal=False)
