import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from kotalive.accounts.contacts import ContactError, login_kind, normalise_email, normalise_phone
from kotalive.accounts.models import ApiToken, CitizenProfile, User
from kotalive.accounts.token_cache import seconds as token_cache_seconds
from kotalive.accounts.token_cache import token_cache_get, token_cache_put
from kotalive.core import crypto
from kotalive.core.masking import mask_nik
from kotalive.registry.selectors import family_members


def user_find_by_login(*, login: str) -> User | None:
    """The active account that `login` names: a NIK, an e-mail address, a phone number or a username."""
    value = login.strip()
    kind = login_kind(value)
    users = User.objects.filter(is_active=True)
    if kind == "nik":
        return users.filter(citizen__nik_index=crypto.blind_index(value)).first()
    try:
        if kind == "email":
            return users.filter(email__iexact=normalise_email(value)).first()
        if kind == "phone":
            return users.filter(phone=normalise_phone(value)).first()
    except ContactError:
        return None
    return users.filter(username=value).first()


# Every API request runs this query, so it is written out once instead of compiled by the ORM each time (the
# compilation cost more than the query itself: docs/performance.md). `token_stale` says whether last_used_at is
# more than a minute old, so the bookkeeping write happens at most once a minute per token; `token_cacheable`
# whether it stays valid for the whole time a process may cache it (kotalive/accounts/token_cache.py).
_TOKEN_SQL = f"""
SELECT u.*, t.id AS token_id, (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_stale,
       (t.expires_at > %s) AS token_cacheable
FROM {User._meta.db_table} u JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id
WHERE t.token_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active
"""  # noqa: S608 (table names, not input)


def user_for_token(*, raw_token: str) -> User | None:
    """The user a live API token belongs to; records when it was last used (at most once a minute)."""
    digest = hashlib.sha256(raw_token.encode()).hexdigest()
    cached = token_cache_get(digest)
    if cached is not None:
        return cached
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(now - dt.timedelta(seconds=60)), adapt(now + dt.timedelta(seconds=token_cache_seconds())), digest]
    found = list(User.objects.raw(_TOKEN_SQL, [*params, adapt(now)]))
    if not found:
        return None
    user = found[0]
    if user.token_stale:  # type: ignore[attr-defined]
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)  # type: ignore[attr-defined]
    if user.token_cacheable:  # type: ignore[attr-defined]
        token_cache_put(digest, user)
    return user


def citizen_profile_for(*, user: User) -> CitizenProfile | None:
    return CitizenProfile.objects.select_related("person__family__kelurahan").filter(user=user).first()


def nik_has_account(*, nik: str) -> bool:
    return CitizenProfile.objects.filter(nik_index=crypto.blind_index(nik)).exists()


def contact_taken(*, email: str | None, phone: str | None) -> dict[str, bool]:
    query = Q(pk__in=[])
    if email:
        query |= Q(email__iexact=email)
    if phone:
        query |= Q(phone=phone)
    taken = User.objects.filter(query).values_list("email", "phone")
    return {
        "email": any(e and email and e.lower() == email.lower() for e, _p in taken),
        "phone": any(p and p == phone for _e, p in taken),
    }


@dataclass(frozen=True)
class FamilyMember:
    id: int
    full_name: str
    nik: str  # masked
    relationship: str
    sex: str
    birth_date: dt.date
    is_me: bool


@dataclass(frozen=True)
class Profile:
    user: User
    nik: str | None  # masked
    registry_verified: bool
    kk_number: str | None  # masked
    address: str | None
    kelurahan: str | None
    family: list[FamilyMember]
    staff_roles: list[tuple[str, str | None]]


def profile_for(*, user: User) -> Profile:
    """What a person sees about themself: masked NIK, contacts, and (for a registry-verified citizen) the
    members of their own family card."""
    from kotalive.agencies.models import StaffRole  # noqa: PLC0415 (agencies depends on accounts)

    profile = citizen_profile_for(user=user)
    family: list[FamilyMember] = []
    kk = address = kelurahan = None
    if profile is not None and profile.person is not None:
        person = profile.person
        kk = mask_nik(person.family.kk_number)
        address = f"{person.family.address} RT {person.family.rt}/RW {person.family.rw}"
        kelurahan = person.family.kelurahan.name
        family = [
            FamilyMember(
                id=m.pk,
                full_name=m.full_name.title(),
                nik=mask_nik(m.nik),
                relationship=m.relationship,
                sex=m.sex,
                birth_date=m.birth_date,
                is_me=m.pk == person.pk,
            )
            for m in family_members(person=person)
        ]
    roles = [
        (r.role, r.agency.code if r.agency else None)
        for r in StaffRole.objects.filter(user=user).select_related("agency").order_by("agency__code", "role")
    ]
    return Profile(
        user=user,
        nik=profile.masked_nik if profile else None,
        registry_verified=bool(profile and profile.registry_verified),
        kk_number=kk,
        address=address,
        kelurahan=kelurahan,
        family=family,
        staff_roles=roles,
    )


def users_holding(*, nik: str, email: str | None, phone: str | None) -> list[User]:
    """The accounts that already hold this NIK, e-mail address or phone number (to tell them of an attempt)."""
    query = Q(citizen__nik_index=crypto.blind_index(nik))
    if email:
        query |= Q(email__iexact=email)
    if phone:
        query |= Q(phone=phone)
    return list(User.objects.filter(query).distinct())
