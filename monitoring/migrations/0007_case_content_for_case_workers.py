from django.db import migrations

from monitoring.roles import roles_grant

# Reading a case's narrative, messages and files: the people who work on cases, not the data officer.
CASE_CONTENT = ["complaints.view_case_content"]


def grant(apps, schema_editor):
    roles_grant(apps, {"Rapporteur": CASE_CONTENT, "Committee chair": CASE_CONTENT})


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0006_case_sections_for_reviewers"),
        ("complaints", "0007_case_content_permission"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
