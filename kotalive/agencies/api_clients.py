"""Agency administrators manage their systems' API clients and keys (keys are shown once)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kotalive.agencies import machine
from kotalive.agencies.auth import BearerToken, actor
from kotalive.agencies.models import Agency, ApiClient, StaffRole
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.errors import NotFound

router = Router(tags=["agency systems"], auth=BearerToken())
WITH_404 = {404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS}


class ClientIn(Schema):
    name: str
    scopes: list[str]
    roles: list[str] = []  # workflow roles the system acts with: verifier, processor, approver, head
    environment: str = "live"
    requests_per_minute: int = 600
    reconcile_url: str = ""  # where `kotalive reconcile` asks this system for its case states


class KeyOut(Schema):
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ClientOut(Schema):
    id: int
    name: str
    agency: str
    scopes: list[str]
    roles: list[str]
    environment: str
    requests_per_minute: int
    reconcile_url: str
    revoked_at: datetime | None
    keys: list[KeyOut]


class ClientCreatedOut(ClientOut):
    key: str  # shown only in this answer


class NewKeyOut(Schema):
    key: str


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise NotFound(_("No such agency."))
    return agency


def _out(client: ApiClient) -> dict[str, Any]:
    return {
        "id": client.pk,
        "name": client.name,
        "agency": client.agency.code,
        "scopes": client.scopes,
        "roles": sorted(StaffRole.objects.filter(user=client.account).values_list("role", flat=True)),
        "environment": client.environment,
        "requests_per_minute": client.requests_per_minute,
        "reconcile_url": client.reconcile_url,
        "revoked_at": client.revoked_at,
        "keys": [vars(k) for k in client.keys.all().order_by("created_at")],
    }


@router.post(
    "/agencies/{code}/api-clients",
    response={201: ClientCreatedOut, **WITH_404},
    summary="Create an API client",
)
def create_client(request: HttpRequest, code: str, payload: ClientIn) -> Status[dict[str, Any]]:
    """The answer's `key` is the only time the secret is shown. Send it as `Authorization: Bearer <key>`."""
    client, raw = machine.api_client_create(
        actor=actor(request),
        agency=_agency(code),
        name=payload.name,
        scopes=payload.scopes,
        roles=payload.roles,
        environment=payload.environment,
        requests_per_minute=payload.requests_per_minute,
        reconcile_url=payload.reconcile_url,
    )
    return Status(201, {**_out(client), "key": raw})


@router.get("/agencies/{code}/api-clients", response={200: list[ClientOut], **WITH_404}, summary="API clients")
def list_clients(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_out(c) for c in machine.api_clients_of(actor=actor(request), agency=_agency(code))]


@router.post("/agencies/{code}/api-clients/{client_id}/keys", response={201: NewKeyOut, **WITH_404}, summary="Rotate")
def rotate_key(request: HttpRequest, code: str, client_id: int) -> Status[dict[str, str]]:
    """A new key; earlier keys keep working until revoked, so the system can switch without downtime."""
    return Status(201, {"key": machine.api_key_rotate(actor=actor(request), client_id=client_id)})


@router.post(
    "/agencies/{code}/api-clients/{client_id}/keys/{prefix}/revoke",
    response={204: None, **WITH_404},
    summary="Revoke a key",
)
def revoke_key(request: HttpRequest, code: str, client_id: int, prefix: str) -> Status[None]:
    machine.api_key_revoke(actor=actor(request), client_id=client_id, prefix=prefix)
    return Status(204, None)


@router.post(
    "/agencies/{code}/api-clients/{client_id}/revoke", response={204: None, **WITH_404}, summary="Revoke a client"
)
def revoke_client(request: HttpRequest, code: str, client_id: int) -> Status[None]:
    machine.api_client_revoke(actor=actor(request), client_id=client_id)
    return Status(204, None)
