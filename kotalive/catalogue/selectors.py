from django.db.models import Q, QuerySet

from kotalive.catalogue.models import Service


def service_list(*, agency: str | None = None, q: str | None = None) -> QuerySet[Service]:
    """Active, published services; public. `q` searches names in both languages and the code."""
    services = Service.objects.filter(active=True, current__isnull=False).select_related("agency", "current")
    if agency:
        services = services.filter(agency__code=agency)
    if q:
        services = services.filter(
            Q(code__icontains=q) | Q(current__name_id__icontains=q) | Q(current__name_en__icontains=q)
        )
    return services


def service_get(*, code: str) -> Service | None:
    return service_list().filter(code=code).first()
