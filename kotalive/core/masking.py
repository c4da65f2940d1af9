"""Masking of identity numbers wherever they are shown to someone who does not need them in full."""

import re

SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})(\d{8})(\d{4})(?!\d)")


def mask_nik(value: str) -> str:
    """3671011501900001 -> 3671********0001 (first 4 and last 4 digits visible)."""
    if len(value) != 16:
        return "*" * len(value)
    return value[:4] + "*" * 8 + value[-4:]


def mask_sixteen_digit_runs(text: str) -> str:
    """Mask every NIK- or KK-shaped run of 16 digits inside free text (log lines)."""
    return SIXTEEN_DIGITS.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)


def mask_phone(value: str) -> str:
    return value[:4] + "*" * max(len(value) - 7, 0) + value[-3:] if len(value) > 7 else "***"


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def mask_name(value: str) -> str:
    """BUDI SANTOSO -> BU** SA*****: enough to match a person in front of you, not enough to look them up."""
    words = value.split()
    return " ".join(w[:2] + "*" * (len(w) - 2) if len(w) > 3 else w[:1] + "*" * (len(w) - 1) for w in words)
