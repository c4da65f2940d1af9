"""Parsing and validation of the NIK and the KK number (rules: shared/domain/dukcapil-services.md).

NIK = PPKKCC (region where first registered) + DDMMYY (birth date; women add 40 to the day) + SSSS (serial 0001+).
What the NIK says about birth date and sex is a hint only: the registry is the truth (a corrected birth date does
not change a NIK). Messages name the part that is wrong, in the active language.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kotalive.regions.codes import PROVINCE_CODES

MALE, FEMALE = "L", "P"  # laki-laki / perempuan, as printed on Indonesian documents


class IdentityNumberError(ValueError):
    pass


@dataclass(frozen=True)
class Nik:
    value: str
    region_code: str  # 36.71.05
    birth_day: int
    birth_month: int
    birth_year_2digit: int
    sex_hint: str
    serial: int

    def birth_date_candidates(self) -> list[dt.date]:
        """The NIK only carries two digits of the year: both centuries that make a real date."""
        dates = []
        for century in (1900, 2000):
            try:
                dates.append(dt.date(century + self.birth_year_2digit, self.birth_month, self.birth_day))
            except ValueError:
                continue
        return dates


@dataclass(frozen=True)
class KkNumber:
    value: str
    region_code: str


def _digits(value: str, label: str) -> str:
    cleaned = value.strip().replace(" ", "").replace(".", "").replace("-", "")
    if not cleaned:
        raise IdentityNumberError(_("%(label)s is empty") % {"label": label})
    if not cleaned.isdigit():
        raise IdentityNumberError(_("%(label)s must contain digits only") % {"label": label})
    if len(cleaned) != 16:
        raise IdentityNumberError(
            _("%(label)s must have 16 digits, not %(count)d") % {"label": label, "count": len(cleaned)}
        )
    return cleaned


def _region(digits: str) -> str:
    province = int(digits[0:2])
    if province not in PROVINCE_CODES:
        raise IdentityNumberError(_("province part %(part)s is not an Indonesian province") % {"part": digits[0:2]})
    if digits[2:4] == "00":
        raise IdentityNumberError(_("kota/kabupaten part 00 is not a region"))
    if digits[4:6] == "00":
        raise IdentityNumberError(_("kecamatan part 00 is not a kecamatan"))
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"


def parse_nik(value: str) -> Nik:
    """Check a NIK's shape and parts; raise IdentityNumberError naming the first wrong part."""
    digits = _digits(value, "NIK")
    region = _region(digits)
    day, month, year, serial = int(digits[6:8]), int(digits[8:10]), int(digits[10:12]), int(digits[12:16])
    sex = MALE
    if 41 <= day <= 71:
        day, sex = day - 40, FEMALE
    elif not 1 <= day <= 31:
        raise IdentityNumberError(
            _("birth-date part %(part)s is not a day (01-31, or 41-71 for women)") % {"part": digits[6:8]}
        )
    if not 1 <= month <= 12:
        raise IdentityNumberError(_("birth-month part %(part)s is not a month (01-12)") % {"part": digits[8:10]})
    nik = Nik(digits, region, day, month, year, sex, serial)
    if not nik.birth_date_candidates():
        raise IdentityNumberError(
            _("birth-date part %(day)s-%(month)s is not a date in any year ending in %(year)s")
            % {"day": digits[6:8], "month": digits[8:10], "year": digits[10:12]}
        )
    if serial == 0:
        raise IdentityNumberError(_("serial part 0000 is not a serial (it starts at 0001)"))
    return nik


def parse_kk_number(value: str) -> KkNumber:
    """A KK number: 16 digits whose first 6 are a region (the meaning of the rest is not confirmed)."""
    digits = _digits(value, _("KK number"))
    return KkNumber(digits, _region(digits))


def format_nik(*, region6: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """The NIK that a person born on `birth_date`, of `sex`, first registered in `region6` gets."""
    day = birth_date.day + (40 if sex == FEMALE else 0)
    return f"{region6}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
