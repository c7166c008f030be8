"""Public pages. Every one works with JavaScript off; none stores or logs who is asking."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from complaints import filing
from complaints.errors import ComplaintError, EvidenceRefused
from complaints.evidence import CleanFile, evidence_clean
from complaints.forms import (
    AppealForm,
    ConsentsChangeForm,
    EvidenceUploadForm,
    MessageForm,
    ReceiptForm,
    ReviewForm,
    VictimFormSet,
    WithdrawForm,
    evidence_limits_text,
)
from complaints.middleware import language_cookie_set, uncompressed
from complaints.models import Complaint, Consent
from complaints.outage import CACHE_OUTAGE
from complaints.receipts import receipt_groups, receipt_normalise
from complaints.selectors import (
    complaint_appeals,
    complaint_by_receipt,
    complaint_for_tracking,
    complaint_timeline,
    decision_appeal,
    latest_decision,
)
from complaints.services import (
    appeal_lodge,
    appeal_refusal,
    complaint_submit,
    complaint_withdraw,
    consents_change,
    evidence_add,
    evidence_check_room,
    evidence_store,
    message_from_complainant,
)
from complaints.sessions import session_abandon
from complaints.throttle import (
    receipt_bucket,
    receipt_limit,
    submission_limit,
    throttle_exceeded,
    throttle_record,
    upload_limit,
)
from complaints.workflow import deadline_figures, public_status

logger = logging.getLogger(__name__)

TRACKING_KEY = filing.TRACKING_SESSION_KEY
MAX_TOKEN_LENGTH = 64  # a draft's token is 43 characters; the column holds 64
# How long a press of "Send" that lost to another press of the same filing waits for the
# winner's receipt (filing.receipt_confirmed).
RACE_WAIT_SECONDS = 3
RECEIPT_TOKEN_KEY = "receipt_token"  # noqa: S105 - a session key name, not a secret


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to; an empty POST still binds, so that it gets errors."""
    return request.POST if request.method == "POST" else None


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "complaints/home.html", {"deadlines": deadline_figures()})


@dataclass(frozen=True)
class HelpTopic:
    slug: str
    title: Promise
    summary: Promise
    template: str  # under templates/complaints/help/


HELP_TOPICS = [
    HelpTopic(
        "after-filing",
        gettext_lazy("What happens after you file"),
        gettext_lazy("The steps, and how long each takes."),
        "after",
    ),
    HelpTopic(
        "who-sees-what",
        gettext_lazy("Who can see what"),
        gettext_lazy("Who reads your complaint, and who never does."),
        "who",
    ),
    HelpTopic(
        "protection",
        gettext_lazy("How we protect you"),
        gettext_lazy("What this site records, and what it does not."),
        "protection",
    ),
    HelpTopic(
        "staying-safe",
        gettext_lazy("Staying safe online"),
        gettext_lazy("Private browsing, history, Tor Browser, and the leave button."),
        "safety",
    ),
    HelpTopic(
        "contact",
        gettext_lazy("Contact the Committee"),
        gettext_lazy("How to reach the Committee without your receipt."),
        "contact",
    ),
]


def committee_contact() -> dict[str, str]:
    return {
        "email": settings.COMMITTEE_CONTACT_EMAIL,
        "phone": settings.COMMITTEE_CONTACT_PHONE,
        "post": settings.COMMITTEE_CONTACT_POST,
    }


def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "complaints/help/index.html", {"topics": HELP_TOPICS})


def help_topic(request: HttpRequest, slug: str) -> HttpResponse:
    topic = next((topic for topic in HELP_TOPICS if topic.slug == slug), None)
    if topic is None:
        raise Http404
    context = {"topic": topic, "deadlines": deadline_figures(), "contact": committee_contact()}
    return render(request, f"complaints/help/{topic.template}.html", context)


def leave(request: HttpRequest) -> HttpResponse:
    """End the visit at once: forget the session here and in the browser, then go elsewhere.

    A plain link (GET) on purpose: it must work without JavaScript in one tap. All it can do
    is end the visitor's own session.
    """
    request.session.flush()
    response = HttpResponseRedirect(settings.LEAVE_SITE_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


# Typed text a tracking page's language buttons carry over to the same page in the new language.
# Never the receipt: it is not written back into any page.
TYPED_KEY = "typed_before_language_change"
TYPED_FIELDS = {"body", "reason", "grounds", "description"}


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language, keeping what was typed on the page the buttons belong to.

    The buttons of a page with a form send that form here (`formaction`), so that a message or an
    appeal half-written is shown again, in the new language; `next` is the page, on this site.
    """
    language = request.POST.get("language", "")
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/"):
        target = "/"
    response = redirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    typed = {
        name: request.POST[name] for name in TYPED_FIELDS if request.POST.get(name, "").strip()
    }
    if typed:
        request.session[TYPED_KEY] = {"path": urlsplit(target).path, "data": typed}
    language_cookie_set(response, language)
    return response


def _switch_sends(request: HttpRequest, form_id: str) -> dict[str, str]:
    """Context for a page whose language buttons send its form `form_id` to language_switch."""
    target = reverse("complaints:language") + "?next=" + quote(request.path)
    return {"switch_form": form_id, "switch_action": target}


def typed_before_language_change(request: HttpRequest) -> dict[str, str]:
    """What was typed on this page before its language was changed, once; else nothing."""
    kept = request.session.get(TYPED_KEY)
    if not kept or kept["path"] != request.path:
        return {}
    del request.session[TYPED_KEY]
    return kept["data"]


def _step_context(draft: filing.Draft, page: filing.Page, **extra: object) -> dict:
    return {
        "page": page,
        "step": page.step,
        "steps": filing.STEPS,
        "step_number": filing.STEPS.index(page.step) + 1,
        "previous": filing.previous_page(page, draft.raw),
        "draft": draft,
        **extra,
    }


def _return_to_review(request: HttpRequest) -> bool:
    """Whether the person came from "Change" on the review page, and goes back there."""
    return (request.POST if request.method == "POST" else request.GET).get("return_to") == "review"


def _error_list(form: object, names: list[str]) -> list[dict]:
    """The error summary at the top of a failed page: each error, linked to its question."""
    if isinstance(form, forms.BaseFormSet):
        items = [
            {"anchor": "people", "label": "", "text": str(error)}
            for error in form.non_form_errors()
        ]
        for number, person in enumerate(form.forms, start=1):
            for name, errors in person.errors.items():
                label = _("Person %(number)d") % {"number": number}
                bound = person[name]
                items += [
                    {
                        "anchor": bound.id_for_label,
                        "label": f"{label}: {bound.label}",
                        "text": error,
                    }
                    for error in errors
                ]
        return items
    items = []
    for name, errors in filing.page_errors(form, names).items():
        bound = form[name]
        anchor = (
            "div_id_categories"
            if name == "categories"
            else (bound.id_for_label or f"{bound.auto_id}_0")
        )
        items += [{"anchor": anchor, "label": bound.label, "text": str(error)} for error in errors]
    return items


def _page_questions(
    draft: filing.Draft, page: filing.Page, form: object, posted: QueryDict | None = None
) -> list[str]:
    """The questions a page shows: those that apply, and any other question of its step that
    was sent with it (a script or an old tab may send a whole step), so that its errors show."""
    if not page.fields:
        return list(getattr(form, "fields", []))
    names = page.asked(draft.raw(page.step))
    sent = [name for name in (posted or {}) if name in form.fields and name not in names]
    return [name for name in form.fields if name in names or name in sent]


def _page_render(
    request: HttpRequest,
    draft: filing.Draft,
    page: filing.Page,
    form: object,
    *,
    names: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    names = names if names is not None else _page_questions(draft, page, form)
    errors = _error_list(form, names) if form.is_bound else []
    context = _step_context(
        draft,
        page,
        form=form,
        fields=[form[name] for name in names] if page.fields else None,
        errors=errors,
        return_to_review=_return_to_review(request),
    )
    return render(request, "complaints/file_step.html", context, status=status)


@require_http_methods(["GET", "POST"])
def file_step(request: HttpRequest, slug: str) -> HttpResponse:
    page = filing.PAGE_BY_SLUG.get(slug)
    if page is None or page.step.form_class is None:
        raise Http404
    filing.filing_keep_alive(request.session)
    draft = filing.Draft(request.session)
    if request.method == "GET":
        return _page_render(request, draft, page, draft.page_form(page))
    language = request.POST.get("language")
    if language in dict(settings.LANGUAGES):
        # The language buttons send the page: what was typed is kept, not yet checked.
        draft.keep(page, request.POST, sent=False)
        target = reverse("complaints:file_step_or_page", kwargs={"slug": page.slug})
        response = redirect(target + ("?return_to=review" if _return_to_review(request) else ""))
        language_cookie_set(response, language)
        return response
    # "Back" keeps what was typed without calling it sent: its errors wait until it is.
    going_back = "back" in request.POST and filing.PAGES.index(page) > 0
    draft.keep(page, request.POST, sent=not going_back)
    if page.step.form_class is VictimFormSet and "add_person" in request.POST:
        form = filing.victims_with_another(request.POST)
        return _page_render(request, draft, page, form)
    previous = filing.previous_page(page, draft.raw)
    if going_back and previous:
        return redirect("complaints:file_step_or_page", slug=previous.slug)
    form = draft.form_for(page.step, draft.raw(page.step))  # what was sent, checked
    names = _page_questions(draft, page, form, request.POST)
    invalid = filing.page_errors(form, names) if page.fields else not draft.page_complete(page)
    if invalid:
        return _page_render(request, draft, page, form, names=names, status=400)
    following = filing.next_page(page, draft.raw)
    while following.step == page.step and set(following.asked(draft.raw(page.step))) <= set(names):
        following = filing.next_page(following, draft.raw)  # answered with this page already
    if _return_to_review(request):
        # A change can bring up a question that now applies (a name after "not anonymous").
        needed = following.step == page.step and not draft.page_complete(following)
        if not needed:
            return redirect("complaints:file_step_or_page", slug="review")
        return redirect(
            reverse("complaints:file_step_or_page", kwargs={"slug": following.slug})
            + "?return_to=review"
        )
    return redirect("complaints:file_step_or_page", slug=following.slug)


@require_http_methods(["GET", "POST"])
def file_evidence(request: HttpRequest) -> HttpResponse:
    page = filing.PAGE_BY_SLUG["evidence"]
    filing.filing_keep_alive(request.session)
    draft = filing.Draft(request.session)
    form = EvidenceUploadForm()
    if request.method == "POST" and "remove" in request.POST:
        item = draft.remove_evidence(request.POST["remove"])
        if item:
            default_storage.delete(item["path"])
            messages.success(request, _("The file was removed."))
        return redirect("complaints:file_step_or_page", slug="evidence")
    # A file chosen but not added before pressing "Save and continue" is added, not lost.
    chosen = "upload" in request.POST or bool(request.FILES.get("file"))
    refused = None
    if request.method == "POST" and chosen:
        form = EvidenceUploadForm(request.POST, request.FILES)
        refused = _upload_refusal(request, form, draft)
        if refused is None:
            messages.success(request, _("Your file was added. You can add another, or continue."))
    moving_on = "next" in request.POST or "back" in request.POST
    if request.method == "POST" and refused is None and moving_on:
        if _return_to_review(request):
            return redirect("complaints:file_step_or_page", slug="review")
        target = (
            filing.previous_page(page, draft.raw)
            if "back" in request.POST
            else filing.next_page(page, draft.raw)
        )
        return redirect("complaints:file_step_or_page", slug=target.slug)
    if request.method == "POST" and refused is None:
        return redirect(
            reverse("complaints:file_step_or_page", kwargs={"slug": "evidence"})
            + ("?return_to=review" if _return_to_review(request) else "")
        )
    context = _step_context(
        draft,
        page,
        form=form,
        limits=evidence_limits_text(),
        return_to_review=_return_to_review(request),
        errors=_error_list(form, list(form.fields)) if form.is_bound else [],
    )
    return render(request, "complaints/file_evidence.html", context, status=refused or 200)


def _upload_throttled(request: HttpRequest, form: EvidenceUploadForm | AppealForm) -> bool:
    """Whether the network's bucket of uploads is full; if not, this upload counts in it."""
    if throttle_exceeded(request, upload_limit()):
        form.add_error(
            None,
            _(
                "Very many files have been sent from your network in the last hour. "
                "Please try again later: everything you wrote is kept."
            ),
        )
        return True
    throttle_record(request, upload_limit())
    return False


def _too_large(form: EvidenceUploadForm | AppealForm) -> None:
    """Say on the form that the file was cut off at the size limit (request.upload_too_large)."""
    form.add_error(
        "file",
        _("This file is larger than %(limit)d MB.") % {"limit": settings.EVIDENCE_MAX_FILE_MB},
    )


def _upload_refusal(
    request: HttpRequest, form: EvidenceUploadForm, draft: filing.Draft
) -> int | None:
    """Add the upload to the draft, or say why not (an error on the form) with a status."""
    if getattr(request, "upload_too_large", False):
        _too_large(form)
        return 400
    if not form.is_valid():
        return 400
    if _upload_throttled(request, form):
        return 429
    try:
        clean = evidence_clean(form.cleaned_data["file"])
        evidence_check_room(
            count=len(draft.evidence),
            total=sum(i["size"] for i in draft.evidence),
            adding=clean.size,
        )
    except ComplaintError as error:
        form.add_error("file", str(error.message))
        return 400
    draft.add_evidence(evidence_store(clean=clean, description=form.cleaned_data["description"]))
    return None


@require_http_methods(["GET", "POST"])
def file_review(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and filing.SESSION_KEY not in request.session:
        if request.session.get(RECEIPT_TOKEN_KEY):
            return redirect("complaints:receipt")  # a second press after the first one finished
        again = _receipt_again(request, request.POST.get("token", ""))
        if again:
            return again
    filing.filing_keep_alive(request.session)
    draft = filing.Draft(request.session)
    incomplete = draft.first_incomplete()
    if incomplete:
        if request.method == "POST" or draft.state["data"]:
            messages.warning(request, _("Please complete this step first."))
        return redirect("complaints:file_step_or_page", slug=incomplete.slug)
    form = ReviewForm(posted(request), initial={"token": draft.token})
    status = 200
    if request.method == "POST":
        status = _review_refusal(request, form, draft)
        if status is None:
            return _submit(request, draft)
    page = filing.PAGE_BY_SLUG["review"]
    return render(
        request,
        "complaints/file_review.html",
        _step_context(draft, page, form=form, summary=draft.summary()),
        status=status,
    )


def _review_refusal(request: HttpRequest, form: ReviewForm, draft: filing.Draft) -> int | None:
    """Why the complaint cannot be sent now, as an error on the form and a status; or None."""
    missing = filing.draft_files_missing(draft)
    if missing:
        for item in missing:
            draft.remove_evidence(item["key"])
        form.add_error(
            None,
            _(
                "Some files you added were kept too long without activity and "
                "had to be removed. Please add them again, then send."
            ),
        )
        return 400
    if not form.is_valid() or form.cleaned_data["token"] != draft.token:
        form.add_error(
            None,
            _(
                "This page was out of date. Please check your answers and press "
                "“Send my complaint” again."
            ),
        )
        return 400
    if throttle_exceeded(request, submission_limit()):
        form.add_error(
            None,
            _(
                "Very many complaints have been sent from your network in the "
                "last hour. Please try again later: everything you wrote is kept."
            ),
        )
        return 429
    return None


def _submit(request: HttpRequest, draft: filing.Draft) -> HttpResponse:
    """File the complaint and answer with its receipt, in this very response.

    The receipt is shown here rather than after a redirect, so that whoever filed sees it even
    when the cache fails after the complaint was committed: the answer needs nothing the cache
    holds. The cache gets a copy before the commit, for the receipt page (a reload, a change of
    language) and for a second press or a retry whose first answer never arrived.
    """
    kept = []  # the cache answered before the commit (it holds this receipt, or another press's)

    def receipt_keep(receipt: str) -> None:
        try:
            filing.receipt_hold(token=draft.token, receipt=receipt)
            kept.append(receipt)
        except CACHE_OUTAGE:
            pass  # shown in this answer all the same, and said to be shown only here

    submission = complaint_submit(  # one transaction: a database outage leaves nothing written
        steps=draft.cleaned(),
        evidence=draft.evidence,
        language=get_language(),
        token=draft.token,
        now=timezone.now(),
        receipt_keep=receipt_keep,
    )
    receipt = submission.receipt if submission.created else None
    only_here = submission.created and not kept
    try:
        if submission.created:
            throttle_record(request, submission_limit())
            if kept:
                filing.receipt_hand_over(
                    token=draft.token, reference=submission.complaint.reference, receipt=receipt
                )
        elif confirmed := filing.receipt_confirmed(draft.token, wait_seconds=RACE_WAIT_SECONDS):
            receipt = confirmed["receipt"]  # sent before, its answer lost: the copy is still here
        draft.discard()
        request.session[RECEIPT_TOKEN_KEY] = draft.token
        # Sent: the receipt is read under yet another session id, never the one the filing had.
        request.session.cycle_key()  # writes the session now, while a failure can be answered
        request.session.written_by_view = True  # the middleware's second write may fail quietly
    except CACHE_OUTAGE:
        logger.warning("The cache failed after a complaint was filed; its receipt is shown once")
        session_abandon(request)
        only_here = bool(receipt)
    return _receipt_page(
        request, reference=submission.complaint.reference, receipt=receipt, only_here=only_here
    )


def _receipt_again(request: HttpRequest, token: str) -> HttpResponse | None:
    """A second press of "Send" that arrives with the session the filing had, after the first
    press replaced it: the page's own token finds the receipt the first press filed."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    # Kept before the commit: only a complaint that was filed makes its receipt worth showing.
    if not filing.receipt_pending(token) or not (reference := _reference_of_token(token)):
        return None
    confirmed = filing.receipt_confirmed(token, wait_seconds=RACE_WAIT_SECONDS)
    request.session[RECEIPT_TOKEN_KEY] = token
    request.session.cycle_key()
    return _receipt_page(request, reference=reference, receipt=confirmed and confirmed["receipt"])


def _reference_of_token(token: str) -> str | None:
    return (
        Complaint.objects.filter(submission_token=token).values_list("reference", flat=True).first()
    )


def _receipt_page(
    request: HttpRequest, *, reference: str | None, receipt: str | None, only_here: bool = False
) -> HttpResponse:
    page = render(
        request,
        "complaints/receipt.html",
        {
            "reference": reference,
            "groups": receipt_groups(receipt) if receipt else None,
            "keep_minutes": filing.RECEIPT_TTL_SECONDS // 60,
            "only_here": only_here,
            "deadlines": deadline_figures(),
            "contact": committee_contact(),
        },
    )
    return uncompressed(page)  # it shows the receipt: see CompressionMiddleware


@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    token = request.session.get(RECEIPT_TOKEN_KEY)
    if not token:
        return redirect("complaints:home")
    if request.method == "POST":
        filing.receipt_forget(token)
        del request.session[RECEIPT_TOKEN_KEY]
        messages.success(request, _("Thank you. Keep your receipt safe."))
        return redirect("complaints:home")
    confirmed = filing.receipt_confirmed(token)
    reference = (confirmed and confirmed["reference"]) or _reference_of_token(token)
    return _receipt_page(request, reference=reference, receipt=confirmed and confirmed["receipt"])


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        bucket = receipt_bucket(form.cleaned_data["receipt"])
        if throttle_exceeded(request, receipt_limit(), within=bucket):
            form.add_error(None, _("Too many attempts. Please wait 15 minutes and try again."))
            return render(request, "complaints/track.html", {"form": form}, status=429)
        digits = receipt_normalise(form.cleaned_data["receipt"])
        complaint = complaint_by_receipt(digits) if digits else None
        if complaint is None:
            throttle_record(request, receipt_limit(), within=bucket)
            form.add_error(
                "receipt",
                _(
                    "We could not find a complaint with this receipt. Check "
                    "the 16 digits and try again."
                ),
            )
            return render(request, "complaints/track.html", {"form": form}, status=400)
        request.session.cycle_key()  # a new session id from the moment the receipt opens a case
        request.session[TRACKING_KEY] = complaint.pk
        request.session.set_expiry(settings.TRACKING_IDLE_MINUTES * 60)
        return redirect("complaints:track_case")
    return render(
        request,
        "complaints/track.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _tracked(request: HttpRequest) -> Complaint:
    complaint_pk = request.session.get(TRACKING_KEY)
    complaint = complaint_for_tracking(complaint_pk) if complaint_pk else None
    if complaint is None:
        raise PermissionDenied
    return complaint


def _case_page(
    request: HttpRequest, complaint: Complaint, *, status: int = 200, **forms: object
) -> HttpResponse:
    label, explanation = public_status(complaint.status, urgent=complaint.immediate_danger)
    decision = latest_decision(complaint)
    context = {
        "decision": decision,
        # None while the decision may be appealed; otherwise why not (when it ended).
        "appeal_refusal": appeal_refusal(
            complaint=complaint, decision=decision, now=timezone.now()
        ),
        "decision_appeal": decision_appeal(decision),
        "appeals": complaint_appeals(complaint),
        "complaint": complaint,
        "status_label": label,
        "status_explanation": explanation,
        "timeline": complaint_timeline(complaint),
        "limits": evidence_limits_text(),
        "message_form": MessageForm(),
        "evidence_form": EvidenceUploadForm(),
        "consents_form": ConsentsChangeForm.of(complaint),
        **(_switch_sends(request, "message-form") if complaint.is_open else {}),
        **forms,
    }
    return render(request, "complaints/track_case.html", context, status=status)


def track_case(request: HttpRequest) -> HttpResponse:
    if TRACKING_KEY not in request.session:
        return redirect("complaints:track")
    typed = typed_before_language_change(request)
    return _case_page(request, _tracked(request), message_form=MessageForm(initial=typed))


@require_POST
def track_message(request: HttpRequest) -> HttpResponse:
    complaint = _tracked(request)
    form = MessageForm(request.POST)
    if not complaint.is_open or not form.is_valid():
        return _case_page(request, complaint, status=400, message_form=form)
    message_from_complainant(
        complaint=complaint, body=form.cleaned_data["body"], now=timezone.now()
    )
    messages.success(request, _("Your message was sent to the Committee."))
    return redirect("complaints:track_case")


@require_POST
def track_evidence(request: HttpRequest) -> HttpResponse:
    complaint = _tracked(request)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if getattr(request, "upload_too_large", False):
        _too_large(form)
    if form.is_valid() and complaint.is_open:
        if _upload_throttled(request, form):
            return _case_page(request, complaint, status=429, evidence_form=form)
        try:
            evidence_add(
                complaint=complaint,
                clean=evidence_clean(form.cleaned_data["file"]),
                description=form.cleaned_data["description"],
                now=timezone.now(),
            )
        except ComplaintError as error:
            form.add_error("file", str(error.message))
        else:
            messages.success(request, _("Your file was added to your complaint."))
            return redirect("complaints:track_case")
    return _case_page(request, complaint, status=400, evidence_form=form)


@require_POST
def track_consents(request: HttpRequest) -> HttpResponse:
    complaint = _tracked(request)
    form = ConsentsChangeForm.of(complaint, request.POST)
    if not form.is_valid():
        return _case_page(request, complaint, status=400, consents_form=form)
    given = {Consent(name): value for name, value in form.cleaned_data.items()}
    if consents_change(complaint=complaint, given=given, now=timezone.now()):
        messages.success(request, _("Your choices were saved. They apply from now on."))
    else:
        messages.info(request, _("Nothing was changed: these were already your choices."))
    return redirect("complaints:track_case")


@require_http_methods(["GET", "POST"])
def track_withdraw(request: HttpRequest) -> HttpResponse:
    complaint = _tracked(request)
    form = WithdrawForm(posted(request), initial=typed_before_language_change(request))
    if request.method == "POST" and form.is_valid():
        try:
            complaint_withdraw(
                complaint=complaint, reason=form.cleaned_data["reason"], now=timezone.now()
            )
        except ComplaintError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your complaint has been withdrawn."))
        return redirect("complaints:track_case")
    return render(
        request,
        "complaints/track_withdraw.html",
        {"complaint": complaint, "form": form, **_switch_sends(request, "withdraw-form")},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def track_appeal(request: HttpRequest) -> HttpResponse:
    complaint = _tracked(request)
    decision = latest_decision(complaint)
    refusal = appeal_refusal(complaint=complaint, decision=decision, now=timezone.now())
    form = AppealForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        initial=typed_before_language_change(request),
    )
    status = 200
    if request.method == "POST":
        status = 400 if refusal else _appeal_send(request, complaint, form)
        if status is None:
            messages.success(request, _("Your appeal has been sent to the Appeal Body."))
            return redirect("complaints:track_case")
    context = {
        "complaint": complaint,
        "decision": decision,
        "decision_appeal": decision_appeal(decision),
        "refusal": refusal,
        "form": form,
        "limits": evidence_limits_text(),
        "appeal_days": settings.APPEAL_DEADLINE_DAYS,
        **({} if refusal else _switch_sends(request, "appeal-form")),
    }
    return render(request, "complaints/track_appeal.html", context, status=status)


def _appeal_send(request: HttpRequest, complaint: Complaint, form: AppealForm) -> int | None:
    """Lodge the appeal the form holds, or say on the form why not and answer with a status.
    Nothing is stored unless the whole appeal is: the service writes it in one transaction."""
    clean = _appeal_file(request, form)
    if not form.is_valid():
        if clean is not None:  # a browser never sends a file field back filled in
            form.add_error(
                "file",
                _("Please choose your file again: files are kept only when the appeal is sent."),
            )
        return 400
    if clean is not None and _upload_throttled(request, form):
        return 429
    try:
        appeal_lodge(
            complaint=complaint,
            grounds=form.cleaned_data["grounds"],
            now=timezone.now(),
            evidence=clean,
            evidence_description=form.cleaned_data["description"],
        )
    except EvidenceRefused as error:
        form.add_error("file", str(error.message))
        return 400
    except ComplaintError as error:
        form.add_error(None, str(error.message))
        return 400
    return None


def _appeal_file(request: HttpRequest, form: AppealForm) -> CleanFile | None:
    """The file sent with the appeal, checked even when the grounds are missing, so that one
    answer names every problem; None without a file, or with its refusal on the form."""
    if getattr(request, "upload_too_large", False):
        _too_large(form)
        return None
    if "file" in form.errors or not form.cleaned_data.get("file"):
        return None
    try:
        return evidence_clean(form.cleaned_data["file"])
    except ComplaintError as error:
        form.add_error("file", str(error.message))
        return None


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def file_start(request: HttpRequest) -> HttpResponse:
    return redirect("complaints:file_step_or_page", slug=filing.STEPS[0].slug)


def file_step_or_page(request: HttpRequest, slug: str) -> HttpResponse:
    if slug == "evidence":
        return file_evidence(request)
    if slug == "review":
        return file_review(request)
    return file_step(request, slug)


def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: where to report a vulnerability. Expires a year ahead, so it never goes stale."""
    expires = (timezone.now() + timedelta(days=365)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: en, fr",
        f"Canonical: {request.build_absolute_uri()}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmarks' reference: touches nothing."""
    return HttpResponse("ok", content_type="text/plain")
