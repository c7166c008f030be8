from django.db import migrations

from monitoring.roles import roles_grant

# Writing notes and messages, declaring conflicts: everyone who works on cases. Assigning them and
# seeing every case, assigned or not: the chair.
CASE_WORK = [
    "monitoring.view_note",
    "monitoring.add_note",
    "monitoring.add_conflictdeclaration",
    "complaints.add_message",
]
CHAIR = [
    "monitoring.assign_rapporteur",
    "monitoring.view_every_case",
    "monitoring.view_assignment",
    "monitoring.view_conflictdeclaration",
]


def grant(apps, schema_editor):
    roles_grant(apps, {"Rapporteur": CASE_WORK, "Committee chair": [*CASE_WORK, *CHAIR]})


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0012_case_assignment_conflicts_and_notes"),
        ("complaints", "0012_deadlines_of_existing_cases"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
