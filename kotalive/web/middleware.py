"""A page that answers "not found" shows the site's 404 page (web.views.page_not_found) also when DEBUG is on, as
it is in the demo (`make run`): Django would otherwise show its technical page, with the URL patterns, to a citizen
or an officer who followed a link to something they may not see. The API keeps its JSON errors (core.middleware)."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from kotalive.core.middleware import API_PREFIX
from kotalive.web.views import page_not_found


class PagesNotFoundAsPages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and not request.path.startswith(API_PREFIX):
            return page_not_found(request, exception)
        return None
