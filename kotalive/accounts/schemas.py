from datetime import date, datetime

from ninja import Schema


class RegisterIn(Schema):
    nik: str
    full_name: str
    birth_date: str  # YYYY-MM-DD; checked by the service so the error is in the user's language
    password: str
    phone: str | None = None
    email: str | None = None


class CodeSentOut(Schema):
    channel: str
    destination: str


class RegisterOut(Schema):
    id: int
    full_name: str
    registry_verified: bool
    verification_codes_sent_to: list[CodeSentOut]


class VerifyIn(Schema):
    channel: str  # phone | email
    code: str


class ContactsOut(Schema):
    phone_verified: bool
    email_verified: bool


class TokenIn(Schema):
    login: str
    password: str
    totp: str | None = None


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_at: datetime


class ResetRequestIn(Schema):
    login: str


class ResetConfirmIn(Schema):
    login: str
    code: str
    new_password: str


class MessageOut(Schema):
    detail: str


class FamilyMemberOut(Schema):
    id: int  # the `subject` to apply for this member (GET /api/v1/services/{code}/form?subject=<id>)
    full_name: str
    nik: str  # masked
    relationship: str
    sex: str
    birth_date: date
    is_me: bool


class StaffRoleOut(Schema):
    role: str
    agency: str | None


class MeOut(Schema):
    id: int
    username: str | None
    full_name: str
    kind: str
    nik: str | None  # masked: first 4 and last 4 digits
    registry_verified: bool
    email: str | None
    phone: str | None
    email_verified: bool
    phone_verified: bool
    kk_number: str | None  # masked
    address: str | None
    kelurahan: str | None
    family: list[FamilyMemberOut]
    staff_roles: list[StaffRoleOut]
