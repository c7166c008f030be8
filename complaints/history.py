"""Database triggers that record every change to a case's rows in CaseHistory.

Triggers rather than model hooks, so that QuerySet.update(), bulk_create() and raw SQL are
recorded too. Each record holds only what the row itself no longer holds: an INSERT records that
the row was written, not a copy of it (the row is that copy); an UPDATE records the columns that
changed, their old and new values (with the row's id, uid and complaint, which its encrypted
values are bound to), and nothing at all when no value changed; a DELETE records the row as it
was. So every state a row has been in can be rebuilt from the row and its history,
and a filed complaint costs a few short records instead of a copy of each of its rows.

PostgreSQL reads rows with to_jsonb(); SQLite has no such function, so its triggers name each
column: a migration that changes a tracked table must call
`history_triggers_install` again (PostgreSQL needs nothing).
"""

TRACKED_MODELS = [
    "complainant",
    "complaint",
    "victim",
    "evidence",
    "message",
    "statuschange",
    "decision",
    "appeal",
    "appealjudgment",
    "publishedopinion",
    "consentchange",
]
HISTORY_TABLE = "complaints_casehistory"
# Kept in every UPDATE record whether they changed or not: an encrypted value is bound to its
# row's uid and its case, so a record of one cannot be read (or re-encrypted) without them.
IDENTITY_COLUMNS = ["id", "uid", "complaint_id"]
IDENTITY_SQL = ", ".join(f"'{column}'" for column in IDENTITY_COLUMNS)


# Table names below come from our own models, never from input.
def _postgresql(table: str) -> list[str]:
    function = f"{table}_history"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        DECLARE before jsonb; after jsonb; changed boolean;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {HISTORY_TABLE} ("table", row_id, operation, at, old, new)
                VALUES (TG_TABLE_NAME, NEW.id, TG_OP, now(), NULL, NULL);
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO {HISTORY_TABLE} ("table", row_id, operation, at, old, new)
                VALUES (TG_TABLE_NAME, OLD.id, TG_OP, now(), to_jsonb(OLD), NULL);
            ELSE
                SELECT jsonb_object_agg(c.key, c.old) FILTER (WHERE c.differs OR c.identity),
                       jsonb_object_agg(c.key, c.new) FILTER (WHERE c.differs OR c.identity),
                       bool_or(c.differs)
                  INTO before, after, changed
                  FROM (SELECT o.key, o.value AS old, to_jsonb(NEW) -> o.key AS new,
                               o.value IS DISTINCT FROM to_jsonb(NEW) -> o.key AS differs,
                               o.key IN ({IDENTITY_SQL}) AS identity
                          FROM jsonb_each(to_jsonb(OLD)) AS o) AS c;
                IF changed THEN
                    INSERT INTO {HISTORY_TABLE} ("table", row_id, operation, at, old, new)
                    VALUES (TG_TABLE_NAME, NEW.id, TG_OP, now(), before, after);
                END IF;
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql""",  # noqa: S608
        f"DROP TRIGGER IF EXISTS {function} ON {table}",
        f"""CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()""",
    ]


def _sqlite(table: str, columns: list[str]) -> list[str]:
    def row(alias: str) -> str:
        return "json_object(" + ", ".join(f"'{c}', {alias}.\"{c}\"" for c in columns) + ")"

    def changed(pick: str) -> str:
        """The changed columns (and the row's identity), as JSON of their OLD or NEW values."""
        return (
            f"(SELECT json_group_object(o.key, {pick}.value) FROM json_each({row('OLD')}) AS o "  # noqa: S608
            f"JOIN json_each({row('NEW')}) AS n ON n.key = o.key "
            f"WHERE o.value IS NOT n.value OR o.type IS NOT n.type OR o.key IN ({IDENTITY_SQL}))"
        )

    insert = f'INSERT INTO {HISTORY_TABLE} ("table", row_id, operation, at, old, new) VALUES'
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    any_change = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns)
    statements = []
    for operation, when, row_id, old, new in [
        ("INSERT", "", "NEW.id", "NULL", "NULL"),
        ("UPDATE", f"WHEN {any_change}", "NEW.id", changed("o"), changed("n")),
        ("DELETE", "", "OLD.id", row("OLD"), "NULL"),
    ]:
        name = f"{table}_history_{operation.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"""CREATE TRIGGER {name} AFTER {operation} ON {table} {when} BEGIN
                {insert} ('{table}', {row_id}, '{operation}', {now}, {old}, {new}); END""",
        ]
    return statements


def history_triggers_install(apps: object, schema_editor: object) -> None:
    """Create or replace the triggers; usable as a RunPython step of any later migration."""
    connection = schema_editor.connection
    for name in TRACKED_MODELS:
        try:
            model = apps.get_model("complaints", name)
        except LookupError:
            continue  # an earlier migration's state: the table comes later, with its triggers
        table = model._meta.db_table
        if connection.vendor == "postgresql":
            statements = _postgresql(table)
        elif connection.vendor == "sqlite":
            statements = _sqlite(table, [f.column for f in model._meta.concrete_fields])
        else:
            raise NotImplementedError(f"no history triggers for {connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)
