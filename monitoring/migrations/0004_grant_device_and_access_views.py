from django.db import migrations

from monitoring.roles import roles_grant


def grant(apps, schema_editor):
    roles_grant(apps, {
        "Committee chair": ["monitoring.view_accessevent"],
        "Administrator": ["otp_totp.view_totpdevice", "otp_totp.delete_totpdevice"],
    })


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_chair_reveals_identity"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
