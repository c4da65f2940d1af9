from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api
from kotalive.core.views import healthz

# Django's admin signs in through the platform's own sign-in (throttling, audit, second factor).
admin.site.login = RedirectView.as_view(pattern_name="web:signin", query_string=True)  # type: ignore[method-assign,assignment]


def bench_hello(request: HttpRequest) -> HttpResponse:
    """The yardstick of bench/load.py: a bare view behind the same middleware as every page."""
    return HttpResponse("hello")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("kotalive.web.urls")),
]
if settings.KOTALIVE_BENCH_HELLO:
    urlpatterns.insert(0, path("bench/hello", bench_hello))
