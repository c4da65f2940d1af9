"""The words residents read for the registry's codes: its field names (what a look-up or a pre-filled form used)
and the family relationships as printed on the KK (`KEPALA KELUARGA`, `ISTRI`, `ANAK`...)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FIELD_LABELS: dict[str, Promise] = {
    "full_name": _("Full name"),
    "nik": _("NIK"),
    "birth_place": _("Place of birth"),
    "birth_date": _("Date of birth"),
    "sex": _("Sex"),
    "religion": _("Religion"),
    "marital_status": _("Marital status"),
    "occupation": _("Occupation"),
    "education": _("Education"),
    "kk_number": _("KK number"),
    "address": _("Address"),
    "kelurahan": _("Kelurahan"),
    "father_name": _("Father's name"),
    "mother_name": _("Mother's name"),
    "head_name": _("Name of the head of the family"),
    "spouse_name": _("Spouse's name"),
}

# Hubungan dalam keluarga, as the KK prints it (upper case) -> the words for it.
RELATIONSHIP_LABELS: dict[str, Promise] = {
    "KEPALA KELUARGA": _("Head of the family"),
    "SUAMI": _("Husband"),
    "ISTRI": _("Wife"),
    "ANAK": _("Child"),
    "MENANTU": _("Son- or daughter-in-law"),
    "CUCU": _("Grandchild"),
    "ORANG TUA": _("Parent"),
    "MERTUA": _("Parent-in-law"),
    "FAMILI LAIN": _("Other relative"),
    "PEMBANTU": _("Household help"),
    "LAINNYA": _("Other"),
}


def field_label(name: str) -> str:
    """A registry field's name in the active language (the code itself for a field this list does not know)."""
    return str(FIELD_LABELS.get(name, name))


def field_labels(names: list[str]) -> list[str]:
    return [field_label(name) for name in names]


def relationship_label(relationship: str) -> str:
    """A family relationship from the KK in the active language; one not listed keeps the KK's word, capitalised."""
    code = (relationship or "").strip().upper()
    label = RELATIONSHIP_LABELS.get(code)
    return str(label) if label is not None else code.capitalize()
