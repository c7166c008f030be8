from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with `admin.site` replaced by the site that demands a second factor.

    Replacing the default site (rather than mounting a second one) means every `admin.register`
    in every app lands on the guarded site: there is no unguarded admin to forget about.
    """

    default = False  # `monitoring` itself keeps MonitoringConfig
    default_site = "monitoring.admin_site.StaffAdminSite"
