"""Who is asking, for views behind login_required. Outsiders get 404, not 403: no hint that a page exists."""

from django.http import Http404, HttpRequest

from kotalive.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 (login_required let only signed-in users through)
    return request.user


def staff_user(request: HttpRequest) -> User:
    """The signed-in member of staff; a citizen gets 404."""
    user = request.user
    if not isinstance(user, User) or user.kind != User.STAFF:
        raise Http404
    return user
