from django.db import migrations

from monitoring.roles import roles_grant


def grant(apps, schema_editor):
    roles_grant(apps, {"Intake officer": ["complaints.record_on_behalf"]})


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0015_case_links"),
        ("complaints", "0015_record_on_behalf"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
