"""The in-app notices of every subject kind, one consumer (kotalive/events/consumers.py runs it from its cursor):
each event of a subject tells the people its audience names (the applicant; the reporter and followers), unless
the kind's notice policy says the event is not worth a notice or the person caused it themself. The people who see
only the subject's public face (followers: `Audience.public_people`) are told what changed, never why: their notice
holds the new state and no reason, so neither the bell nor an SMS, WhatsApp or e-mail carries one.

A kind registers its policy from its AppConfig.ready() with `notice_policy_register`; the notice's kind is the
event's `<subject kind>.<event>` (`case.verified`, `complaint.handed_off`), like the escalation notices'.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.events.audience import Audience, public_data
from kotalive.events.catalogue import TYPE_PREFIX
from kotalive.events.consumers import consumer
from kotalive.events.models import OutboxEvent, audience_people
from kotalive.notifications.models import Notification
from kotalive.workflow.delivery import deliveries_plan
from kotalive.workflow.subjects import subject_find, subject_kinds

# What a notice keeps of its event: enough to say what changed, nothing an agency wrote for itself.
NOTICE_FIELDS = ("to_state", "state_category", "reason", "action")
# What the notice of someone who sees only the subject's public face (a report's follower) keeps: what changed and
# nothing written by anyone (no reason), and only what the kind lets them read (kotalive/events/audience.py).
PUBLIC_NOTICE_FIELDS = ("to_state", "state_category", "action")


@dataclass(frozen=True)
class NoticePolicy:
    """Which events of a kind are worth a notice to the people they concern."""

    kind: str  # the subject's event_kind
    quiet: frozenset[str]  # events never noticed (the person's own filing, internal bookkeeping)
    # The roles in which the people a notice is for act themselves (`actor_role` of a step, `author_role` of a
    # message): what they did needs no notice.
    own_roles: frozenset[str]


_POLICIES: dict[str, NoticePolicy] = {}


def notice_policy_register(policy: NoticePolicy) -> NoticePolicy:
    """Give `policy.kind` in-app notices (called from the kind's AppConfig.ready(); registering again replaces)."""
    _POLICIES[policy.kind] = policy
    return policy


def _noticed(event: OutboxEvent) -> str | None:
    """The notice kind of `event` (`<subject kind>.<event>`), or None when no policy wants it noticed."""
    name = event.type.removeprefix(TYPE_PREFIX)
    kind, _dot, what = name.partition(".")
    policy = _POLICIES.get(kind)
    if policy is None or what in policy.quiet:
        return None
    if event.data.get("actor_role") in policy.own_roles or event.data.get("author_role") in policy.own_roles:
        return None
    return name


# What each kind of subject is called in a notice, and the fixed notices that are not state changes.
NOUNS = {
    "case": ("Permohonan", "Your application"),
    "complaint": ("Laporan", "Your report"),
    "bundle": ("Peristiwa hidup", "Your life event"),
    "coordination": ("Permintaan koordinasi", "The coordination request"),
}
# The same, for someone who follows a subject they did not file (they see only its public face).
PUBLIC_NOUNS = {"complaint": ("Laporan yang Anda ikuti", "The report you follow")}
FIXED_WHAT: dict[str, dict[str, str]] = {
    "message_posted": {"id": "Ada pesan baru", "en": "There is a new message"},
    "document.signed": {
        "id": "Dokumen Anda sudah ditandatangani dan siap diunduh",
        "en": "Your document is signed and ready to download",
    },
    "document.revoked": {
        "id": "Dokumen Anda dicabut oleh perangkat daerah",
        "en": "Your document was revoked by the agency",
    },
    "bundle_offered": {
        "id": "Layanan lanjutan untuk peristiwa ini siap diajukan",
        "en": "The next services for this life event are ready to apply for",
    },
    "assigned": {"id": "Petugas kini menangani berkas Anda", "en": "An officer now handles your file"},
}
# What an officer is told (staff notices: a file assigned to them, the citizen wrote).
STAFF_WHAT: dict[str, dict[str, str]] = {
    "assigned": {"id": "Sebuah berkas ditugaskan kepada Anda", "en": "A file was assigned to you"},
    "message_posted": {"id": "Warga mengirim pesan baru", "en": "The citizen sent a new message"},
    "requested": {
        "id": "Permintaan koordinasi baru untuk instansi Anda",
        "en": "A new coordination request for your agency",
    },
}


def _what(
    kind: str, data: dict[str, Any], states: dict[str, dict[str, str]], *, public_only: bool = False
) -> dict[str, str]:
    """What happened, in both languages, for the bell and the messages (never a raw code). `public_only`: for
    someone who follows the subject (its state and nothing else)."""
    subject_kind, _dot, event = kind.partition(".")
    if public_only:
        noun_id, noun_en = PUBLIC_NOUNS.get(subject_kind, ("Berkas yang Anda ikuti", "The file you follow"))
    else:
        if kind in FIXED_WHAT:
            return FIXED_WHAT[kind]
        if event in FIXED_WHAT:
            return FIXED_WHAT[event]
        noun_id, noun_en = NOUNS.get(subject_kind, ("Berkas", "Your file"))
        noun_id = f"{noun_id} Anda"
    label = states.get(str(data.get("to_state") or ""))
    if label:
        return {
            "id": f"{noun_id} kini: {label.get('id', '')}",
            "en": f"{noun_en} is now: {label.get('en') or label.get('id', '')}",
        }
    return {"id": f"{noun_id} diperbarui", "en": f"{noun_en} was updated"}


def _notice_data(event: OutboxEvent, kind: str, *, public_only: bool) -> dict[str, Any]:
    """What a notice keeps of its event (NOTICE_FIELDS); for a public-only person only the public fields the kind
    lets them read (PUBLIC_NOTICE_FIELDS), marked so that no channel adds a reason."""
    if not public_only:
        return {k: event.data[k] for k in NOTICE_FIELDS if k in event.data}
    public = public_data(kind, event.data)
    return {**{k: public[k] for k in PUBLIC_NOTICE_FIELDS if k in public}, "public_only": True}


def _state_labels(events: list[OutboxEvent]) -> dict[str, dict[str, dict[str, str]]]:
    """For each subject the batch names, its workflow's state labels (one look-up per subject)."""
    found: dict[str, dict[str, dict[str, str]]] = {}
    for e in events:
        if e.subject in found or "to_state" not in e.data:
            continue
        subject = subject_find(e.subject, kinds=subject_kinds())
        states = subject.workflow.parsed.states if subject is not None else {}
        found[e.subject] = {code: dict(state.label) for code, state in states.items()}
    return found


def _staff_recipients(event: OutboxEvent, kind: str) -> set[int]:
    """Officers an event concerns: whom a file was assigned to, and the assignee when the citizen wrote."""
    _subject_kind, _dot, what = kind.partition(".")
    if what == "assigned" and event.data.get("assignee"):
        return set(User.objects.filter(username=event.data["assignee"]).values_list("pk", flat=True))
    if what == "requested" and event.agency:  # a coordination request: the asked agency's liaison officers
        return set(
            StaffRole.objects.filter(agency__code=event.agency, role=StaffRole.LIAISON).values_list(
                "user_id", flat=True
            )
        )
    if what == "message_posted" and event.data.get("author_role") == "citizen":
        subject = subject_find(event.subject, kinds=subject_kinds())
        assignee = getattr(subject, "assignee_id", None)
        return {assignee} if assignee else set()
    return set()


# The key of the consumer's cursor: keep it once deployed (workflow 0006 moved the two kinds' cursors here).
@consumer("workflow.subject-notices", label=_("In-app notices to the people an event concerns"))
def notify_people(events: list[OutboxEvent]) -> None:
    relevant = [(e, kind) for e in events if (kind := _noticed(e)) is not None]
    staff = [(e, kind_of(e)) for e in events if kind_of(e) in STAFF_KINDS]
    if not relevant and not staff:
        return
    people = audience_people([e for e, _kind in relevant])  # whom each event concerns (the kind's event_audience)
    labels = _state_labels([e for e, _kind in relevant + staff])
    # (event, person) -> the event, the notice kind, what to say, whether the person sees only the public face
    recipients: dict[tuple[int, int], tuple[OutboxEvent, str, dict[str, str], bool]] = {}
    for e, kind in relevant:
        audience = people.get(e.pk, Audience())
        states = labels.get(e.subject, {})
        for user_id in audience.people:
            recipients[(e.pk, user_id)] = (e, kind, _what(kind, e.data, states), False)
        for user_id in audience.public_people - audience.people:
            recipients[(e.pk, user_id)] = (e, kind, _what(kind, e.data, states, public_only=True), True)
    for e, kind in staff:
        for user_id in _staff_recipients(e, kind):
            recipients[(e.pk, user_id)] = (e, kind, STAFF_WHAT[kind.partition(".")[2]], False)
    rows = [
        Notification(
            user_id=user_id,
            event_id=e.event_id,
            kind=kind,
            # A document's notice is about its application (what officers see, what turns unreachable).
            subject=str(e.data.get("subject") or e.subject) if kind.startswith("document.") else e.subject,
            agency=e.agency or "",
            data={**_notice_data(e, kind, public_only=public_only), "what": what},
        )
        for (_event_pk, user_id), (e, kind, what, public_only) in recipients.items()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)  # a replayed dead letter hands an event over again
    # The delivery contract's first attempts, for notices that have none yet (a replay finds its notices planned).
    wanted = {(r.event_id, r.user_id) for r in rows}
    created = Notification.objects.filter(
        event_id__in={e.event_id for e, _kind, _what, _public in recipients.values()}, attempts__isnull=True
    ).select_related("user")
    deliveries_plan([n for n in created if (n.event_id, n.user_id) in wanted])


STAFF_KINDS = frozenset(
    {"case.assigned", "complaint.assigned", "case.message_posted", "complaint.message_posted", "coordination.requested"}
)


def kind_of(event: OutboxEvent) -> str:
    return event.type.removeprefix(TYPE_PREFIX)
