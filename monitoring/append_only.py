"""Triggers that make a table append-only for everyone who connects, the application included.

PostgreSQL refuses UPDATE and DELETE on the table (TRUNCATE, which only the table's owner may
run, is how tests empty it). SQLite refuses UPDATE only: Django's test flush on SQLite empties
tables with DELETE, and SQLite is for development, not for keeping records.
"""

# Table names below come from our own models, never from input.


def append_only_install(table: str) -> object:
    """A RunPython function installing the triggers on `table`."""

    def install(apps: object, schema_editor: object) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = [
                f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql""",
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
            ]
        elif vendor == "sqlite":
            statements = [
                f"DROP TRIGGER IF EXISTS {table}_append_only",
                f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}
                    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
            ]
        else:
            raise NotImplementedError(f"no append-only triggers for {vendor}")
        for statement in statements:
            schema_editor.execute(statement)

    return install
