"""API clients of agency systems: creation, keys (shown once, hashed, rotated, revoked), scopes and rate limits.

A key looks like `klk_live_<random>` or `klk_test_<random>`. The client acts through its own service account
(no password, no sign-in) that holds the agency roles chosen for it, so workflow role checks apply unchanged;
the key's scopes then decide which endpoints it may call at all (SCOPE_RULES).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, ApiClient, ApiKey, StaffRole
from kotalive.agencies.selectors import user_may_manage_staff
from kotalive.core.audit import audit_record
from kotalive.core.errors import NotFound, PermissionDenied, ValidationFailed
from kotalive.core.ratelimit import Limit, limit_take
from kotalive.core.ssrf import destination_check

KEY_PREFIX = "klk_"
WORKFLOW_ROLES = [StaffRole.VERIFIER, StaffRole.PROCESSOR, StaffRole.APPROVER, StaffRole.HEAD, StaffRole.LIAISON]

# (method, path pattern under /api/v1) -> the scope it needs. Anything not listed is closed to machine keys.
SCOPE_RULES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/api/v1/agency/cases$"), "cases:read"),
    ("GET", re.compile(r"^/api/v1/cases/[^/]+(/documents/[^/]+|/output/document)?$"), "cases:read"),
    ("POST", re.compile(r"^/api/v1/cases/[^/]+/(transitions|messages|assign|output)$"), "cases:write"),
    ("POST", re.compile(r"^/api/v1/uploads$"), "cases:write"),
    ("GET", re.compile(r"^/api/v1/events(/types)?$"), "events:read"),
    ("GET", re.compile(r"^/api/v1/webhooks/.*$"), "webhooks:manage"),
    ("POST", re.compile(r"^/api/v1/webhooks/.*$"), "webhooks:manage"),
    ("POST", re.compile(r"^/api/v1/registry/lookup$"), "registry:lookup"),
    ("GET", re.compile(r"^/api/v1/registry/purposes$"), "registry:lookup"),
    ("GET", re.compile(r"^/api/v1/agency/complaints$"), "complaints:read"),
    ("GET", re.compile(r"^/api/v1/complaints/(?!categories$|public$)[^/]+(/photos/[^/]+)?$"), "complaints:read"),
    ("POST", re.compile(r"^/api/v1/complaints$"), "complaints:write"),
    ("POST", re.compile(r"^/api/v1/complaints/[^/]+/(transitions|messages)$"), "complaints:write"),
    ("POST", re.compile(r"^/api/v1/lapor/(reports|replies)$"), ApiClient.LAPOR_SCOPE),
    ("GET", re.compile(r"^/api/v1/agency/coordination$"), "coordination:read"),
    ("GET", re.compile(r"^/api/v1/coordination/(requests/[^/]+|agreements)$"), "coordination:read"),
    ("POST", re.compile(r"^/api/v1/coordination/requests(/[^/]+/transitions)?$"), "coordination:write"),
    ("POST", re.compile(r"^/api/v1/documents/[^/]+/revocation$"), "cases:write"),
    ("GET", re.compile(r"^/api/v1/(services|agencies|calendar|complaints/categories|complaints/public)(/.*)?$"), ""),
    ("GET", re.compile(r"^/api/v1/documents/[^/]+/verification$"), ""),
    ("POST", re.compile(r"^/api/v1/documents/[^/]+/verification$"), ""),
]


def scope_needed(method: str, path: str) -> str | None:
    """The scope a machine key needs for this request; "" when none; None when machine keys may not call it."""
    for rule_method, pattern, scope in SCOPE_RULES:
        if method == rule_method and pattern.match(path):
            return scope
    return None


@dataclass
class MachinePrincipal:
    client: ApiClient
    key: ApiKey


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _issue_key(client: ApiClient) -> str:
    raw = f"{KEY_PREFIX}{client.environment}_{secrets.token_urlsafe(32)}"
    ApiKey.objects.create(client=client, prefix=raw[:17], key_hash=_digest(raw))
    return raw


def api_key_adopt(*, client: ApiClient, raw: str) -> ApiKey:
    """Register a key agreed outside the platform (the demo partner's Open311 key, a national system's pre-shared
    key): kept hashed like any other; idempotent."""
    key, _created = ApiKey.objects.get_or_create(key_hash=_digest(raw), defaults={"client": client, "prefix": raw[:12]})
    return key


def api_client_create(
    *,
    actor: User,
    agency: Agency,
    name: str,
    scopes: list[str],
    roles: list[str],
    environment: str = ApiClient.LIVE,
    requests_per_minute: int = 600,
    reconcile_url: str = "",
) -> tuple[ApiClient, str]:
    """A new client of `agency` with its first key, returned once."""
    if not user_may_manage_staff(user=actor, agency=agency):
        raise PermissionDenied(_("Only the agency's administrators manage its API clients."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("is required (at most 100 characters)")]
    elif ApiClient.objects.filter(agency=agency, name=name).exists():
        errors["name"] = [_("is already taken")]
    unknown = sorted(set(scopes) - set(ApiClient.SCOPES))
    if not scopes or unknown:
        errors["scopes"] = [_("choose from: %(scopes)s") % {"scopes": ", ".join(ApiClient.SCOPES)}]
    elif ApiClient.LAPOR_SCOPE in scopes and agency.role != Agency.OPERATOR:
        errors["scopes"] = [
            _("%(scope)s is only for the SP4N-LAPOR! client of the platform operator agency")
            % {"scope": ApiClient.LAPOR_SCOPE}
        ]
    bad_roles = sorted(set(roles) - set(WORKFLOW_ROLES))
    if bad_roles:
        errors["roles"] = [_("choose from: %(roles)s") % {"roles": ", ".join(WORKFLOW_ROLES)}]
    if environment not in (ApiClient.TEST, ApiClient.LIVE):
        errors["environment"] = [_("must be 'test' or 'live'")]
    if not 1 <= requests_per_minute <= 100_000:
        errors["requests_per_minute"] = [_("must be between 1 and 100000")]
    if reconcile_url:
        try:
            destination_check(reconcile_url)
        except ValidationFailed as exc:
            errors["reconcile_url"] = exc.errors["url"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        account = User.objects.create(
            username=f"api.{agency.code.lower()}.{secrets.token_hex(4)}",
            full_name=f"{agency.code} system: {name}",
            kind=User.STAFF,
        )
        account.set_unusable_password()
        account.save(update_fields=["password"])
        for role in roles:
            StaffRole.objects.create(user=account, agency=agency, role=role)
        client = ApiClient.objects.create(
            agency=agency,
            name=name,
            account=account,
            scopes=sorted(set(scopes)),
            environment=environment,
            requests_per_minute=requests_per_minute,
            reconcile_url=reconcile_url,
            created_by=actor,
        )
        raw = _issue_key(client)
        audit_record(
            actor=actor,
            action="agency.api_client_created",
            obj=client,
            data={"agency": agency.code, "name": name, "scopes": client.scopes, "roles": roles},
        )
    return client, raw


def api_clients_of(*, actor: User, agency: Agency) -> list[ApiClient]:
    if not user_may_manage_staff(user=actor, agency=agency):
        raise PermissionDenied(_("Only the agency's administrators manage its API clients."))
    return list(ApiClient.objects.filter(agency=agency).prefetch_related("keys").order_by("name"))


def _client_for(actor: User, client_id: int) -> ApiClient:
    client = ApiClient.objects.select_related("agency").filter(pk=client_id).first()
    if client is None or not user_may_manage_staff(user=actor, agency=client.agency):
        raise NotFound(_("No such API client."))
    return client


def api_key_rotate(*, actor: User, client_id: int) -> str:
    """A new key for the client; the old keys keep working until revoked, so the system can switch over."""
    with transaction.atomic():
        client = _client_for(actor, client_id)
        if client.revoked_at is not None:
            raise ValidationFailed({"client": [_("is revoked")]})
        raw = _issue_key(client)
        audit_record(actor=actor, action="agency.api_key_issued", obj=client, data={"prefix": raw[:17]})
    return raw


def api_key_revoke(*, actor: User, client_id: int, prefix: str) -> None:
    with transaction.atomic():
        client = _client_for(actor, client_id)
        revoked = ApiKey.objects.filter(client=client, prefix=prefix, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not revoked:
            raise NotFound(_("No such live key."), field="prefix")
        audit_record(actor=actor, action="agency.api_key_revoked", obj=client, data={"prefix": prefix})


def api_client_revoke(*, actor: User, client_id: int) -> None:
    """End the client: every key stops working at once."""
    with transaction.atomic():
        client = _client_for(actor, client_id)
        now = timezone.now()
        client.revoked_at = now
        client.save(update_fields=["revoked_at"])
        client.keys.filter(revoked_at__isnull=True).update(revoked_at=now)
        audit_record(actor=actor, action="agency.api_client_revoked", obj=client)


def machine_authenticate(raw: str) -> MachinePrincipal | None:
    """The live client and key behind a raw `klk_` key (None: unknown, revoked, or client revoked)."""
    key = (
        ApiKey.objects.select_related("client__account", "client__agency")
        .filter(key_hash=_digest(raw), revoked_at__isnull=True, client__revoked_at__isnull=True)
        .first()
    )
    if key is None or not key.client.account.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return MachinePrincipal(client=key.client, key=key)


def machine_rate_take(principal: MachinePrincipal) -> None:
    """Count one request of an agency system's key against its client's requests per minute; refuse (429, with
    Retry-After) past it. The count is shared by every web process (core.ratelimit)."""
    limit_take(
        Limit("api-key", principal.client.requests_per_minute, 60),
        f"key:{principal.key.pk}",
        message=_("This API key's requests per minute are used up."),
    )
