from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api
from kotalive.core.views import healthz

# Django's admin signs in through the platform's own sign-in (throttling, audit, second factor).
admin.site.login = RedirectView.as_view(pattern_name="web:signin", query_string=True)  # type: ignore[method-assign,assignment]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("kotalive.web.urls")),
]
