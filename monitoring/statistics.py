"""Figures about the complaints: kept counts, the staff statistics and the public page.

Only complaints whose complainant agrees to anonymous use in reports and statistics are
counted, as that consent stands when the figures are computed. `statistics_refresh` (a
management command for cron, hourly) rebuilds the kept counts (Tally) whole: by month filed,
country of the events and one dimension's value, once per country and once for all of them,
so that each page reads a few thousand kept rows with two queries, never the complaint table.

The public page shows no breakdown finer than year × country × right concerned, and no count
below 5 (`suppressed`).
"""

import bisect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, F, Min, OuterRef, QuerySet, Subquery, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from complaints.models import (
    WITH_THE_COMMITTEE,
    Appeal,
    Complaint,
    Decision,
    ResidenceStatus,
    Status,
    StatusChange,
    ViolationGroup,
)
from monitoring.models import ALL_COUNTRIES, Dimension, StatisticsRefresh, Tally

# --- pure rules ----------------------------------------------------------------------------------

THRESHOLD = 5


@dataclass(frozen=True)
class Hidden:
    """A count the public page does not show: below the threshold, or withheld so that a
    hidden count cannot be worked out from the row's total."""

    below: bool  # True: "fewer than 5"; False: withheld (it is 5 or more)


FEWER = Hidden(below=True)
WITHHELD = Hidden(below=False)


def suppressed(row: dict[str, int], *, threshold: int = THRESHOLD) -> dict[str, int | Hidden]:
    """A row of counts, every value of the row listed (zeros too), whose total is published.

    Every count below the threshold, zero included, is "fewer than 5". The reader knows the
    row's total, so the hidden counts add up to a known sum: when that sum can only be made
    with a hidden count above zero (one count hidden alone, or several each near the
    threshold), the smallest shown count is withheld too. Then no hidden count can be known to
    be above zero, let alone exactly.
    """
    shown: dict[str, int | Hidden] = {key: FEWER if n < threshold else n for key, n in row.items()}
    if not _pinned(row, shown, threshold):
        return shown
    visible = sorted((n, key) for key, n in row.items() if n >= threshold)
    if visible:
        shown[visible[0][1]] = WITHHELD
    return shown


def _pinned(row: dict[str, int], shown: dict[str, int | Hidden], threshold: int) -> bool:
    """Whether the hidden counts' sum shows that some "fewer than" count is above zero: it
    exceeds what the others could hold at most (threshold - 1 each)."""
    hidden = [key for key, value in shown.items() if isinstance(value, Hidden)]
    if not hidden:
        return False
    total_hidden = sum(row[key] for key in hidden)
    return total_hidden > (threshold - 1) * (len(hidden) - 1)


def total_shown(total: int, *, threshold: int = THRESHOLD) -> int | Hidden:
    return FEWER if total < threshold else total


# Durations are kept to the day up to a month, then by week, then by month, then by year:
# a median is exact where most cases are, and the kept rows stay few.
DAY_BUCKETS = [
    *range(31),
    *range(35, 183, 7),
    *range(190, 731, 30),
    *range(1095, 36500, 365),
]


def day_bucket(days: int) -> int:
    """The start of the bucket that holds a duration of `days` days."""
    return DAY_BUCKETS[max(bisect.bisect_right(DAY_BUCKETS, max(days, 0)) - 1, 0)]


def median(histogram: dict[int, int]) -> int | None:
    """The median of durations kept by bucket: the bucket where half the cases are reached."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for start in sorted(histogram):
        seen += histogram[start]
        if seen * 2 >= total:
            return start
    return None  # not reached: the counts sum to the total


# --- the kept counts -----------------------------------------------------------------------------


def _month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


class _Counts:
    def __init__(self) -> None:
        self.counts: Counter = Counter()

    def add(
        self, moment: datetime, country: str, dimension: Dimension, value: str, n: int = 1
    ) -> None:
        month = _month(moment) if isinstance(moment, datetime) else moment
        self.counts[(month, country or "", dimension, value or "")] += n
        self.counts[(month, ALL_COUNTRIES, dimension, value or "")] += n

    def rows(self) -> Iterator[Tally]:
        for (month, country, dimension, value), n in self.counts.items():
            yield Tally(month=month, country=country, dimension=dimension, value=value, count=n)


def counted() -> QuerySet[Complaint]:
    """The complaints the figures may count: their complainant agrees, as of now."""
    return Complaint.objects.filter(consent_anonymised_use=True)


def _grouped(counts: _Counts, rows: QuerySet, dimension: Dimension) -> None:
    for row in rows:
        counts.add(row["month"], row["country"], dimension, str(row["value"]), row["n"])


def _by_month(queryset: QuerySet, value: object, *, prefix: str = "") -> QuerySet:
    return (
        queryset.annotate(month=TruncMonth(f"{prefix}submitted_at"))
        .values("month", country=F(f"{prefix}incident_country"), value=value)
        .annotate(n=Count("pk"))
        .order_by()
    )


def _first_moves(cases: QuerySet[Complaint]) -> QuerySet:
    triaged = StatusChange.objects.filter(complaint=OuterRef("pk"), to_status=Status.TRIAGE)
    decided = Decision.objects.filter(complaint=OuterRef("pk"))
    return cases.annotate(
        triaged=Subquery(triaged.values("complaint").annotate(at=Min("at")).values("at")),
        decided=Subquery(decided.values("complaint").annotate(at=Min("adopted_at")).values("at")),
    ).values_list("submitted_at", "incident_country", "perpetrators", "triaged", "decided")


def _days(start: datetime, end: datetime | None) -> str | None:
    return None if end is None else str(day_bucket((end - start).days))


# The refresh is a batch job: its reads of every counted complaint may take longer than a
# page's statement timeout, and its transaction waits on Python between reads.
REFRESH_STATEMENT_TIMEOUT = "10min"


def statistics_refresh(*, now: datetime) -> StatisticsRefresh:
    """Count again, and replace the kept counts with the new ones, in one transaction (its
    reads see one moment of the database; the pages see the old counts or the new)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for setting in ["statement_timeout", "idle_in_transaction_session_timeout"]:
                    cursor.execute(
                        "SELECT set_config(%s, %s, true)", [setting, REFRESH_STATEMENT_TIMEOUT]
                    )
                # One refresh at a time: a second, begun meanwhile, would not see the rows the
                # first inserts, delete only the old ones and keep both sets (every count
                # doubled). Readers of the pages are not held up.
                cursor.execute("LOCK TABLE monitoring_tally IN EXCLUSIVE MODE")
        counts, total = _counted(now)
        Tally.objects.all().delete()
        Tally.objects.bulk_create(counts.rows(), batch_size=5000)
        refresh = StatisticsRefresh.objects.create(at=now, complaints=total)
        transaction.on_commit(lambda: cache.set(LATEST_KEY, refresh, 3600))
    return refresh


def _counted(now: datetime) -> tuple[_Counts, int]:
    cases, counts = counted(), _Counts()
    _grouped_in_the_database(counts, cases, now)
    _outcomes(counts, cases)
    _appeals(counts, cases)
    return counts, _row_by_row(counts, cases)


def _grouped_in_the_database(counts: _Counts, cases: QuerySet[Complaint], now: datetime) -> None:
    _grouped(counts, _by_month(cases, F("status")), Dimension.STATUS)
    _grouped(counts, _by_month(cases, F("complainant__residence_status")), Dimension.RESIDENCE)
    through = Complaint.categories.through.objects.filter(complaint__consent_anonymised_use=True)
    _grouped(
        counts,
        _by_month(through, F("violationcategory__code"), prefix="complaint__"),
        Dimension.CATEGORY,
    )
    groups = (
        through.annotate(month=TruncMonth("complaint__submitted_at"))
        .values(
            "month", country=F("complaint__incident_country"), value=F("violationcategory__group")
        )
        .annotate(n=Count("complaint_id", distinct=True))
        .order_by()
    )
    _grouped(counts, groups, Dimension.GROUP)
    overdue = cases.filter(status__in=WITH_THE_COMMITTEE, due_at__lt=now)
    _grouped(counts, _by_month(overdue, F("urgency")), Dimension.OVERDUE)


def _row_by_row(counts: _Counts, cases: QuerySet[Complaint]) -> int:
    """What SQL cannot group portably (a JSON list, durations between two moments), a row at a
    time through one cursor; returns the complaints counted."""
    total = 0
    for filed, country, perpetrators, triaged, decided in _first_moves(cases).iterator(
        chunk_size=5000
    ):
        total += 1
        counts.add(filed, country, Dimension.TOTAL, "")
        for code in perpetrators or []:
            counts.add(filed, country, Dimension.PERPETRATOR, code)
        for dimension, end in [
            (Dimension.DAYS_TO_TRIAGE, triaged),
            (Dimension.DAYS_TO_DECISION, decided),
        ]:
            if (days := _days(filed, end)) is not None:
                counts.add(filed, country, dimension, days)
    return total


def _outcomes(counts: _Counts, cases: QuerySet[Complaint]) -> None:
    latest = Decision.objects.filter(complaint=OuterRef("pk")).order_by("-adopted_at", "-pk")
    decided = cases.annotate(
        kind=Subquery(latest.values("kind")[:1]), outcome=Subquery(latest.values("outcome")[:1])
    ).filter(kind__isnull=False)
    # A decision on the facts by its outcome; one not to accept the complaint by its kind.
    result = Case(When(outcome="", then=F("kind")), default=F("outcome"))
    _grouped(counts, _by_month(decided, result), Dimension.OUTCOME)


def _appeals(counts: _Counts, cases: QuerySet[Complaint]) -> None:
    appeals = Appeal.objects.filter(complaint__in=cases).values_list(
        "complaint__submitted_at",
        "complaint__incident_country",
        "lodged_at",
        "judgment__result",
        "judgment__decided_at",
    )
    for filed, country, lodged, result, decided in appeals.iterator(chunk_size=5000):
        counts.add(filed, country, Dimension.APPEAL, "lodged")
        if result:
            counts.add(filed, country, Dimension.APPEAL, result)
            counts.add(filed, country, Dimension.DAYS_TO_APPEAL_DECISION, _days(lodged, decided))


# --- reading them --------------------------------------------------------------------------------


@dataclass
class Figures:
    """The kept counts within a period and a country, summed."""

    refreshed: StatisticsRefresh | None
    by: dict[str, Counter] = field(default_factory=dict)  # dimension -> value -> count
    months: Counter = field(default_factory=Counter)  # month -> complaints filed
    countries: Counter = field(default_factory=Counter)  # country -> complaints filed

    def of(self, dimension: Dimension) -> Counter:
        return self.by.get(dimension, Counter())

    def median_days(self, dimension: Dimension) -> int | None:
        return median({int(value): n for value, n in self.of(dimension).items()})


LATEST_KEY = "statistics:latest"


def latest_refresh() -> StatisticsRefresh | None:
    """The latest computation of the figures, from the cache where the refresh left it (a
    query saved on every statistics page), or from the table."""
    latest = cache.get(LATEST_KEY)
    if latest is None:
        latest = StatisticsRefresh.objects.order_by("-at", "-pk").first()
        if latest is not None:
            cache.set(LATEST_KEY, latest, 3600)
    return latest


def countries_counted(refreshed: StatisticsRefresh | None) -> list[str]:
    """The countries of the events the kept counts name, for the filter; kept in the cache
    with the computation they come from."""

    def read() -> list[str]:
        rows = Tally.objects.filter(dimension=Dimension.TOTAL).exclude(country=ALL_COUNTRIES)
        return sorted(set(rows.values_list("country", flat=True)))

    key = f"statistics-countries:{refreshed.pk if refreshed else 0}"
    return cache.get_or_set(key, read, 2 * 3600)


def figures(
    *,
    start: date | None,
    end: date | None,
    country: str = "",
    refreshed: StatisticsRefresh | None = None,
) -> Figures:
    """Two queries on the kept counts: every dimension summed, and complaints per month and
    country (the country list of the filter)."""
    result = Figures(refreshed=refreshed or latest_refresh())
    rows = Tally.objects.all()
    if start:
        rows = rows.filter(month__gte=start)
    if end:
        rows = rows.filter(month__lte=end)
    chosen = rows.filter(country=country if country else ALL_COUNTRIES)
    for row in chosen.values("dimension", "value").annotate(n=Sum("count")).order_by():
        result.by.setdefault(row["dimension"], Counter())[row["value"]] = row["n"]
    totals = rows.filter(dimension=Dimension.TOTAL).values("month", "country")
    for row in totals.annotate(n=Sum("count")).order_by():
        if row["country"] == ALL_COUNTRIES:
            if not country:
                result.months[row["month"]] += row["n"]
        else:
            result.countries[row["country"]] += row["n"]
            if country and row["country"] == country:
                result.months[row["month"]] += row["n"]
    return result


# --- the public page -----------------------------------------------------------------------------

PUBLIC_CACHE_SECONDS = 600

# The public page tells where complaints stand in five stages, not the Committee's ten statuses.
STAGES = {
    Status.RECEIVED: "considered",
    Status.TRIAGE: "considered",
    Status.AWAITING_COMPLAINANT: "considered",
    Status.EXAMINATION: "considered",
    Status.INADMISSIBLE: "not_accepted",
    Status.DECIDED: "decided",
    Status.CLOSED: "decided",
    Status.APPEALED: "appeal",
    Status.APPEAL_DECIDED: "appeal",
    Status.WITHDRAWN: "withdrawn",
}
PUBLIC_DIMENSIONS = [Dimension.GROUP, Dimension.RESIDENCE, Dimension.STATUS]


@dataclass
class PublicFigures:
    refreshed_at: datetime | None
    years: list[int]
    totals: dict[int, int | Hidden]  # year -> complaints
    tables: dict[str, dict[int, dict[str, int | Hidden]]]  # dimension -> year -> value -> n
    countries: dict[int, dict[str, int | Hidden]]  # year -> country -> n ("" other countries)


def public_figures(*, today: date | None = None) -> PublicFigures:
    """What the transparency page shows: the years that have ended, kept in the cache for a
    few minutes (it changes only when the figures are computed again, or a year ends).

    Only ended years: figures of the year under way, computed again every hour, would let
    whoever compares two versions read off the complaints that arrived in between."""
    this_year = (today or timezone.localdate()).year
    refreshed = latest_refresh()
    key = f"transparency:{refreshed.pk if refreshed else 0}:{this_year}"
    return cache.get_or_set(
        key, lambda: _public_figures(refreshed, this_year), PUBLIC_CACHE_SECONDS
    )


# Every value a public table lists, with or without complaints: a row that appeared only
# once someone filed would tell that someone did.
PUBLIC_VALUES = {
    Dimension.GROUP: list(ViolationGroup.values),
    Dimension.RESIDENCE: [*ResidenceStatus.values, ""],
    Dimension.STATUS: list(dict.fromkeys(STAGES.values())),
}


def _public_figures(refreshed: StatisticsRefresh | None, this_year: int) -> PublicFigures:
    wanted = [Dimension.TOTAL, *PUBLIC_DIMENSIONS]
    rows = Tally.objects.filter(dimension__in=wanted, month__lt=date(this_year, 1, 1))
    by_year: dict[tuple, int] = Counter()
    for row in rows.values("month", "country", "dimension", "value").annotate(n=Sum("count")):
        value = row["value"]
        if row["dimension"] == Dimension.STATUS:
            value = STAGES.get(value, value)
        by_year[(row["month"].year, row["country"], row["dimension"], value)] += row["n"]
    years = sorted({year for year, *_rest in by_year})
    totals = {y: by_year[(y, ALL_COUNTRIES, Dimension.TOTAL, "")] for y in years}
    tables = {
        dimension: {year: suppressed(_row(by_year, year, dimension)) for year in years}
        for dimension in PUBLIC_DIMENSIONS
    }
    return PublicFigures(
        refreshed_at=refreshed.at if refreshed else None,
        years=years,
        totals={year: total_shown(n) for year, n in totals.items()},
        tables=tables,
        countries={year: suppressed(_countries(by_year, year, totals[year])) for year in years},
    )


def _row(by_year: dict, year: int, dimension: Dimension) -> dict[str, int]:
    return {
        value: by_year.get((year, ALL_COUNTRIES, dimension, value), 0)
        for value in PUBLIC_VALUES[dimension]
    }


def _countries(by_year: dict, year: int, total: int) -> dict[str, int]:
    """Each country of the events with 5 or more complaints over the years shown, in every
    year; the others, and complaints that name no country, together as "" (a rare country
    could point to a person)."""
    overall: Counter = Counter()
    for (_y, country, d, _v), n in by_year.items():
        if d == Dimension.TOTAL and country != ALL_COUNTRIES:
            overall[country] += n
    named = {c for c, n in overall.items() if c and n >= THRESHOLD}
    row = {
        country: by_year.get((year, country, Dimension.TOTAL, ""), 0) for country in sorted(named)
    }
    row[""] = total - sum(row.values())
    return row
