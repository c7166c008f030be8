from django.db import migrations

from monitoring.roles import roles_grant


def grant(apps, schema_editor):
    roles_grant(apps, {
        "Committee chair": ["monitoring.view_staffchange", "monitoring.confirm_staff_change"],
        "Administrator": ["monitoring.view_staffchange"],
    })


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0009_staff_change")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
