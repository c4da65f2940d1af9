"""Registry mediation: other agencies look residents up through DISDUKCAPIL's agreements, and every use of a
resident's data (a look-up or a pre-filled form) is recorded where the resident can see it."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.agencies.selectors import user_may_manage_staff
from kotalive.core.audit import audit_record
from kotalive.core.errors import NotFound, PermissionDenied, ValidationFailed
from kotalive.core.ratelimit import Limit, limit_take
from kotalive.registry.identity import IdentityNumberError, parse_nik
from kotalive.registry.models import LOOKUP_FIELDS, DataSharingAgreement, Person, RegistryAccess
from kotalive.registry.selectors import person_find_by_nik, registry_values

PROVIDER_CODE = "DISDUKCAPIL"


def registry_access_record(
    *,
    person: Person | None,
    actor: User | None,
    agency: str,
    channel: str,
    purpose: str,
    legal_basis: str,
    fields: list[str],
) -> RegistryAccess:
    """Record one use of registry data, inside the caller's transaction, with its audit entry."""
    access = RegistryAccess.objects.create(
        person=person,
        actor=actor,
        actor_label=actor.username or actor.full_name if actor else "system",
        agency=agency,
        channel=channel,
        purpose=purpose,
        legal_basis=legal_basis,
        fields=sorted(fields),
        found=person is not None,
    )
    audit_record(
        actor=actor,
        action="registry.read",
        obj=person,
        object_type="registry.person" if person is None else "",
        data={
            "agency": agency,
            "channel": channel,
            "purpose": purpose,
            "legal_basis": legal_basis,
            "fields": sorted(fields),
            "found": person is not None,
        },
    )
    return access


def agreements_held(*, actor: User, on: dt.date | None = None) -> list[DataSharingAgreement]:
    """The live agreements of the agencies `actor` works for."""
    day = on or timezone.localdate()
    agencies = set(StaffRole.objects.filter(user=actor, agency__isnull=False).values_list("agency_id", flat=True))
    client = getattr(actor, "api_client", None)  # an agency system acts for its agency, whatever its roles
    if client is not None:
        agencies.add(client.agency_id)
    found = DataSharingAgreement.objects.filter(consumer_id__in=agencies).select_related("consumer", "provider")
    return [a for a in found if a.live_on(day)]


def registry_lookup(*, actor: User, nik: str, purpose: str) -> dict[str, Any]:
    """The agreed fields of the resident with `nik`, for `purpose`. Refused without a live agreement of one of
    the actor's agencies; rate-limited per actor; recorded (found or not) for audit and for the resident."""
    try:
        parse_nik(nik)
    except IdentityNumberError as exc:
        raise ValidationFailed({"nik": [str(exc)]}) from None
    agreement = next((a for a in agreements_held(actor=actor) if a.purpose == purpose), None)
    if agreement is None:
        raise PermissionDenied(
            _("Your agency holds no live data-sharing agreement for the purpose '%(purpose)s'.") % {"purpose": purpose},
            field="purpose",
            code="no_agreement",
        )
    limit_take(
        Limit("registry-lookups", settings.KOTALIVE_REGISTRY_LOOKUPS_PER_MINUTE, 60),
        f"user:{actor.pk}",
        message=_("Too many look-ups in the last minute."),
    )
    person = person_find_by_nik(nik=nik)
    with transaction.atomic():
        registry_access_record(
            person=person,
            actor=actor,
            agency=agreement.consumer.code,
            channel=RegistryAccess.LOOKUP,
            purpose=agreement.purpose,
            legal_basis=agreement.legal_basis,
            fields=agreement.fields if person else [],
        )
    if person is None:
        raise NotFound(_("No resident with this NIK is in the registry."), field="nik", code="not_found")
    values = registry_values(person)
    return {
        "purpose": agreement.purpose,
        "legal_basis": agreement.legal_basis,
        "fields": {name: values[name] for name in agreement.fields},
    }


def data_access_of(*, user: User) -> QuerySet[RegistryAccess]:
    """Every recorded use of the signed-in resident's registry data, newest first."""
    person_id = getattr(getattr(user, "citizen", None), "person_id", None)
    if person_id is None:
        return RegistryAccess.objects.none()
    return RegistryAccess.objects.filter(person_id=person_id)


# --- agreements (DISDUKCAPIL's administrators) ---------------------------------------------------------------


def may_manage_agreements(actor: User) -> bool:
    provider = Agency.objects.filter(code=PROVIDER_CODE).first()  # its administrators, or the platform's
    return provider is not None and user_may_manage_staff(user=actor, agency=provider)


def agreement_save(
    *,
    actor: User | None,
    consumer_code: str,
    purpose: str,
    purpose_name: str,
    fields: list[str],
    legal_basis: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    purpose_name_en: str = "",
) -> DataSharingAgreement:
    """Create or change the agreement of `consumer_code` for `purpose` (actor None: seeding). A missing date (None:
    the form's could not be read) is refused with the other problems, all at once."""
    if actor is not None and not may_manage_agreements(actor):
        raise PermissionDenied(_("Only DISDUKCAPIL's administrators manage data-sharing agreements."))
    errors: dict[str, list[str]] = {}
    consumer = Agency.objects.filter(code=consumer_code).first()
    provider = Agency.objects.filter(code=PROVIDER_CODE).first()
    if consumer is None:
        errors["consumer"] = [_("is not an agency of this platform")]
    unknown = sorted(set(fields) - set(LOOKUP_FIELDS))
    if not fields:
        errors["fields"] = [_("must include at least one field")]
    elif unknown:
        errors["fields"] = [_("include some the registry does not have: %(fields)s") % {"fields": ", ".join(unknown)}]
    if not legal_basis.strip():
        errors["legal_basis"] = [_("is required: name the law or regulation")]
    if not purpose_name.strip():
        errors["purpose_name"] = [_("is required")]
    for name, date in (("valid_from", valid_from), ("valid_until", valid_until)):
        if date is None:
            errors[name] = [_("is required")]
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = [_("must not be before the start date")]
    if errors or consumer is None or provider is None or valid_from is None or valid_until is None:
        raise ValidationFailed(errors or {"consumer": [_("is not an agency of this platform")]})
    with transaction.atomic():
        agreement, created = DataSharingAgreement.objects.update_or_create(
            consumer=consumer,
            purpose=purpose,
            defaults={
                "provider": provider,
                "purpose_name": purpose_name.strip(),
                "purpose_name_en": purpose_name_en.strip(),
                "fields": sorted(set(fields)),
                "legal_basis": legal_basis.strip(),
                "valid_from": valid_from,
                "valid_until": valid_until,
                "revoked_at": None,
                "created_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="registry.agreement_created" if created else "registry.agreement_changed",
            obj=agreement,
            data={
                "consumer": consumer_code,
                "purpose": purpose,
                "fields": agreement.fields,
                "valid_until": valid_until.isoformat(),
            },
        )
    return agreement


def agreement_revoke(*, actor: User, agreement_id: int) -> DataSharingAgreement:
    if not may_manage_agreements(actor):
        raise PermissionDenied(_("Only DISDUKCAPIL's administrators manage data-sharing agreements."))
    with transaction.atomic():
        agreement = DataSharingAgreement.objects.select_for_update().filter(pk=agreement_id).first()
        if agreement is None:
            raise NotFound(_("No such agreement."))
        agreement.revoked_at = timezone.now()
        agreement.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="registry.agreement_revoked", obj=agreement)
    return agreement
