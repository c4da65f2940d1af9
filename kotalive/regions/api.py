from django.http import HttpRequest
from ninja import Router, Schema

from kotalive.core.api import ErrorOut
from kotalive.regions.selectors import region_list

router = Router(tags=["reference data"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


@router.get("", response={200: list[RegionOut], 422: ErrorOut}, auth=None, summary="List regions")
def list_regions(request: HttpRequest, parent: str | None = None) -> list[RegionOut]:
    """Regions directly under `parent` (e.g. 36.71 gives its 13 kecamatan); the provinces without it."""
    return [RegionOut(code=r.code, name=r.name, level=r.level, parent=r.parent_id) for r in region_list(parent=parent)]
