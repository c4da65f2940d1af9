from django.http import HttpRequest
from ninja import Router, Schema

from kotalive.agencies.selectors import agency_list
from kotalive.core.api import ErrorOut

router = Router(tags=["reference data"])


class UnitOut(Schema):
    code: str
    name: str


class AgencyOut(Schema):
    code: str
    name: str
    name_en: str
    role: str
    handles_complaints: bool
    region: str
    units: list[UnitOut]


@router.get("", response={200: list[AgencyOut], 422: ErrorOut}, auth=None, summary="List agencies")
def list_agencies(request: HttpRequest) -> list[AgencyOut]:
    """The agencies (OPD) of this deployment with their role on the platform."""
    return [
        AgencyOut(
            code=a.code,
            name=a.name,
            name_en=a.name_en,
            role=a.role,
            handles_complaints=a.handles_complaints,
            region=a.region_id,
            units=[UnitOut(code=u.code, name=u.name) for u in a.units.all()],
        )
        for a in agency_list().prefetch_related("units")
    ]
