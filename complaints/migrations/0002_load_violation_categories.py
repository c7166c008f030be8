from django.db import migrations


def load(apps, schema_editor):
    from complaints.seeds import violation_categories_load

    violation_categories_load(apps.get_model("complaints", "ViolationCategory"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
