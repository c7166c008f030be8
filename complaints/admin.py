"""What staff see of what arrives: a read-only view of every complaint.

The complainant's identity and contact data are left out of these pages on purpose; the
explicit, logged reveal comes with the committee's workflow.
"""

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from complaints.models import (
    CASE_TEXTS,
    Complaint,
    DeletedCase,
    Evidence,
    Message,
    Status,
    StatusChange,
    Urgency,
    Victim,
    ViolationCategory,
    ViolationGroup,
)
from complaints.paginators import EstimatedCountPaginator
from complaints.selectors import complaints_by_reference


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record that staff may read, never add, change or delete through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row's encrypted values are bound to its case's uid: joined, not one query a row.
        return super().get_queryset(request).select_related("complaint")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class VictimInline(ReadOnlyInline):
    model = Victim
    # No names here: a self-filer's person 1 is the complainant. Names come with the reveal.
    fields = ["position", "is_complainant", "sex", "age_group", "situation"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = [
        "kind",
        "content_type",
        "description",
        "size",
        "sha256",
        "metadata_stripped",
        "uploaded_at",
        "download",
    ]
    readonly_fields = ["download"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evidence]:
        # Files sent with an appeal are the Appeal Body's, never the Committee's.
        return super().get_queryset(request).filter(appeal__isnull=True)

    @admin.display(description=_("file"))
    def download(self, evidence: Evidence) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            # Served, and recorded as an access, by monitoring (CaseAdmin.get_urls).
            reverse("admin:complaints_evidence_download", args=[evidence.pk]),
            _("Download"),
        )


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "who", "by_complainant", "reason"]
    readonly_fields = ["who"]

    @admin.display(description=_("by"))
    def who(self, change: StatusChange) -> str:
        # The Appeal Body's decision moves the case: its panel is the Appeal Body's to tell.
        if Status.APPEAL_DECIDED in (change.to_status, change.from_status):
            return _("the Appeal Body")
        return change.by.get_username() if change.by_id else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusChange]:
        return super().get_queryset(request).select_related("by")


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["sent_at", "direction", "body"]


# The languages a complaint may be filed in, by their own names (not codes), all four whatever
# the site offers today.
SITE_LANGUAGES = {"rw": "Kinyarwanda", "fr": "Français", "sw": "Kiswahili", "en": "English"}


class LanguageFilter(admin.SimpleListFilter):
    """The four languages: the default filter would SELECT DISTINCT them from every row."""

    title = _("language of submission")
    parameter_name = "language"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return list(SITE_LANGUAGES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(language=self.value()) if self.value() else queryset


class CategoryGroupFilter(admin.SimpleListFilter):
    """Complaints with a violation in a group, as EXISTS: a join would need DISTINCT over all."""

    title = _("right concerned")
    parameter_name = "group"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return list(ViolationGroup.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        # The group's categories first (a small table), so that each complaint is probed on the
        # (complaint, category) index alone, without a join for every row.
        in_group = ViolationCategory.objects.filter(group=self.value()).values("pk")
        through = Complaint.categories.through.objects.filter(
            complaint_id=OuterRef("pk"), violationcategory_id__in=in_group
        )
        return queryset.filter(Exists(through))


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    # The columns the list reads from the table; "country" shows incident_country by name.
    LIST_FIELDS = ["reference", "status", "urgency", "submitted_at", "incident_country"]
    list_display = [
        "reference",
        "status",
        "urgent",
        "submitted",
        "country",
        "violations",
        "language_name",
    ]  # how it was received: a filter, and on the case page (a column would not fit at 1280 px)
    list_filter = [
        "status",
        "urgency",  # "urgent" is "someone is in immediate danger": one filter, not two
        "channel",
        LanguageFilter,
        "submitted_at",
        CategoryGroupFilter,
    ]
    # A reference, whole or its beginning, typed in any case, with or without "AFR-" and dashes:
    # looked up on the reference's own index (get_search_results), never by scanning the table.
    search_fields = ["reference"]
    search_help_text = _("A reference, or its beginning: AFR-K2Q2-FCFJ, K2Q2, k2q2fc")
    # No date_hierarchy: its drill-down runs SELECT DISTINCT over every row's date.
    show_full_result_count = False  # no second COUNT(*) of the whole table on every page
    show_facets = admin.ShowFacets.NEVER  # "show counts" would count the whole table per filter
    paginator = EstimatedCountPaginator
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "status",
                    "urgency",
                    "channel",
                    "submitted_at",
                    "language_name",
                ]
            },
        ),
        (
            _("What happened"),
            {
                "fields": [
                    "violations",
                    "when",
                    "country",
                    "incident_place",
                    "who_did_it",
                    "narrative",
                    "is_ongoing",
                    "immediate_danger",
                    "danger_details",
                ]
            },
        ),
        (
            _("Admissibility"),
            {
                "fields": [
                    "remedies_tried",
                    "remedies_details",
                    "why_no_remedy",
                    "no_remedy_details",
                    "other_procedure",
                    "other_procedure_details",
                    "remedy_sought",
                    "protective_measures",
                ]
            },
        ),
        (
            _("Consents"),
            {
                "fields": [
                    "consent_processing",
                    "consent_contact",
                    "consent_disclose_identity",
                    "consent_anonymised_use",
                ]
            },
        ),
    ]
    inlines = [VictimInline, EvidenceInline, MessageInline, StatusChangeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Complaint]:
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            # Only the listed columns, never every row's encrypted texts; uid decrypts nothing.
            return queryset.only("uid", "language", *self.LIST_FIELDS).prefetch_related(
                "categories"
            )
        return queryset

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Complaint], search_term: str
    ) -> tuple[QuerySet[Complaint], bool]:
        if not search_term.strip():
            return queryset, False
        return complaints_by_reference(queryset, search_term), False

    @admin.display(description=_("country of events"), ordering="incident_country")
    def country(self, complaint: Complaint) -> str:
        # The name straight from the code: the field's choices would rebuild every country's
        # name, twice for each row.
        return complaint.incident_country.name if complaint.incident_country else "-"

    @admin.display(description=_("urgency"), ordering="urgency")
    def urgent(self, complaint: Complaint) -> str:
        # One short word in the list: the long label widened the column past a 1280 px screen.
        return (
            format_html('<strong class="urgent">{}</strong>', _("Urgent"))
            if (complaint.urgency == Urgency.URGENT)
            else ""
        )

    @admin.display(description=_("language"), ordering="language")
    def language_name(self, complaint: Complaint) -> str:
        return SITE_LANGUAGES.get(complaint.language, complaint.language)

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, complaint: Complaint) -> str:
        # The day is what triage needs; the time is on the case page.
        return date_format(timezone.localtime(complaint.submitted_at), "DATE_FORMAT")

    @admin.display(description=_("violations"))
    def violations(self, complaint: Complaint) -> str:
        # The first, and how many more (all of them when pointed at): full labels for each
        # case would push the last columns off a 1280 px screen.
        language = (get_language() or "en")[:2]
        labels = [c.label(language) for c in complaint.categories.all()]
        if len(labels) < 2:
            return "; ".join(labels) or "-"
        more = ngettext("%(first)s, +%(n)d more", "%(first)s, +%(n)d more", len(labels) - 1)
        return format_html(
            '<span title="{}">{}</span>',
            "; ".join(labels),
            more % {"first": labels[0], "n": len(labels) - 1},
        )

    @admin.display(description=_("when it happened"))
    def when(self, complaint: Complaint) -> str:
        return complaint.incident_date_display()

    @admin.display(description=_("who did it"))
    def who_did_it(self, complaint: Complaint) -> str:
        return "; ".join(complaint.perpetrator_labels())

    @admin.display(description=_("why no remedy was tried"))
    def why_no_remedy(self, complaint: Complaint) -> str:
        return "; ".join(complaint.no_remedy_reason_labels())

    # What only those who work on a case read: its story, its free texts, its people and files.
    # Anyone else who may view complaints (the data officer) sees the structured fields alone.
    CASE_CONTENT = set(CASE_TEXTS)

    def get_fieldsets(self, request: HttpRequest, obj: Complaint | None = None) -> list:
        if request.user.has_perm("complaints.view_case_content"):
            return self.fieldsets
        return self.structured_fieldsets()

    def structured_fieldsets(self) -> list:
        """The case page without what only those who work on the case read."""
        return [
            (
                name,
                {**options, "fields": [f for f in options["fields"] if f not in self.CASE_CONTENT]},
            )
            for name, options in self.fieldsets
        ]

    def get_inlines(self, request: HttpRequest, obj: Complaint | None = None) -> list:
        return self.inlines if request.user.has_perm("complaints.view_case_content") else []

    def get_readonly_fields(self, request: HttpRequest, obj: Complaint | None = None) -> list:
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]


@admin.register(ViolationCategory)
class ViolationCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "group",
        "label_en",
        "label_fr",
        "huridocs_code",
        "sort_order",
        "is_active",
    ]
    list_filter = ["group", "is_active"]
    search_fields = ["code", "label_en", "label_fr", "label_rw", "label_sw"]
    list_editable = ["sort_order", "is_active"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return ["code"] if obj else []  # codes are stable identifiers once released

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # retire a category by unticking "offered on the form"


@admin.register(DeletedCase)
class DeletedCaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "submitted_year", "deleted_at"]
    search_fields = ["=reference"]
    readonly_fields = ["reference", "submitted_year", "deleted_at"]
