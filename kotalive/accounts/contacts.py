"""Normalising the ways a person can be reached or sign in: phone, e-mail, NIK, username."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

_PHONE_CHARS = re.compile(r"[\s\-().]")


class ContactError(ValueError):
    pass


def normalise_phone(raw: str) -> str:
    """'0812-3456-7890', '62812...' and '+62812...' all become '+6281234567890' (Indonesian mobile numbers)."""
    digits = _PHONE_CHARS.sub("", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not digits.isdigit() or not digits.startswith("628") or not 10 <= len(digits) <= 15:
        raise ContactError(_("is not an Indonesian mobile number such as 081234567890"))
    return "+" + digits


def normalise_email(raw: str) -> str:
    value = raw.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ContactError(_("is not an e-mail address")) from None
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def login_kind(login: str) -> str:
    """What a sign-in name is: 'nik' (16 digits), 'email', 'phone' or 'username'."""
    value = login.strip()
    if re.fullmatch(r"\d{16}", value):
        return "nik"
    if "@" in value:
        return "email"
    if re.fullmatch(r"\+?[\d\s\-().]{9,20}", value):
        return "phone"
    return "username"
