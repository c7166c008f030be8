from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
            import psycopg2.extensions

            from complaints.outage import bounded_wait

            psycopg2.extensions.set_wait_callback(bounded_wait)
