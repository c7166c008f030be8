"""The case page's work: the moves the user may make, assignment, notes, messages, conflicts.

A mixin of the committee's CaseAdmin (monitoring/admin.py). Every page here goes through the
admin site's `admin_view` (a signed-in, second-factor staff session) and loads the case through
the admin's queryset, so a case the user may not see is a 404 here as in the list.
"""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaints.errors import ComplaintError
from complaints.models import AppealJudgment, Complaint, DecisionKind, Status
from complaints.workflow import TRANSITIONS, awaiting_returns_to
from monitoring.cases.access import Access, access_to, cases_visible_to, may_reveal
from monitoring.cases.checklist import checklist_read, checklist_record, facts_of, pre_answers
from monitoring.cases.forms import (
    MOVE_WORDING,
    RETURN_WORDING,
    AssignForm,
    LinkForm,
    MoveForm,
    ProposalForm,
    SendBackForm,
    TextForm,
)
from monitoring.cases.models import DecisionProposal
from monitoring.cases.selectors import (
    QUEUE_BY_SLUG,
    QUEUES,
    case_timeline,
    linked_cases,
    proposal_last_sent_back,
    proposal_waiting,
    related_suggestions,
)
from monitoring.cases.services import (
    case_assign,
    case_link,
    case_move,
    conflict_declare,
    decision_adopt,
    decision_propose,
    decision_send_back,
    message_to_complainant,
    note_add,
    rapporteurs_eligible,
)

PROPOSAL_KIND = {Status.TRIAGE: DecisionKind.INADMISSIBLE, Status.EXAMINATION: DecisionKind.MERITS}

# Decisions (inadmissible, decided) are proposed and adopted through their own pages; closing
# after the appeal window is the schedule's.
DECISIONS = {Status.INADMISSIBLE, Status.DECIDED}


@dataclass(frozen=True)
class Move:
    target: Status
    label: str
    reason_label: str
    needs_reason: bool


def moves_for(user: object, complaint: Complaint) -> list[Move]:
    """The moves the case page offers this user now, in the table's order."""
    if access_to(user, complaint) < Access.FULL:
        return []
    moves = []
    for (source, target), rule in TRANSITIONS.items():
        if source != complaint.status or target in DECISIONS or rule.permission is None:
            continue
        if not user.has_perm(rule.permission):
            continue
        if source == Status.AWAITING_COMPLAINANT and target != Status.WITHDRAWN:
            if target != awaiting_returns_to(complaint):
                continue
            label, reason_label = RETURN_WORDING
        else:
            label, reason_label = MOVE_WORDING.get(target, (target.label, _("Reason")))
        moves.append(Move(target, str(label), str(reason_label), rule.needs_reason))
    return moves


# Who may open each writing page (the service checks again when it is sent).
TEXT_PERMISSIONS = {
    "note": "monitoring.add_note",
    "message": "complaints.add_message",
    "conflict": "monitoring.add_conflictdeclaration",
}

TEXTS = {
    # what: (page title, field label, service, success message)
    "note": (
        _("Write an internal note"),
        _("Note (for the Committee only; the complainant never sees it)"),
        note_add,
        _("The note was added."),
    ),
    "message": (
        _("Write to the complainant"),
        _("Message (the complainant reads it on the tracking page)"),
        message_to_complainant,
        _("The message was sent. The complainant reads it when they next open their case."),
    ),
    "conflict": (
        _("Declare a conflict of interest"),
        _("What the conflict is (you will no longer see this case)"),
        None,
        _("Your conflict of interest was recorded. The case is no longer shown to you."),
    ),
}


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(q.slug, q.title) for q in QUEUES if not q.who or request.user.has_perm(q.who)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        queue = QUEUE_BY_SLUG.get(self.value() or "")
        if queue is None or (queue.who and not request.user.has_perm(queue.who)):
            return queryset  # a queue the user is not offered is not applied
        return queryset.filter(queue.condition(request.user, timezone.now()))


class CaseWorkAdmin:
    """Mixed into the committee's CaseAdmin."""

    def case_work_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/move/<str:target>/", wrap(self.move_view), name="case_move"),
            path("<int:pk>/assign/", wrap(self.assign_view), name="case_assign"),
            path("<int:pk>/write/<str:what>/", wrap(self.text_view), name="case_write"),
            path("<int:pk>/decision/", wrap(self.decision_view), name="case_decision"),
            path("<int:pk>/link/", wrap(self.link_view), name="case_link"),
        ]

    def _case(self, request: HttpRequest, pk: int) -> Complaint:
        complaint = self.get_queryset(request).filter(pk=pk).first()
        if complaint is None:
            raise Http404
        return complaint

    def _page(
        self,
        request: HttpRequest,
        complaint: Complaint,
        title: str,
        form: object,
        *,
        status: int = 200,
        **extra: object,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "complaint": complaint,
            "title": title,
            "form": form,
            **extra,
        }
        return render(request, "monitoring/case_action.html", context, status=status)

    def _back(self, complaint: Complaint) -> HttpResponse:
        return redirect("admin:complaints_complaint_change", complaint.pk)

    def move_view(self, request: HttpRequest, pk: int, target: str) -> HttpResponse:
        complaint = self._case(request, pk)
        move = next((m for m in moves_for(request.user, complaint) if m.target == target), None)
        if move is None:
            messages.error(request, _("This change is not open to you on this case now."))
            return self._back(complaint)
        data = request.POST if request.method == "POST" else None
        form = MoveForm(
            data,
            initial={"expected_status": complaint.status},
            label=move.reason_label,
            required=move.needs_reason,
        )
        if data is not None and form.is_valid():
            try:
                case_move(
                    complaint=complaint,
                    to=move.target,
                    by=request.user,
                    expected_status=form.cleaned_data["expected_status"],
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except ComplaintError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request,
                    _("The case is now “%(status)s”.") % {"status": move.target.label},
                )
            return self._back(complaint)
        return self._page(
            request, complaint, move.label, form, status=400 if data is not None else 200
        )

    def assign_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("monitoring.assign_rapporteur"):
            raise PermissionDenied
        complaint = self._case(request, pk)
        people = rapporteurs_eligible(complaint)
        data = request.POST if request.method == "POST" else None
        form = AssignForm(
            data,
            initial={
                "rapporteur": complaint.rapporteur_id,
                "expected_rapporteur": complaint.rapporteur_id or "",
            },
            people=people,
        )
        if data is not None and form.is_valid():
            chosen = next((p for p in people if p.pk == form.cleaned_data["rapporteur"]), None)
            expected = form.cleaned_data["expected_rapporteur"]
            try:
                case_assign(
                    complaint=complaint,
                    rapporteur=chosen,
                    by=request.user,
                    expected_rapporteur_id=int(expected) if expected.isdigit() else None,
                    now=timezone.now(),
                )
            except ComplaintError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("The case's rapporteur was changed."))
            return self._back(complaint)
        title = _("Give the case to a rapporteur")
        return self._page(request, complaint, title, form, status=400 if data else 200)

    def text_view(self, request: HttpRequest, pk: int, what: str) -> HttpResponse:
        if what not in TEXTS:
            raise Http404
        if not request.user.has_perm(TEXT_PERMISSIONS[what]):
            raise PermissionDenied
        complaint = self._case(request, pk)
        needed = Access.STRUCTURED if what == "conflict" else Access.FULL
        if access_to(request.user, complaint) < needed:
            raise PermissionDenied
        title, label, service, done = TEXTS[what]
        data = request.POST if request.method == "POST" else None
        form = TextForm(data, label=label)
        if data is not None and form.is_valid():
            body, now = form.cleaned_data["body"], timezone.now()
            try:
                if service is None:
                    conflict_declare(complaint=complaint, member=request.user, reason=body, now=now)
                else:
                    service(complaint=complaint, by=request.user, body=body, now=now)
            except ComplaintError as error:
                form.add_error("body", str(error.message))
            else:
                messages.success(request, done)
                if service is None:
                    return redirect("admin:complaints_complaint_changelist")
                return self._back(complaint)
        return self._page(request, complaint, title, form, status=400 if data else 200)

    def decision_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        complaint = self._case(request, pk)
        if access_to(request.user, complaint) < Access.FULL:
            raise PermissionDenied
        waiting = proposal_waiting(complaint)
        if waiting is not None:
            return self._review(request, complaint, waiting)
        kind = PROPOSAL_KIND.get(complaint.status)
        if kind is None or complaint.rapporteur_id != request.user.pk:
            messages.error(
                request,
                _(
                    "Only the case's rapporteur proposes its decision, in "
                    "triage (admissibility) or examination (the facts)."
                ),
            )
            return self._back(complaint)
        data = request.POST if request.method == "POST" else None
        form = ProposalForm(
            data,
            kind=kind,
            pre=pre_answers(facts_of(complaint)),
            visible=cases_visible_to(request.user, Complaint.objects.all()),
            initial={"expected_status": complaint.status},
        )
        if data is not None and form.is_valid():
            fields = form.cleaned_data
            try:
                decision_propose(
                    complaint=complaint,
                    by=request.user,
                    kind=kind,
                    ground=fields.get("ground", ""),
                    outcome=fields.get("outcome", ""),
                    duplicate_of=fields.get("duplicate_of"),
                    reasons=fields["reasons"],
                    recommendations=fields["recommendations"],
                    checklist=checklist_record(form.checklist_answers()),
                    expected_status=fields["expected_status"],
                    now=timezone.now(),
                )
            except ComplaintError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Your proposal was sent to the chair."))
                return self._back(complaint)
        title = (
            _("Propose a decision")
            if kind == DecisionKind.MERITS
            else _("Propose not to accept the complaint")
        )
        return self._page(
            request,
            complaint,
            title,
            form,
            status=400 if data is not None else 200,
            sent_back=proposal_last_sent_back(complaint),
        )

    def _review(
        self, request: HttpRequest, complaint: Complaint, proposal: DecisionProposal
    ) -> HttpResponse:
        may_decide = request.user.has_perm("complaints.decide_complaint")
        form = SendBackForm(request.POST if "send_back" in request.POST else None)
        if request.method == "POST" and may_decide:
            try:
                if "adopt" in request.POST:
                    decision_adopt(proposal=proposal, by=request.user, now=timezone.now())
                    messages.success(
                        request, _("The decision was adopted. The complainant can read it now.")
                    )
                    return self._back(complaint)
                if form.is_valid():
                    decision_send_back(
                        proposal=proposal,
                        by=request.user,
                        comment=form.cleaned_data["comment"],
                        now=timezone.now(),
                    )
                    messages.success(request, _("The proposal was sent back to the rapporteur."))
                    return self._back(complaint)
            except ComplaintError as error:
                messages.error(request, str(error.message))
                return self._back(complaint)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "complaint": complaint,
            "proposal": proposal,
            "checklist": checklist_read(proposal.checklist),
            "may_decide": may_decide and proposal.proposed_by_id != request.user.pk,
            "form": form,
            "title": _("Proposed decision"),
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "monitoring/case_proposal.html", context, status=status)

    def link_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        complaint = self._case(request, pk)
        if access_to(request.user, complaint) < Access.FULL:
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = LinkForm(data, visible=cases_visible_to(request.user, Complaint.objects.all()))
        if data is not None and form.is_valid():
            try:
                case_link(
                    complaint=complaint,
                    other=form.cleaned_data["reference"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except ComplaintError as error:
                form.add_error("reference", str(error.message))
            else:
                messages.success(request, _("The complaints are linked."))
                return self._back(complaint)
        title = _("Link a complaint about the same events")
        return self._page(request, complaint, title, form, status=400 if data else 200)

    def case_work_context(self, request: HttpRequest, complaint: Complaint) -> dict:
        access = access_to(request.user, complaint)
        now = timezone.now()
        context = {
            "access": int(access),
            "full_access": access == Access.FULL,
            "moves": moves_for(request.user, complaint),
            "may_assign": request.user.has_perm("monitoring.assign_rapporteur"),
            "may_note": request.user.has_perm("monitoring.add_note"),
            "may_message": request.user.has_perm("complaints.add_message") and complaint.is_open,
            "may_declare_conflict": request.user.has_perm("monitoring.add_conflictdeclaration"),
            "may_reveal": may_reveal(request.user, complaint),
            "proposal_waiting": proposal_waiting(complaint) if access == Access.FULL else None,
            "may_propose": complaint.rapporteur_id == request.user.pk
            and complaint.status in PROPOSAL_KIND,
            "late_by": complaint.due_at and now > complaint.due_at and now - complaint.due_at,
            # What the complainant reads: the latest adopted decision and its appeal window,
            # and the Appeal Body's decisions (a remittal says why the case is back).
            "decision": complaint.decisions.order_by("-adopted_at", "-pk").first(),
            "appeal_judgments": list(
                AppealJudgment.objects.filter(complaint=complaint)
                .select_related("complaint")
                .order_by("decided_at", "pk")
            ),
        }
        if access == Access.FULL:
            context["timeline"] = case_timeline(complaint)
            context["linked"] = linked_cases(complaint, request.user)
            context["related"] = related_suggestions(request.user, complaint)
        return context


def bulk_move_message(request: HttpRequest, moved: int, refused: list[str]) -> None:
    if moved:
        messages.success(
            request,
            ngettext("%(count)d case moved.", "%(count)d cases moved.", moved) % {"count": moved},
        )
    if refused:
        messages.warning(
            request,
            _("Not moved (changed meanwhile, or not yours to move): %(references)s")
            % {"references": ", ".join(refused)},
        )


def reverse_move(complaint: Complaint, target: str) -> str:
    return reverse("admin:case_move", args=[complaint.pk, target])
