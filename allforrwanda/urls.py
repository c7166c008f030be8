from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "All For Rwanda — Monitoring Committee"
admin.site.site_title = "All For Rwanda"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", admin.site.urls),
    path("", include("complaints.urls")),
]
