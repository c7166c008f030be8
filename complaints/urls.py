from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.home, name="home"),
    path("leave/", views.leave, name="leave"),
    path("language/", views.language_switch, name="language"),
    path("help/", views.help_index, name="help"),
    path("help/<slug:slug>/", views.help_topic, name="help_topic"),
    path("healthz", views.healthz, name="healthz"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("file/", views.file_start, name="file"),
    path("file/receipt/", views.receipt, name="receipt"),
    path("file/<slug:slug>/", views.file_step_or_page, name="file_step_or_page"),
    path("track/", views.track, name="track"),
    path("track/case/", views.track_case, name="track_case"),
    path("track/case/message/", views.track_message, name="track_message"),
    path("track/case/evidence/", views.track_evidence, name="track_evidence"),
    path("track/case/choices/", views.track_consents, name="track_consents"),
    path("track/case/withdraw/", views.track_withdraw, name="track_withdraw"),
    path("track/case/appeal/", views.track_appeal, name="track_appeal"),
]
