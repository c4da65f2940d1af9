"""Who is asking, for views behind login_required.

Outsiders get 404, not 403: a citizen (or anyone not on staff) gets no hint that a back-office page exists, and a
case or report outside one's scope is "not found". A member of staff who opens a back-office page their roles do not
open gets a 403 page instead (AccessRefused, rendered by web.views.permission_denied): the page exists for staff, so
it says so in a sentence, names the roles that open it and who grants them."""

from collections.abc import Iterable
from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency


def signed_in_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 (login_required let only signed-in users through)
    return request.user


def staff_user(request: HttpRequest) -> User:
    """The signed-in member of staff; a citizen gets 404."""
    user = request.user
    if not isinstance(user, User) or user.kind != User.STAFF:
        raise Http404
    return user


class AccessRefused(PermissionDenied):
    """A member of staff asked for a page that their roles do not open. `page` names it in words; `roles` are the
    StaffRole codes that open it (empty: any role in `agency`); `agency` is the agency whose page it is, if any.
    The 403 page names the roles in words and who grants them (web.views.permission_denied)."""

    def __init__(self, *, page: str, roles: Iterable[str] = (), agency: Agency | None = None) -> None:
        super().__init__(page)
        self.page = page
        self.roles = list(roles)
        self.agency = agency


def refuse(*, page: str, roles: Iterable[str] = (), agency: Agency | None = None) -> NoReturn:
    """Answer 403 with the explanation of AccessRefused."""
    raise AccessRefused(page=page, roles=roles, agency=agency)
