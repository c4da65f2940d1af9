"""Writes for agencies, their units and the roles staff hold in them. Every change is audited."""

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.accounts.services import staff_account_create
from kotalive.agencies.models import Agency, StaffRole, Unit
from kotalive.agencies.selectors import user_has_platform_role, user_may_manage_staff
from kotalive.core.audit import audit_record
from kotalive.core.errors import PermissionDenied, ValidationFailed
from kotalive.regions.models import Region

_AGENCY_FIELDS = ("name", "name_en", "role", "handles_complaints", "summary", "summary_en")


@dataclass(frozen=True)
class AgencyLoadResult:
    created: int
    updated: int


def agencies_load(*, actor: User | None, document: dict[str, Any]) -> AgencyLoadResult:
    """Create or update agencies and their units from a region pack's agencies file (like
    packs/kota-tangerang/agencies-3671.json).

    All or nothing: a document with an unknown role or region loads nothing.
    """
    valid_roles = {code for code, _label in Agency.ROLES}
    rows = document.get("agencies", [])
    region_codes = {row.get("region") for row in rows}
    known_regions = set(Region.objects.filter(code__in=region_codes).values_list("code", flat=True))
    errors: dict[str, list[str]] = {}
    for position, row in enumerate(rows, start=1):
        where = f"agencies[{position}] {row.get('code', '?')}"
        if not row.get("code") or not row.get("name"):
            errors.setdefault(where, []).append(_("code and name are required"))
        if row.get("role") not in valid_roles:
            errors.setdefault(where, []).append(
                _("role must be one of %(roles)s") % {"roles": ", ".join(sorted(valid_roles))}
            )
        if row.get("region") not in known_regions:
            errors.setdefault(where, []).append(_("region %(code)s is not loaded") % {"code": row.get("region")})
    if errors:
        raise ValidationFailed(errors)
    created = updated = 0
    with transaction.atomic():
        for row in rows:
            values = {name: row.get(name, "" if name != "handles_complaints" else False) for name in _AGENCY_FIELDS}
            agency, was_created = Agency.objects.get_or_create(
                code=row["code"], defaults={**values, "region_id": row["region"]}
            )
            changed = [name for name, value in values.items() if getattr(agency, name) != value]
            if agency.region_id != row["region"]:
                agency.region_id = row["region"]
                changed.append("region")
            if changed and not was_created:
                for name in changed:
                    if name != "region":
                        setattr(agency, name, values[name])
                agency.save(update_fields=changed)
                updated += 1
            created += was_created
            for unit in row.get("units", []):
                Unit.objects.update_or_create(agency=agency, code=unit["code"], defaults={"name": unit["name"]})
        if created or updated:
            audit_record(
                actor=actor,
                action="agencies.loaded",
                object_type="agencies.agency",
                data={"created": created, "updated": updated},
            )
    return AgencyLoadResult(created, updated)


def _may_manage_staff(actor: User | None, agency: Agency | None) -> bool:
    if actor is None:  # the system itself: seeding and management commands run by the server's operator
        return True
    if agency is None:
        return user_has_platform_role(user=actor, role=StaffRole.PLATFORM_ADMIN)
    return user_may_manage_staff(user=actor, agency=agency)


def staff_role_grant(
    *, actor: User | None, user: User, role: str, agency: Agency | None = None, unit: Unit | None = None
) -> StaffRole:
    """Give `user` a role in `agency` (or platform-wide when agency is None). Idempotent."""
    if not _may_manage_staff(actor, agency):
        raise PermissionDenied(_("Only the platform administrator or this agency's administrator may grant roles."))
    platform_roles = {code for code, _label in StaffRole.PLATFORM_ROLES}
    agency_roles = {code for code, _label in StaffRole.AGENCY_ROLES}
    if (agency is None and role not in platform_roles) or (agency is not None and role not in agency_roles):
        raise ValidationFailed({"role": [_("role %(role)s does not fit this scope") % {"role": role}]})
    with transaction.atomic():
        grant, created = StaffRole.objects.get_or_create(user=user, agency=agency, role=role, defaults={"unit": unit})
        if created:
            audit_record(
                actor=actor,
                action="staff.role_granted",
                obj=grant,
                data={"user": user.username, "role": role, "agency": agency.code if agency else None},
            )
    return grant


def staff_role_revoke(*, actor: User | None, grant: StaffRole) -> None:
    if not _may_manage_staff(actor, grant.agency):
        raise PermissionDenied(_("Only the platform administrator or this agency's administrator may revoke roles."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="staff.role_revoked",
            obj=grant,
            data={
                "user": grant.user.username,
                "role": grant.role,
                "agency": grant.agency.code if grant.agency else None,
            },
        )
        grant.delete()


@dataclass(frozen=True)
class NewStaffMember:
    user: User
    initial_password: str  # shown once to the administrator, who hands it over
    totp_uri: str | None  # for the authenticator app, when the role needs a second factor


def staff_member_add(
    *, actor: User | None, agency: Agency | None, username: str, full_name: str, role: str, email: str | None = None
) -> NewStaffMember:
    """Create a staff account with a role in `agency` (platform-wide when None), all or nothing.

    The password is generated and returned once; roles that need a second factor get a TOTP secret too.
    """
    if not _may_manage_staff(actor, agency):
        raise PermissionDenied(_("Only the platform administrator or this agency's administrator may add staff."))
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        account = staff_account_create(
            actor=actor,
            username=username,
            full_name=full_name,
            password=password,
            email=email,
            with_totp=role in StaffRole.TWO_FACTOR_ROLES,
        )
        staff_role_grant(actor=actor, user=account.user, role=role, agency=agency)
    return NewStaffMember(user=account.user, initial_password=password, totp_uri=account.totp_uri)
