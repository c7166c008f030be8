"""The complainant appeals the Committee's decision from the tracking page, and reads their
appeal and the Appeal Body's decision there: lodged only while the window is open, nothing stored
by a refused one, the judges never named."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from complaints.forms import evidence_limits_text
from complaints.models import Appeal, AppealResult, Evidence, Status
from complaints.receipts import receipt_groups
from complaints.workflow import complaint_transition
from monitoring.appeals.models import Seat
from monitoring.appeals.services import declaration_make, judgment_record, panel_seat, vote_cast
from tests.complaints.test_workflow import adopted_for
from tests.filing import TESTDATA, submit_directly
from tests.monitoring.appeal_body import decide, judge
from tests.monitoring.cast import member

APPEAL_PAGE = "/track/case/appeal/"
CASE_PAGE = "/track/case/"
YOUR_APPEAL = '<h2 class="h5">Your appeal</h2>'
GROUNDS = "Zxqgrounds: the Committee never read my second letter about the camp."


@pytest.fixture
def registry(django_user_model):
    return django_user_model.objects.create_superuser(username="registry", password=None)


@pytest.fixture
def decided(registry, now):
    """A case the Committee decided on the facts at `at` (so its window closes 30 days later),
    moved through the workflow's service, and the receipt its complainant holds."""

    def make(*, at=now):
        submission = submit_directly(now=at)
        complaint = submission.complaint
        for step in (Status.TRIAGE, Status.EXAMINATION, Status.DECIDED):
            complaint_transition(
                complaint=complaint,
                to=step,
                by=registry,
                reason="For the test.",
                now=at,
                **adopted_for(complaint, step, now=at),
            )
        return complaint, submission.receipt

    return make


def open_case(client: Client, receipt: str) -> None:
    response = client.post("/track/", {"receipt": " ".join(receipt_groups(receipt))})
    assert response.status_code == 302


def files_stored() -> list[str]:
    """The evidence files in private storage (each test has its own, tests/conftest.py)."""
    return default_storage.listdir("evidence")[1] if default_storage.exists("evidence") else []


def stored(complaint) -> tuple:
    """Everything lodging an appeal writes."""
    complaint.refresh_from_db()
    return (
        complaint.status,
        complaint.status_changes.count(),
        Appeal.objects.count(),
        Evidence.objects.count(),
        files_stored(),
    )


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def ended_on(decision) -> str:
    when = date_format(timezone.localtime(decision.appeal_until), "DATE_FORMAT")
    return f"The time to appeal ended on {when}."


# --- the page and the form ------------------------------------------------------------------------


def test_the_appeal_page_explains_who_hears_it_and_offers_a_plain_form(client, decided):
    complaint, receipt = decided()
    open_case(client, receipt)

    response = client.get(APPEAL_PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "judges of several nationalities who are independent of the Committee" in html
    assert "What happens next" in html
    until = date_format(timezone.localtime(complaint.decisions.get().appeal_until), "DATE_FORMAT")
    assert f"until {until}." in html
    form_tag = html[html.index('<form method="post" action="/track/case/appeal/#appeal-form"') :]
    form_tag = form_tag.split(">", 1)[0]
    assert 'enctype="multipart/form-data"' in form_tag
    assert "novalidate" in form_tag
    assert 'autocomplete="off"' in form_tag
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="grounds"' in html
    assert 'type="file" name="file"' in html
    assert evidence_limits_text() in html  # as on the other upload forms
    assert "<script" not in html


def test_the_decision_card_offers_the_appeal_while_its_window_is_open(client, decided):
    _complaint, receipt = decided()
    open_case(client, receipt)

    html = client.get(CASE_PAGE).content.decode()

    assert f'href="{APPEAL_PAGE}"' in html
    assert "Appeal this decision" in html


def test_an_appeal_is_lodged_and_the_tracking_page_shows_it(client, decided):
    complaint, receipt = decided()
    decision = complaint.decisions.get()
    open_case(client, receipt)

    response = client.post(APPEAL_PAGE, {"grounds": f"  {GROUNDS}\r\nAnd <b>this</b>.\r\n"})

    assert response.status_code == 302
    assert response["Location"] == CASE_PAGE
    complaint.refresh_from_db()
    assert complaint.status == Status.APPEALED
    appeal = Appeal.objects.get()
    assert (appeal.complaint, appeal.decision, appeal.grounds, appeal.recorded_by) == (
        complaint,
        decision,
        f"{GROUNDS}\r\nAnd <b>this</b>.",
        None,
    )
    change = complaint.status_changes.last()
    assert (change.to_status, change.by_complainant, change.by) == (Status.APPEALED, True, None)
    page = client.get(CASE_PAGE)
    html = page.content.decode()
    assert "Your appeal has been sent to the Appeal Body." in html
    appeal_card = html[html.index(YOUR_APPEAL) :].split("</section>")[0]
    assert f"{GROUNDS}<br>And &lt;b&gt;this&lt;/b&gt;." in appeal_card  # as written, as text
    assert "Appeal this decision" not in html
    titles = [entry.title for entry in page.context["timeline"]]
    assert titles[-2:] == ["You sent your appeal to the Appeal Body", "Appeal under way"]


def test_an_appeal_with_a_file_stores_the_file_as_sent_with_the_appeal(client, decided):
    complaint, receipt = decided()
    open_case(client, receipt)

    response = client.post(
        APPEAL_PAGE,
        {
            "grounds": GROUNDS,
            "file": upload(TESTDATA / "photo_with_gps.jpg", "letter.jpg"),
            "description": "The letter they did not read",
        },
    )

    assert response.status_code == 302
    appeal = Appeal.objects.get()
    evidence = Evidence.objects.get()
    assert (evidence.complaint, evidence.appeal) == (complaint, appeal)
    assert evidence.description == "The letter they did not read"
    assert evidence.metadata_stripped
    assert files_stored() == [Path(evidence.file.name).name]
    html = client.get(CASE_PAGE).content.decode()
    appeal_card = html[html.index(YOUR_APPEAL) :].split("</section>")[0]
    assert "Files sent with your appeal" in appeal_card
    assert "letter.jpg" in appeal_card
    assert "The letter they did not read" in appeal_card


# --- refusals: the grounds kept, nothing stored ---------------------------------------------------


def test_an_appeal_without_grounds_is_refused_and_the_file_is_not_kept(client, decided):
    complaint, receipt = decided()
    open_case(client, receipt)
    before = stored(complaint)

    response = client.post(
        APPEAL_PAGE, {"grounds": "   ", "file": upload(TESTDATA / "minimal.pdf")}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Please say why you disagree with the decision." in html
    assert "Your appeal has not been sent." in html
    assert "Please choose your file again" in html
    assert stored(complaint) == before == (Status.DECIDED, 4, 0, 0, [])


@pytest.mark.parametrize(
    ("sent", "says"),
    [
        ("script_named_as.pdf", "This kind of file is not accepted."),
        ("empty", "empty"),
    ],
    ids=["disguised", "empty"],
)
def test_a_refused_file_refuses_the_appeal_and_keeps_the_grounds(client, decided, sent, says):
    complaint, receipt = decided()
    open_case(client, receipt)
    before = stored(complaint)
    file = SimpleUploadedFile("x.pdf", b"") if sent == "empty" else upload(TESTDATA / sent)

    response = client.post(APPEAL_PAGE, {"grounds": GROUNDS, "file": file})

    assert response.status_code == 400
    html = response.content.decode()
    assert says in html
    assert GROUNDS in html  # in the textarea, as typed
    assert response.context["form"]["grounds"].value() == GROUNDS
    assert stored(complaint) == before


def test_a_file_over_the_size_limit_refuses_the_appeal_and_keeps_the_grounds(
    client, decided, settings
):
    settings.EVIDENCE_MAX_FILE_MB = 1
    complaint, receipt = decided()
    open_case(client, receipt)
    before = stored(complaint)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))

    response = client.post(APPEAL_PAGE, {"grounds": GROUNDS, "file": big})

    assert response.status_code == 400
    assert "This file is larger than 1 MB." in response.content.decode()
    assert response.context["form"]["grounds"].value() == GROUNDS
    assert stored(complaint) == before


def test_a_file_past_the_cases_limit_is_refused_by_the_service_and_nothing_stays(
    client, decided, settings
):
    settings.EVIDENCE_MAX_FILES = 1
    complaint, receipt = decided()
    open_case(client, receipt)
    client.post("/track/case/evidence/", {"file": upload(TESTDATA / "minimal.pdf")})
    before = stored(complaint)
    assert (before[3], len(before[4])) == (1, 1)

    response = client.post(
        APPEAL_PAGE, {"grounds": GROUNDS, "file": upload(TESTDATA / "minimal.pdf")}
    )

    assert response.status_code == 400
    assert "You have already sent the most files allowed (1)." in response.content.decode()
    assert response.context["form"]["grounds"].value() == GROUNDS
    assert stored(complaint) == before


def test_a_file_from_a_network_that_sent_very_many_waits_and_the_grounds_are_kept(
    client, decided, settings
):
    settings.EVIDENCE_UPLOADS_PER_NETWORK_PER_HOUR = 0
    complaint, receipt = decided()
    open_case(client, receipt)
    before = stored(complaint)

    response = client.post(
        APPEAL_PAGE, {"grounds": GROUNDS, "file": upload(TESTDATA / "minimal.pdf")}
    )

    assert response.status_code == 429
    assert "Very many files have been sent from your network" in response.content.decode()
    assert response.context["form"]["grounds"].value() == GROUNDS
    assert stored(complaint) == before


def test_an_appeal_the_service_refuses_at_the_last_moment_keeps_the_grounds(
    client, decided, now, monkeypatch
):
    """The window closed, or the case moved, between the check of the page and the service's
    own check under its lock: the service's word is the last."""
    complaint, receipt = decided(at=now - timedelta(days=31))
    open_case(client, receipt)
    monkeypatch.setattr("complaints.views.appeal_refusal", lambda **_: None)
    before = stored(complaint)

    response = client.post(APPEAL_PAGE, {"grounds": GROUNDS})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [ended_on(complaint.decisions.get())]
    assert response.context["form"]["grounds"].value() == GROUNDS
    assert stored(complaint) == before


# --- after the window, without a decision, once appealed ------------------------------------------


def test_after_the_window_the_page_says_when_it_ended_and_offers_no_form(client, decided, now):
    complaint, receipt = decided(at=now - timedelta(days=31))
    open_case(client, receipt)
    message = ended_on(complaint.decisions.get())
    before = stored(complaint)

    page = client.get(APPEAL_PAGE)
    posted = client.post(
        APPEAL_PAGE, {"grounds": GROUNDS, "file": upload(TESTDATA / "minimal.pdf")}
    )
    case_page = client.get(CASE_PAGE).content.decode()

    assert page.status_code == 200
    assert posted.status_code == 400
    for response in (page, posted):
        html = response.content.decode()
        assert message in html
        assert 'name="grounds"' not in html
    assert stored(complaint) == before
    assert message in case_page
    assert "Appeal this decision" not in case_page


def test_once_the_scheduled_job_closed_the_case_the_page_still_says_when_the_window_ended(
    client, decided, now
):
    complaint, receipt = decided(at=now - timedelta(days=31))
    complaint_transition(complaint=complaint, to=Status.CLOSED, by_schedule=True, now=now)
    open_case(client, receipt)

    html = client.get(APPEAL_PAGE).content.decode()

    assert ended_on(complaint.decisions.get()) in html
    assert 'name="grounds"' not in html


def test_a_case_without_a_decision_cannot_be_appealed(client, complainant_case):
    complaint, receipt = complainant_case
    open_case(client, receipt)
    before = stored(complaint)

    page = client.get(APPEAL_PAGE)
    posted = client.post(APPEAL_PAGE, {"grounds": GROUNDS})

    assert (page.status_code, posted.status_code) == (200, 400)
    for response in (page, posted):
        html = response.content.decode()
        assert "This complaint has no decision that can be appealed now." in html
        assert 'name="grounds"' not in html
    assert stored(complaint) == before


def test_a_decision_is_appealed_once(client, decided):
    complaint, receipt = decided()
    open_case(client, receipt)
    client.post(APPEAL_PAGE, {"grounds": GROUNDS})
    before = stored(complaint)

    page = client.get(APPEAL_PAGE)
    posted = client.post(APPEAL_PAGE, {"grounds": "A second appeal."})

    assert (page.status_code, posted.status_code) == (200, 400)
    when = date_format(timezone.localtime(Appeal.objects.get().lodged_at), "DATE_FORMAT")
    for response in (page, posted):
        html = response.content.decode()
        assert f"You appealed this decision on {when}." in html
        assert 'name="grounds"' not in html
    assert stored(complaint) == before
    assert Appeal.objects.get().grounds == GROUNDS


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nobody", "outsider"])
def test_without_an_open_case_the_appeal_page_is_refused(client, decided, outsider, who):
    """Nobody reaches a case but through its receipt: not a visitor, not a staff account."""
    complaint, _receipt = decided()
    if who == "outsider":
        client.force_login(outsider)
    before = stored(complaint)

    page = client.get(APPEAL_PAGE)
    posted = client.post(APPEAL_PAGE, {"grounds": GROUNDS})

    assert (page.status_code, posted.status_code) == (403, 403)
    assert stored(complaint) == before


def test_an_appeal_reaches_only_the_case_the_session_opened(client, decided):
    complaint, _receipt = decided()
    other, other_receipt = decided()
    open_case(client, other_receipt)
    before = stored(complaint)

    response = client.post(APPEAL_PAGE, {"grounds": GROUNDS})

    assert response.status_code == 302
    assert Appeal.objects.get().complaint == other
    complaint.refresh_from_db()
    assert complaint.status == Status.DECIDED
    assert complaint.status_changes.count() == before[1]


def test_an_appeal_posted_without_the_pages_csrf_token_is_refused(decided):
    complaint, receipt = decided()
    client = Client(enforce_csrf_checks=True)
    token = client.get("/track/").context["csrf_token"]
    client.post("/track/", {"receipt": receipt, "csrfmiddlewaretoken": str(token)})
    form_token = client.get(APPEAL_PAGE).context["csrf_token"]
    before = stored(complaint)

    forged = client.post(APPEAL_PAGE, {"grounds": GROUNDS})
    assert stored(complaint) == before
    sent = client.post(APPEAL_PAGE, {"grounds": GROUNDS, "csrfmiddlewaretoken": str(form_token)})

    assert (forged.status_code, sent.status_code) == (403, 302)
    assert Appeal.objects.get().grounds == GROUNDS


# --- the Appeal Body's decision, as the complainant reads it --------------------------------------
# Heard through monitoring's own services, by judges with names, so that a name could leak.

JUDGES = {"zxqjudge-rw": "RW", "zxqjudge-fr": "FR", "zxqjudge-ke": "KE"}
STAFF_NAMES = [*JUDGES, "zxqregistrar", "zxqrapporteur", "zxqchair"]
DISSENT = "Zxqdissent: the second letter was decisive and nobody read it."
SEPARATE = "Zxqseparate: I agree, but the Committee should have answered the letter."
REASONS = "Zxqreasons: the Committee weighed the evidence it had."
# An opinion on the page: its heading (the kind), then its text.
OPINION = re.compile(
    r'<div class="opinion[^"]*">\s*<h3 class="h6">([^<]*)</h3>\s*'
    r'<div class="text-break">([^<]*)</div>'
)


@pytest.fixture
def appeal_body(django_user_model):
    return {
        "rapporteur": member(django_user_model, "zxqrapporteur", "Rapporteur"),
        "chair": member(django_user_model, "zxqchair", "Committee chair"),
        "registrar": member(django_user_model, "zxqregistrar", "Appeal registrar"),
        "judges": [judge(django_user_model, name, code, "en") for name, code in JUDGES.items()],
    }


@pytest.fixture
def appealed_online(client, appeal_body, now):
    """A case decided by the Committee's services, appealed on the tracking page with a file."""
    rapporteur, chair = appeal_body["rapporteur"], appeal_body["chair"]
    submission = submit_directly(now=now)
    complaint = decide(submission.complaint, rapporteur=rapporteur, chair=chair, now=now)
    open_case(client, submission.receipt)
    response = client.post(
        APPEAL_PAGE, {"grounds": GROUNDS, "file": upload(TESTDATA / "minimal.pdf")}
    )
    assert response.status_code == 302
    return complaint, Appeal.objects.get(complaint=complaint)


def heard(appeal, appeal_body, *, choice, dissent=True, **judgment):
    """The panel seated, declared and voting `choice` (one dissenting, with an opinion, when
    `dissent`), and the presiding judge recording the decision."""
    later = timezone.now()
    panel = appeal_body["judges"]
    panel_seat(appeal=appeal, judges=panel, by=appeal_body["registrar"], now=later)
    for user in panel:
        declaration_make(appeal=appeal, judge=user, recuse=False, reason="", now=later)
    presiding = Seat.objects.get(appeal=appeal, presiding=True).judge
    dissenter, agreeing = [u for u in panel if u != presiding] if dissent else (None, None)
    for user in panel:
        if user == dissenter:
            vote_cast(appeal=appeal, judge=user, choice="overturn", opinion=DISSENT, now=later)
        else:
            opinion = SEPARATE if user == agreeing else ""
            vote_cast(appeal=appeal, judge=user, choice=choice, opinion=opinion, now=later)
    return judgment_record(
        appeal=appeal, by=presiding, choice=choice, reasons=REASONS, now=later, **judgment
    )


def test_the_appeal_bodys_decision_shows_its_reasons_and_opinions_and_never_a_name(
    client, appealed_online, appeal_body
):
    _complaint, appeal = appealed_online

    judgment = heard(appeal, appeal_body, choice="uphold")
    response = client.get(CASE_PAGE)

    html = response.content.decode()
    card = html[html.index("The Appeal Body's decision") :]
    assert "The Committee&#x27;s decision is upheld" in card
    assert REASONS in card
    when = date_format(timezone.localtime(judgment.decided_at), "DATE_FORMAT")
    assert f"Decided on {when}" in card
    assert sorted(OPINION.findall(card)) == [
        ("Dissenting opinion", DISSENT),
        ("Separate opinion", SEPARATE),
    ]
    assert [name for name in STAFF_NAMES if name in html] == []
    assert YOUR_APPEAL in html
    assert GROUNDS in html


def test_withheld_opinions_are_not_on_the_tracking_page(client, appealed_online, appeal_body):
    _complaint, appeal = appealed_online

    heard(
        appeal,
        appeal_body,
        choice="uphold",
        withhold_opinions=True,
        withheld_reason="The dissent names a witness.",
    )
    html = client.get(CASE_PAGE).content.decode()

    assert REASONS in html
    assert DISSENT not in html
    assert SEPARATE not in html
    assert "Dissenting opinion" not in html
    assert "Separate opinion" not in html
    assert "names a witness" not in html


def test_an_overturning_shows_the_appeal_bodys_own_finding(client, appealed_online, appeal_body):
    _complaint, appeal = appealed_online

    judgment = heard(appeal, appeal_body, choice="overturn", dissent=False, finding="not_found")
    html = client.get(CASE_PAGE).content.decode()

    assert judgment.result == AppealResult.OVERTURNED
    assert "The Committee&#x27;s decision is overturned" in html
    assert "The Appeal Body's own finding: No violation found" in html


def test_a_remittal_says_the_committee_examines_the_complaint_again(
    client, appealed_online, appeal_body
):
    complaint, appeal = appealed_online

    heard(appeal, appeal_body, choice="remit", dissent=False)
    html = client.get(CASE_PAGE).content.decode()

    complaint.refresh_from_db()
    assert complaint.status == Status.EXAMINATION
    assert "Sent back to the Committee to examine again" in html
    assert "The Committee examines your complaint again." in html
    assert "Appeal this decision" not in html


@pytest.mark.parametrize("days_ago", [0, 31], ids=["window-open", "window-ended"])
def test_the_tracking_page_of_a_decided_case_costs_six_queries(
    client, decided, now, days_ago, django_assert_max_num_queries
):
    _complaint, receipt = decided(at=now - timedelta(days=days_ago))
    open_case(client, receipt)

    with django_assert_max_num_queries(6):
        response = client.get(CASE_PAGE)

    html = response.content.decode()
    assert ("Appeal this decision" in html) is (days_ago == 0)
    assert ("The time to appeal ended on" in html) is (days_ago == 31)


def test_the_tracking_page_with_an_appeal_and_a_judgment_costs_a_fixed_number_of_queries(
    client, appealed_online, appeal_body, django_assert_max_num_queries
):
    _complaint, appeal = appealed_online
    heard(appeal, appeal_body, choice="uphold")
    for number in range(3):
        client.post("/track/case/message/", {"body": f"message {number}"})

    # The case, its status changes, messages, files, decisions with their appeals and
    # judgments, the judgments' opinions and the consent changes: one query each.
    with django_assert_max_num_queries(7):
        response = client.get(CASE_PAGE)

    assert response.status_code == 200
    [tracked] = response.context["appeals"]
    assert (len(tracked.files), len(tracked.opinions)) == (1, 2)
    assert DISSENT in response.content.decode()


def test_switching_language_while_writing_an_appeal_keeps_the_grounds(client, decided):
    _complaint, receipt = decided()
    open_case(client, receipt)
    assert (
        'form="appeal-form" formaction="/language/?next='
        in client.get(APPEAL_PAGE).content.decode()
    )

    client.post(f"/language/?next={APPEAL_PAGE}", {"grounds": GROUNDS, "language": "rw"})

    again = client.get(APPEAL_PAGE)
    assert '<html lang="rw">' in again.content.decode()
    assert GROUNDS in again.content.decode()
