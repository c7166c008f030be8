from django.db import migrations

from monitoring.roles import roles_grant

SECTIONS = [
    "complaints.view_victim",
    "complaints.view_evidence",
    "complaints.view_message",
    "complaints.view_statuschange",
]


def grant(apps, schema_editor):
    roles_grant(apps, {"Rapporteur": SECTIONS, "Committee chair": SECTIONS})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_access_reason_plain")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
