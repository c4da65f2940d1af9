"""The audit log's checkpoint for auditors, and its public key for anyone (docs/audit.md)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kotalive.agencies.auth import BearerToken, actor
from kotalive.agencies.models import StaffRole
from kotalive.agencies.selectors import user_has_platform_role
from kotalive.core.api import ErrorOut
from kotalive.core.audit import checkpoint_latest, key_id, public_key_pem
from kotalive.core.errors import NotFound, PermissionDenied

router = Router(tags=["audit"])

AUDIT_READERS = frozenset({StaffRole.AUDITOR, StaffRole.PLATFORM_ADMIN})


class CheckpointOut(Schema):
    origin: str
    size: int
    head: str
    time: str
    text: str
    key_id: str
    signature: str
    public_key: str


class PublicKeyOut(Schema):
    key_id: str
    public_key: str


@router.get(
    "/audit/checkpoint",
    auth=BearerToken(),
    response={200: CheckpointOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The latest signed checkpoint of the audit log",
)
def audit_checkpoint(request: HttpRequest) -> CheckpointOut:
    """Size, head hash and time of the sealed log with their Ed25519 signature (base64) over `text`. Keep it:
    `kotalive audit-verify --checkpoint` proves later that the log only grew. Auditors and platform administrators."""
    user = actor(request)
    if not any(user_has_platform_role(user=user, role=role) for role in AUDIT_READERS):
        raise PermissionDenied(_("Only auditors and the platform administrator read the audit log."))
    checkpoint = checkpoint_latest()
    if checkpoint is None:
        raise NotFound(_("The audit log has no sealed entry yet."), code="not_found")
    return CheckpointOut(**checkpoint.as_dict())


@router.get("/audit/public-key", auth=None, response={200: PublicKeyOut}, summary="The audit log's public key")
def audit_public_key(request: HttpRequest) -> PublicKeyOut:
    """The Ed25519 public key (PEM) that verifies every checkpoint signature of this deployment's audit log."""
    return PublicKeyOut(key_id=key_id(), public_key=public_key_pem())
