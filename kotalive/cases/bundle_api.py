"""The life-event bundle API: the kinds a city offers, their one form, filing one, and following it."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kotalive.agencies.auth import BearerToken, actor
from kotalive.cases import bundles
from kotalive.cases.bundle_selectors import (
    bundle_detail,
    bundle_get_for_actor,
    bundle_kind_summaries,
    bundle_kinds,
    bundle_offers_open,
    bundle_summary,
    bundles_of_citizen,
)
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.errors import NotFound

router = Router(tags=["life-event bundles"], auth=BearerToken())
WITH_404 = {404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}


class KindPartOut(Schema):
    service: str
    service_name: str
    agency: str
    agency_name: str


class KindOut(Schema):
    kind: str
    name: str
    description: str
    parts: list[KindPartOut]


class SubjectOut(Schema):
    id: str
    name: str
    relationship: str


class FormOut(Schema):
    kind: str
    name: str
    form_schema: dict[str, Any] = Field(alias="schema")  # JSON Schema draft 2020-12 of `data`
    prefill: dict[str, Any]
    requirements: list[dict[str, Any]]
    subjects: list[SubjectOut]  # whom the event may be about (a death: the living members of the family card)


class BundleIn(Schema):
    kind: str
    data: dict[str, Any]
    documents: dict[str, str] = {}  # {bundle requirement code: upload id}, given once for every part
    subject: str = ""  # with a death: the id of the family member (GET /bundles/{kind}/form lists them)
    from_case: str = ""  # to take an offer: the tracking number of the single application that recorded the event


class PartOut(Schema):
    service: str
    service_name: str
    agency: str
    agency_name: str
    tracking: str
    state: str  # the application's workflow state; before it is filed: waiting, failed or skipped
    state_category: str
    state_label: str
    public_status: str
    due_date: date | None
    output: str | None  # the number of what the part issued
    documents_reused: list[str]  # requirements fulfilled by an earlier part's output, not asked again
    reason: str
    # A part about the applicant that follows their other open application of the same service (twins' family-card
    # updates): that application's tracking number; it is filed when that one ends.
    waits_for: str | None


class TimelineOut(Schema):
    at: datetime
    part: str | None
    part_name: str
    tracking: str
    kind: str
    action: str
    label: str
    state: str
    text: str


class BundleOut(Schema):
    tracking: str
    kind: str
    kind_name: str
    subject_name: str
    state: str
    state_category: str
    state_label: str
    public_status: str
    submitted_at: datetime
    due_date: date | None
    parts: list[PartOut]
    timeline: list[TimelineOut]


class BundleSummaryOut(Schema):
    tracking: str
    kind: str
    kind_name: str
    subject_name: str
    state: str
    state_label: str
    public_status: str
    submitted_at: datetime


class OfferOut(Schema):
    id: int
    kind: str
    kind_name: str
    from_case: str
    person_name: str
    form: str  # where the pre-filled form is


def _kind(code: str) -> Any:
    kind = bundle_kinds().filter(code=code).first()
    if kind is None or bundles.bundle_kind_services(kind) is None:
        raise NotFound(_("There is no such life event."), code="not_found")
    return kind


@router.get("/bundles", response={200: list[KindOut], **AUTH_ERRORS}, summary="Life events one form can file")
def kinds(request: HttpRequest) -> list[dict[str, Any]]:
    return bundle_kind_summaries()


@router.get("/bundles/offers", response={200: list[OfferOut], **AUTH_ERRORS}, summary="Life events offered to me")
def offers(request: HttpRequest) -> list[dict[str, Any]]:
    """The rest of a life event a single application of yours recorded (a birth certificate applied for on its
    own), to file as a bundle with `from_case`."""
    return [
        {
            "id": o.pk,
            "kind": o.kind.code,
            "kind_name": bundles.bundle_kind_name(o.kind),
            "from_case": o.case.tracking,
            "person_name": o.person.full_name.title(),
            "form": f"/api/v1/bundles/{o.kind.code}/form?from_case={o.case.tracking}",
        }
        for o in bundle_offers_open(user=actor(request))
    ]


@router.post(
    "/bundles/offers/{offer_id}/dismiss", response={204: None, **AUTH_ERRORS, **COMMON_ERRORS}, summary="Not now"
)
def dismiss(request: HttpRequest, offer_id: int) -> Status[None]:
    bundles.bundle_offer_dismiss(actor=actor(request), offer_id=offer_id)
    return Status(204, None)


@router.get(
    "/bundles/{kind}/form", response={200: FormOut, **WITH_404}, by_alias=True, summary="The one form of a life event"
)
def form(request: HttpRequest, kind: str, from_case: str = "") -> dict[str, Any]:
    """`schema` (JSON Schema), `prefill` (what the registry, or the single application of an offer, already says),
    the documents asked for once (with `from_case`, not those the single application has), and whom the event may
    be about."""
    user = actor(request)
    found = _kind(kind)
    offer = bundles.bundle_offer_open(user=user, kind=found, tracking=from_case)
    return {
        "kind": found.code,
        "name": bundles.bundle_kind_name(found),
        "schema": found.document["form_schema"],
        "prefill": bundles.bundle_prefill(user=user, kind=found, offer=offer),
        "requirements": bundles.bundle_documents_asked(kind=found, offer=offer),
        "subjects": [
            {"id": str(p.pk), "name": p.full_name.title(), "relationship": p.relationship.lower()}
            for p in bundles.bundle_subjects(user=user, kind=found)
        ],
    }


@router.post(
    "/bundles", response={201: BundleOut, 409: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}, summary="File a life event"
)
def submit(request: HttpRequest, payload: BundleIn) -> Status[dict[str, Any]]:
    """One form for every part: 201 with the bundle's `tracking` and its `parts` (each `service`, `tracking`,
    `agency`, `state`). Parts that need an earlier part's output are `waiting` and are filed when it is issued."""
    bundle = bundles.bundle_submit(
        actor=actor(request),
        kind_code=payload.kind,
        data=payload.data,
        documents=payload.documents,
        subject=payload.subject,
        from_case=payload.from_case,
    )
    return Status(201, bundle_detail(bundle, actor(request)))


@router.get("/bundles/mine", response={200: list[BundleSummaryOut], **AUTH_ERRORS}, summary="My life events")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [bundle_summary(b) for b in bundles_of_citizen(user=actor(request))[:200]]


@router.get("/bundles/{tracking}", response={200: BundleOut, **WITH_404}, summary="One life event")
def get_bundle(request: HttpRequest, tracking: str) -> dict[str, Any]:
    """The bundle's `state`, every part with its own state and agency, and one `timeline` of every part."""
    user = actor(request)
    return bundle_detail(bundle_get_for_actor(user=user, tracking=tracking), user)
