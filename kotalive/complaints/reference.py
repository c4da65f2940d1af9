"""The deployment's complaint data: `complaints/data/complaints-<region>.json` holds the categories with their
default agencies, the routing rules, the default escalation chain, the Open311 jurisdiction id and the city's bounds
(a map pin outside them is refused). Another region deploys by writing its own file
(docs/how-to/deploy-another-region.md)."""

import functools
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from kotalive.agencies.models import Agency
from kotalive.complaints.models import Category, RoutingRule
from kotalive.regions.models import Region

DATA_DIR = Path(__file__).parent / "data"


@functools.cache
def reference_document(region_code: str | None = None) -> dict[str, Any]:
    code = (region_code or settings.KOTALIVE_REGION_CODE).replace(".", "")
    path = DATA_DIR / f"complaints-{code}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def city_bounds() -> tuple[float, float, float, float]:
    """(south, west, north, east) in degrees."""
    bounds = reference_document()["bounds"]
    return bounds["south"], bounds["west"], bounds["north"], bounds["east"]


def jurisdiction_id() -> str:
    return str(reference_document()["jurisdiction_id"])


def complaints_load_reference(*, region_code: str) -> int:
    """Create the categories and routing rules of the region's file (idempotent). A category the operator has
    re-routed keeps its default agency; names, attributes and the escalation chain follow the file."""
    document = reference_document(region_code)
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
