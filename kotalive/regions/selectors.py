from django.db.models import QuerySet

from kotalive.regions.codes import normalise_name
from kotalive.regions.models import Region


def region_list(*, parent: str | None = None) -> QuerySet[Region]:
    """Regions under `parent` (the provinces when it is None). Public reference data."""
    if parent is None:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(parent_id=parent)


def region_find(*, parent: str, name: str) -> Region | None:
    """The child of `parent` called `name`, tolerant of spacing and case ('Batujaya' finds 'Batu Jaya')."""
    return Region.objects.filter(parent_id=parent, search_name=normalise_name(name)).first()


def region_get(*, code: str) -> Region | None:
    return Region.objects.filter(code=code).first()
