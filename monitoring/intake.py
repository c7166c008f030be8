"""Intake on behalf: a complaint received on paper, by phone or at a camp visit, typed in by an
intake officer.

The questions and their checks are the public form's own (complaints/forms.py, the steps of
complaints/filing.py), all on one page; the complaint is filed by the same service as an online
one, with the channel it came by and the officer named on its first status row. The receipt is
shown to the officer once, to print or read out, and kept in memory (the cache) for at most
30 minutes, exactly as for someone who files online; the officer may add the files the person
handed over while it is shown, and never sees the case again after that.
"""

import contextlib
import secrets

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from complaints import filing
from complaints.errors import ComplaintError
from complaints.evidence import evidence_clean
from complaints.forms import EvidenceUploadForm, VictimFormSet, evidence_limits_text
from complaints.models import Channel, Complaint, PreferredLanguage
from complaints.outage import CACHE_OUTAGE
from complaints.receipts import receipt_groups
from complaints.services import complaint_submit, evidence_add

PERMISSION = "complaints.record_on_behalf"
TOKENS_KEY = "intake_tokens"  # the forms this session was given, each good for one filing
RECORDED_KEY = "intake_recorded"  # the complaint just recorded, while its receipt is shown
USED_KEY = "intake_used"  # the tokens of the complaints this session recorded
TOKENS_KEPT = 10


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How did the complaint reach you?"),
        widget=forms.RadioSelect,
        choices=[choice for choice in Channel.choices if choice[0] != Channel.ONLINE],
    )
    language = forms.ChoiceField(
        label=_("Language spoken or written by the person"),
        widget=forms.RadioSelect,
        choices=[c for c in PreferredLanguage.choices if c[0] != PreferredLanguage.OTHER],
        help_text=_("The receipt to print or read out is in this language."),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _step_forms(data: object = None) -> dict[str, forms.BaseForm | forms.BaseFormSet]:
    """The public form's steps, one prefix each so that they can share a page."""
    return {
        step.slug: (
            VictimFormSet(data, prefix="victims")
            if step.form_class is VictimFormSet
            else step.form_class(data, prefix=step.slug)
        )
        for step in filing.FORM_STEPS
    }


def _token_issue(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(32)
    issued = request.session.get(TOKENS_KEY, [])
    request.session[TOKENS_KEY] = [*issued, token][-TOKENS_KEPT:]
    return token


def _errors(forms_by_slug: dict, intake_form: IntakeForm) -> list[dict]:
    """Every error on the page, each with the field it belongs to, for the summary at the top."""
    found = []
    for form in [intake_form, *_each_form(forms_by_slug)]:
        for name, errors in form.errors.items():
            bound = form[name] if name in form.fields else None
            # A list of boxes or buttons has no label of its own: the link goes to the first.
            field_id = bound and (bound.id_for_label or f"{bound.auto_id}_0")
            label = bound.label if bound else ""
            found.extend({"id": field_id or "", "label": label, "message": m} for m in errors)
    victims = forms_by_slug["victims"]
    found.extend({"id": "", "label": "", "message": m} for m in victims.non_form_errors())
    return found


def _each_form(forms_by_slug: dict) -> list[forms.BaseForm]:
    each = []
    for bound in forms_by_slug.values():
        each.extend(bound.forms if isinstance(bound, forms.BaseFormSet) else [bound])
    return each


def _page(
    request: HttpRequest, forms_by_slug: dict, intake_form: IntakeForm, *, status: int = 200
) -> TemplateResponse:
    context = {
        **admin.site.each_context(request),
        "title": _("Record a complaint received on paper, by phone or in person"),
        "intake_form": intake_form,
        "sections": [
            {"step": step, "form": forms_by_slug[step.slug]} for step in filing.FORM_STEPS
        ],
        "errors": _errors(forms_by_slug, intake_form) if status == 400 else [],
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return TemplateResponse(request, "monitoring/intake.html", context, status=status)


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    if request.method == "GET":
        return _page(request, _step_forms(), IntakeForm(initial={"token": _token_issue(request)}))
    forms_by_slug = _step_forms(request.POST)
    intake_form = IntakeForm(request.POST)
    if "add_person" in request.POST:
        forms_by_slug["victims"] = filing.victims_with_another(request.POST)
        return _page(request, forms_by_slug, intake_form)
    checking = "check" in request.POST  # checked and shown again, recording nothing
    # Every form checked, so that all the errors of the page come in one round.
    valid = [form.is_valid() for form in [intake_form, *forms_by_slug.values()]]
    token = intake_form.cleaned_data.get("token", "")
    if token == request.session.get(RECORDED_KEY, {}).get("token"):
        return redirect("admin:intake_receipt")  # a second press: the first one recorded it
    if token in request.session.get(USED_KEY, []):
        # The page of a complaint already recorded and handed over (Back, then Record again).
        messages.warning(request, _("This complaint was already recorded; nothing more was."))
        return redirect("admin:intake")
    if intake_form.is_valid() and token not in request.session.get(TOKENS_KEY, []):
        _token_refused(intake_form, request)
        valid.append(False)
    if not all(valid):
        return _page(request, forms_by_slug, intake_form, status=400)
    if checking:
        messages.info(request, _("Every answer is complete. Nothing is recorded yet."))
        return _page(request, forms_by_slug, intake_form)
    return _record(request, forms_by_slug, intake_form.cleaned_data)


def _token_refused(intake_form: IntakeForm, request: HttpRequest) -> None:
    # A form from another session or one already used: the answers stay on the page, and
    # pressing the button again records them once, with a token of this session.
    intake_form.add_error(
        None,
        _(
            "This page was opened in another session or has already been sent. Nothing was "
            "recorded; check the answers and press “Record the complaint” again."
        ),
    )
    data = intake_form.data.copy()
    data["token"] = _token_issue(request)
    intake_form.data = data


def _record(request: HttpRequest, forms_by_slug: dict, intake: dict) -> HttpResponse:
    token = intake["token"]
    kept = []

    def receipt_keep(receipt: str) -> None:
        try:
            filing.receipt_hold(token=token, receipt=receipt)
            kept.append(receipt)
        except CACHE_OUTAGE:
            pass  # shown in this answer all the same, and said to be shown only here

    submission = complaint_submit(
        steps={slug: filing.step_cleaned(form) for slug, form in forms_by_slug.items()},
        evidence=[],
        language=intake["language"],
        token=token,
        now=timezone.now(),
        receipt_keep=receipt_keep,
        channel=intake["channel"],
        recorded_by=request.user,
    )
    request.session[TOKENS_KEY] = [t for t in request.session[TOKENS_KEY] if t != token]
    request.session[USED_KEY] = [*request.session.get(USED_KEY, []), token][-TOKENS_KEPT:]
    _recorded_forget(request)  # a receipt not handed over is not kept past the next complaint
    request.session[RECORDED_KEY] = {
        "token": token,
        "complaint": submission.complaint.pk,
        "at": timezone.now().timestamp(),
        "files": [],
    }
    receipt = submission.receipt
    if submission.created and kept:
        try:
            filing.receipt_hand_over(
                token=token, reference=submission.complaint.reference, receipt=receipt
            )
        except CACHE_OUTAGE:
            kept.clear()
    elif not submission.created:
        receipt = _pending_receipt(token, wait_seconds=3)  # the press that won sets its own
    return _receipt_page(
        request, submission.complaint, receipt=receipt, only_here=submission.created and not kept
    )


def _pending_receipt(token: str, *, wait_seconds: float = 0) -> str | None:
    try:
        confirmed = filing.receipt_confirmed(token, wait_seconds=wait_seconds)
    except CACHE_OUTAGE:
        return None
    return confirmed and confirmed["receipt"]


def _recorded(request: HttpRequest) -> tuple[dict, Complaint] | None:
    """The complaint this officer just recorded, while its receipt may still be shown (at
    most RECEIPT_TTL_SECONDS): after that the officer has nothing more to do with it."""
    recorded = request.session.get(RECORDED_KEY)
    if recorded and timezone.now().timestamp() - recorded["at"] > filing.RECEIPT_TTL_SECONDS:
        _recorded_forget(request)
        return None
    complaint = recorded and Complaint.objects.filter(pk=recorded["complaint"]).first()
    return (recorded, complaint) if complaint else None


def _recorded_forget(request: HttpRequest) -> None:
    recorded = request.session.pop(RECORDED_KEY, None)
    if recorded:
        with contextlib.suppress(*CACHE_OUTAGE):
            filing.receipt_forget(recorded["token"])


def _slip_language(code: str) -> str:
    """The person's language when the site has it; otherwise the site's default."""
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return settings.LANGUAGE_CODE


def _receipt_page(
    request: HttpRequest,
    complaint: Complaint,
    *,
    receipt: str | None,
    files: list[str] = (),
    only_here: bool = False,
    evidence_form: EvidenceUploadForm | None = None,
    status: int = 200,
) -> TemplateResponse:
    context = {
        **admin.site.each_context(request),
        "title": _("Receipt of the complaint recorded"),
        "complaint": complaint,
        "reference": complaint.reference,
        "groups": receipt_groups(receipt) if receipt else None,
        "keep_minutes": filing.RECEIPT_TTL_SECONDS // 60,
        "only_here": only_here,
        "slip_language": _slip_language(complaint.language),
        # Only the files this officer added: what the complainant sends later is not theirs.
        "files": list(
            complaint.evidence.filter(uid__in=files).only("uid", "complaint", "original_name")
        ),
        "evidence_form": evidence_form or EvidenceUploadForm(),
        "evidence_limits": evidence_limits_text(),
    }
    return TemplateResponse(request, "monitoring/intake_receipt.html", context, status=status)


@require_http_methods(["GET", "POST"])
def intake_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt just recorded, until the officer says it was handed over (or 30 minutes)."""
    _allowed(request)
    found = _recorded(request)
    if found is None:
        return redirect("admin:intake")
    recorded, complaint = found
    if request.method == "POST":
        _recorded_forget(request)
        messages.success(
            request,
            _("Complaint %(reference)s is recorded; its receipt is no longer shown anywhere.")
            % {"reference": complaint.reference},
        )
        return redirect("admin:intake")
    return _receipt_page(
        request, complaint, receipt=_pending_receipt(recorded["token"]), files=recorded["files"]
    )


@require_http_methods(["POST"])
def intake_evidence(request: HttpRequest) -> HttpResponse:
    """A file the person handed over, added while the receipt of their complaint is shown."""
    _allowed(request)
    found = _recorded(request)
    if found is None:
        return redirect("admin:intake")
    recorded, complaint = found
    form = EvidenceUploadForm(request.POST, request.FILES)
    if getattr(request, "upload_too_large", False):
        form.add_error(
            "file",
            _("This file is larger than %(limit)d MB.") % {"limit": settings.EVIDENCE_MAX_FILE_MB},
        )
    if form.is_valid():
        try:
            evidence = evidence_add(
                complaint=complaint,
                clean=evidence_clean(form.cleaned_data["file"]),
                description=form.cleaned_data["description"],
                now=timezone.now(),
                from_complainant=False,  # handed over with the complaint: it answers nothing
            )
        except ComplaintError as error:
            form.add_error("file", str(error.message))
        else:
            recorded["files"].append(str(evidence.uid))
            request.session.modified = True
            messages.success(request, _("The file was added to the complaint."))
            return redirect("admin:intake_receipt")
    return _receipt_page(
        request,
        complaint,
        receipt=_pending_receipt(recorded["token"]),
        files=recorded["files"],
        evidence_form=form,
        status=400,
    )
