"""The words of a notice on each channel, in Indonesian and English: defaults here, the operator's versions in
MessageTemplate (edited with a preview and a test send on the back office).

A template is text with placeholders in braces; only these exist: {what} (what happened, in the reader's language),
{tracking} (the application's or report's number), {reason} (the officer's reason, when there is one), {link} (the
page that shows it: it needs sign-in) and {platform}. An SMS or WhatsApp text never carries a NIK: any run of 16
digits is masked before it goes out.
"""

import string
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kotalive.core.errors import ValidationFailed
from kotalive.core.masking import mask_sixteen_digit_runs
from kotalive.notifications.models import MessageTemplate

PLACEHOLDERS = ("what", "tracking", "reason", "link", "platform")
CHANNELS = ("app", "email", "sms", "whatsapp")
LANGUAGES = ("id", "en")
ANY_KIND = "*"

# (channel, language) -> (subject, body); "app" is the bell's line.
DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("app", "id"): ("", "{what}"),
    ("app", "en"): ("", "{what}"),
    ("sms", "id"): ("", "{platform}: {what} ({tracking}). Lihat: {link}"),
    ("sms", "en"): ("", "{platform}: {what} ({tracking}). See: {link}"),
    ("whatsapp", "id"): ("", "*{platform}*\n{what}\nNomor: {tracking}\n{reason}\nLihat: {link}"),
    ("whatsapp", "en"): ("", "*{platform}*\n{what}\nNumber: {tracking}\n{reason}\nSee: {link}"),
    ("email", "id"): (
        "{what} ({tracking})",
        "Yth. warga,\n\n{what}.\nNomor: {tracking}\n{reason}\n\nLihat rinciannya (perlu masuk): {link}\n\n{platform}",
    ),
    ("email", "en"): (
        "{what} ({tracking})",
        "Dear citizen,\n\n{what}.\nNumber: {tracking}\n{reason}\n\n"
        "See the details (sign-in needed): {link}\n\n{platform}",
    ),
}


def placeholders_check(text: str, field: str) -> None:
    """Refuse a template whose braces name anything but the known placeholders (or are not well formed)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise ValidationFailed(
            {field: [_("Braces must come in pairs around a placeholder, like {tracking}.")]}
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise ValidationFailed(
                {
                    field: [
                        _("{%(name)s} is not a placeholder. Use only: %(known)s.")
                        % {"name": name, "known": ", ".join("{" + p + "}" for p in PLACEHOLDERS)}
                    ]
                }
            )


def wording(kind: str, channel: str, language: str) -> tuple[str, str]:
    """The subject and body template for a notice kind on a channel in a language: the operator's own for the kind,
    else the operator's for every kind, else the default."""
    rows = {
        row.kind: (row.subject, row.body)
        for row in MessageTemplate.objects.filter(kind__in=[kind, ANY_KIND], channel=channel, language=language)
    }
    return rows.get(kind) or rows.get(ANY_KIND) or DEFAULTS[(channel, language if language in LANGUAGES else "id")]


def render(template: tuple[str, str], values: dict[str, Any], channel: str) -> tuple[str, str]:
    """Fill a template; blank lines a missing value leaves are dropped; SMS and WhatsApp never carry a NIK."""
    filled = {name: str(values.get(name) or "") for name in PLACEHOLDERS}
    filled["platform"] = filled["platform"] or settings.KOTALIVE_PLATFORM_NAME
    subject, body = (part.format_map(filled) for part in template)
    body = "\n".join(line.rstrip() for line in body.strip().splitlines())
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    if channel in ("sms", "whatsapp"):
        body = mask_sixteen_digit_runs(body)
    return subject, body


def template_save(*, actor: Any, kind: str, channel: str, language: str, subject: str, body: str) -> MessageTemplate:
    """Keep the operator's wording of one notice (checked first: nothing changes when it is wrong); audited."""
    from kotalive.core.audit import audit_record  # noqa: PLC0415

    errors: dict[str, list[str]] = {}
    if channel not in CHANNELS:
        errors["channel"] = [_("Choose a channel from the list.")]
    if language not in LANGUAGES:
        errors["language"] = [_("Choose Indonesian or English.")]
    if not kind.strip() or len(kind) > 120:
        errors["kind"] = [_("Choose which notice this wording is for.")]
    if not body.strip():
        errors["body"] = [_("The text is empty.")]
    if len(body) > (480 if channel == "sms" else 4000):
        errors["body"] = [_("The text is too long for this channel.")]
    for field, text in (("subject", subject), ("body", body)):
        try:
            placeholders_check(text, field)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    row, _created = MessageTemplate.objects.update_or_create(
        kind=kind.strip(),
        channel=channel,
        language=language,
        defaults={"subject": subject.strip(), "body": body.strip(), "updated_by": actor},
    )
    audit_record(actor=actor, action="notifications.template_saved", obj=row, data={"kind": kind, "channel": channel})
    return row


SAMPLE = {
    "what": {"id": "Permohonan Anda kini: Diproses", "en": "Your application is now: Processing"},
    "tracking": "DISDUKCAPIL-20261205-00001",
    "reason": "",
    "link": "/kasus/DISDUKCAPIL-20261205-00001/",
}


def preview(subject: str, body: str, channel: str, language: str) -> tuple[str, str]:
    """The text as a citizen would get it, with sample values (after the same checks as saving)."""
    placeholders_check(subject, "subject")
    placeholders_check(body, "body")
    values = {**SAMPLE, "what": SAMPLE["what"][language if language in LANGUAGES else "id"]}  # type: ignore[index]
    values["link"] = f"{settings.KOTALIVE_PUBLIC_URL}{SAMPLE['link']}"
    return render((subject, body), values, channel)
