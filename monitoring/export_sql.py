"""The case-list CSV written by PostgreSQL: each row comes back as its finished line.

Reading a million rows into Python objects and formatting them there costs several times what
the query itself does; at the case-list level every cell is a code, a date, a flag or a label,
so PostgreSQL can write the line itself and Python only passes lines on. The labels (in the
exporter's language) are handed to the query as JSON maps, already neutralised and quoted as
`monitoring.exports` writes them, so that both ways give the same bytes
(tests/monitoring/test_export_sql.py compares them on every kind of cell).

The SQL is put together from this module's own fragments; every value in it (labels, the time
zone, the filters' values) is a parameter bound by the driver, never text pasted into it.
The export's own query (its filters, visibility, order) is Django's, untouched, as a subquery;
the two layers above it only project, so the order of its rows is kept.
"""

import json
from collections.abc import Iterator

from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone
from psycopg2 import extensions

from complaints.models import Complaint
from monitoring.exports import (
    CASE_LIST_COLUMNS,
    CASE_LIST_FIELDS,
    FORMULA_STARTS,
    Column,
    Labels,
    case_list_values,
    neutralise,
)

# A cell that starts a formula (the characters of exports.FORMULA_STARTS, as a pattern).
FORMULA_PATTERN = "^[" + "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_STARTS) + "]"


def field(text: str) -> str:
    """A cell as the CSV holds it: neutralised, then quoted (every cell is quoted)."""
    return '"' + neutralise(text).replace('"', '""') + '"'


class Lines:
    """Builds the SQL of the lines; the values it needs go in `params`, never in the SQL."""

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self.params: dict[str, object] = {}
        self.alias = {name: f"c{i}" for i, name in enumerate(CASE_LIST_FIELDS)}
        self.middle: dict[str, str] = {}  # aggregates, computed once a row below the line

    def param(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def ref(self, name: str) -> str:
        return f"mid.{self.alias[name]}"

    def inner(self, name: str) -> str:
        return f"sub.{self.alias[name]}"

    def jsonb(self, mapping: dict[str, str]) -> str:
        return f"({self.param(json.dumps(mapping, ensure_ascii=False))}::jsonb)"

    def quoted(self, expression: str) -> str:
        """A text expression neutralised and quoted, in SQL; NULL as an empty cell."""
        value = f"COALESCE({expression}, '')"
        pattern = self.param(FORMULA_PATTERN)
        neutral = f"CASE WHEN {value} ~ {pattern} THEN '''' || {value} ELSE {value} END"
        return f"""('"' || replace({neutral}, '"', '""') || '"')"""

    def aggregate(self, key: str, sql: str) -> str:
        self.middle[key] = sql
        return f"mid.{key}"

    def cell(self, column: Column) -> str:
        return getattr(self, f"_{column.kind}")(column)

    def _text(self, column: Column) -> str:
        return self.quoted(self.ref(column.fields[0]))

    def _choice(self, column: Column) -> str:
        # A CASE, not a JSON map: a handful of short comparisons cost less than a lookup.
        ref = self.ref(column.fields[0])
        branches = " ".join(
            f"WHEN {self.param(str(value))} THEN "
            f"{self.param(field(self.labels.of(column.choices, value)))}"
            for value in column.choices.values
        )
        return f"CASE {ref} {branches} ELSE {self.quoted(ref)} END"

    def _day(self, column: Column) -> str:
        zone = self.param(timezone.get_current_timezone_name())
        ref = self.ref(column.fields[0])
        return f"""('"' || COALESCE(to_char({ref} AT TIME ZONE {zone}, 'YYYY-MM-DD'), '') || '"')"""

    def _yes_no(self, column: Column) -> str:
        yes, no = self.param(field(self.labels.yes)), self.param(field(self.labels.no))
        return f"CASE WHEN {self.ref(column.fields[0])} THEN {yes} ELSE {no} END"

    def _country(self, column: Column) -> str:
        names = {code: field(name) for code, name in self.labels.countries.items()}
        ref = self.ref(column.fields[0])
        named = f"COALESCE({self.jsonb(names)} ->> {ref}, {self.quoted(ref)})"
        return f"""CASE WHEN {ref} = '' THEN '""' ELSE {named} END"""

    def _when(self, column: Column) -> str:
        day, precision = (self.ref(name) for name in column.fields)
        formats = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}
        branches = " ".join(
            f"WHEN {precision} = {self.param(p)} THEN to_char({day}, {self.param(f)})"
            for p, f in formats.items()
        )
        return f"""('"' || COALESCE(CASE {branches} END, '') || '"')"""

    def _violations(self) -> str:
        """Both the labels and the groups of a case's categories, from one probe of the
        (complaint, category) index a row."""
        if "violations" not in self.middle:
            categories = self.labels.categories.items()
            labels = self.jsonb({str(pk): label for pk, (label, _group) in categories})
            groups = self.jsonb({str(pk): group for pk, (_label, group) in categories})
            through = Complaint.categories.through._meta.db_table
            label = f"({labels} ->> t.violationcategory_id::text)"
            group = f'(({groups} ->> t.violationcategory_id::text) COLLATE "C")'
            self.aggregate(
                "violations",
                f"""(SELECT ARRAY[string_agg({label}, '; ' ORDER BY {label} COLLATE "C"),
                                  string_agg(DISTINCT {group}, '; ' ORDER BY {group})]
                     FROM {through} AS t WHERE t.complaint_id = {self.inner("pk")})""",
            )
        return "mid.violations"

    def _categories(self, column: Column) -> str:
        return self.quoted(f"{self._violations()}[1]")

    def _groups(self, column: Column) -> str:
        return self.quoted(f"{self._violations()}[2]")

    def _list(self, column: Column) -> str:
        labels = {str(v): self.labels.of(column.choices, v) for v in column.choices.values}
        codes = self.inner(column.fields[0])
        listed = self.aggregate(
            column.fields[0],
            f"""(SELECT string_agg(COALESCE({self.jsonb(labels)} ->> code, code), '; '
                                   ORDER BY position)
                 FROM jsonb_array_elements_text({codes})
                      WITH ORDINALITY AS item(code, position))""",
        )
        return self.quoted(listed)

    def sql(self, cases: QuerySet, cursor: object) -> str:
        """The query of the lines; its values are in `params` (named, so that the layers may
        be built in any order)."""
        # concat_ws builds the line once; a chain of || would copy it again for every cell.
        line = "concat_ws(',', " + ", ".join(self.cell(c) for c in CASE_LIST_COLUMNS) + ")"
        middle = "".join(f", {sql} AS {key}" for key, sql in self.middle.items())
        values = {alias: F(name) for name, alias in self.alias.items()}
        inner, inner_params = case_list_values(cases).values(**values).query.sql_with_params()
        # Django's query with its own values bound by the driver, as the driver would send it;
        # its % signs (a search's LIKE pattern) doubled, since the whole is formatted again.
        bound = cursor.mogrify(inner, inner_params).decode().replace("%", "%%")
        # OFFSET 0 keeps each layer a layer: pulled up into the line, a subquery of the
        # middle would be run again for every cell that reads it.
        layers = f"(SELECT sub.*{middle} FROM ({bound} OFFSET 0) AS sub OFFSET 0) AS mid"
        return f"SELECT {line} AS line FROM {layers}"


def case_list_lines(cases: QuerySet, *, language: str, chunk_rows: int) -> Iterator[list[bytes]]:
    """The lines of the case list as UTF-8 bytes, a chunk at a time, through one server-side
    cursor (bytes as they come: decoding them to text only to encode them again costs)."""
    lines = Lines(Labels(language))
    cursor = connection.chunked_cursor()
    try:
        extensions.register_type(extensions.BYTES, cursor.cursor)
        cursor.execute(lines.sql(cases, cursor), lines.params)
        while rows := cursor.fetchmany(chunk_rows):
            yield [row[0] for row in rows]
    finally:
        cursor.close()
