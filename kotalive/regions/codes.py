"""Kemendagri region codes: PP (province), PP.KK (kota 71-99 / kabupaten 01-69), PP.KK.CC (kecamatan),
PP.KK.CC.DDDD (kelurahan when DDDD starts with 1, desa when it starts with 2)."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Province codes in use (same list as the NIK rules in shared/domain/dukcapil-services.md).
PROVINCE_CODES = frozenset(
    [
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        31,
        32,
        33,
        34,
        35,
        36,
        51,
        52,
        53,
        61,
        62,
        63,
        64,
        65,
        71,
        72,
        73,
        74,
        75,
        76,
        81,
        82,
        91,
        92,
        93,
        94,
        95,
        96,
        97,
    ]
)

PROVINCE, KABUPATEN, KOTA, KECAMATAN, KELURAHAN, DESA = (
    "province",
    "kabupaten",
    "kota",
    "kecamatan",
    "kelurahan",
    "desa",
)
_SHAPE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class RegionCodeError(ValueError):
    pass


@dataclass(frozen=True)
class RegionCode:
    code: str
    level: str
    parent: str | None


def parse_region_code(code: str) -> RegionCode:
    """Check a region code's shape and numbers; return its level and its parent's code."""
    code = code.strip()
    if not _SHAPE.match(code):
        raise RegionCodeError(
            _("“%(code)s” is not a region code of the form 36, 36.71, 36.71.01 or 36.71.01.1001") % {"code": code}
        )
    parts = code.split(".")
    if int(parts[0]) not in PROVINCE_CODES:
        raise RegionCodeError(_("province part %(part)s is not an Indonesian province") % {"part": parts[0]})
    parent = ".".join(parts[:-1]) or None
    if len(parts) == 1:
        return RegionCode(code, PROVINCE, None)
    if len(parts) == 2:
        number = int(parts[1])
        if 1 <= number <= 69:
            return RegionCode(code, KABUPATEN, parent)
        if 71 <= number <= 99:
            return RegionCode(code, KOTA, parent)
        raise RegionCodeError(
            _("kota/kabupaten part %(part)s is neither a kabupaten (01-69) nor a kota (71-99)") % {"part": parts[1]}
        )
    if len(parts) == 3:
        if parts[2] == "00":
            raise RegionCodeError(_("kecamatan part 00 is not a kecamatan"))
        return RegionCode(code, KECAMATAN, parent)
    village = parts[3]
    if village[0] == "1" and village != "1000":
        return RegionCode(code, KELURAHAN, parent)
    if village[0] == "2" and village != "2000":
        return RegionCode(code, DESA, parent)
    raise RegionCodeError(
        _("village part %(part)s must be 1001-1999 (kelurahan) or 2001-2999 (desa)") % {"part": village}
    )


def normalise_name(name: str) -> str:
    """'Batu Jaya' and 'Batujaya' both become 'batujaya': official lists spell some names both ways."""
    return re.sub(r"[^a-z0-9]", "", name.lower())
