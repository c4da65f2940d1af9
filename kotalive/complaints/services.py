"""Writes for complaints and aspirations: file, triage, dispose, accept, hand off, update, resolve, verify, confirm,
reopen, merge, flag an emergency, talk, rate; and the operator's categories and routing rules.

Every use case is one transaction with its timeline step, outbox event (complaint.*) and audit entry
(workflow.services.workflow_record_step), so the Live Room, agencies' systems and the reporter see what committed.
"""

import datetime as dt
import hashlib
import json
import uuid
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency
from kotalive.complaints.lapor import lapor_client_check
from kotalive.complaints.models import (
    Category,
    Complaint,
    Follower,
    Photo,
    RoutingRule,
)
from kotalive.complaints.reference import city_bounds
from kotalive.complaints.selectors import (
    OPERATOR,
    REPORTER,
    category_get,
    complaint_from_lapor,
    complaint_get_for_actor,
    complaint_handles,
    complaint_handling_finished,
    complaint_roles,
    complaint_visible,
    is_live_room,
)
from kotalive.core import crypto
from kotalive.core.audit import audit_record
from kotalive.core.calendar import local_date
from kotalive.core.errors import Conflict, DomainError, NotFound, PermissionDenied, TooManyAttempts, ValidationFailed
from kotalive.core.models import Upload
from kotalive.core.numbering import tracking_number
from kotalive.core.ratelimit import Limit, citizen_take, limit_take
from kotalive.core.uploads import upload_create
from kotalive.regions import codes as region_codes
from kotalive.regions.locate import distance_to_kelurahan_m, kelurahan_at
from kotalive.regions.models import Region
from kotalive.workflow.definitions import TERMINAL
from kotalive.workflow.messages import message_body_clean, subject_message_post
from kotalive.workflow.models import Message, Rating, WorkflowDefinition
from kotalive.workflow.services import subject_rate, transition, workflow_record_step
from kotalive.workflow.sla import sla_start

WORKFLOW_CODE = "complaint-standard"
# The clocks (the Live Room verifies within 3 working days, the agency follows up within 5, the reporter confirms
# within 10 days) are the workflow definition's: kotalive/workflow/data/complaint-standard.json.
MAX_PHOTOS = 5
TRACKING_PREFIX = "LAKSA"


class PhotoFile(NamedTuple):
    """A photo sent with a report: its content, the name it was sent with and its size in bytes."""

    stream: IO[bytes]
    name: str
    size: int


def _photos_stored(*, actor: User, files: list[PhotoFile], already: int) -> list[Upload]:
    """Store `files` as the report's photos; if one is refused, none is kept."""
    if already + len(files) > MAX_PHOTOS:
        raise ValidationFailed({"photos": [_("at most %(n)d photos") % {"n": MAX_PHOTOS}]})
    stored: list[Upload] = []
    try:
        for f in files:
            upload = upload_create(actor=actor, stream=f.stream, name=f.name, size=f.size)
            if upload.kind not in (Upload.JPEG, Upload.PNG):
                stored.append(upload)
                raise ValidationFailed({"photos": [_("must be JPEG or PNG photos")]})
            stored.append(upload)
    except ValidationFailed as exc:
        _discard(stored)
        raise ValidationFailed({"photos": [r for reasons in exc.errors.values() for r in reasons]}) from None
    except DomainError:
        _discard(stored)
        raise
    return stored


def _discard(uploads: list[Upload]) -> None:
    """Remove uploads this request stored for a report that was then refused (nothing refers to them yet)."""
    for upload in uploads:
        upload.file.delete(save=False)
        upload.delete()


def _photos(*, actor: User, upload_ids: list[str], field: str) -> list[Upload]:
    if len(upload_ids) > MAX_PHOTOS:
        raise ValidationFailed({field: [_("at most %(n)d photos") % {"n": MAX_PHOTOS}]})
    valid_ids = []
    for value in upload_ids:
        try:
            valid_ids.append(uuid.UUID(str(value)))
        except ValueError:
            raise ValidationFailed({field: [_("names no upload of yours")]}) from None
    uploads = {u.pk: u for u in Upload.objects.filter(pk__in=valid_ids, owner=actor)}
    chosen = []
    for upload_id in valid_ids:
        upload = uploads.get(upload_id)
        if upload is None:
            raise ValidationFailed({field: [_("names no upload of yours")]})
        if upload.kind not in (Upload.JPEG, Upload.PNG):
            raise ValidationFailed({field: [_("must be JPEG or PNG photos")]})
        chosen.append(upload)
    return chosen


# How far a map pin may lie outside the kelurahan the reporter named and still be taken as in it. The boundaries are
# simplified public data (the file's own label point of Kelurahan 36.71.07.1016 lies 52 m outside its polygon), a
# phone's position is good to tens of metres, and a pin on a border road belongs to either side.
PIN_SLACK_M = 100


def _check_location(
    *, lat: float | None, lon: float | None, kelurahan_code: str, address: str
) -> tuple[Region | None, dict[str, list[str]]]:
    """The report's kelurahan, from the reporter's choice or else from the map pin (point in polygon over the
    region's boundaries), and the errors of the place fields."""
    errors: dict[str, list[str]] = {}
    place = None
    if (lat is None) != (lon is None):
        errors["location"] = [_("needs both lat and lon")]
    elif lat is not None and lon is not None:
        place = kelurahan_at(lat, lon)
        south, west, north, east = city_bounds()
        # Inside the city's box, or in one of its kelurahan (the box leaves out the tip of Kecamatan Benda).
        if not (south <= lat <= north and west <= lon <= east) and place is None:
            errors["location"] = [_("is outside the city")]
    kelurahan = None
    if kelurahan_code:
        kelurahan = Region.objects.select_related("parent").filter(code=kelurahan_code).first()
        in_city = kelurahan_code.startswith(settings.KOTALIVE_REGION_CODE + ".")
        if kelurahan is None or kelurahan.level not in (region_codes.KELURAHAN, region_codes.DESA) or not in_city:
            errors["kelurahan"] = [_("is not a kelurahan of this city")]
    elif place is not None and not errors:
        # No kelurahan given: the pin's, so that the routing rules by kelurahan and kecamatan apply to it.
        kelurahan = Region.objects.select_related("parent").filter(code=place.kelurahan).first()
    if kelurahan is not None and kelurahan_code and lat is not None and lon is not None and not errors:
        # A kelurahan that does not hold the pin is refused, naming the field, rather than either silently winning:
        # the kelurahan routes the report (by its rules, to a kecamatan's agency), so a wrong pick sends it to the
        # wrong desk with nobody noticing, and only the reporter knows whether the pin or the choice is right. The
        # form's map fills the kelurahan from the pin as it is dropped, so only a pin moved or a choice changed
        # afterwards meets this; partner systems get the same answer as for a pin outside the city.
        off = distance_to_kelurahan_m(kelurahan.code, lat, lon)
        if off is not None and off > PIN_SLACK_M:
            if place is not None:
                message = _(
                    "The kelurahan you chose, %(chosen)s, does not contain the map pin, which lies in %(pin)s: "
                    "choose %(pin)s, move the pin, or leave the kelurahan empty."
                ) % {"chosen": kelurahan.name, "pin": place.kelurahan_name}
            else:
                message = _(
                    "The kelurahan you chose, %(chosen)s, does not contain the map pin: move the pin, or leave "
                    "the kelurahan empty."
                ) % {"chosen": kelurahan.name}
            errors["kelurahan"] = [message]
    if lat is None and not kelurahan_code and not address.strip():
        errors["location"] = [_("give a map pin, a kelurahan or an address")]
    return kelurahan, errors


def complaint_submission_check(
    *,
    kind: str,
    category: str,
    title: str,
    description: str,
    lat: float | None = None,
    lon: float | None = None,
    kelurahan: str = "",
    address: str = "",
    attributes: dict[str, str] | None = None,
) -> None:
    """Every problem complaint_submit would find with these answers, all at once, filing and storing nothing: the
    report form adds them to its own (a photo refused, a coordinate that is no number), so one submit shows them all."""
    _chosen, _region, _answers, errors = _submission_problems(
        kind=kind,
        category=category,
        title=title,
        description=description,
        lat=lat,
        lon=lon,
        kelurahan=kelurahan,
        address=address,
        attributes=attributes,
    )
    if errors:
        raise ValidationFailed(errors)


def _submission_problems(
    *,
    kind: str,
    category: str,
    title: str,
    description: str,
    lat: float | None,
    lon: float | None,
    kelurahan: str,
    address: str,
    attributes: dict[str, str] | None,
) -> tuple[Category | None, Region | None, dict[str, str], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if kind not in Complaint.KINDS:
        errors["kind"] = [_("must be one of %(all)s") % {"all": ", ".join(Complaint.KINDS)}]
    chosen = category_get(code=category)
    if chosen is None:
        errors["category"] = [_("is not a category of this city")]
    title, description, address = title.strip(), description.strip(), address.strip()
    if not 5 <= len(title) <= 150:
        errors["title"] = [_("must be 5 to 150 characters")]
    if not 10 <= len(description) <= 5000:
        errors["description"] = [_("must be 10 to 5000 characters")]
    if len(address) > 300:
        errors["address"] = [_("must be at most 300 characters")]
    region, location_errors = _check_location(lat=lat, lon=lon, kelurahan_code=kelurahan, address=address)
    errors.update(location_errors)
    answers = _attribute_answers(chosen, attributes or {}, errors) if chosen is not None else {}
    return chosen, region, answers, errors


def complaint_submit(
    *,
    actor: User,
    kind: str,
    category: str,
    title: str,
    description: str,
    lat: float | None = None,
    lon: float | None = None,
    kelurahan: str = "",
    address: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    photos: list[str] | None = None,
    source: str = Complaint.APP,
    contact: dict[str, str] | None = None,
    attributes: dict[str, str] | None = None,
    lapor_id: str = "",
    photo_files: list[PhotoFile] | None = None,
) -> Complaint:
    """File a report. Citizens (verified or not) file their own; partner systems (Open311, SP4N-LAPOR!) file on a
    citizen's behalf with the citizen's `contact`, kept encrypted. `photos` names uploads made before (the API);
    `photo_files` are stored with the report, and only once nothing else refuses it (a refused report leaves no
    file behind)."""
    if actor.kind == User.CITIZEN:
        if source != Complaint.APP:
            raise PermissionDenied(_("Citizens file reports through the app."))
    elif getattr(actor, "machine_client", None) is None:
        raise PermissionDenied(_("Only citizens and partner systems file reports."))
    if source == Complaint.LAPOR:
        lapor_client_check(actor=actor)
    chosen, region, answers, errors = _submission_problems(
        kind=kind,
        category=category,
        title=title,
        description=description,
        lat=lat,
        lon=lon,
        kelurahan=kelurahan,
        address=address,
        attributes=attributes,
    )
    title, description, address = title.strip(), description.strip(), address.strip()
    if errors or chosen is None:
        raise ValidationFailed(errors)
    citizen_take(actor, "complaints", "KOTALIVE_RATE_COMPLAINTS")
    uploads = _photos(actor=actor, upload_ids=photos or [], field="photos")
    _same_report_once(actor=actor, kind=kind, category=chosen.code, title=title, description=description)
    workflow = WorkflowDefinition.objects.filter(code=WORKFLOW_CODE).order_by("-version").first()
    if workflow is None:
        raise DomainError(_("Complaints are not set up on this platform yet."), code="not_configured")
    # Files sent with the report itself (the portal's form) are stored only now, once nothing else can refuse it.
    uploads += _photos_stored(actor=actor, files=photo_files or [], already=len(uploads))
    now = timezone.now()
    tracking = tracking_number(prefix=TRACKING_PREFIX, day=local_date(now))  # before the transaction
    with transaction.atomic():
        complaint = Complaint(
            tracking=tracking,
            kind=kind,
            category=chosen,
            title=title,
            description=description,
            lat=lat,
            lon=lon,
            kelurahan=region,
            address=address,
            attributes=answers,
            anonymous=anonymous,
            confidential=confidential,
            reporter=actor,
            contact_encrypted=crypto.encrypt(json.dumps(contact)) if contact else "",
            source=source,
            lapor_id=lapor_id,
            workflow=workflow,
            state=workflow.parsed.initial,
            state_category=workflow.parsed.category(workflow.parsed.initial),
            submitted_at=now,
            updated_at=now,
        )
        sla_start(complaint, now=now, working_days=workflow.parsed.sla_working_days or 0)
        complaint.save()
        complaint.rating_scores = None  # type: ignore[attr-defined]  # as complaint_queryset annotates: not rated
        Photo.objects.bulk_create(
            [Photo(complaint=complaint, upload=u, stage=Photo.REPORT, added_by=actor, added_at=now) for u in uploads]
        )
        workflow_record_step(
            subject=complaint,
            actor=actor,
            action="submit",
            from_state="",
            role=REPORTER,
            data={
                "source": source,
                "photos": len(uploads),
                "due_at": complaint.due_at.isoformat() if complaint.due_at else None,
            },
            event="submitted",
            at=now,
            created=True,  # the report's first event
        )
    return complaint


def _same_report_once(*, actor: User, kind: str, category: str, title: str, description: str) -> None:
    """Refuse the same report from the same person again within two minutes (a double tap, a retry after a lost
    answer, three parallel posts): the first is filed, the others answer 409. Counted with one atomic upsert
    (core.ratelimit), so simultaneous copies cannot all pass a check that none has been stored yet."""
    fingerprint = hashlib.sha256(json.dumps([actor.pk, kind, category, title, description]).encode()).hexdigest()
    try:
        limit_take(Limit("same-report", 1, 120), fingerprint[:40])
    except TooManyAttempts:
        raise Conflict(
            _("You sent this same report a moment ago, and it was filed once. Find it under My reports."),
            code="duplicate_submission",
        ) from None


def _attribute_answers(category: Category, given: dict[str, str], errors: dict[str, list[str]]) -> dict[str, str]:
    """The answers to the category's attributes (Open311 service definition): required ones present, numbers
    numeric, list answers among the listed keys; unknown codes refused."""
    known = {a["code"]: a for a in category.attributes}
    answers: dict[str, str] = {}
    for code, value in given.items():
        attribute = known.get(code)
        if attribute is None:
            errors[f"attribute[{code}]"] = [_("is not an attribute of this category")]
            continue
        value = str(value).strip()[:500]
        if attribute.get("datatype") == "number":
            try:
                float(value)
            except ValueError:
                errors[f"attribute[{code}]"] = [_("must be a number")]
                continue
        keys = [str(v["key"]) for v in attribute.get("values", [])]
        if keys and value not in keys:
            errors[f"attribute[{code}]"] = [_("must be one of %(all)s") % {"all": ", ".join(keys)}]
            continue
        if value:
            answers[code] = value
    for code, attribute in known.items():
        if attribute.get("required") and code not in answers and f"attribute[{code}]" not in errors:
            errors[f"attribute[{code}]"] = [_("is required")]
    return answers


def _agency(code: str | None, field: str = "agency") -> Agency:
    agency = Agency.objects.filter(code=code or "", active=True, handles_complaints=True).first() if code else None
    if agency is None:
        raise ValidationFailed({field: [_("is not an agency that handles complaints")]})
    return agency


def complaint_transition(
    *,
    actor: User | None,
    tracking: str,
    action: str,
    version: int,
    reason: str = "",
    agency: str | None = None,
    supports: list[str] | None = None,
    into: str | None = None,
    photos: list[str] | None = None,
    stage: str = Photo.AFTER,
) -> Complaint:
    """Take `action` on the report. `actor` None is the system (the sweep's automatic close)."""
    with transaction.atomic():
        if actor is None:
            complaint = (
                Complaint.objects.select_for_update(of=("self",))
                .select_related("workflow", "agency", "category")
                .get(tracking=tracking)
            )
            roles = {"system"}
        else:
            complaint = complaint_get_for_actor(user=actor, tracking=tracking, for_update=True)
            roles = complaint_roles(user=actor, complaint=complaint)
        if action == "hand_off" and not agency:
            action = "hand_back"  # "not ours" without a named agency goes back to the Live Room
        # Which inputs the move takes follows from its declared effects (workflow.effects); the engine applies them.
        chosen = complaint.workflow.parsed.find(action=action, state=complaint.state)
        # The inputs are looked at only for a move the actor may make now: otherwise the engine's refusal (stale
        # version, action not available, role not allowed) comes first and says nothing about them, above all not
        # whether the report a merge names exists.
        permitted = chosen is not None and version == complaint.version and bool(roles & chosen.roles)
        target: Agency | None = None
        helpers: list[Agency] = []
        if permitted and chosen is not None and chosen.has("holder_take"):
            target = _agency(agency)
            if chosen.has("holder_leave") and target.pk == complaint.agency_id:
                raise ValidationFailed({"agency": [_("is the agency that holds the report now")]})
        if permitted and chosen is not None and chosen.has("helpers_add"):
            helpers = [_agency(code, "supports") for code in (supports or [])]
        data: dict[str, Any] = {}
        survivor = None
        if action == "merge" and permitted:
            survivor = _merge_target(actor=actor, complaint=complaint, into=into)
            complaint.merged_into = survivor
            data["into"] = survivor.tracking
        uploads: list[Upload] = []
        if photos and action in ("update", "resolve") and actor is not None:
            uploads = _photos(actor=actor, upload_ids=photos, field="photos")
            if stage not in (Photo.BEFORE, Photo.AFTER):
                raise ValidationFailed({"stage": [_("must be before or after")]})
            data["photos"] = [str(u.pk) for u in uploads]
            data["stage"] = stage
        now = timezone.now()
        complaint.updated_at = now
        complaint.save(update_fields=["merged_into", "updated_at"])
        transition(
            actor=actor,
            subject=complaint,
            action=action,
            version=version,
            roles=roles,
            reason=reason,
            data=data,
            holder=target,
            helpers=helpers,
        )
        if uploads and actor is not None:
            Photo.objects.bulk_create(
                [Photo(complaint=complaint, upload=u, stage=stage, added_by=actor, added_at=now) for u in uploads]
            )
        if survivor is not None:
            _follow(survivor, complaint, actor=actor, now=now)
    return complaint


def _merge_target(*, actor: User | None, complaint: Complaint, into: str | None) -> Complaint:
    """The open report `complaint` is merged into. A report that does not exist, one `actor` may not see and one that
    is closed get the same answer (no existence leak); only a report they see may be named for its category."""
    if not into:
        raise ValidationFailed({"into": [_("is required: the tracking number of the report to keep")]})
    if into == complaint.tracking:
        raise ValidationFailed({"into": [_("must be another report")]})
    survivor = Complaint.objects.select_for_update().filter(tracking=into).first()
    hidden = survivor is None or (actor is not None and not complaint_visible(user=actor, complaint=survivor))
    if hidden or survivor is None or survivor.state_category in TERMINAL:
        raise ValidationFailed({"into": [_("is not an open report")]})
    if survivor.category_id != complaint.category_id:
        raise ValidationFailed({"into": [_("is a report of another category")]})
    return survivor


def _follow(survivor: Complaint, duplicate: Complaint, *, actor: User | None, now: dt.datetime) -> None:
    """Every reporter of the duplicate (and its followers) follows the surviving report from now on."""
    users = {duplicate.reporter_id, *Follower.objects.filter(complaint=duplicate).values_list("user_id", flat=True)}
    users.discard(survivor.reporter_id)
    Follower.objects.bulk_create(
        [Follower(complaint=survivor, user_id=u, since=now) for u in users if u is not None], ignore_conflicts=True
    )
    workflow_record_step(
        subject=survivor,
        actor=actor,
        action="duplicate_merged",
        from_state=survivor.state,
        role=OPERATOR,
        data={"duplicate": duplicate.tracking, "followers_added": len(users)},
    )


def complaint_flag_emergency(*, actor: User, tracking: str, note: str) -> Complaint:
    """The Live Room hands an urgent report over to the 112 emergency line: recorded on the report."""
    note = note.strip()
    if not note:
        raise ValidationFailed({"reason": [_("is required: what was handed over to 112, and to whom")]})
    with transaction.atomic():
        complaint = complaint_get_for_actor(user=actor, tracking=tracking, for_update=True)
        if OPERATOR not in complaint_roles(user=actor, complaint=complaint):
            raise PermissionDenied(_("Only the Live Room hands reports over to 112."))
        complaint.emergency = True
        complaint.updated_at = timezone.now()
        complaint.save(update_fields=["emergency", "updated_at"])
        workflow_record_step(
            subject=complaint,
            actor=actor,
            action="emergency_handover",
            from_state=complaint.state,
            role=OPERATOR,
            reason=note,
            data={"to": "112"},
        )
    return complaint


def complaint_message_post(*, actor: User, tracking: str, body: str, internal: bool = False) -> Message:
    """A message between the reporter and the Live Room or the agencies working on the report, or (those handling
    it only) an internal note the reporter never sees (workflow.messages)."""
    message_body_clean(body)  # before the lock: a refusal names the field and changes nothing
    with transaction.atomic():
        complaint = complaint_get_for_actor(user=actor, tracking=tracking, for_update=True)
        roles = complaint_roles(user=actor, complaint=complaint)
        if REPORTER in roles and not internal:
            author_role = "reporter"
        elif OPERATOR in roles:
            author_role = "operator"
        elif complaint_handles(roles):
            author_role = "agency"
        elif internal:
            raise PermissionDenied(_("Only those handling the report write internal notes."))
        else:
            raise PermissionDenied(_("Only the reporter and those handling the report write messages on it."))
        if complaint.state_category in TERMINAL:
            raise DomainError(_("The report is closed."), code="closed")
        message = subject_message_post(
            subject=complaint, actor=actor, author_role=author_role, body=body, internal=internal, step=True
        )
        if not internal:  # a note is not news: the reporter's and the public's "updated" must not move for it
            complaint.updated_at = message.created_at
            complaint.save(update_fields=["updated_at"])
    return message


def complaint_lapor_reply(*, actor: User, lapor_id: str, body: str) -> Complaint:
    """A note from SP4N-LAPOR! (the national admin's, or the reporter's follow-up there) on a report it knows by its
    LAPOR! id, shown on the report's timeline. Only the LAPOR! client (lapor_client_check) sends one; an id it does
    not know is not found, whatever report may carry it."""
    lapor_client_check(actor=actor)
    body = body.strip()
    if not body:
        raise ValidationFailed({"body": [_("is required")]})
    with transaction.atomic():
        complaint = complaint_from_lapor(lapor_id=lapor_id, for_update=True)
        if complaint is None:
            raise NotFound(_("No report is known by this LAPOR! id."), code="not_found")
        workflow_record_step(
            subject=complaint,
            actor=actor,
            action="lapor_reply",
            from_state=complaint.state,
            role="lapor",
            reason=body[:4000],
            data={"lapor_id": complaint.lapor_id},
            public=False,  # a note from LAPOR! is for the reporter and those handling it, not the followers
        )
    return complaint


def complaint_rate(*, actor: User, tracking: str, score: int, comment: str = "") -> Complaint:
    """The reporter rates the handling (1-5) once the Live Room has verified it."""
    with transaction.atomic():
        complaint = complaint_get_for_actor(user=actor, tracking=tracking, for_update=True)
        if REPORTER not in complaint_roles(user=actor, complaint=complaint):
            raise PermissionDenied(_("Only the reporter rates the handling of a report."))
        if not complaint_handling_finished(complaint):
            raise DomainError(_("A report is rated once its handling is finished."), code="not_finished")
        subject_rate(subject=complaint, actor=actor, scale=Rating.STARS, scores=[score], comment=comment)
        workflow_record_step(
            subject=complaint,
            actor=actor,
            action="rate",
            from_state=complaint.state,
            role=REPORTER,
            data={"score": score},
            event="rated",
            public=False,  # the reporter's own rating: no follower hears of it
        )
    return complaint


# --- the operator's data: categories and routing rules ---------------------------------------------------------


def _require_live_room(actor: User) -> None:
    if not is_live_room(actor):
        raise PermissionDenied(_("Only the Live Room manages complaint categories and routing rules."))


def category_set_default_agency(*, actor: User, code: str, agency: str) -> Category:
    _require_live_room(actor)
    with transaction.atomic():
        category = Category.objects.select_for_update().filter(code=code).first()
        if category is None:
            raise NotFound("category not found", code="not_found")
        chosen = _agency(agency)
        previous = category.default_agency.code
        category.default_agency = chosen
        category.save(update_fields=["default_agency"])
        audit_record(
            actor=actor,
            action="complaints.category_routed",
            obj=category,
            data={"category": code, "from": previous, "to": chosen.code},
        )
    return category


def routing_rule_save(*, actor: User, category: str, region: str, agency: str) -> RoutingRule:
    """Send reports of `category` in kecamatan or kelurahan `region` to `agency` (replaces a rule for that pair)."""
    _require_live_room(actor)
    chosen_category = Category.objects.filter(code=category).first()
    errors: dict[str, list[str]] = {}
    if chosen_category is None:
        errors["category"] = [_("is not a category of this city")]
    place = Region.objects.filter(code=region).first()
    if (
        place is None
        or place.level not in (region_codes.KECAMATAN, region_codes.KELURAHAN, region_codes.DESA)
        or not region.startswith(settings.KOTALIVE_REGION_CODE + ".")
    ):
        errors["region"] = [_("is not a kecamatan or kelurahan of this city")]
    if errors:
        raise ValidationFailed(errors)
    chosen_agency = _agency(agency)
    with transaction.atomic():
        rule, _created = RoutingRule.objects.update_or_create(
            category=chosen_category, region=place, defaults={"agency": chosen_agency, "created_by": actor}
        )
        audit_record(
            actor=actor,
            action="complaints.routing_rule_saved",
            obj=rule,
            data={"category": category, "region": region, "agency": agency},
        )
    return rule


def routing_rule_delete(*, actor: User, rule_id: int) -> None:
    _require_live_room(actor)
    with transaction.atomic():
        rule = RoutingRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("There is no such routing rule: it may have been removed already."), code="not_found")
        audit_record(
            actor=actor,
            action="complaints.routing_rule_deleted",
            obj=rule,
            data={"category": rule.category_id, "region": rule.region_id, "agency": rule.agency_id},
        )
        rule.delete()
