"""History records what the rows no longer hold: no copy on INSERT, changed columns on UPDATE.

The copies that INSERT records held are dropped: each duplicates either the row as it stands or
the full old row that the first UPDATE of it recorded, so nothing is lost.
"""

from django.db import migrations

from complaints.history import HISTORY_TABLE, history_triggers_install


def insert_copies_drop(apps: object, schema_editor: object) -> None:
    schema_editor.execute(
        f"UPDATE {HISTORY_TABLE} SET new = NULL WHERE operation = 'INSERT'"  # noqa: S608
    )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0009_list_order_and_reference_prefix_indexes")]

    operations = [
        migrations.RunPython(history_triggers_install, migrations.RunPython.noop),
        migrations.RunPython(insert_copies_drop, migrations.RunPython.noop),
    ]
