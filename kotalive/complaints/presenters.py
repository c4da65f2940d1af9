"""The JSON shapes of a report, shared by the API and the web pages. What a caller sees depends on who they are:
agencies never see an anonymous reporter, the public never sees anyone (public_item), and a follower (a citizen whose
own report was merged into this one) sees what the public sees plus the status and the public steps
(follower_detail)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.catalogue.models import localised
from kotalive.complaints.models import Category, Complaint
from kotalive.complaints.selectors import (
    OPERATOR,
    complaint_actions,
    complaint_follower_only,
    complaint_handles,
    complaint_holdings,
    complaint_messages,
    complaint_photos,
    complaint_rating,
    complaint_roles,
    complaint_timeline,
    duplicates_suggest,
    reporter_visible_to,
    routing_suggestion,
)
from kotalive.complaints.services import WORKFLOW_CODE
from kotalive.workflow.models import Holding, WorkflowDefinition

# The definition's hand_back is what the API calls hand_off without an agency.
API_ACTION = {"hand_back": "hand_off"}
NEEDS_AGENCY = {"dispose"}
MAY_NAME_AGENCY = {"hand_off"}


def category_name(category: Category) -> str:
    return localised({"id": category.name, "en": category.name_en})


def category_item(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category_name(category),
        "group": category.group,
        "default_agency": category.default_agency.code,
        "attributes": category.attributes,
    }


def public_status(complaint: Complaint) -> str:
    return complaint.workflow.parsed.states[complaint.state].public_status


def state_label(complaint: Complaint) -> str:
    return localised(complaint.workflow.parsed.states[complaint.state].label) or complaint.state


def report_state_labels() -> dict[str, str]:
    """The reports' workflow states and their labels in the active language, in the definition's order (the newest
    version of the complaint workflow)."""
    definition = WorkflowDefinition.objects.filter(code=WORKFLOW_CODE).order_by("-version").first()
    if definition is None:
        return {}
    return {code: localised(state.label) or code for code, state in definition.parsed.states.items()}


def _seconds(holding: Holding) -> int:
    end = holding.left_at or timezone.now()
    return int((end - holding.received_at).total_seconds())


def time_at_agencies(complaint: Complaint) -> list[dict[str, Any]]:
    """Each agency's time with the report, in order: received, accepted, left, why, and seconds held."""
    return [
        {
            "agency": a.agency.code,
            "agency_name": a.agency.name,
            "role": a.role,
            "received_at": a.received_at,
            "accepted_at": a.accepted_at,
            "left_at": a.left_at,
            "outcome": a.outcome,
            "reason": a.reason,
            "seconds": _seconds(a),
        }
        for a in complaint_holdings(complaint=complaint)
    ]


def _actor_name(step_actor: User | None, role: str, show_reporter: bool) -> str:
    if step_actor is None:
        return _("system")
    if role == "reporter":
        return step_actor.full_name if show_reporter else _("Reporter")
    return step_actor.full_name


KERNEL_WAITING = ("await_agency", "resume")  # the kernel's waiting moves (workflow.waiting)


def step_labels() -> dict[str, str]:
    """Names of the timeline's steps that are not workflow transitions."""
    return {
        "submit": _("Report filed"),
        "message": _("Message"),
        "note": _("Internal note"),
        "await_agency": _("Waiting for another agency"),
        "resume": _("Back from another agency"),
        "escalate": _("Escalated"),
        "emergency_handover": _("Handed over to 112"),
        "duplicate_merged": _("A duplicate was merged into this report"),
        "rate": _("Rated"),
        "lapor_reply": _("Note from SP4N-LAPOR!"),
    }


# The steps a follower sees: the report's moves and the few facts that are its public status. Never a message, a
# note, a rating, a note from SP4N-LAPOR! nor an escalation (between the reporter, the Live Room and the agencies).
FOLLOWER_STEPS = {"submit", "duplicate_merged", "emergency_handover", *KERNEL_WAITING}


def _role_name(step_actor: User | None, role: str) -> str:
    """Who took a step, by role, never by name: what a follower may know of the people on a report."""
    if step_actor is None:
        return _("system")
    if role == "reporter":
        return _("Reporter")
    if role == "operator":
        return _("Live Room")
    return _("Agency")


def follower_detail(complaint: Complaint) -> dict[str, Any]:
    """A report as its followers see it: what the public feed shows (category, kelurahan, the place rounded to about
    100 m, the agency, dates) plus its state and its steps by role, with no text. No title, description, address,
    exact place, photo, message, note, rating, reporter (anonymous or not) nor the time at each agency with its
    reasons: those are between the reporter and those handling the report. Same shape as complaint_detail, with
    the withheld fields null or empty and `follower` true."""
    labels = {**step_labels(), **{t.action: localised(t.label) for t in complaint.workflow.parsed.transitions}}
    moves = {t.action for t in complaint.workflow.parsed.transitions}
    timeline = [
        {
            "at": s.at,
            "action": API_ACTION.get(s.action, s.action),
            "label": labels.get(s.action) or s.action,
            "from_state": s.from_state,
            "to_state": s.to_state,
            "actor": _role_name(s.actor, s.actor_role),
            "actor_role": s.actor_role,
            "text": "",
            "data": {},
        }
        for s in complaint_timeline(complaint=complaint)
        if s.action in moves or s.action in FOLLOWER_STEPS
    ]
    return {
        **_shared_fields(complaint),
        "title": None,
        "description": None,
        "location": {"lat": _rounded(complaint.lat), "lon": _rounded(complaint.lon)}
        if complaint.lat is not None and complaint.lon is not None
        else None,
        "address": None,
        "reporter": None,
        "confirm_by": None,
        "rating": None,
        "photos": [],
        "time_at_agencies": [],
        "timeline": timeline,
        "actions": [],
        "follower": True,
    }


def _shared_fields(complaint: Complaint) -> dict[str, Any]:
    """What every reader of a report's detail sees alike, its followers included (its public facts and state)."""
    return {
        "tracking": complaint.tracking,
        "kind": complaint.kind,
        "category": complaint.category.code,
        "category_name": category_name(complaint.category),
        "kelurahan": complaint.kelurahan_id,
        "kelurahan_name": complaint.kelurahan.name if complaint.kelurahan else None,
        "anonymous": complaint.anonymous,
        "confidential": complaint.confidential,
        "emergency": complaint.emergency,
        "source": complaint.source,
        "state": complaint.state,
        "state_label": state_label(complaint),
        "public_status": public_status(complaint),
        "agency": complaint.agency.code if complaint.agency else None,
        "agency_name": complaint.agency.name if complaint.agency else None,
        "version": complaint.version,
        "submitted_at": complaint.submitted_at,
        "updated_at": complaint.updated_at,
        "due_at": complaint.due_at,
        "sla_status": complaint.sla_status,
        "merged_into": complaint.merged_into.tracking if complaint.merged_into else None,
        "routing_suggestion": None,
        "duplicates": [],
    }


def complaint_detail(complaint: Complaint, user: User) -> dict[str, Any]:
    """The report as `user` may see it: whole for its reporter and the staff who see it, follower_detail for a
    follower."""
    if complaint_follower_only(user=user, complaint=complaint):
        return follower_detail(complaint)
    roles = complaint_roles(user=user, complaint=complaint)
    show_reporter = reporter_visible_to(user=user, complaint=complaint, roles=roles)
    # Internal notes: those handling the report now (never its reporter, a partner system reading what it posted,
    # an agency it has left, nor the read-only platform roles).
    with_notes = complaint_handles(roles)
    posted = complaint_messages(complaint=complaint, with_notes=with_notes)
    messages = {m.pk: m.body for m in posted}
    labels = {**step_labels(), **{t.action: localised(t.label) for t in complaint.workflow.parsed.transitions}}
    timeline: list[dict[str, Any]] = [
        {
            "at": s.at,
            "action": API_ACTION.get(s.action, s.action),
            "label": labels.get(s.action) or s.action,
            "from_state": s.from_state,
            "to_state": s.to_state,
            "actor": _actor_name(s.actor, s.actor_role, show_reporter),
            "actor_role": s.actor_role,
            # A message's step carries the message's id; its text is shown in place.
            "text": messages.get(s.data.get("message_id"), "") if s.action == "message" else s.reason,
            # What another agency was asked is for those handling the report (its internal notes), not the reporter.
            "data": {}
            if s.action in KERNEL_WAITING and not with_notes
            else {k: v for k, v in s.data.items() if k != "message_id"},
        }
        for s in complaint_timeline(complaint=complaint)
    ]
    notes = [
        {
            "at": m.created_at,
            "action": "note",
            "label": labels["note"],
            "from_state": "",
            "to_state": "",
            "actor": m.author.full_name,
            "actor_role": m.author_role,
            "text": m.body,
            "data": {},
        }
        for m in posted
        if m.internal
    ]
    if notes:
        timeline = sorted(timeline + notes, key=lambda entry: entry["at"])
    detail: dict[str, Any] = {
        **_shared_fields(complaint),
        "title": complaint.title,
        "description": complaint.description,
        "location": {"lat": complaint.lat, "lon": complaint.lon} if complaint.lat is not None else None,
        "address": complaint.address,
        "reporter": complaint.reporter.full_name if show_reporter else None,
        "confirm_by": complaint.confirm_by,
        "rating": complaint_rating(complaint),
        "photos": [
            {
                "id": str(p.upload_id),
                "stage": p.stage,
                "kind": p.upload.kind,
                "url": f"/api/v1/complaints/{complaint.tracking}/photos/{p.upload_id}",
            }
            for p in complaint_photos(complaint=complaint)
        ],
        "time_at_agencies": time_at_agencies(complaint),
        "timeline": timeline,
        "actions": [
            {
                "action": API_ACTION.get(t.action, t.action),
                "label": localised(t.label) or t.action,
                "reason_required": t.reason_required,
                "agency": "required"
                if t.action in NEEDS_AGENCY
                else ("optional" if t.action in MAY_NAME_AGENCY else "no"),
            }
            for t in complaint_actions(complaint=complaint, roles=roles)
        ],
        "follower": False,
    }
    if OPERATOR in roles and complaint.state in ("triage", "disposed"):
        detail["routing_suggestion"] = routing_suggestion(complaint=complaint).code
        detail["duplicates"] = [
            {"tracking": other.tracking, "title": other.title, "metres": round(metres), "state": other.state}
            for other, metres in duplicates_suggest(complaint=complaint)
        ]
    return detail


def complaint_summary(complaint: Complaint, user: User) -> dict[str, Any]:
    """A report in a list; a report `user` follows (theirs was merged into it) without its title."""
    follower = complaint_follower_only(user=user, complaint=complaint)
    return {
        "tracking": complaint.tracking,
        "kind": complaint.kind,
        "category": complaint.category.code,
        "category_name": category_name(complaint.category),
        "title": None if follower else complaint.title,
        "kelurahan_name": complaint.kelurahan.name if complaint.kelurahan else None,
        "state": complaint.state,
        "state_label": state_label(complaint),
        "public_status": public_status(complaint),
        "agency": complaint.agency.code if complaint.agency else None,
        "emergency": complaint.emergency,
        "anonymous": complaint.anonymous,
        "submitted_at": complaint.submitted_at,
        "due_at": complaint.due_at,
        "sla_status": complaint.sla_status,
        "version": complaint.version,
        "follower": follower,
    }


def _rounded(value: float | None) -> float | None:
    # About 100 m: enough to see where problems are, not enough to point at a house.
    return round(value, 3) if value is not None else None


def public_item(complaint: Complaint) -> dict[str, Any]:
    """What anyone may see of a non-confidential report: no title, text, address, photo or person."""
    return {
        "tracking": complaint.tracking,
        "kind": complaint.kind,
        "category": complaint.category.code,
        "category_name": category_name(complaint.category),
        "kelurahan": complaint.kelurahan.code if complaint.kelurahan else None,
        "kelurahan_name": complaint.kelurahan.name if complaint.kelurahan else None,
        "public_status": public_status(complaint),
        "agency": complaint.agency.code if complaint.agency else None,
        "submitted_at": complaint.submitted_at,
        "updated_at": complaint.updated_at,
        "closed_at": complaint.closed_at,
        "lat": _rounded(complaint.lat),
        "lon": _rounded(complaint.lon),
    }


# A report that ended without being handled reads as what happened to it, never as done (issue 14): rejected, or
# merged into another report (whose progress its reporter follows there).
ENDED_UNHANDLED = {"rejected": "ditolak", "cancelled": "digabung"}


def status_word(complaint: Complaint) -> str:
    """The citizen's word for where the report stands: the definition's public status (menunggu, proses, selesai),
    except for a report rejected (ditolak) or merged (digabung). Also the badge's style."""
    return ENDED_UNHANDLED.get(complaint.state_category) or public_status(complaint)


def status_label(complaint: Complaint) -> str:
    """status_word in the active language: for a rejected or merged report, its state's own name."""
    from kotalive.workflow.labels import public_status_label

    if complaint.state_category in ENDED_UNHANDLED:
        return state_label(complaint)
    return public_status_label(status_word(complaint))
