"""An agency's name in the reader's language: its official Indonesian name, or its English name on English pages
when the agency has one."""

from typing import Any

from django.utils.translation import get_language


def agency_name(agency: Any) -> str:
    if agency is None:
        return ""
    english = str(agency.name_en or "") if hasattr(agency, "name_en") else ""
    if english and (get_language() or "id") == "en":
        return english
    return str(agency.name)
