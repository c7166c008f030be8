"""Case-list exports: one column list per level, streamed in constant memory, recorded.

An export is exactly the admin case list the exporter sees, with its filters and search
(`changelist_of`), at one of three levels, each a permission: the case list (structured fields
only), with the facts and decisions, with identities (for a stated purpose). The rows are read
with one query through a server-side cursor, as plain values (categories, the latest decision
and the appeal's outcome joined in as subqueries, so the query count does not grow with the
rows), and written out as they arrive. Every cell a spreadsheet would run as a formula is
neutralised. The record (ExportRecord) is written before the first byte and its end
(ExportEnd: rows and sha256) when the last byte has gone or the download was cut off.
"""

import csv
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR, ChangeList
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.db import connection, models, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from complaints import crypto
from complaints.fields import field_context
from complaints.models import (
    CASE_TEXTS,
    AgeGroup,
    Appeal,
    AppealJudgment,
    AppealResult,
    Authority,
    Channel,
    Complaint,
    ContactChannel,
    Decision,
    DecisionKind,
    InadmissibilityGround,
    NoRemedyReason,
    OtherProcedure,
    Outcome,
    Perpetrator,
    PreferredLanguage,
    Relationship,
    RemediesTried,
    ResidenceStatus,
    Sex,
    Situation,
    Status,
    Urgency,
    Victim,
    ViolationCategory,
)
from monitoring.models import (
    AccessAction,
    AccessEvent,
    ExportEnd,
    ExportFormat,
    ExportLevel,
    ExportOutcome,
    ExportRecord,
    ExportSource,
)

# What each level needs, besides being able to see the case list at all.
LEVEL_PERMISSIONS = {
    ExportLevel.CASE_LIST: ["monitoring.export_case_list"],
    ExportLevel.NARRATIVE: [
        "monitoring.export_case_list",
        "monitoring.export_narrative",
        "complaints.view_case_content",
    ],
    ExportLevel.IDENTITY: [
        "monitoring.export_case_list",
        "monitoring.export_narrative",
        "monitoring.export_identity",
        "complaints.view_case_content",
        "complaints.reveal_identity",
    ],
}

# A spreadsheet runs a cell beginning with one of these as a formula (or, for tab and carriage
# return, may turn it into one when the file is opened and saved again).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CHUNK_ROWS = 2000
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit; the rest goes on the next sheet
XLSX_MAX_CELL = 32_767  # a cell's limit in characters


class ExportRefused(Exception):
    """An export that may not be made, with a message for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def neutralise(value: str) -> str:
    """The text as a spreadsheet shows it, never as a formula it runs: a leading quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def levels_for(user: AbstractBaseUser) -> list[ExportLevel]:
    return [level for level, perms in LEVEL_PERMISSIONS.items() if user.has_perms(perms)]


# --- which cases ---------------------------------------------------------------------------------

# The list's own parameters that are not filters: the page, and the admin's error flag.
NOT_FILTERS = {PAGE_VAR, ERROR_FLAG}


def list_params(params: QueryDict) -> QueryDict:
    kept = params.copy()
    for name in NOT_FILTERS:
        kept.pop(name, None)
    return kept


def changelist_of(model_admin: object, request: HttpRequest) -> ChangeList:
    """The admin case list as `request.GET` filters and searches it, for `request.user`.

    A value that no filter offers (a status that does not exist, a queue the user is not given)
    is refused with a message naming it: the admin would list nothing, and an empty file could
    be taken for "no such cases".
    """
    try:
        changelist = model_admin.get_changelist_instance(request)
    except (IncorrectLookupParameters, SuspiciousOperation) as error:
        raise ExportRefused(
            gettext("The case list has no such filter, or one of its values is not valid.")
        ) from error
    for spec in changelist.filter_specs:
        _check_filter_value(spec, changelist)
    return changelist


def filter_values(spec: object, changelist: ChangeList) -> dict[str, list[str]]:
    """The values the list's query string gives a filter, by parameter; empty if unused."""
    params = changelist.filter_params
    return {name: params[name] for name in spec.expected_parameters() if name in params}


def _check_filter_value(spec: object, changelist: ChangeList) -> None:
    given = filter_values(spec, changelist)
    used = list(given)
    # A date range is any pair of dates (the admin has already refused a date it cannot read).
    if not used or "__gte" in used[0] or "__lt" in used[0]:
        return
    if any(choice["selected"] for choice in spec.choices(changelist)):
        return
    value = ", ".join(str(v) for values in given.values() for v in values)
    raise ExportRefused(
        gettext("The filter “%(filter)s” has no value “%(value)s”.")
        % {"filter": spec.title, "value": value}
    )


def rows_for_level(
    user: AbstractBaseUser, cases: QuerySet[Complaint], level: ExportLevel
) -> QuerySet[Complaint]:
    # The list shows a committee member the cases nobody has been given yet, fields only; their
    # facts go out only for the cases the member works on (monitoring/cases/access.py).
    if level != ExportLevel.CASE_LIST and not user.has_perm("monitoring.view_every_case"):
        cases = cases.filter(rapporteur=user)
    return cases


# --- the values of each row ----------------------------------------------------------------------


class IdList(models.Aggregate):
    """The ids of a group in one text column, "3,17": every row's categories in its own row."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def as_postgresql(self, compiler: object, connection: object, **extra: object) -> tuple:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra,
        )


def _latest(model: type[models.Model], order: str, **fields: str) -> dict[str, Subquery]:
    rows = model.objects.filter(complaint=OuterRef("pk")).order_by(f"-{order}", "-pk")
    return {name: Subquery(rows.values(field)[:1]) for name, field in fields.items()}


def case_list_values(cases: QuerySet[Complaint]) -> QuerySet:
    through = Complaint.categories.through.objects.filter(complaint_id=OuterRef("pk"))
    category_ids = through.values("complaint_id").annotate(ids=IdList("violationcategory_id"))
    return cases.annotate(
        category_ids=Subquery(category_ids.values("ids")),
        **_latest(
            Decision,
            "adopted_at",
            decision_kind="kind",
            decision_ground="ground",
            decision_outcome="outcome",
            decision_at="adopted_at",
            appeal_until="appeal_until",
        ),
        **_latest(Appeal, "lodged_at", appeal_lodged="lodged_at"),
        **_latest(
            AppealJudgment,
            "decided_at",
            appeal_result="result",
            appeal_finding="finding",
            appeal_decided="decided_at",
        ),
        residence_status=F("complainant__residence_status"),
        rapporteur_name=Coalesce(F("rapporteur__username"), models.Value("")),
    )


CASE_LIST_FIELDS = [
    "pk",
    "uid",
    "reference",
    "submitted_at",
    "status",
    "urgency",
    "channel",
    "language",
    "category_ids",
    "incident_country",
    "incident_date",
    "incident_date_precision",
    "perpetrators",
    "is_ongoing",
    "immediate_danger",
    "residence_status",
    "rapporteur_name",
    "due_at",
    "decision_kind",
    "decision_ground",
    "decision_outcome",
    "decision_at",
    "appeal_until",
    "appeal_lodged",
    "appeal_result",
    "appeal_finding",
    "appeal_decided",
    "consent_contact",
    "consent_disclose_identity",
    "consent_anonymised_use",
]


COMPLAINANT_TEXTS = [
    "full_name",
    "organisation_name",
    "contact_details",
    "safe_contact_instructions",
    "unhcr_number",
    "authority_details",
]


def narrative_values(cases: QuerySet[Complaint]) -> QuerySet:
    return case_list_values(cases).annotate(
        **_latest(
            Decision,
            "adopted_at",
            decision_uid="uid",
            decision_reasons="reasons",
            decision_recommendations="recommendations",
        ),
        **_latest(AppealJudgment, "decided_at", judgment_uid="uid", judgment_reasons="reasons"),
    )


def identity_values(cases: QuerySet[Complaint]) -> QuerySet:
    complainant = {f"complainant_{name}": F(f"complainant__{name}") for name in COMPLAINANT_TEXTS}
    plain = {
        f"complainant_{name}": F(f"complainant__{name}")
        for name in [
            "uid",
            "is_anonymous",
            "contact_channel",
            "country_of_residence",
            "nationality",
            "preferred_language",
            "relationship",
            "authority",
        ]
    }
    return narrative_values(cases).annotate(**complainant, **plain)


# --- the cells -----------------------------------------------------------------------------------


class Labels:
    """The exporter's language's words for every coded value, looked up once per export."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.choices: dict[type, dict[str, str]] = {}
        self.categories = {
            category.pk: (category.label(language), str(category.get_group_display()))
            for category in ViolationCategory.objects.all()
        }
        self.yes, self.no = gettext("yes"), gettext("no")
        self.countries = {code: str(name) for code, name in countries}

    def of(self, choices: type[models.TextChoices], value: str | None) -> str:
        if choices not in self.choices:
            self.choices[choices] = {str(v): str(label) for v, label in choices.choices}
        return self.choices[choices].get(value or "", value or "")

    def yes_no(self, value: bool) -> str:
        return self.yes if value else self.no

    def country(self, code: str) -> str:
        return self.countries.get(code, code) if code else ""


def _day(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _when(day: date | None, precision: str) -> str:
    """The date of the events only as precisely as the complainant knew it."""
    if day is None or precision == "unknown":
        return ""
    return {"day": day.isoformat(), "month": day.strftime("%Y-%m"), "year": str(day.year)}[
        precision
    ]


def _open(sealed: str | None, label: str, field: str, uid: object, case_uid: object = None) -> str:
    if sealed is None or uid is None:
        return ""
    return crypto.decrypt_text(sealed, context=field_context(label, field, uid, case_uid))


@dataclass(frozen=True)
class Column:
    header: object  # a lazy translation
    cell: Callable[[dict, Labels], str]
    # The same cell as PostgreSQL writes it for the case-list CSV (monitoring/export_sql.py):
    # the kind of rendering, the fields it reads and the choices it names.
    kind: str = ""
    fields: tuple[str, ...] = ()
    choices: type | None = None


def _categories(row: dict, labels: Labels) -> list[tuple[str, str]]:
    ids = [int(i) for i in (row["category_ids"] or "").split(",") if i]
    return sorted(labels.categories[i] for i in ids if i in labels.categories)


def text_column(header: object, field: str) -> Column:
    return Column(header, lambda r, lb: r[field] or "", "text", (field,))


def choice_column(header: object, field: str, choices: type) -> Column:
    return Column(header, lambda r, lb: lb.of(choices, r[field]), "choice", (field,), choices)


def day_column(header: object, field: str) -> Column:
    return Column(header, lambda r, lb: _day(r[field]), "day", (field,))


def yes_no_column(header: object, field: str) -> Column:
    return Column(header, lambda r, lb: lb.yes_no(r[field]), "yes_no", (field,))


CASE_LIST_COLUMNS = [
    text_column(_("reference"), "reference"),
    day_column(_("submitted"), "submitted_at"),
    choice_column(_("status"), "status", Status),
    choice_column(_("urgency"), "urgency", Urgency),
    choice_column(_("received by"), "channel", Channel),
    text_column(_("language of submission"), "language"),
    Column(
        _("violations"),
        lambda r, lb: "; ".join(label for label, _g in _categories(r, lb)),
        "categories",
        ("category_ids",),
    ),
    Column(
        _("right concerned"),
        lambda r, lb: "; ".join(sorted({group for _l, group in _categories(r, lb)})),
        "groups",
        ("category_ids",),
    ),
    Column(
        _("country where it happened"),
        lambda r, lb: lb.country(r["incident_country"]),
        "country",
        ("incident_country",),
    ),
    Column(
        _("when it happened"),
        lambda r, lb: _when(r["incident_date"], r["incident_date_precision"]),
        "when",
        ("incident_date", "incident_date_precision"),
    ),
    Column(
        _("who did it"),
        lambda r, lb: "; ".join(lb.of(Perpetrator, code) for code in r["perpetrators"] or []),
        "list",
        ("perpetrators",),
        Perpetrator,
    ),
    yes_no_column(_("still going on"), "is_ongoing"),
    yes_no_column(_("someone is in immediate danger"), "immediate_danger"),
    choice_column(_("complainant's residence status"), "residence_status", ResidenceStatus),
    text_column(_("rapporteur"), "rapporteur_name"),
    day_column(_("next step due"), "due_at"),
    choice_column(_("decision"), "decision_kind", DecisionKind),
    choice_column(_("why it was not accepted"), "decision_ground", InadmissibilityGround),
    choice_column(_("outcome"), "decision_outcome", Outcome),
    day_column(_("decided"), "decision_at"),
    day_column(_("may be appealed until"), "appeal_until"),
    day_column(_("appeal lodged"), "appeal_lodged"),
    choice_column(_("appeal decision"), "appeal_result", AppealResult),
    choice_column(_("the Appeal Body's finding"), "appeal_finding", Outcome),
    day_column(_("appeal decided"), "appeal_decided"),
    yes_no_column(_("may be contacted"), "consent_contact"),
    yes_no_column(_("identity may be disclosed"), "consent_disclose_identity"),
    yes_no_column(_("may be used in statistics"), "consent_anonymised_use"),
]

C = "complaints.complaint"


def _text(field: str) -> Callable[[dict, Labels], str]:
    return lambda r, lb: _open(r[field], C, field, r["uid"])


NARRATIVE_COLUMNS = [
    *CASE_LIST_COLUMNS,
    Column(_("place"), _text("incident_place")),
    Column(_("what happened, in order"), _text("narrative")),
    Column(_("about the danger"), _text("danger_details")),
    Column(_("domestic remedies tried"), lambda r, lb: lb.of(RemediesTried, r["remedies_tried"])),
    Column(_("remedies tried and their outcome"), _text("remedies_details")),
    Column(
        _("why no remedy was tried"),
        lambda r, lb: "; ".join(lb.of(NoRemedyReason, c) for c in r["no_remedy_reasons"] or []),
    ),
    Column(_("more about why not"), _text("no_remedy_details")),
    Column(
        _("other international body seized"),
        lambda r, lb: lb.of(OtherProcedure, r["other_procedure"]),
    ),
    Column(_("which body, and where it stands"), _text("other_procedure_details")),
    Column(_("remedy sought"), _text("remedy_sought")),
    Column(_("protective measures sought"), _text("protective_measures")),
    Column(
        _("reasons for the decision"),
        lambda r, lb: _open(
            r["decision_reasons"], "complaints.decision", "reasons", r["decision_uid"], r["uid"]
        ),
    ),
    Column(
        _("recommendations"),
        lambda r, lb: _open(
            r["decision_recommendations"],
            "complaints.decision",
            "recommendations",
            r["decision_uid"],
            r["uid"],
        ),
    ),
    Column(
        _("reasons for the appeal decision"),
        lambda r, lb: _open(
            r["judgment_reasons"],
            "complaints.appealjudgment",
            "reasons",
            r["judgment_uid"],
            r["uid"],
        ),
    ),
]


def _who(field: str) -> Callable[[dict, Labels], str]:
    return lambda r, lb: _open(
        r[f"complainant_{field}"], "complaints.complainant", field, r["complainant_uid"]
    )


def _contact(cell: Callable[[dict, Labels], str]) -> Callable[[dict, Labels], str]:
    # Whoever no longer agrees to be contacted is not to be reached through a spreadsheet.
    return lambda r, lb: cell(r, lb) if r["consent_contact"] else gettext("(not to be contacted)")


IDENTITY_COLUMNS = [
    *NARRATIVE_COLUMNS,
    Column(_("anonymous"), lambda r, lb: lb.yes_no(r["complainant_is_anonymous"])),
    Column(_("name"), _who("full_name")),
    Column(_("organisation"), _who("organisation_name")),
    Column(
        _("contact channel"),
        _contact(lambda r, lb: lb.of(ContactChannel, r["complainant_contact_channel"])),
    ),
    Column(_("contact details"), _contact(_who("contact_details"))),
    Column(_("safe-contact instructions"), _contact(_who("safe_contact_instructions"))),
    Column(
        _("country of residence"),
        lambda r, lb: lb.country(r["complainant_country_of_residence"]),
    ),
    Column(_("nationality"), lambda r, lb: lb.country(r["complainant_nationality"])),
    Column(_("UNHCR registration number"), _who("unhcr_number")),
    Column(
        _("preferred language"),
        lambda r, lb: lb.of(PreferredLanguage, r["complainant_preferred_language"]),
    ),
    Column(
        _("relationship to the victims"),
        lambda r, lb: lb.of(Relationship, r["complainant_relationship"]),
    ),
    Column(_("authority to act"), lambda r, lb: lb.of(Authority, r["complainant_authority"])),
    Column(_("about the authority to act"), _who("authority_details")),
    Column(_("victims"), lambda r, lb: r["victims"]),
]

COLUMNS = {
    ExportLevel.CASE_LIST: CASE_LIST_COLUMNS,
    ExportLevel.NARRATIVE: NARRATIVE_COLUMNS,
    ExportLevel.IDENTITY: IDENTITY_COLUMNS,
}

VALUES = {
    ExportLevel.CASE_LIST: (case_list_values, CASE_LIST_FIELDS),
    ExportLevel.NARRATIVE: (
        narrative_values,
        [
            *CASE_LIST_FIELDS,
            *CASE_TEXTS,
            "remedies_tried",
            "no_remedy_reasons",
            "other_procedure",
            "decision_uid",
            "decision_reasons",
            "decision_recommendations",
            "judgment_uid",
            "judgment_reasons",
        ],
    ),
}
VALUES[ExportLevel.IDENTITY] = (
    identity_values,
    [
        *VALUES[ExportLevel.NARRATIVE][1],
        "complainant_uid",
        "complainant_is_anonymous",
        "complainant_contact_channel",
        "complainant_country_of_residence",
        "complainant_nationality",
        "complainant_preferred_language",
        "complainant_relationship",
        "complainant_authority",
        *(f"complainant_{name}" for name in COMPLAINANT_TEXTS),
    ],
)


def headers(level: ExportLevel) -> list[str]:
    return [str(column.header) for column in COLUMNS[level]]


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _victims_of(batch: list[dict], labels: Labels) -> None:
    """Each case's victims in one cell, for a chunk of rows: one query per chunk."""
    case_uids = {row["pk"]: row["uid"] for row in batch}
    found: dict[int, list[str]] = {pk: [] for pk in case_uids}
    victims = Victim.objects.filter(complaint_id__in=case_uids).order_by("complaint_id", "position")
    for v in victims.values(
        "complaint_id", "uid", "position", "name", "sex", "age_group", "situation"
    ):
        name = _open(v["name"], "complaints.victim", "name", v["uid"], case_uids[v["complaint_id"]])
        facts = ", ".join(
            [
                labels.of(Sex, v["sex"]),
                labels.of(AgeGroup, v["age_group"]),
                labels.of(Situation, v["situation"]),
            ]
        )
        found[v["complaint_id"]].append(f"{v['position']}. {name or '—'} ({facts})")
    for row in batch:
        row["victims"] = "\n".join(found[row["pk"]])


def export_rows(
    cases: QuerySet[Complaint], level: ExportLevel, *, language: str
) -> Iterator[list[str]]:
    """Each case as its level's cells, neutralised, read through one server-side cursor."""
    annotate, fields = VALUES[level]
    labels = Labels(language)
    columns = COLUMNS[level]
    rows = annotate(cases).values(*fields).iterator(chunk_size=CHUNK_ROWS)
    try:
        for batch in _batches(rows, CHUNK_ROWS):
            if level == ExportLevel.IDENTITY:
                _victims_of(batch, labels)
            for row in batch:
                yield [neutralise(column.cell(row, labels)) for column in columns]
    finally:
        rows.close()  # the cursor, now, even when the download is cut off


# --- the files -----------------------------------------------------------------------------------


class _Line:
    """What csv.writer writes, kept until it is taken."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def csv_header(header: list[str]) -> bytes:
    # The byte-order mark makes Excel read UTF-8 (accents, Kinyarwanda) rather than a code page.
    buffer = _Line()
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerow(header)
    return "\ufeff".encode() + buffer.take().encode()


def csv_chunks(header: list[str], rows: Iterator[list[str]]) -> Iterator[bytes]:
    # Every cell quoted: the same bytes as PostgreSQL writes them (monitoring/export_sql.py).
    yield csv_header(header)
    buffer = _Line()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    for batch in _batches(rows, CHUNK_ROWS // 4):
        writer.writerows(batch)
        yield buffer.take().encode()


def xlsx_chunks(header: list[str], rows: Iterator[list[str]]) -> Iterator[bytes]:
    """The workbook, built in a private temporary directory (XlsxWriter keeps one row at a time
    in memory) and then read out; the directory is removed however the download ends."""
    with tempfile.TemporaryDirectory(prefix="export-") as directory:
        path = Path(directory) / "export.xlsx"
        options = {
            "constant_memory": True,
            "tmpdir": directory,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        }
        workbook = xlsxwriter.Workbook(str(path), options)
        try:
            _xlsx_fill(workbook, header, rows)
        finally:
            workbook.close()
        with path.open("rb") as built:
            while chunk := built.read(64 * 1024):
                yield chunk


def _xlsx_fill(workbook: object, header: list[str], rows: Iterator[list[str]]) -> None:
    sheet, line = None, XLSX_MAX_ROWS
    for row in rows:
        if line == XLSX_MAX_ROWS:
            sheet, line = workbook.add_worksheet(), 1
            sheet.write_row(0, 0, header)
        cells = [c if len(c) <= XLSX_MAX_CELL else c[: XLSX_MAX_CELL - 40] + " […]" for c in row]
        for column, cell in enumerate(cells):
            sheet.write_string(line, column, cell)
        line += 1
    if sheet is None:
        workbook.add_worksheet().write_row(0, 0, header)


WRITERS = {ExportFormat.CSV: csv_chunks, ExportFormat.XLSX: xlsx_chunks}
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- the record ----------------------------------------------------------------------------------


def export_start(
    *,
    by: AbstractBaseUser,
    level: ExportLevel,
    file_format: ExportFormat,
    source: ExportSource,
    filters: str,
    purpose: str,
) -> ExportRecord:
    """Record an export about to be made; refused without the level's permissions, and for
    identities without a purpose."""
    if not by.is_active or level not in levels_for(by):
        raise ExportRefused(gettext("You may not export the case list at this level."))
    purpose = purpose.strip()
    if level == ExportLevel.IDENTITY and not purpose:
        raise ExportRefused(gettext("Say what the identities are exported for."))
    with transaction.atomic():
        record = ExportRecord.objects.create(
            actor=by,
            level=level,
            file_format=file_format,
            source=source,
            filters=filters,
            purpose=purpose,
        )
        AccessEvent.objects.create(
            action=AccessAction.EXPORT,
            actor=by,
            reason=_access_reason(record),
        )
    return record


@dataclass
class _Made:
    """What an export has made so far: rows, and at the identity level whose they were."""

    rows: int = 0
    references: list[str] | None = None


class ExportStream:
    """The file's bytes as they are made, for a streaming response; the export's end recorded
    when the last byte has gone, or, with the rows made so far, when the download is cut off,
    even before its first byte (the response closes what it streams)."""

    def __init__(self, *, record: ExportRecord, cases: QuerySet[Complaint], language: str) -> None:
        self.record = record
        identity = record.level == ExportLevel.IDENTITY
        self.made = _Made(references=[] if identity else None)
        self.digest = hashlib.sha256()
        self.chunks = _chunks(record, cases, language, self.made)
        self.complete = self.ended = False

    def __iter__(self) -> "ExportStream":
        return self

    def __next__(self) -> bytes:
        try:
            chunk = next(self.chunks)
        except StopIteration:
            self.complete = True
            self.close()
            raise
        self.digest.update(chunk)
        return chunk

    def close(self) -> None:
        if self.ended:
            return
        self.ended = True
        self.chunks.close()  # and with it the cursor and the transaction
        _export_end(self.record, self.made, self.digest.hexdigest() if self.complete else None)


def _access_reason(record: ExportRecord) -> str:
    """What the access records say of an export: its level, its record, its purpose."""
    return f"{record.get_level_display()} ({record.uid}): {record.purpose}".strip(": ")


def export_stream(
    *, record: ExportRecord, cases: QuerySet[Complaint], language: str
) -> ExportStream:
    return ExportStream(record=record, cases=cases, language=language)


def _export_end(record: ExportRecord, made: _Made, sha256: str | None) -> None:
    """After the export's transaction: recorded whatever became of the download."""
    with transaction.atomic():
        ExportEnd.objects.create(
            record=record,
            outcome=ExportOutcome.COMPLETE if sha256 else ExportOutcome.INTERRUPTED,
            row_count=made.rows,
            sha256=sha256 or "",
        )
        # Whoever asks who saw a complainant's identity finds the exports that held it too.
        AccessEvent.objects.bulk_create(
            [
                AccessEvent(
                    action=AccessAction.EXPORT,
                    actor=record.actor,
                    complaint_reference=reference,
                    reason=_access_reason(record),
                    at=record.at,
                )
                for reference in made.references or []
            ],
            batch_size=1000,
        )


def written_by_the_database(level: ExportLevel, file_format: ExportFormat) -> bool:
    """Whether PostgreSQL writes the lines (monitoring/export_sql.py): the case-list CSV."""
    return (
        connection.vendor == "postgresql"
        and level == ExportLevel.CASE_LIST
        and file_format == ExportFormat.CSV
    )


# A download may pause (a slow connection, a laptop's sleep); its transaction waits this long
# for the next read before PostgreSQL ends it, instead of the twice-the-statement-timeout that
# every other idle transaction gets.
EXPORT_IDLE = "10min"


def _chunks(
    record: ExportRecord, cases: QuerySet[Complaint], language: str, made: _Made
) -> Iterator[bytes]:
    # One transaction for the whole file: PostgreSQL then sends the rows as they are read. In
    # autocommit a server-side cursor is declared WITH HOLD, and PostgreSQL computes and stores
    # the whole result before the first row (a million rows: longer than the statement timeout).
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                    [EXPORT_IDLE],
                )
        yield from _file(record, cases, language, made)


def _file(
    record: ExportRecord, cases: QuerySet[Complaint], language: str, made: _Made
) -> Iterator[bytes]:
    level, file_format = ExportLevel(record.level), ExportFormat(record.file_format)
    if written_by_the_database(level, file_format):
        from monitoring.export_sql import case_list_lines

        yield csv_header(headers(level))
        lines = case_list_lines(cases, language=language, chunk_rows=CHUNK_ROWS)
        try:
            for chunk in lines:
                made.rows += len(chunk)
                yield b"\r\n".join(chunk) + b"\r\n"
        finally:
            lines.close()
        return
    counted = _Counter(export_rows(cases, level, language=language), made)
    try:
        yield from WRITERS[file_format](headers(level), counted)
    finally:
        counted.close()


class _Counter:
    """The rows on their way to the writer, counted (and at the identity level, whose)."""

    def __init__(self, rows: Iterator[list[str]], made: _Made) -> None:
        self.rows, self.made = rows, made

    def __iter__(self) -> "_Counter":
        return self

    def __next__(self) -> list[str]:
        row = next(self.rows)
        self.made.rows += 1
        if self.made.references is not None:
            self.made.references.append(row[0])  # the reference: never neutralised
        return row

    def close(self) -> None:
        self.rows.close()


def export_filename(record: ExportRecord) -> str:
    stamp = timezone.localtime(record.at).strftime("%Y%m%d-%H%M")
    return f"cases-{record.level}-{stamp}.{record.file_format}"
