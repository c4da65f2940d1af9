"""Writes for accounts: registration, contact verification, sign-in, API tokens, password reset, staff.

Each public function is one use case in one transaction, with its audit entry; messages to people leave after
commit.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NoReturn

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotalive.accounts.contacts import ContactError, login_kind, normalise_email, normalise_phone
from kotalive.accounts.models import ApiToken, CitizenProfile, OneTimeCode, User
from kotalive.accounts.selectors import contact_taken, nik_has_account, user_find_by_login, users_holding
from kotalive.accounts.token_cache import token_cache_forget
from kotalive.agencies.models import StaffRole
from kotalive.agencies.selectors import user_has_platform_role, user_needs_second_factor
from kotalive.core import crypto
from kotalive.core.audit import audit_record
from kotalive.core.errors import DomainError, PermissionDenied, ValidationFailed
from kotalive.core.masking import mask_email, mask_nik, mask_phone
from kotalive.core.ratelimit import (
    Limit,
    limit_check,
    limit_clear,
    limit_from_setting,
    limit_hit,
    limit_take,
    subject_of_login,
)
from kotalive.notifications.channels import EMAIL, SMS, message_send
from kotalive.registry.identity import IdentityNumberError, parse_nik
from kotalive.registry.selectors import normalise_person_name, person_find_by_nik

GENERIC_SIGN_IN_REFUSAL = gettext_lazy("The login or the password is wrong.")
GENERIC_CODE_REFUSAL = gettext_lazy("This code is wrong or has expired. Check it, or ask for a new one.")


# The limits of this app (core.ratelimit; counts and windows in settings, docs/security.md#rate-limits).
def _sign_in_account() -> Limit:  # failed sign-ins per account, whichever of its logins was typed
    return limit_from_setting("sign-in", "KOTALIVE_RATE_SIGN_IN_FAILURES")


def _sign_in_address() -> Limit:  # failed sign-ins per address: far higher, an office or a school shares one
    return limit_from_setting("sign-in-address", "KOTALIVE_RATE_SIGN_IN_ADDRESS_FAILURES")


def _reset_account() -> Limit:  # reset requests per account: each sends an SMS or an e-mail to a person
    return limit_from_setting("reset", "KOTALIVE_RATE_RESET_REQUESTS")


def _reset_address() -> Limit:
    return limit_from_setting("reset-address", "KOTALIVE_RATE_RESET_ADDRESS_REQUESTS")


def _register_failures() -> Limit:  # refused registrations per NIK, and per address
    return limit_from_setting("register", "KOTALIVE_RATE_REGISTER_FAILURES")


def _register_address() -> Limit:
    return limit_from_setting("register-address", "KOTALIVE_RATE_REGISTER_ADDRESS_FAILURES")


def _codes_resend() -> Limit:
    return limit_from_setting("resend", "KOTALIVE_RATE_CODE_RESENDS")


def _account_subject(user: User | None, login: str) -> str:
    """One subject per account for every alias (NIK, username, e-mail, phone); what was typed for no account."""
    return f"user:{user.pk}" if user is not None else subject_of_login(login)


@dataclass
class Registration:
    user: User
    registry_verified: bool
    codes_sent_to: list[dict[str, str]] = field(default_factory=list)


def _parse_birth_date(raw: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ContactError(_("must be a date written as YYYY-MM-DD")) from None
    if value > timezone.localdate():
        raise ContactError(_("cannot be in the future"))
    if value.year < 1900:
        raise ContactError(_("is before 1900"))
    return value


def _clean_contacts(
    *, email: str | None, phone: str | None, errors: dict[str, list[str]]
) -> tuple[str | None, str | None]:
    clean_email = clean_phone = None
    if email and email.strip():
        try:
            clean_email = normalise_email(email)
        except ContactError as exc:
            errors.setdefault("email", []).append(str(exc))
    if phone and phone.strip():
        try:
            clean_phone = normalise_phone(phone)
        except ContactError as exc:
            errors.setdefault("phone", []).append(str(exc))
    if not (email and email.strip()) and not (phone and phone.strip()):
        errors.setdefault("phone", []).append(_("give a phone number or an e-mail address (or both)"))
    return clean_email, clean_phone


def _check_password(password: str, user: User, errors: dict[str, list[str]]) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(str(message) for message in exc.messages)


def citizen_register(
    *,
    nik: str,
    full_name: str,
    birth_date: str,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> Registration:
    """Open a citizen account.

    A NIK found in the registry must match the name (ignoring case, spacing and punctuation) and the birth date;
    a mismatch gets a generic refusal that tells nothing about the registry, and counts towards the throttle.
    A NIK not in the registry gives an unverified account (complaints only). One account per NIK.
    """
    errors: dict[str, list[str]] = {}
    nik = (nik or "").strip()
    try:
        parse_nik(nik)
    except IdentityNumberError as exc:
        errors.setdefault("nik", []).append(str(exc))
    full_name = " ".join((full_name or "").split())
    if not full_name:
        errors.setdefault("full_name", []).append(_("is required"))
    elif len(full_name) > 150:
        errors.setdefault("full_name", []).append(_("is longer than 150 characters"))
    born: dt.date | None = None
    try:
        born = _parse_birth_date(birth_date or "")
    except ContactError as exc:
        errors.setdefault("birth_date", []).append(str(exc))
    clean_email, clean_phone = _clean_contacts(email=email, phone=phone, errors=errors)
    _check_password(password or "", User(full_name=full_name, email=clean_email), errors)
    if errors:
        raise ValidationFailed(errors)
    assert born is not None  # noqa: S101 (narrowing for mypy: errors would have been raised above)

    match_subject = "nik:" + crypto.blind_index(nik)
    limit_check(_register_failures(), match_subject)
    if address:
        limit_check(_register_address(), address)
    # A NIK or a contact that already has an account gets the answer a registry mismatch gets, so the form tells a
    # stranger nothing about who has an account; the owner is told on their own verified contact instead.
    taken = contact_taken(email=clean_email, phone=clean_phone)
    reason = "nik taken" if nik_has_account(nik=nik) else ("contact taken" if any(taken.values()) else "")
    person = person_find_by_nik(nik=nik)
    if (
        not reason
        and person is not None
        and (normalise_person_name(person.full_name) != normalise_person_name(full_name) or person.birth_date != born)
    ):
        reason = "registry mismatch"
    if reason:
        _registration_refused(
            nik=nik, email=clean_email, phone=clean_phone, reason=reason, subject=match_subject, address=address
        )

    now = timezone.now()
    try:
        with transaction.atomic():
            user = User(
                full_name=person.full_name.title() if person else full_name,
                kind=User.CITIZEN,
                email=clean_email,
                phone=clean_phone,
            )
            user.set_password(password)
            user.save()
            CitizenProfile.objects.create(
                user=user,
                nik_index=crypto.blind_index(nik),
                nik_encrypted=crypto.encrypt(nik),
                birth_date=born,
                person=person,
                registry_verified_at=now if person else None,
            )
            audit_record(
                actor=user,
                action="accounts.registered",
                obj=user,
                data={"nik": mask_nik(nik), "registry_verified": person is not None},
            )
            if person is not None:
                audit_record(
                    actor=user,
                    action="registry.read",
                    obj=person,
                    data={
                        "purpose": "registration identity check",
                        "legal_basis": "UU 24/2013 art. 79",
                        "fields": ["full_name", "birth_date"],
                    },
                )
            sent = _issue_contact_codes(user)
    except IntegrityError:
        # Two registrations of one NIK or contact raced; the loser gets the answer a late second one gets.
        _registration_refused(
            nik=nik, email=clean_email, phone=clean_phone, reason="raced", subject=match_subject, address=address
        )
    return Registration(user=user, registry_verified=person is not None, codes_sent_to=sent)


def _registration_refused(
    *, nik: str, email: str | None, phone: str | None, reason: str, subject: str, address: str | None
) -> NoReturn:
    """Count the refusal, tell the owners of a NIK or contact already in use (on their verified contacts), and
    refuse with one answer for every reason."""
    owners = users_holding(nik=nik, email=email, phone=phone)
    with transaction.atomic():
        limit_hit(_register_failures(), subject)
        if address:
            limit_hit(_register_address(), address)
        audit_record(
            actor=None,
            action="accounts.registration_refused",
            object_type="accounts.user",
            data={"nik": mask_nik(nik), "reason": reason},
        )
        for owner in owners:
            _tell_owner_of_attempt(owner)
    raise DomainError(
        _(
            "We could not open an account with these details. Check your NIK, full name and birth date exactly as "
            "they are written on your family card (KK). If you already have an account, sign in or reset your "
            "password."
        ),
        code="identity_not_confirmed",
    )


def _tell_owner_of_attempt(owner: User) -> None:
    subject = _("Someone tried to register with your details")
    body = _(
        "Someone tried to open a KotaLIVE account with your NIK, phone number or e-mail address. If it was you, "
        "sign in or reset your password. If it was not you, you need not do anything: no account was opened."
    )
    if owner.phone and owner.phone_verified_at:
        medium, destination = SMS, owner.phone
    elif owner.email and owner.email_verified_at:
        medium, destination = EMAIL, owner.email
    else:
        return  # no contact of theirs is proven: a message there could reach a stranger
    transaction.on_commit(lambda: message_send(medium=medium, destination=destination, subject=subject, body=body))


# --- one-time codes -------------------------------------------------------------------------------------------


def _code_hash(user_id: int, purpose: str, code: str) -> str:
    key = hashlib.sha256(b"kotalive-otp:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{user_id}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def _otp_issue(*, user: User, purpose: str, medium: str, destination: str) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=timezone.now())
    OneTimeCode.objects.create(
        user=user,
        purpose=purpose,
        destination=destination,
        code_hash=_code_hash(user.pk, purpose, code),
        expires_at=timezone.now() + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    minutes = settings.OTP_TTL_SECONDS // 60
    subject = _("Your KotaLIVE code")
    body = _("Your KotaLIVE code is %(code)s. It expires in %(minutes)d minutes. Never share it with anyone.") % {
        "code": code,
        "minutes": minutes,
    }
    transaction.on_commit(lambda: message_send(medium=medium, destination=destination, subject=subject, body=body))


def _issue_contact_codes(user: User) -> list[dict[str, str]]:
    sent = []
    if user.phone and not user.phone_verified_at:
        _otp_issue(user=user, purpose=OneTimeCode.VERIFY_PHONE, medium=SMS, destination=user.phone)
        sent.append({"channel": "phone", "destination": mask_phone(user.phone)})
    if user.email and not user.email_verified_at:
        _otp_issue(user=user, purpose=OneTimeCode.VERIFY_EMAIL, medium=EMAIL, destination=user.email)
        sent.append({"channel": "email", "destination": mask_email(user.email)})
    return sent


def contact_codes_resend(*, user: User) -> list[dict[str, str]]:
    """Send fresh verification codes to the contacts not yet verified (old codes stop working).

    Limited like failed sign-ins (5 per 15 minutes): each code costs an SMS and lands on someone's phone.
    """
    limit_check(_codes_resend(), f"user:{user.pk}")
    with transaction.atomic():
        sent = _issue_contact_codes(user)
    if sent:
        limit_hit(_codes_resend(), f"user:{user.pk}")
    return sent


def _otp_consume(*, user: User, purpose: str, code: str) -> OneTimeCode:
    """Check `code` against the newest live code; every wrong try counts, and the attempts commit."""
    code = (code or "").strip()
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if otp is None or otp.expires_at <= timezone.now():
            raise DomainError(
                _("This code has expired or was never sent. Ask for a new one."),
                field="code",
                code="code_expired",
            )
        if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise DomainError(_("Too many wrong codes. Ask for a new one."), field="code", code="code_locked")
        if not hmac.compare_digest(otp.code_hash, _code_hash(user.pk, purpose, code)):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            wrong = True
        else:
            otp.used_at = timezone.now()
            otp.save(update_fields=["used_at"])
            wrong = False
    if wrong:
        raise DomainError(_("The code is wrong."), field="code", code="code_wrong")
    return otp


def contact_verify(*, user: User, channel: str, code: str) -> User:
    """Mark the phone or the e-mail address verified with the code that was sent to it."""
    purposes = {"phone": OneTimeCode.VERIFY_PHONE, "email": OneTimeCode.VERIFY_EMAIL}
    if channel not in purposes:
        raise DomainError(_("must be phone or email"), field="channel")
    otp = _otp_consume(user=user, purpose=purposes[channel], code=code)
    with transaction.atomic():
        user.refresh_from_db()
        current = user.phone if channel == "phone" else user.email
        if otp.destination != current:
            raise DomainError(_("The contact changed after this code was sent. Ask for a new one."), field="code")
        stamp = "phone_verified_at" if channel == "phone" else "email_verified_at"
        setattr(user, stamp, timezone.now())
        user.save(update_fields=[stamp])
        audit_record(actor=user, action=f"accounts.{channel}_verified", obj=user)
    return user


# --- sign-in, tokens ------------------------------------------------------------------------------------------


def _sign_in_failed(*, subject: str, address: str | None, login: str, reason: str) -> DomainError:
    shown = mask_nik(login) if login.isdigit() and len(login) == 16 else login[:3] + "***"
    with transaction.atomic():
        limit_hit(_sign_in_account(), subject)
        if address:
            limit_hit(_sign_in_address(), address)
        audit_record(
            actor=None,
            action="accounts.sign_in_failed",
            object_type="accounts.user",
            data={"login": shown, "reason": reason, "address": address or ""},
        )
    return DomainError(GENERIC_SIGN_IN_REFUSAL, code="sign_in_failed")


def _totp_step_accepted(user: User, code: str) -> bool:
    """True once for a code of the authenticator, in the current 30-second step or its neighbours: the step is
    recorded with a conditional update, so a replayed code (or two racing uses of one) is refused."""
    totp = pyotp.TOTP(crypto.decrypt(user.totp_secret_encrypted))
    now = timezone.now()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            newer = Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
            return User.objects.filter(newer, pk=user.pk).update(totp_last_step=step) == 1
    return False


def sign_in_check(*, login: str, password: str, totp: str | None = None, address: str | None = None) -> User:
    """The user that `login` and `password` (and, for staff who need it, a TOTP code) identify.

    Failures are counted per account (whichever of its logins was typed) and, far more leniently, per address; a
    success clears the account's count. Staff who need a second factor are asked for it before anything tells
    them whether the password was right.
    """
    login = (login or "").strip()
    if address:
        limit_check(_sign_in_address(), address, message=_("Too many failed sign-ins from this network."))
    user = user_find_by_login(login=login)
    subject = _account_subject(user, login)
    limit_check(_sign_in_account(), subject, message=_("Too many failed sign-ins for this account."))
    if user is None:
        User().set_password(password or "x")  # spend the same time as a real check: no user enumeration by timing
        raise _sign_in_failed(subject=subject, address=address, login=login, reason="unknown login")
    password_right = user.check_password(password or "")
    needs_totp = settings.STAFF_TOTP_REQUIRED and user_needs_second_factor(user=user)
    if needs_totp and not (totp or "").strip():
        if not password_right:  # counted, but answered as a right one would be: the code comes first
            _sign_in_failed(subject=subject, address=address, login=login, reason="wrong password")
        raise DomainError(_("Enter the 6-digit code from your authenticator app."), field="totp", code="totp_required")
    if not password_right:
        raise _sign_in_failed(subject=subject, address=address, login=login, reason="wrong password")
    if needs_totp:
        if not user.totp_secret_encrypted:
            raise DomainError(
                _(
                    "Your role needs two-factor sign-in, but no authenticator is set up. Ask the "
                    "platform administrator."
                ),
                field="totp",
                code="totp_not_set_up",
            )
        if not _totp_step_accepted(user, (totp or "").strip()):
            raise _sign_in_failed(subject=subject, address=address, login=login, reason="wrong or reused TOTP code")
    with transaction.atomic():
        limit_clear(_sign_in_account(), subject)
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        audit_record(actor=user, action="accounts.signed_in", obj=user, data={"address": address or ""})
    return user


@dataclass(frozen=True)
class IssuedToken:
    raw: str
    token: ApiToken


def api_token_issue(*, user: User) -> IssuedToken:
    """A new bearer token for `user`; the raw value is returned once and never stored."""
    raw = "klv_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            prefix=raw[:12],
            token_hash=hashlib.sha256(raw.encode()).hexdigest(),
            expires_at=timezone.now() + timedelta(seconds=settings.API_TOKEN_TTL_SECONDS),
        )
        audit_record(actor=user, action="accounts.token_issued", obj=token, data={"prefix": token.prefix})
    return IssuedToken(raw=raw, token=token)


def _forget_cached_tokens(user: User) -> None:
    # Now, and again after the commit: a request of this process between the two could cache the token anew.
    token_cache_forget(user_id=user.pk)
    transaction.on_commit(lambda: token_cache_forget(user_id=user.pk))


def api_token_revoke(*, user: User, raw_token: str) -> None:
    digest = hashlib.sha256(raw_token.encode()).hexdigest()
    with transaction.atomic():
        token = ApiToken.objects.filter(user=user, token_hash=digest, revoked_at__isnull=True).first()
        if token is None:
            return
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _forget_cached_tokens(user)
        audit_record(actor=user, action="accounts.token_revoked", obj=token, data={"prefix": token.prefix})


# --- password reset -------------------------------------------------------------------------------------------


def password_reset_request(*, login: str, address: str | None = None) -> None:
    """Send a reset code to the account's verified contacts. Answers the same whether or not the account exists."""
    login = (login or "").strip()
    if address:
        limit_take(_reset_address(), address, message=_("Too many password-reset requests from this network."))
    user = user_find_by_login(login=login)
    # Every request counts (the code goes to a person's phone), on its own bucket: never against sign-in.
    limit_take(_reset_account(), _account_subject(user, login), message=_("Too many password-reset requests."))
    with transaction.atomic():
        if user is None:
            return
        if user.phone and user.phone_verified_at:
            _otp_issue(user=user, purpose=OneTimeCode.RESET_PASSWORD, medium=SMS, destination=user.phone)
        elif user.email and user.email_verified_at:
            _otp_issue(user=user, purpose=OneTimeCode.RESET_PASSWORD, medium=EMAIL, destination=user.email)
        elif user.phone or user.email:
            # Unverified contact: the only way to prove it is yours is this code, so send it there.
            medium, destination = (SMS, user.phone) if user.phone else (EMAIL, user.email)
            _otp_issue(user=user, purpose=OneTimeCode.RESET_PASSWORD, medium=medium, destination=destination or "")
        audit_record(actor=user, action="accounts.password_reset_requested", obj=user)


def password_reset_confirm(*, login: str, code: str, new_password: str) -> User:
    """Set a new password with the reset code; every API token of the account is revoked.

    Every refusal of the code reads the same, for an unknown login too: the answer tells nothing about accounts.
    Wrong tries count against the code of the latest request only, so whoever burns a code by guessing does not
    stop its owner from asking for a new one."""
    user = user_find_by_login(login=(login or "").strip())
    errors: dict[str, list[str]] = {}
    _check_password(new_password or "", user or User(), errors)
    if errors:
        raise ValidationFailed({"new_password": errors["password"]})
    if user is None:
        raise DomainError(GENERIC_CODE_REFUSAL, field="code", code="code_invalid")
    try:
        _otp_consume(user=user, purpose=OneTimeCode.RESET_PASSWORD, code=code)
    except DomainError:
        raise DomainError(GENERIC_CODE_REFUSAL, field="code", code="code_invalid") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        _forget_cached_tokens(user)
        audit_record(actor=user, action="accounts.password_reset", obj=user)
    return user


# --- staff ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAccount:
    user: User
    totp_uri: str | None


def staff_account_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    password: str,
    email: str | None = None,
    with_totp: bool = False,
) -> StaffAccount:
    """Create a staff account (never by self sign-up). Roles are granted with agencies.services."""
    if actor is not None and not (
        user_has_platform_role(user=actor, role=StaffRole.PLATFORM_ADMIN)
        or StaffRole.objects.filter(user=actor, role=StaffRole.AGENCY_ADMIN).exists()
    ):
        raise PermissionDenied(_("Only administrators may create staff accounts."))
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if not username or len(username) > 150 or login_kind(username) != "username":
        errors.setdefault("username", []).append(_("must be a name such as dukcapil.verifikator"))
    clean_email = None
    if email:
        try:
            clean_email = normalise_email(email)
        except ContactError as exc:
            errors.setdefault("email", []).append(str(exc))
    _check_password(password, User(username=username, full_name=full_name), errors)
    if User.objects.filter(username=username).exists():
        errors.setdefault("username", []).append(_("is already taken"))
    if errors:
        raise ValidationFailed(errors)
    secret = pyotp.random_base32() if with_totp else None
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            kind=User.STAFF,
            email=clean_email,
            email_verified_at=timezone.now() if clean_email else None,
        )
        user.set_password(password)
        if secret:
            user.totp_secret_encrypted = crypto.encrypt(secret)
            user.totp_confirmed_at = timezone.now()
        user.save()
        audit_record(actor=actor, action="staff.account_created", obj=user, data={"username": username})
    uri = (
        pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=settings.KOTALIVE_PLATFORM_NAME)
        if secret
        else None
    )
    return StaffAccount(user=user, totp_uri=uri)
