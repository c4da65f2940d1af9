from django.urls import path

from kotalive.web import (
    views,
    views_backoffice_cases,
    views_catalogue,
    views_complaints,
    views_integration,
    views_services,
)

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
    path("kantor/kalender/", views_backoffice_cases.calendar, name="backoffice-calendar"),
    path("kantor/integrasi/", views_integration.console, name="backoffice-integration"),
    path("kantor/integrasi/aksi/", views_integration.console_action, name="backoffice-integration-action"),
    path("kantor/perjanjian-data/", views_integration.agreements, name="backoffice-agreements"),
    path("profil/akses-data/", views_integration.data_access, name="data-access"),
    path("kantor/live-room/", views_complaints.live_room, name="liveroom"),
    path("kantor/live-room/kategori/", views_complaints.live_room_routing, name="liveroom-routing"),
    path("laporan/", views_complaints.my_reports, name="reports"),
    path("laporan/baru/", views_complaints.report_new, name="report-new"),
    path("laporan/publik/", views_complaints.public_reports, name="reports-public"),
    path("laporan/<str:tracking>/", views_complaints.report_page, name="report"),
    path("laporan/<str:tracking>/foto/<str:upload_id>/", views_complaints.report_photo, name="report-photo"),
    path("kantor/<str:code>/pengaduan/", views_complaints.agency_complaints, name="backoffice-complaints"),
    path("kantor/<str:code>/", views.backoffice_agency, name="backoffice-agency"),
    path("kantor/<str:code>/petugas/", views.backoffice_staff, name="backoffice-staff"),
    path(
        "kantor/<str:code>/petugas/<int:grant_id>/cabut/", views.backoffice_staff_revoke, name="backoffice-staff-revoke"
    ),
    path("dev/outbox/", views.dev_outbox, name="dev-outbox"),
    path("layanan/", views_services.services_index, name="services"),
    path("layanan/<str:code>/", views_services.service_detail, name="service"),
    path("layanan/<str:code>/ajukan/", views_services.service_apply, name="service-apply"),
    path("layanan/<str:code>/hapus-draf/", views_services.case_cancel_draft, name="service-draft-discard"),
    path("kasus/", views_services.my_cases, name="cases"),
    path("kasus/<str:tracking>/", views_services.case_page, name="case"),
    path("kasus/<str:tracking>/dokumen/<str:upload_id>/", views_services.case_document, name="case-document"),
    path("kantor/<str:code>/kotak-masuk/", views_backoffice_cases.inbox, name="backoffice-inbox"),
    path("kantor/<str:code>/layanan/", views_catalogue.services_list, name="backoffice-services"),
    path("kantor/<str:code>/layanan/baru/", views_catalogue.service_edit, name="backoffice-service-new"),
    path("kantor/<str:code>/layanan/<str:service_code>/", views_catalogue.service_edit, name="backoffice-service-edit"),
    path("kantor/<str:code>/kasus/<str:tracking>/", views_backoffice_cases.case_page, name="backoffice-case"),
]
