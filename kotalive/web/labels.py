"""What the "who used my data" page shows of each recorded use, in the reader's language: the reason (the
agreement's purpose, or "form filled for you" with the service's name and the application), the data used by
name, and the legal basis. The stored rows keep their codes: the audit and the API read those."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotalive.agencies.models import Agency
from kotalive.catalogue.models import Service, localised
from kotalive.catalogue.prefill import PREFILL_LEGAL_BASIS
from kotalive.registry.labels import field_labels
from kotalive.registry.models import DataSharingAgreement, RegistryAccess

# Legal bases written by the platform itself (the agreements' own are written by DISDUKCAPIL, in Indonesian).
LEGAL_BASES = {
    PREFILL_LEGAL_BASIS: gettext_lazy("UU 24/2013 art. 58 and Perpres 96/2018: population data for public services"),
}
PREFILL_PURPOSE = re.compile(r"^pre-fill of (?P<service>[\w-]+) \((?P<tracking>[^)]*)\)$")


@dataclass(frozen=True)
class AccessRow:
    at: Any
    agency: str
    agency_name: str
    purpose: str
    fields: list[str]
    legal_basis: str


def _purpose(access: RegistryAccess, services: dict[str, Service], agreements: dict[tuple[str, str], Any]) -> str:
    if access.channel == RegistryAccess.PREFILL:
        found = PREFILL_PURPOSE.match(access.purpose)
        if found:
            service = services.get(found["service"])
            name = service.current.name if service is not None and service.current is not None else found["service"]
            return f"{_('form filled for you')}: {name} ({found['tracking']})"
        return _("form filled for you")
    agreement = agreements.get((access.agency, access.purpose))
    if agreement is not None:
        return localised({"id": agreement.purpose_name, "en": agreement.purpose_name_en}) or access.purpose
    return access.purpose


def data_access_rows(accesses: Any) -> list[AccessRow]:
    """Each use of a resident's data as the page shows it (three queries, whatever the number of rows)."""
    rows = list(accesses)
    codes = {m["service"] for a in rows if (m := PREFILL_PURPOSE.match(a.purpose))}
    services = {s.code: s for s in Service.objects.filter(code__in=codes).select_related("current")}
    agreements = {
        (a.consumer.code, a.purpose): a
        for a in DataSharingAgreement.objects.select_related("consumer").filter(
            purpose__in={a.purpose for a in rows if a.channel == RegistryAccess.LOOKUP}
        )
    }
    names = {a.code: a for a in Agency.objects.filter(code__in={a.agency for a in rows})}
    from kotalive.agencies.labels import agency_name

    return [
        AccessRow(
            at=a.at,
            agency=a.agency,
            agency_name=agency_name(names.get(a.agency)) or a.agency,
            purpose=_purpose(a, services, agreements),
            fields=field_labels(list(a.fields)),
            legal_basis=str(LEGAL_BASES.get(a.legal_basis, a.legal_basis)),
        )
        for a in rows
    ]


def document_title(document: Any) -> str:
    """What a signed document is, in the active language: the name of the service that issues it (`kind` is the
    service's code), or the title printed on it for a kind that is no service."""
    return document_titles([document])[0][1]


def document_titles(documents: Iterable[Any]) -> list[tuple[Any, str]]:
    """Each document with what it is (as document_title says), named in one query for them all: a list of
    documents, such as "My documents", costs the same with one document or two hundred."""
    listed = list(documents)
    kinds = {d.kind for d in listed}
    services = Service.objects.select_related("current").filter(code__in=kinds) if kinds else []
    names = {s.code: s.current.name for s in services if s.current is not None}
    return [(d, names.get(d.kind) or str(d.title)) for d in listed]
