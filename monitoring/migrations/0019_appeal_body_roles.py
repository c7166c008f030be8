from django.db import migrations

from monitoring.roles import roles_grant


def grant(apps, schema_editor):
    # The registry keeps the roster and forms panels; judges read the file of the appeals they
    # sit on and have declared for (monitoring.appeals.access), identity behind the recorded
    # reveal; an appeal can be lodged on the complainant's behalf at intake or by the registry.
    roles_grant(
        apps,
        {
            "Appeal registrar": [
                "monitoring.form_panel",
                "monitoring.view_judgeprofile",
                "monitoring.add_judgeprofile",
                "monitoring.change_judgeprofile",
                "monitoring.view_paneldraw",
                "complaints.view_appeal",
                "complaints.lodge_appeal_on_behalf",
            ],
            "Appeal judge": [
                "monitoring.view_judgeprofile",
                "complaints.view_appeal",
                "complaints.reveal_identity",
                "complaints.view_evidence_file",
            ],
            "Intake officer": ["complaints.lodge_appeal_on_behalf"],
            # Who the co-presidents are is not the registry's to say: they oversee it.
            "Administrator": [
                "monitoring.view_judgeprofile",
                "monitoring.change_judgeprofile",
                "monitoring.designate_co_president",
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0018_appeal_body"),
        ("complaints", "0016_appeals"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
