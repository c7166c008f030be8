from django.db import migrations

from monitoring.roles import roles_grant


def grant(apps, schema_editor):
    roles_grant(apps, {"Committee chair": ["complaints.reveal_identity"]})


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_reveal_identity_permission"),
        ("monitoring", "0002_access_event"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
