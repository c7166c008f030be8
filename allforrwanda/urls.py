from django.contrib import admin
from django.urls import include, path

from monitoring.statistics_views import transparency

# `admin.site` is monitoring.admin_site.StaffAdminSite (see monitoring/apps.py): every page under
# /staff/, its sign-in included, needs a password and a code from an authenticator app.
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", admin.site.urls),
    # Public, like the complaints' pages; its figures come from monitoring's kept counts.
    path("figures/", transparency, name="transparency"),
    path("", include("complaints.urls")),
]

# An outage of the database or the cache answers 503 with what was kept; anything else, 500.
handler500 = "complaints.outage.server_error"
