"""Registry mediation for agency systems and officers, and the resident's own data-access list."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Schema

from kotalive.agencies.auth import BearerToken, actor, staff_actor
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.registry.mediation import agreements_held, data_access_of, registry_lookup

router = Router(tags=["registry mediation"], auth=BearerToken())


class LookupIn(Schema):
    nik: str
    purpose: str


class LookupOut(Schema):
    purpose: str
    legal_basis: str
    fields: dict[str, Any]


class PurposeOut(Schema):
    purpose: str
    name: str
    provider: str
    agency: str
    fields: list[str]
    legal_basis: str
    valid_until: date


class AccessOut(Schema):
    at: datetime
    agency: str
    channel: str
    purpose: str
    legal_basis: str
    fields: list[str]


@router.post(
    "/registry/lookup",
    response={200: LookupOut, 404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS},
    summary="Look a resident up for an agreed purpose",
)
def lookup(request: HttpRequest, payload: LookupIn) -> dict[str, Any]:
    """Returns only the fields the purpose's agreement names. Refused (403 `no_agreement`) without a live
    agreement; limited per minute (429); every look-up is recorded and shown to the resident."""
    return registry_lookup(actor=actor(request), nik=payload.nik, purpose=payload.purpose)


@router.get("/registry/purposes", response={200: list[PurposeOut], **AUTH_ERRORS}, summary="Purposes I hold")
def purposes(request: HttpRequest) -> list[dict[str, Any]]:
    """The live agreements of the caller's agency; a citizen is refused (403 `staff_only`)."""
    user = staff_actor(request)
    english = (get_language() or "").startswith("en")
    return [
        {
            "purpose": a.purpose,
            "name": (a.purpose_name_en or a.purpose_name) if english else a.purpose_name,
            "provider": a.provider.code,
            "agency": a.consumer.code,
            "fields": a.fields,
            "legal_basis": a.legal_basis,
            "valid_until": a.valid_until,
        }
        for a in agreements_held(actor=user)
    ]


@router.get("/me/data-access", response={200: list[AccessOut], **AUTH_ERRORS}, summary="Who used my data")
def my_data_access(request: HttpRequest) -> list[Any]:
    """Every look-up of the signed-in resident's registry data and every form pre-filled from it, newest first."""
    return list(data_access_of(user=actor(request))[:500])
