"""The Appeal Body in the admin: the roster, each appeal's page, the lodging on behalf.

One page per appeal shows each person what their role gives them (monitoring/appeals/access.py):
the registry and the co-presidents its allocation (draws, seats, declarations, how many votes are
in); a member of its panel their declaration first, then the file and the deliberation; the
presiding judge the judgment. Every write goes to a service, which checks again under a lock.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import (
    display_for_field,
    display_for_value,
    label_for_field,
    lookup_field,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from complaints.admin import SITE_LANGUAGES, ComplaintAdmin, ReadOnlyAdmin
from complaints.errors import ComplaintError
from complaints.models import Appeal, Complaint, Evidence, Status
from complaints.receipts import receipt_normalise
from complaints.selectors import complaint_by_receipt, reference_typed
from complaints.services import appeal_lodge
from monitoring.appeals.access import (
    appeals_visible_to,
    is_co_president,
    is_registry,
    may_read,
    oversees,
    seat_of,
)
from monitoring.appeals.deliberation import VOTES_MISSING
from monitoring.appeals.forms import (
    DeclarationForm,
    JudgmentForm,
    LodgeForm,
    OpinionForm,
    SeatForm,
    VacateForm,
    VoteForm,
    judge_label,
)
from monitoring.appeals.models import (
    LEFT,
    DeclarationState,
    JudgeProfile,
    JudgmentRecord,
    PanelDraw,
    Seat,
    VoteChoice,
)
from monitoring.appeals.panels import RULES, PanelRules
from monitoring.appeals.selectors import (
    APPEAL_QUEUE_BY_SLUG,
    appeals_loaded,
    current_round,
    progress_of,
    queue_members,
    queues_for,
    waits_on,
)
from monitoring.appeals.services import (
    choices_for,
    declaration_make,
    draw_checks_out,
    judgment_record,
    open_seats,
    opinion_write,
    panel_propose,
    panel_ready,
    panel_seat,
    roster,
    round_reopen,
    round_votes,
    seat_vacate,
    vote_cast,
    votes_decide,
)
from monitoring.cases.checklist import checklist_read
from monitoring.cases.models import DecisionProposal, ProposalState
from monitoring.forms import RevealForm
from monitoring.views import reveal_answer

RULE_BY_CODE = {rule.code: rule for rule in RULES}


class AppealQueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(queue.slug, queue.title) for queue in queues_for(request.user)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        queue = APPEAL_QUEUE_BY_SLUG.get(self.value() or "")
        if queue is None or queue not in queues_for(request.user):
            return queryset
        return queryset.filter(pk__in=queue_members(queue.slug, request.user, timezone.now()))


def _when(moment: object) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else "—"


class AppealAdmin(ReadOnlyAdmin):
    list_display = ["reference", "lodged_at", "language", "panel", "step", "step_due", "appeal_due"]
    list_filter = [AppealQueueFilter]
    search_fields = ["=complaint__reference"]
    ordering = ["-lodged_at", "-pk"]
    list_per_page = 50
    # The queues are worked out in Python (selectors.py): no count per choice on every page.
    show_facets = admin.ShowFacets.NEVER

    # --- the list ---------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appeal]:
        return appeals_loaded(appeals_visible_to(request.user, super().get_queryset(request)))

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("complaints.view_appeal")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        if search_term:
            search_term = reference_typed(search_term)
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("complaint"), ordering="complaint__reference")
    def reference(self, appeal: Appeal) -> str:
        return appeal.complaint.reference

    @admin.display(description=_("language"))
    def language(self, appeal: Appeal) -> str:
        return SITE_LANGUAGES.get(appeal.complaint.language, appeal.complaint.language)

    @admin.display(description=_("panel"))
    def panel(self, appeal: Appeal) -> str:
        seats = [s for s in appeal.seats.all() if s.is_open]
        declared = sum(s.declaration == DeclarationState.NO_CONFLICT for s in seats)
        return _("%(seated)d of %(size)d seated, %(declared)d declared") % {
            "seated": len(seats),
            "size": PanelRules.from_settings().size,
            "declared": declared,
        }

    @admin.display(description=_("waiting on"))
    def step(self, appeal: Appeal) -> str:
        return waits_on(appeal, progress_of(appeal))

    @admin.display(description=_("step due"))
    def step_due(self, appeal: Appeal) -> str:
        progress = progress_of(appeal)
        if progress.step_late(timezone.now()):
            return format_html('<strong class="overdue">{}</strong>', _("overdue"))
        return _when(progress.step_due)

    @admin.display(description=_("appeal due"))
    def appeal_due(self, appeal: Appeal) -> str:
        progress = progress_of(appeal)
        if progress.appeal_late(timezone.now()):
            return format_html('<strong class="overdue">{}</strong>', _("overdue"))
        return _when(progress.appeal_due) if progress.step else "—"

    # --- the pages ----------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("lodge/", wrap(self.lodge_view), name="appeal_lodge"),
            path("<int:pk>/propose/", wrap(require_POST(self.propose_view)), name="appeal_propose"),
            path("<int:pk>/seat/", wrap(self.seat_view), name="appeal_seat"),
            path("<int:pk>/vacate/<uuid:seat>/", wrap(self.vacate_view), name="appeal_vacate"),
            path("<int:pk>/declare/", wrap(require_POST(self.declare_view)), name="appeal_declare"),
            path("<int:pk>/vote/", wrap(require_POST(self.vote_view)), name="appeal_vote"),
            path("<int:pk>/opinion/", wrap(require_POST(self.opinion_view)), name="appeal_opinion"),
            path(
                "<int:pk>/judgment/", wrap(require_POST(self.judgment_view)), name="appeal_judgment"
            ),
            path("<int:pk>/round/", wrap(require_POST(self.round_view)), name="appeal_round"),
            path("<int:pk>/reveal/", wrap(self.reveal_view), name="appeal_reveal"),
            *super().get_urls(),
        ]

    def _appeal(self, request: HttpRequest, pk: int | str) -> Appeal:
        """The appeal, if the user may see it: refused without the permission, not found when
        it is not theirs to see (which appeals exist is not told)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        digits = str(pk).isascii() and str(pk).isdecimal()
        appeal = self.get_queryset(request).filter(pk=pk).first() if digits else None
        if appeal is None:
            raise Http404
        return appeal

    def _back(self, appeal: Appeal) -> HttpResponse:
        return redirect("admin:complaints_appeal_change", appeal.pk)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied
        return self._page(request, self._appeal(request, object_id))

    def _page(
        self, request: HttpRequest, appeal: Appeal, *, status: int = 200, **bound: forms.Form
    ) -> HttpResponse:
        user, rules = request.user, PanelRules.from_settings()
        seat = seat_of(user, appeal)
        seats = list(appeal.seats.all())
        sitting = [s for s in seats if s.is_open]
        number = current_round(appeal)
        votes_in = sum(any(v.round == number for v in s.votes.all()) for s in sitting)
        progress = progress_of(appeal)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "appeal": appeal,
            "complaint": appeal.complaint,
            "title": _("Appeal on %(reference)s") % {"reference": appeal.complaint.reference},
            "language": SITE_LANGUAGES.get(appeal.complaint.language, appeal.complaint.language),
            "progress": progress,
            "step_label": waits_on(appeal, progress),
            "step_late": progress.step_late(timezone.now()),
            "appeal_late": progress.appeal_late(timezone.now()),
            "rules": rules,
            "seats": seats,
            "sitting": sitting,
            "votes_in": votes_in,
            "round": number,
            "judgment": _judgment_of(appeal),
            "oversees": oversees(user),
            "co_president": is_co_president(user),
            "registry": is_registry(user),
            "seat": seat,
            "reads": may_read(user, appeal),
        }
        being_heard = context["judgment"] is None
        if context["oversees"]:
            context["draws"] = _draws(appeal)
        context["may_vacate"] = context["registry"] and being_heard and votes_in == 0
        if context["registry"] and being_heard and len(sitting) < rules.size:
            context["may_draw"] = True
            context["proposal"] = _latest_proposal(appeal, context["draws"], sitting)
        if seat is not None and seat.declaration == DeclarationState.PENDING and being_heard:
            context["declaration_form"] = bound.get("declaration_form") or DeclarationForm()
        if context["reads"]:
            context.update(_file(appeal))
            context.update(_deliberation(appeal, seat, sitting, being_heard, rules, bound))
        if context["judgment"] is not None:
            context["opinions"] = list(context["judgment"].opinions.all())
            context["record"] = JudgmentRecord.objects.filter(judgment=context["judgment"]).first()
        return render(request, "monitoring/appeal.html", context, status=status)

    def _refused(self, request: HttpRequest, appeal: Appeal, error: ComplaintError) -> HttpResponse:
        messages.error(request, str(error.message))
        return self._back(appeal)

    # --- the registry -------------------------------------------------------------------------

    def propose_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal(request, pk)
        try:
            draw = panel_propose(appeal=appeal, by=request.user, now=timezone.now())
        except ComplaintError as error:
            return self._refused(request, appeal, error)
        if draw.failing_rule:
            messages.warning(
                request,
                _(
                    "The roster cannot make a panel that keeps every rule. "
                    "The rule that fails: %(rule)s"
                )
                % {"rule": RULE_BY_CODE[draw.failing_rule].explain(PanelRules(**draw.rules))},
            )
        else:
            messages.success(request, _("A panel was drawn. Check it below, then seat it."))
        return self._back(appeal)

    def seat_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal(request, pk)
        if not is_registry(request.user):
            raise PermissionDenied
        judges = {judge.id: judge for judge in roster()}
        users = {u.pk: u for u in _users(judges)}
        seated = {s.judge_id for s in appeal.seats.all()}
        choices = [
            (judge_id, judge_label(judge, users[judge_id].get_username()))
            for judge_id, judge in judges.items()
            if judge_id not in seated and judge.active
        ]
        data = request.POST if request.method == "POST" else None
        form = SeatForm(data, choices=choices)
        if data is not None and form.is_valid():
            draw = None
            if form.cleaned_data["draw"]:
                draw = PanelDraw.objects.filter(
                    appeal=appeal, uid=form.cleaned_data["draw"]
                ).first()
            try:
                panel_seat(
                    appeal=appeal,
                    judges=[users[i] for i in form.cleaned_data["judges"]],
                    by=request.user,
                    now=timezone.now(),
                    draw=draw,
                )
            except ComplaintError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(
                    request,
                    _("The judges were seated. Each now declares any conflict of interest."),
                )
                return self._back(appeal)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "appeal": appeal,
            "complaint": appeal.complaint,
            "title": _("Seat judges"),
            "form": form,
            "sitting": [s for s in appeal.seats.all() if s.is_open],
            "rules": [rule.explain(PanelRules.from_settings()) for rule in _rules_on()],
        }
        return render(request, "monitoring/appeal_seat.html", context, status=400 if data else 200)

    def vacate_view(self, request: HttpRequest, pk: int, seat: object) -> HttpResponse:
        appeal = self._appeal(request, pk)
        if not is_registry(request.user):
            raise PermissionDenied
        held = next((s for s in appeal.seats.all() if s.uid == seat and s.is_open), None)
        if held is None:
            raise Http404
        data = request.POST if request.method == "POST" else None
        form = VacateForm(data)
        if data is not None and form.is_valid():
            try:
                seat_vacate(
                    appeal=appeal,
                    seat=held,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except ComplaintError as error:
                return self._refused(request, appeal, error)
            messages.success(request, _("The seat was freed. Draw or choose a judge for it."))
            return self._back(appeal)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "appeal": appeal,
            "complaint": appeal.complaint,
            "title": _("Free the seat of %(judge)s") % {"judge": held.judge.get_username()},
            "form": form,
            "submit": _("Free the seat"),
        }
        status = 400 if data is not None else 200
        return render(request, "monitoring/appeal_action.html", context, status=status)

    # --- each judge ---------------------------------------------------------------------------

    def declare_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal(request, pk)
        form = DeclarationForm(request.POST)
        if not form.is_valid():
            return self._page(request, appeal, status=400, declaration_form=form)
        recuse = form.cleaned_data["declaration"] == DeclarationForm.RECUSE
        try:
            declaration_make(
                appeal=appeal,
                judge=request.user,
                recuse=recuse,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except ComplaintError as error:
            return self._refused(request, appeal, error)
        if recuse:
            messages.success(request, _("Your recusal was recorded. The registry fills your seat."))
            return redirect("admin:complaints_appeal_changelist")
        messages.success(
            request, _("Your declaration was recorded. The file is open to you below.")
        )
        return self._back(appeal)

    def vote_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal(request, pk)
        form = VoteForm(request.POST)
        if not form.is_valid():
            return self._page(request, appeal, status=400, vote_form=form)
        try:
            vote_cast(
                appeal=appeal,
                judge=request.user,
                choice=form.cleaned_data["choice"],
                opinion=form.cleaned_data["opinion"],
                now=timezone.now(),
            )
        except ComplaintError as error:
            return self._refused(request, appeal, error)
        messages.success(request, _("Your vote was recorded."))
        return self._back(appeal)

    def opinion_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal(request, pk)
        form = OpinionForm(request.POST)
        if not form.is_valid():
            return self._page(request, appeal, status=400, opinion_form=form)
        try:
            opinion_write(
                appeal=appeal,
                judge=request.user,
                text=form.cleaned_data["opinion"],
                now=timezone.now(),
            )
        except ComplaintError as error:
            return self._refused(request, appeal, error)
        messages.success(request, _("Your opinion was saved."))
        return self._back(appeal)

    def judgment_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal(request, pk)
        form = JudgmentForm(request.POST)
        if not form.is_valid():
            return self._page(request, appeal, status=400, judgment_form=form)
        fields = form.cleaned_data
        try:
            judgment_record(
                appeal=appeal,
                by=request.user,
                choice=fields["choice"],
                reasons=fields["reasons"],
                finding=fields["finding"],
                withhold_opinions=fields["withhold_opinions"],
                withheld_reason=fields["withheld_reason"],
                now=timezone.now(),
            )
        except ComplaintError as error:
            # Shown at the top of the page, the reasons kept as typed in the form below.
            messages.error(request, str(error.message))
            return self._page(request, appeal, status=400, judgment_form=form)
        messages.success(request, _("The decision was recorded. The complainant can read it now."))
        return self._back(appeal)

    def round_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal(request, pk)
        try:
            round_reopen(appeal=appeal, by=request.user, now=timezone.now())
        except ComplaintError as error:
            return self._refused(request, appeal, error)
        messages.success(request, _("A new round of votes is open. Each member votes again."))
        return self._back(appeal)

    def reveal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal(request, pk)
        if not may_read(request.user, appeal):
            raise PermissionDenied
        complaint = appeal.complaint
        form = RevealForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "complaint": complaint,
            "form": form,
            "opts": self.opts,
            "back_url": reverse("admin:complaints_appeal_change", args=[appeal.pk]),
        }
        return reveal_answer(
            request,
            complaint=complaint,
            context=context,
            refused=lambda error: self._refused(request, appeal, error),
        )

    # --- on the complainant's behalf ----------------------------------------------------------

    def lodge_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("complaints.lodge_appeal_on_behalf"):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = LodgeForm(data)
        if data is not None and form.is_valid():
            receipt = receipt_normalise(form.cleaned_data["receipt"])
            found = complaint_by_receipt(receipt) if receipt else None
            if found is None:
                form.add_error("receipt", _("This receipt opens no complaint. Check each digit."))
            else:
                complaint = Complaint.objects.get(pk=found.pk)
                try:
                    appeal_lodge(
                        complaint=complaint,
                        grounds=form.cleaned_data["grounds"],
                        recorded_by=request.user,
                        now=timezone.now(),
                    )
                except ComplaintError as error:
                    form.add_error("receipt", str(error.message))
                else:
                    messages.success(
                        request,
                        _("The appeal on %(reference)s was lodged. The registry forms its panel.")
                        % {"reference": complaint.reference},
                    )
                    return redirect("admin:index")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Lodge an appeal on the complainant's behalf"),
            "form": form,
        }
        return render(request, "monitoring/appeal_lodge.html", context, status=400 if data else 200)


def _judgment_of(appeal: Appeal) -> object:
    try:
        return appeal.judgment
    except Appeal.judgment.RelatedObjectDoesNotExist:
        return None


def _users(judges: dict) -> list:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(pk__in=list(judges)))


def _rules_on() -> list:
    rules = PanelRules.from_settings()
    return [rule for rule in RULES if rules.is_on(rule)]


def _draws(appeal: Appeal) -> list[dict]:
    from django.contrib.auth import get_user_model

    draws = list(
        PanelDraw.objects.filter(appeal=appeal).select_related("by").order_by("-at", "-pk")
    )
    ids = {i for draw in draws for i in (draw.panel or [])}
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    return [
        {
            "draw": draw,
            "names": [names.get(i, f"#{i}") for i in draw.panel or []],
            "presiding": names.get(draw.presiding, ""),
            "failing": RULE_BY_CODE[draw.failing_rule].explain(PanelRules(**draw.rules))
            if draw.failing_rule
            else "",
            "checks_out": draw_checks_out(draw),
        }
        for draw in draws
    ]


def _latest_proposal(appeal: Appeal, draws: list[dict], sitting: list) -> dict | None:
    """The last draw, if it was made for the seats as they are now and drew a panel."""
    if not draws:
        return None
    latest = draws[0]
    draw = latest["draw"]
    if draw.panel is None or sorted(draw.kept) != sorted(s.judge_id for s in sitting):
        return latest if draw.panel is None else None
    return {**latest, "new": [i for i in draw.panel if i not in draw.kept]}


# What a judge who declared reads: never the Committee's internal notes.
FILE_FIELDSETS = ComplaintAdmin.fieldsets


def _file(appeal: Appeal) -> dict:
    complaint = appeal.complaint
    reader = ComplaintAdmin(Complaint, admin.site)
    sections = []
    for name, options in FILE_FIELDSETS:
        rows = []
        for field in options["fields"]:
            label = label_for_field(field, Complaint, reader)
            model_field, attr, value = lookup_field(field, complaint, reader)
            if model_field is None:
                boolean = getattr(attr, "boolean", False)
                shown = display_for_value(value, "—", boolean=boolean)
            else:
                shown = display_for_field(value, model_field, "—")
            rows.append((label, shown))
        sections.append((name, rows))
    decision = appeal.decision
    # The checklist of the proposal that became the decision appealed (not of a later one).
    proposal = (
        DecisionProposal.objects.filter(
            complaint=complaint,
            state=ProposalState.ADOPTED,
            decided_at__lte=decision.adopted_at,
        )
        .order_by("-decided_at", "-pk")
        .first()
    )
    evidence = list(
        Evidence.objects.filter(complaint=complaint)
        .select_related("complaint")
        .only("uid", "complaint", "kind", "description", "uploaded_at", "appeal_id", "size")
        .order_by("uploaded_at", "pk")
    )
    return {
        "sections": sections,
        "decision": decision,
        "checklist": checklist_read(proposal.checklist) if proposal else [],
        "evidence": [item for item in evidence if item.appeal_id is None],
        "appeal_evidence": [item for item in evidence if item.appeal_id == appeal.pk],
        "messages_list": list(complaint.messages.select_related("complaint").order_by("sent_at")),
    }


def _deliberation(
    appeal: Appeal,
    seat: Seat,
    sitting: list[Seat],
    being_heard: bool,
    rules: PanelRules,
    bound: dict[str, forms.Form],
) -> dict:
    context = {"ready": panel_ready(open_seats(appeal), rules)}
    if not context["ready"]:
        return context
    votes = round_votes(appeal, sitting)
    mine = next((v for v in votes if v.seat_id == seat.pk), None)
    context["my_vote"] = mine
    if being_heard:
        if mine is None:
            context["vote_form"] = vote_form = bound.get("vote_form") or VoteForm()
            # Only the votes open on this appeal (no overturning a decision not to accept).
            open_votes = choices_for(appeal)
            vote_form.fields["choice"].choices = [
                (value, label) for value, label in VoteChoice.choices if value in open_votes
            ]
        else:
            context["opinion_form"] = bound.get("opinion_form") or OpinionForm(
                initial={"opinion": mine.opinion}
            )
    if len(votes) == len(sitting):
        # Every vote is in: the members read each other's votes and opinions.
        names = {s.pk: s.judge.get_username() for s in sitting}
        context["votes"] = [(names[v.seat_id], v) for v in votes]
        result = votes_decide(sitting, votes)
        context["result"] = result
        if seat.presiding and being_heard:
            if result.problem is None:
                context["judgment_form"] = bound.get("judgment_form") or JudgmentForm(
                    initial={"choice": result.choice}
                )
            elif result.problem != VOTES_MISSING:
                context["may_reopen"] = True
    return context


class JudgeProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages read"),
        choices=list(SITE_LANGUAGES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = JudgeProfile
        fields = ["user", "nationalities", "languages", "active", "co_president"]
        help_texts = {
            "nationalities": _(
                "Every nationality the judge holds: a dual national counts as each. Hold Ctrl "
                "(Cmd on a Mac) to choose more than one."
            )
        }

    def clean(self) -> dict:
        data = super().clean()
        self._nationalities_kept_while_sitting(data)
        # Read-only for the registry: the profile's own value then.
        designated = (
            data.get("co_president")
            if "co_president" in self.fields
            else self.instance.co_president
        )
        if not designated:
            return data
        state = PanelRules.from_settings().respondent_state
        others = list(JudgeProfile.objects.filter(co_president=True).exclude(pk=self.instance.pk))
        if len(others) >= 2:
            raise ValidationError(_("The Appeal Body has two co-presidents already."))
        national = state in [str(code) for code in data.get("nationalities") or []]
        if others and (state in [str(c) for c in others[0].nationalities]) == national:
            raise ValidationError(
                _("The two co-presidents are one national of %(state)s and one who is not.")
                % {"state": state}
            )
        if not data.get("active"):
            raise ValidationError(_("A co-president sits on panels: tick “sits on new panels”."))
        return data

    def _nationalities_kept_while_sitting(self, data: dict) -> None:
        if self.instance.pk is None or "nationalities" not in self.changed_data:
            return
        sitting = (
            Seat.objects.filter(judge_id=self.instance.user_id, complaint__status=Status.APPEALED)
            .exclude(declaration__in=LEFT)
            .exists()
        )
        if sitting:
            self.add_error(
                "nationalities",
                _(
                    "This judge sits on a panel still hearing an appeal: their nationalities "
                    "change once it is decided, so that no panel breaks a rule meanwhile."
                ),
            )


class JudgeProfileAdmin(admin.ModelAdmin):
    form = JudgeProfileForm
    list_display = ["user", "nations", "languages_read", "active", "co_president", "open_seats"]
    list_filter = ["active", "co_president"]
    search_fields = ["user__username"]
    list_select_related = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[JudgeProfile]:
        # Open seats: not recused, on appeals still being heard (services.workloads).
        sitting = Q(user__appeal_seats__complaint__status=Status.APPEALED) & ~Q(
            user__appeal_seats__declaration__in=LEFT
        )
        return super().get_queryset(request).annotate(seats=Count("user__appeal_seats", sitting))

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: object
    ) -> forms.ModelChoiceField:
        if db_field.name == "user":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, groups__name="Appeal judge")
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list:
        fields = ["user"] if obj is not None else []
        if not request.user.has_perm("monitoring.designate_co_president"):
            fields.append("co_president")
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a judge leaves the roster by becoming inactive; their seats stay on record

    @admin.display(description=_("nationalities"))
    def nations(self, profile: JudgeProfile) -> str:
        return ", ".join(country.name for country in profile.nationalities)

    @admin.display(description=_("languages read"))
    def languages_read(self, profile: JudgeProfile) -> str:
        return ", ".join(SITE_LANGUAGES.get(code, code) for code in profile.languages) or "—"

    @admin.display(description=_("open appeals"), ordering="seats")
    def open_seats(self, profile: JudgeProfile) -> int:
        return profile.seats


def register(site: admin.AdminSite) -> None:
    site.register(Appeal, AppealAdmin)
    site.register(JudgeProfile, JudgeProfileAdmin)
