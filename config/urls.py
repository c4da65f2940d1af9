from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api
from kotalive.complaints import open311
from kotalive.core.views import healthz
from kotalive.web import views_documents

# Pages' error answers: the site's own 403 (what the person's roles do not open, and whom to ask) and 404 pages. The
# API's errors stay JSON (kotalive.core.middleware.ApiErrorsAsJson rewrites them).
handler403 = "kotalive.web.views.permission_denied"
handler404 = "kotalive.web.views.page_not_found"

# Django's admin signs in through the platform's own sign-in (throttling, audit, second factor).
admin.site.login = RedirectView.as_view(pattern_name="web:signin", query_string=True)  # type: ignore[method-assign,assignment]


def bench_hello(request: HttpRequest) -> HttpResponse:
    """The yardstick of bench/load.py: a bare view behind the same middleware as every page."""
    return HttpResponse("hello")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and the API docs ask for /favicon.ico whatever a page links: send them to the app icon (looked up
    per request: the static manifest is read then, not when the URLs load)."""
    return HttpResponsePermanentRedirect(static("web/icon-192.png"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("api/v1/", api.urls),
    path(".well-known/kotalive-keys.json", views_documents.keys, name="well-known-keys"),
    path(".well-known/kotalive-revocations.jws", views_documents.revocations, name="well-known-revocations"),
    # Open311 GeoReport v2: every resource in .json and .xml.
    path("open311/v2/discovery.<str:fmt>", open311.discovery, name="open311-discovery"),
    path("open311/v2/services.<str:fmt>", open311.services, name="open311-services"),
    path("open311/v2/services/<str:code>.<str:fmt>", open311.service_definition, name="open311-service"),
    path("open311/v2/requests.<str:fmt>", open311.requests_view, name="open311-requests"),
    path("open311/v2/requests/<str:request_id>.<str:fmt>", open311.request_detail, name="open311-request"),
    path("open311/v2/tokens/<str:token_id>.<str:fmt>", open311.token, name="open311-token"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("kotalive.web.urls")),
]
if settings.KOTALIVE_BENCH_HELLO:
    urlpatterns.insert(0, path("bench/hello", bench_hello))
