from django.db import migrations

from monitoring.roles import roles_grant


def grant(apps, schema_editor):
    # DESIGN.md: reviewers see identity "on cases they work on, through an explicit reveal that
    # is logged"; monitoring.cases.access.may_reveal limits it to the case's rapporteur.
    roles_grant(apps, {"Rapporteur": ["complaints.reveal_identity"]})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0016_intake_records_on_behalf")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
