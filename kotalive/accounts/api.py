from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kotalive.accounts import services
from kotalive.accounts.schemas import (
    CodeSentOut,
    ContactsOut,
    FamilyMemberOut,
    MeOut,
    MessageOut,
    RegisterIn,
    RegisterOut,
    ResetConfirmIn,
    ResetRequestIn,
    StaffRoleOut,
    TokenIn,
    TokenOut,
    VerifyIn,
)
from kotalive.accounts.selectors import profile_for
from kotalive.agencies.auth import BearerToken, actor
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.ratelimit import client_address

router = Router(tags=["accounts"])
bearer = BearerToken()


@router.post(
    "/accounts/register",
    response={201: RegisterOut, 409: ErrorOut, **COMMON_ERRORS},
    auth=None,
    summary="Register as a citizen",
)
def register(request: HttpRequest, payload: RegisterIn) -> Status[RegisterOut]:
    """Open a citizen account with a NIK. A NIK in the registry must match the name and birth date; verification
    codes go to the phone and/or e-mail given."""
    result = services.citizen_register(
        nik=payload.nik,
        full_name=payload.full_name,
        birth_date=payload.birth_date,
        password=payload.password,
        email=payload.email,
        phone=payload.phone,
        address=client_address(request),
    )
    return Status(
        201,
        RegisterOut(
            id=result.user.pk,
            full_name=result.user.full_name,
            registry_verified=result.registry_verified,
            verification_codes_sent_to=[CodeSentOut(**sent) for sent in result.codes_sent_to],
        ),
    )


@router.post(
    "/accounts/verify",
    response={200: ContactsOut, **AUTH_ERRORS, **COMMON_ERRORS},
    auth=bearer,
    summary="Verify a phone or e-mail with its code",
)
def verify(request: HttpRequest, payload: VerifyIn) -> ContactsOut:
    user = services.contact_verify(user=actor(request), channel=payload.channel, code=payload.code)
    return ContactsOut(phone_verified=bool(user.phone_verified_at), email_verified=bool(user.email_verified_at))


@router.post(
    "/accounts/verify/resend",
    response={200: list[CodeSentOut], **AUTH_ERRORS, **COMMON_ERRORS},
    auth=bearer,
    summary="Send new verification codes",
)
def resend(request: HttpRequest) -> list[CodeSentOut]:
    return [CodeSentOut(**sent) for sent in services.contact_codes_resend(user=actor(request))]


@router.post("/auth/token", response={200: TokenOut, **COMMON_ERRORS}, auth=None, summary="Get an API token")
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Exchange a login (NIK, e-mail, phone or username) and password for a bearer token."""
    user = services.sign_in_check(
        login=payload.login, password=payload.password, totp=payload.totp, address=client_address(request)
    )
    issued = services.api_token_issue(user=user)
    return TokenOut(access_token=issued.raw, token_type="bearer", expires_at=issued.token.expires_at)  # noqa: S106 (a scheme name)


@router.post(
    "/auth/revoke",
    response={200: MessageOut, **AUTH_ERRORS, **COMMON_ERRORS},
    auth=bearer,
    summary="Revoke the token used for this request",
)
def revoke(request: HttpRequest) -> MessageOut:
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    services.api_token_revoke(user=actor(request), raw_token=raw)
    return MessageOut(detail=_("The token is revoked."))


@router.post(
    "/accounts/password-reset",
    response={202: MessageOut, **COMMON_ERRORS},
    auth=None,
    summary="Ask for a password-reset code",
)
def password_reset(request: HttpRequest, payload: ResetRequestIn) -> Status[MessageOut]:
    services.password_reset_request(login=payload.login, address=client_address(request))
    return Status(202, MessageOut(detail=_("If an account exists for this login, a code was sent to its contact.")))


@router.post(
    "/accounts/password-reset/confirm",
    response={200: MessageOut, **COMMON_ERRORS},
    auth=None,
    summary="Set a new password with the reset code",
)
def password_reset_confirm(request: HttpRequest, payload: ResetConfirmIn) -> MessageOut:
    services.password_reset_confirm(login=payload.login, code=payload.code, new_password=payload.new_password)
    return MessageOut(detail=_("Your password is changed. Sign in with the new one."))


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, auth=bearer, summary="My profile and family")
def me(request: HttpRequest) -> MeOut:
    """The signed-in person's profile with the NIK masked, and the members of their family card."""
    profile = profile_for(user=actor(request))
    user = profile.user
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        kind=user.kind,
        nik=profile.nik,
        registry_verified=profile.registry_verified,
        email=user.email,
        phone=user.phone,
        email_verified=bool(user.email_verified_at),
        phone_verified=bool(user.phone_verified_at),
        kk_number=profile.kk_number,
        address=profile.address,
        kelurahan=profile.kelurahan,
        family=[FamilyMemberOut(**vars(member)) for member in profile.family],
        staff_roles=[StaffRoleOut(role=role, agency=agency) for role, agency in profile.staff_roles],
    )
