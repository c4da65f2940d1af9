from django.db.models import QuerySet

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole


def agency_list(*, active_only: bool = True) -> QuerySet[Agency]:
    """All agencies of the deployment. Public reference data."""
    agencies = Agency.objects.select_related("region")
    return agencies.filter(active=True) if active_only else agencies


def agency_get(*, code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first()


def user_roles_in(*, user: User, agency: Agency) -> set[str]:
    return set(StaffRole.objects.filter(user=user, agency=agency).values_list("role", flat=True))


def user_has_platform_role(*, user: User, role: str) -> bool:
    return StaffRole.objects.filter(user=user, agency__isnull=True, role=role).exists()


def user_is_platform_operator(user: User) -> bool:
    """The platform's operators (the Live Room) and administrators: who runs the platform for every agency."""
    roles = [StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN]
    return user.kind == User.STAFF and StaffRole.objects.filter(user=user, agency__isnull=True, role__in=roles).exists()


def user_staff_roles(*, user: User) -> list[StaffRole]:
    """Every role `user` holds, platform-wide ones first, for the back office's menu."""
    return list(StaffRole.objects.filter(user=user).select_related("agency", "unit").order_by("agency__code", "role"))


def user_agencies(*, user: User) -> list[Agency]:
    """Agencies whose back office `user` may open (a platform operator or auditor sees them all)."""
    if StaffRole.objects.filter(user=user, agency__isnull=True).exists():
        return list(agency_list())
    return list(Agency.objects.filter(staff_roles__user=user).distinct())


def user_needs_second_factor(*, user: User) -> bool:
    return StaffRole.objects.filter(user=user, role__in=StaffRole.TWO_FACTOR_ROLES).exists()


def agency_staff_roles(*, agency: Agency) -> list[StaffRole]:
    """Every role held in `agency`, by person, for its administrators' staff page."""
    return list(
        StaffRole.objects.filter(agency=agency).select_related("user", "unit").order_by("user__username", "role")
    )


def user_may_manage_staff(*, user: User, agency: Agency) -> bool:
    """Platform administrators manage every agency's staff; an agency administrator manages their own."""
    return StaffRole.objects.filter(user=user, role=StaffRole.PLATFORM_ADMIN, agency__isnull=True).exists() or (
        StaffRole.objects.filter(user=user, role=StaffRole.AGENCY_ADMIN, agency=agency).exists()
    )
