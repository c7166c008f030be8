"""Database triggers that record every change to a case's rows in CaseHistory.

Triggers rather than model hooks, so that QuerySet.update(), bulk_create() and raw SQL are
recorded too. PostgreSQL copies whole rows with to_jsonb(); SQLite has no such function, so its
triggers name each column: a migration that changes a tracked table must call
`history_triggers_install` again (PostgreSQL needs nothing).
"""

TRACKED_MODELS = ["complainant", "complaint", "victim", "evidence", "message", "statuschange"]
HISTORY_TABLE = "complaints_casehistory"


# Table names below come from our own models, never from input.
def _postgresql(table: str) -> list[str]:
    function = f"{table}_history"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            INSERT INTO {HISTORY_TABLE} ("table", row_id, operation, at, old, new) VALUES (
                TG_TABLE_NAME,
                CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END,
                TG_OP, now(),
                CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
                CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END);
            RETURN NULL;
        END $$ LANGUAGE plpgsql""",  # noqa: S608
        f"DROP TRIGGER IF EXISTS {function} ON {table}",
        f"""CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()""",
    ]


def _sqlite(table: str, columns: list[str]) -> list[str]:
    def row(alias: str) -> str:
        return "json_object(" + ", ".join(f"'{c}', {alias}.\"{c}\"" for c in columns) + ")"

    insert = f'INSERT INTO {HISTORY_TABLE} ("table", row_id, operation, at, old, new) VALUES'
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    statements = []
    for operation, row_id, old, new in [
        ("INSERT", "NEW.id", "NULL", row("NEW")),
        ("UPDATE", "NEW.id", row("OLD"), row("NEW")),
        ("DELETE", "OLD.id", row("OLD"), "NULL"),
    ]:
        name = f"{table}_history_{operation.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"""CREATE TRIGGER {name} AFTER {operation} ON {table} BEGIN
                {insert} ('{table}', {row_id}, '{operation}', {now}, {old}, {new}); END""",
        ]
    return statements


def history_triggers_install(apps: object, schema_editor: object) -> None:
    """Create or replace the triggers; usable as a RunPython step of any later migration."""
    connection = schema_editor.connection
    for name in TRACKED_MODELS:
        model = apps.get_model("complaints", name)
        table = model._meta.db_table
        if connection.vendor == "postgresql":
            statements = _postgresql(table)
        elif connection.vendor == "sqlite":
            statements = _sqlite(table, [f.column for f in model._meta.concrete_fields])
        else:
            raise NotImplementedError(f"no history triggers for {connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)
