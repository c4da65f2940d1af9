from django.urls import path

from kotalive.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("daftar/", views.signup, name="signup"),
    path("masuk/", views.signin, name="signin"),
    path("keluar/", views.signout, name="signout"),
    path("verifikasi/", views.verify, name="verify"),
    path("profil/", views.profile, name="profile"),
    path("lupa-sandi/", views.password_reset, name="password-reset"),
    path("lupa-sandi/kode/", views.password_reset_confirm, name="password-reset-confirm"),
    path("kantor/", views.backoffice, name="backoffice"),
    path("kantor/<str:code>/", views.backoffice_agency, name="backoffice-agency"),
    path("kantor/<str:code>/petugas/", views.backoffice_staff, name="backoffice-staff"),
    path(
        "kantor/<str:code>/petugas/<int:grant_id>/cabut/", views.backoffice_staff_revoke, name="backoffice-staff-revoke"
    ),
    path("dev/outbox/", views.dev_outbox, name="dev-outbox"),
]
