"""A form answer as people read it: an option's label, never its stored value (`L` -> Laki-laki / Male,
`rumah-sakit` -> Rumah sakit / Hospital), yes or no for a tick box, dates in the page's format."""

import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotalive.catalogue.models import localised


def form_answer(schema: dict[str, Any], name: str, value: Any) -> str:
    """The answer `value` to field `name` of the form `schema`, in the active language."""
    spec = (schema or {}).get("properties", {}).get(name, {})
    return _answer(spec, value)


def _answer(spec: dict[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return ", ".join(_answer(spec.get("items", {}), v) for v in value)
    labels = spec.get("x-enum-labels") or {}
    if str(value) in labels:
        return localised(labels[str(value)]) or str(value)
    if spec.get("format") == "date":
        try:
            return date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")  # DD-MM-YYYY in Indonesian
        except ValueError:
            return str(value)
    return str(value)


def requirement_name(version: Any, code: str) -> str:
    """A requirement's name in the active language (the code for one the version no longer lists)."""
    requirement = version.requirement(code) if version is not None else None
    return localised((requirement or {}).get("name")) or code


# What a service issues, as the service editor offers it (ServiceVersion.OUTPUT_KINDS keeps the stored codes).
OUTPUT_KIND_LABELS = {
    "signed_pdf": gettext_lazy("Signed PDF document"),
    "card": gettext_lazy("Card to collect at the office"),
    "record": gettext_lazy("Record in the registry"),
}
