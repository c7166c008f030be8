"""The statistics pages: the staff's, with charts and CSV, and the public transparency page.

Both read the kept counts (monitoring/statistics.py), never the complaint table.
"""

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from complaints.models import (
    AppealResult,
    DecisionKind,
    Outcome,
    Perpetrator,
    ResidenceStatus,
    Status,
    Urgency,
    ViolationCategory,
    ViolationGroup,
)
from monitoring.charts import bar_chart, column_chart
from monitoring.exports import neutralise
from monitoring.models import Dimension
from monitoring.statistics import (
    Figures,
    countries_counted,
    figures,
    latest_refresh,
    public_figures,
)

# --- the staff's page ----------------------------------------------------------------------------


class StatisticsFilter(forms.Form):
    start = forms.CharField(
        label=_("From (month)"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    end = forms.CharField(
        label=_("To (month)"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"}),
    )
    country = forms.ChoiceField(label=_("Country of the events"), required=False)

    def __init__(self, *args: object, codes: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The countries the figures have, not all 250: the page draws one option for each.
        named = sorted(((code, countries.name(code)) for code in codes if code), key=lambda c: c[1])
        self.fields["country"].choices = [("", _("Every country")), *named]

    def _month(self, name: str) -> date | None:
        typed = self.cleaned_data.get(name, "").strip()
        if not typed:
            return None
        try:
            year, month = (int(part) for part in typed.split("-"))
            return date(year, month, 1)
        except ValueError as error:
            raise forms.ValidationError(
                _("Write the month as year and month: 2026-03."), code="month"
            ) from error

    def clean_start(self) -> date | None:
        return self._month("start")

    def clean_end(self) -> date | None:
        return self._month("end")

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last month comes before the first."))
        return cleaned


@dataclass
class Chart:
    slug: str
    title: str
    rows: list[tuple[str, int]]
    svg: SafeString
    header: str
    drawn: int  # how many rows the chart draws: the table lists them all

    @property
    def more(self) -> int:
        return len(self.rows) - self.drawn


def _labelled(counts: Counter, labels: dict) -> list[tuple[str, int]]:
    rows = [
        (str(labels.get(value, value)) if value else gettext("Not stated"), n)
        for value, n in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


# A chart draws the longest bars; its table lists every row.
CHART_BARS = 20


@dataclass(frozen=True)
class Breakdown:
    slug: str
    title: object
    header: object  # of the table's first column
    dimension: Dimension | None  # None: by country
    labels: object  # a callable giving the labels of the dimension's values


BREAKDOWNS = [
    Breakdown(
        "category",
        _("By violation"),
        _("violation"),
        Dimension.CATEGORY,
        lambda: {c.code: c.label(get_language() or "en") for c in ViolationCategory.objects.all()},
    ),
    Breakdown(
        "group",
        _("By right concerned"),
        _("right concerned"),
        Dimension.GROUP,
        lambda: dict(ViolationGroup.choices),
    ),
    Breakdown(
        "country", _("By country of the events"), _("country"), None, lambda: dict(countries)
    ),
    Breakdown(
        "residence",
        _("By where the complainant lives"),
        _("residence status"),
        Dimension.RESIDENCE,
        lambda: dict(ResidenceStatus.choices),
    ),
    Breakdown(
        "perpetrator",
        _("By who did it"),
        _("who did it"),
        Dimension.PERPETRATOR,
        lambda: dict(Perpetrator.choices),
    ),
    Breakdown(
        "status", _("By status"), _("status"), Dimension.STATUS, lambda: dict(Status.choices)
    ),
    Breakdown(
        "outcome",
        _("By decision"),
        _("decision"),
        Dimension.OUTCOME,
        lambda: {
            **dict(Outcome.choices),
            DecisionKind.INADMISSIBLE: DecisionKind.INADMISSIBLE.label,
        },
    ),
    Breakdown(
        "appeal",
        _("Appeals and their outcome"),
        _("appeal"),
        Dimension.APPEAL,
        lambda: {"lodged": gettext("Appeals lodged"), **dict(AppealResult.choices)},
    ),
    Breakdown(
        "overdue",
        _("Overdue when the figures were computed"),
        _("urgency"),
        Dimension.OVERDUE,
        lambda: dict(Urgency.choices),
    ),
]


def _charts(shown: Figures) -> list[Chart]:
    months = [(f"{m:%Y-%m}", n) for m, n in sorted(shown.months.items())]
    title = str(_("Complaints per month"))
    charts = [
        Chart(
            "month", title, months, column_chart(months, title=title), str(_("month")), len(months)
        )
    ]
    for each in BREAKDOWNS:
        counts = shown.countries if each.dimension is None else shown.of(each.dimension)
        rows = _labelled(counts, each.labels())
        drawn = rows[:CHART_BARS]
        svg = bar_chart(drawn, title=str(each.title))
        charts.append(Chart(each.slug, str(each.title), rows, svg, str(each.header), len(drawn)))
    return charts


# The page of one set of filters, kept until the figures are computed again (its key names
# the computation): the kept counts of a million complaints are tens of thousands of rows.
PAGE_CACHE_SECONDS = 2 * 3600


def staff_statistics(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("monitoring.view_statistics"):
        raise PermissionDenied
    refreshed = latest_refresh()
    form = StatisticsFilter(request.GET or None, codes=countries_counted(refreshed))
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = {"start": chosen.get("start"), "end": chosen.get("end")}
    country = chosen.get("country", "")
    if "csv" in request.GET and not form.errors:
        charts = _charts(figures(**period, country=country))
        chart = next((c for c in charts if c.slug == request.GET["csv"]), None)
        if chart is not None:
            return _csv(chart)
    key = ":".join(
        str(part)
        for part in [
            "statistics",
            refreshed.pk if refreshed else 0,
            get_language(),
            *period.values(),
            country,
        ]
    )
    # The filters' form is part of what is kept: with no error it shows only the filters.
    body = None if form.errors else cache.get(key)
    if body is None:
        body = _body(request, form, figures(**period, country=country, refreshed=refreshed))
        if not form.errors:
            cache.set(key, body, PAGE_CACHE_SECONDS)
    context = {**admin.site.each_context(request), "title": _("Statistics"), "body": body}
    return render(request, "monitoring/statistics.html", context)


def _body(request: HttpRequest, form: StatisticsFilter, shown: Figures) -> str:
    medians = [
        (_("Days to triage"), shown.median_days(Dimension.DAYS_TO_TRIAGE)),
        (_("Days to decision"), shown.median_days(Dimension.DAYS_TO_DECISION)),
        (
            _("Days from appeal to its decision"),
            shown.median_days(Dimension.DAYS_TO_APPEAL_DECISION),
        ),
    ]
    context = {
        "form": form,
        "figures": shown,
        "total": sum(shown.months.values()),
        "charts": _charts(shown),
        "medians": medians,
        "query": _without_csv(request),
    }
    return render_to_string("monitoring/_statistics_body.html", context, request=request)


def _without_csv(request: HttpRequest) -> str:
    kept = request.GET.copy()
    kept.pop("csv", None)
    return kept.urlencode()


def _csv(chart: Chart) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{chart.slug}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([neutralise(chart.header), neutralise(gettext("complaints"))])
    writer.writerows([neutralise(label), n] for label, n in chart.rows)
    return response


# --- the public page -----------------------------------------------------------------------------


def _label_rows(table: dict, year: int, labels: dict) -> list[tuple[str, object]]:
    """One row per value the labels name that the year has, in the labels' order."""
    return [(label, table[year][value]) for value, label in labels.items() if value in table[year]]


def _year_chosen(request: HttpRequest, years: list[int]) -> int | None:
    typed = request.GET.get("year", "")
    chosen = int(typed) if len(typed) == 4 and typed.isascii() and typed.isdecimal() else None
    return chosen if chosen in years else (years[-1] if years else None)


def transparency(request: HttpRequest) -> HttpResponse:
    """The public figures, in the visitor's language, from the kept counts (cached); one year
    at a time, so that a table is two columns wide on a phone."""
    shown = public_figures()
    year = _year_chosen(request, shown.years)
    context = {"figures": shown, "year": year, "totals": list(shown.totals.items())}
    if year is not None:
        context["tables"] = _public_tables(shown, year)
    return render(request, "monitoring/transparency.html", context)


def _public_tables(shown: object, year: int) -> list[tuple[str, list]]:
    stages = {
        "considered": _("Being considered"),
        "not_accepted": _("Not accepted"),
        "decided": _("Decided"),
        "appeal": _("Before the Appeal Body, or decided on appeal"),
        "withdrawn": _("Withdrawn"),
    }
    residence = {**dict(ResidenceStatus.choices), "": _("Not stated")}
    named = sorted((c for c in shown.countries[year] if c), key=countries.name)
    places = {
        **{code: countries.name(code) for code in named},
        "": _("Other countries, or not stated"),
    }
    groups = dict(ViolationGroup.choices)
    return [
        (
            _("Where the people who filed live"),
            _label_rows(shown.tables[Dimension.RESIDENCE], year, residence),
        ),
        (_("Where the events took place"), _label_rows(shown.countries, year, places)),
        (_("The rights concerned"), _label_rows(shown.tables[Dimension.GROUP], year, groups)),
        (
            _("Where the complaints stand"),
            _label_rows(shown.tables[Dimension.STATUS], year, stages),
        ),
    ]
