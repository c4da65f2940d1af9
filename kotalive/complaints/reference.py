"""The deployment's complaint data: the region pack's complaints file (`packs/kota-tangerang/complaints-3671.json`)
holds the categories with their default agencies, the routing rules, the default escalation chain, the Open311
jurisdiction id and the city's bounds (a map pin outside them is refused). Another region deploys by writing its own
pack (docs/how-to/deploy-another-region.md)."""

import functools
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kotalive.agencies.models import Agency
from kotalive.complaints.models import Category, RoutingRule
from kotalive.regions.models import Region
from kotalive.regions.pack import region_pack, region_pack_file


@functools.cache
def _read(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def reference_document(region_code: str | None = None) -> dict[str, Any]:
    """The complaints file of the configured region pack (read once per process)."""
    code = region_code or settings.KOTALIVE_REGION_CODE
    path = region_pack_file("complaints", code)
    if path is None:
        raise ImproperlyConfigured(
            f"the region pack {region_pack().directory} has no complaints file for region {code} (KOTALIVE_REGION_PACK)"
        )
    return _read(path)


def city_bounds() -> tuple[float, float, float, float]:
    """(south, west, north, east) in degrees."""
    bounds = reference_document()["bounds"]
    return bounds["south"], bounds["west"], bounds["north"], bounds["east"]


def jurisdiction_id() -> str:
    return str(reference_document()["jurisdiction_id"])


def complaints_load(*, document: dict[str, Any]) -> int:
    """Create the categories and routing rules of a region pack's complaints file (idempotent; the pack's regions
    and agencies are loaded first). A category the operator has re-routed keeps its default agency; names,
    attributes and the escalation chain follow the file."""
    agencies = {a.code: a for a in Agency.objects.all()}
    chain = document.get("escalation", [])
    with transaction.atomic():
        for position, entry in enumerate(document["categories"]):
            category, created = Category.objects.get_or_create(
                code=entry["code"],
                defaults={"default_agency": agencies[entry["default_agency"]], "name": entry["name"]},
            )
            category.name = entry["name"]
            category.name_en = entry.get("name_en", "")
            category.description = entry.get("description", "")
            category.group = entry.get("group", "")
            category.keywords = entry.get("keywords", "")
            category.attributes = entry.get("attributes", [])
            category.escalation = entry.get("escalation", chain)
            category.position = position
            category.save()
        for rule in document.get("routing_rules", []):
            RoutingRule.objects.get_or_create(
                category=Category.objects.get(code=rule["category"]),
                region=Region.objects.get(code=rule["region"]),
                defaults={"agency": agencies[rule["agency"]]},
            )
    return len(document["categories"])
