from django.db import migrations

from monitoring.roles import roles_grant

# The roles as they were when this migration was written (later migrations add to them).
ROLES_AT_0001 = {
    "Intake officer": ["complaints.view_violationcategory"],
    "Rapporteur": [
        "complaints.view_complaint",
        "complaints.view_evidence_file",
        "complaints.triage_complaint",
        "complaints.examine_complaint",
        "complaints.view_violationcategory",
    ],
    "Committee chair": [
        "complaints.view_complaint",
        "complaints.view_evidence_file",
        "complaints.triage_complaint",
        "complaints.examine_complaint",
        "complaints.decide_complaint",
        "complaints.record_withdrawal",
        "complaints.view_violationcategory",
        "complaints.change_violationcategory",
    ],
    "Appeal registrar": ["complaints.view_violationcategory"],
    "Appeal judge": ["complaints.decide_appeal"],
    "Data officer": ["complaints.view_complaint", "complaints.view_violationcategory"],
    "Administrator": [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def create_roles(apps, schema_editor):
    roles_grant(apps, ROLES_AT_0001)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("complaints", "0002_load_violation_categories"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
