import json

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Lists up to this long are counted exactly; longer ones are estimated. Counting exactly stops
# here, so it never reads more rows than this (a filter that keeps one complaint in five, such as
# a violation group, probes five times as many).
EXACT_UP_TO = 1_000


class EstimatedCountPaginator(Paginator):
    """A staff list that costs the same on its first page, its last and over a million rows.

    - A long list is counted from PostgreSQL's statistics instead of a COUNT(*): the page links
      need a total, and an exact count of the whole table, or of a filter that keeps a third of
      it, reads every row it counts on every page view. The whole table's size comes from
      pg_class, a filtered list's from the planner's estimate (EXPLAIN, which runs nothing).
      A filtered list of up to EXACT_UP_TO rows is counted exactly, by a count that stops
      there, so a filter costs the same queries whether it keeps ten rows or a million.
    - A page in the second half of the list is read from the end, in the reverse order, so
      that the last page skips as few rows as the first (an OFFSET reads every row it skips).
    """

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None or connection.vendor != "postgresql":
            return super().count
        if not query.where:
            estimate = table_row_estimate(query.model._meta.db_table)
            return estimate if estimate > EXACT_UP_TO else super().count
        # Always the same two queries, whatever the list's length: the planner's estimate, and
        # a count that stops after EXACT_UP_TO + 1 rows (exact for a short list, bounded cost).
        estimate = planner_row_estimate(self.object_list)
        # Counted in the list's own order: the planner may then walk the index the list is read
        # from, and stop after EXACT_UP_TO rows, where an unordered count of a filter that keeps
        # one row in five (a rapporteur's cases and the unassigned ones) reads the table itself.
        counted = self.object_list[: EXACT_UP_TO + 1].count()
        return counted if counted <= EXACT_UP_TO else max(estimate, counted)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ordered = isinstance(self.object_list, QuerySet) and self.object_list.ordered
        if not ordered or bottom <= self.count // 2:
            return super().page(number)
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)


def table_row_estimate(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0


def planner_row_estimate(queryset: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects the query to return; runs nothing."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
