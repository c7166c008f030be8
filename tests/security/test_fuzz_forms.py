"""Fuzzing every public form: whatever is typed, a clean answer, and nothing kept unless valid.

Hypothesis runs derandomized (the same examples on every run, so CI is repeatable) and without an
example database (nothing is written outside the test's own folders). Each example starts from a
fresh visitor or runs in a savepoint that is rolled back, so examples never see each other.
"""

import operator
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, QueryDict
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from complaints.filing import STEP_BY_SLUG, Draft, next_step
from complaints.forms import MessageForm, ReceiptForm, WithdrawForm
from complaints.models import Complaint, Message, Status, StatusChange
from complaints.receipts import receipt_normalise
from complaints.views import TRACKING_KEY
from tests.filing import receipt_shown, step_data
from tests.security.hostile import (
    FILING_STEPS,
    HOSTILE,
    JPEG,
    PDF,
    assert_clean_answer,
    assert_refused,
    evidence_files,
    explain,
    fresh_visitor,
    rolled_back,
    stored,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ANY_CHARACTER = st.characters(codec="utf-8")  # every code point but surrogates; NUL included
TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=80),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=12),
    st.builds(
        operator.mul,
        st.sampled_from(["a", "é", "\x00", "<", "9", " ", "𝕏\u200d", "\r\n"]),
        st.integers(0, 25_000),
    ),
    st.sampled_from(HOSTILE),
    st.integers().map(str),
)
VALUE = st.one_of(TEXT, st.lists(TEXT, max_size=3))
FIELD_NAME = st.text(ANY_CHARACTER, min_size=1, max_size=20)
NAVIGATION = ["back", "next", "add_person", "csrfmiddlewaretoken"]
SIGNATURES = [b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\0\0\0\0WEBP", b"OggS"]
FILE_CONTENT = st.one_of(
    st.binary(max_size=200),
    st.tuples(st.sampled_from(SIGNATURES), st.binary(max_size=100)).map(b"".join),
    st.sampled_from([PDF, JPEG]),
)
FILE_NAME = st.one_of(
    st.text(ANY_CHARACTER, min_size=1, max_size=40),
    st.sampled_from(HOSTILE),
    st.integers(1, 5_000).map(lambda n: "x" * n + ".pdf"),
)


def field_names(slug: str) -> list[str]:
    if slug == "victims":
        management = ["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"]
        person = ["name", "sex", "age_group", "situation", "DELETE"]
        return [f"victims-{name}" for name in management] + [
            f"victims-{index}-{name}" for index in (0, 1, 30) for name in person
        ]
    return list(STEP_BY_SLUG[slug].form_class.base_fields)


@st.composite
def mutated(draw: st.DrawFn, base: dict, names: list[str]) -> dict:
    """Valid data with fields dropped, fields replaced by anything, and unknown fields added."""
    data = dict(base)
    for name in draw(st.sets(st.sampled_from(names), max_size=3)):
        data.pop(name, None)
    data |= draw(st.dictionaries(st.sampled_from(names), VALUE, max_size=5))
    data |= draw(st.dictionaries(FIELD_NAME, VALUE, max_size=2))
    return data


def send(client: Client, path: str, data: dict, *, multipart: bool) -> HttpResponse:
    """POST as a browser would: urlencoded, or multipart like a form with a file input."""
    if multipart:
        return client.post(path, data)
    return client.post(
        path, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def as_querydict(data: dict) -> QueryDict:
    return QueryDict(urlencode(data, doseq=True))


@pytest.mark.parametrize("slug", FILING_STEPS)
@FUZZ
@given(data=st.data(), multipart=st.booleans())
def test_anything_typed_into_a_filing_step_gets_a_clean_answer_and_files_nothing(
    client, db, slug, data, multipart
):
    fresh_visitor(client)
    client.raise_request_exception = False
    step = STEP_BY_SLUG[slug]
    posted = data.draw(mutated(step_data()[slug], field_names(slug) + NAVIGATION))
    before = stored()

    response = send(client, f"/file/{slug}/", posted, multipart=multipart)

    assert_clean_answer(response)
    if response.status_code == 302 and response["Location"] == f"/file/{next_step(step).slug}/":
        assert Draft(client.session).bind(step).is_valid(), "went on with an invalid step"
    for page in (f"/file/{slug}/", "/file/review/"):  # the draft keeps what was typed: show it
        assert_clean_answer(client.get(page))
    assert stored() == before


NUMBER = st.one_of(
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=10**40).map(str),
    st.sampled_from(["", " 2023 ", "2023.0", "٢٠٢٣", "1e3", "-0", "9" * 5000]),
    TEXT,
)


MONTH = st.one_of(st.sampled_from(["", *map(str, range(1, 13))]), st.integers().map(str), TEXT)
DAY = st.one_of(st.sampled_from(["", "1", "29", "31"]), NUMBER)


@FUZZ
@given(year=NUMBER, month=MONTH, day=DAY)
@example(year=str(2**31), month="", day="")  # past what datetime.date can hold: found by fuzzing
def test_any_incident_date_is_accepted_or_refused_with_a_message_never_a_server_error(
    client, db, year, month, day
):
    fresh_visitor(client)
    client.raise_request_exception = False
    what = step_data(what={"incident_year": year, "incident_month": month, "incident_day": day})

    response = send(client, "/file/what/", what["what"], multipart=False)

    assert_clean_answer(response)
    assert response.status_code in (302, 400), explain(response)
    assert_clean_answer(client.get("/file/review/"))


@FUZZ
@given(
    action=st.sampled_from(["upload", "upload", "upload", "remove", "continue"]),
    name=FILE_NAME,
    content=FILE_CONTENT,
    description=TEXT,
    leave_out=st.sets(st.sampled_from(["file", "description"])),
    extra=st.dictionaries(FIELD_NAME, VALUE, max_size=2),
)
def test_any_upload_at_the_evidence_step_is_kept_whole_or_not_at_all(
    client, db, action, name, content, description, leave_out, extra
):
    fresh_visitor(client)
    client.raise_request_exception = False
    posted = {
        **extra,
        "file": SimpleUploadedFile(name, content),
        "description": description,
        **({"upload": "1"} if action == "upload" else {}),
        **({"remove": description} if action == "remove" else {}),
    }
    posted = {key: value for key, value in posted.items() if key not in leave_out}
    before = stored()

    response = client.post("/file/evidence/", posted)

    assert_clean_answer(response)
    kept = client.session.get("filing", {}).get("evidence", [])
    # A file sent is added whichever button sent it: one chosen but not added is not lost.
    if action != "remove" and "file" not in leave_out and response.status_code == 302:
        assert [item["path"] for item in kept] == sorted(
            set(evidence_files()) - set(before["files"])
        )
        assert kept[0]["path"].startswith("evidence/")
        assert not {"/", "\\", "\x00"} & set(kept[0]["name"])
    else:
        assert kept == []
        assert stored() == before
    assert_clean_answer(client.get("/file/evidence/"))


@FUZZ
@given(
    use_real_token=st.booleans(),
    token=TEXT,
    extra=st.dictionaries(st.one_of(FIELD_NAME, st.sampled_from(NAVIGATION)), VALUE, max_size=3),
)
def test_a_review_post_files_a_complaint_only_with_the_drafts_own_token(
    client, db, use_real_token, token, extra
):
    fresh_visitor(client)
    client.raise_request_exception = False
    with rolled_back():
        for slug in FILING_STEPS:
            client.post(f"/file/{slug}/", step_data()[slug])
        real_token = client.get("/file/review/").context["form"].initial["token"]
        sent = real_token if use_real_token else token
        before = stored()

        response = send(client, "/file/review/", {**extra, "token": sent}, multipart=False)

        assert_clean_answer(response)
        if sent == real_token:
            assert receipt_shown(response)
            assert Complaint.objects.count() == before["Complaint"] + 1
        else:
            assert stored() == before


@pytest.mark.parametrize("token", ["", "forged-token", "x" * 65])
def test_a_review_post_with_a_missing_or_forged_token_is_refused_with_a_message(client, db, token):
    for slug in FILING_STEPS:
        client.post(f"/file/{slug}/", step_data()[slug])
    before = stored()

    response = client.post("/file/review/", {"token": token})

    assert_refused(response)
    assert stored() == before


@FUZZ
@given(with_pending_receipt=st.booleans(), posted=st.dictionaries(FIELD_NAME, VALUE, max_size=4))
def test_anything_posted_to_the_receipt_page_changes_nothing_stored(
    client, db, with_pending_receipt, posted
):
    fresh_visitor(client)
    client.raise_request_exception = False
    with rolled_back():
        if with_pending_receipt:
            for slug in FILING_STEPS:
                client.post(f"/file/{slug}/", step_data()[slug])
            token = client.get("/file/review/").context["form"].initial["token"]
            client.post("/file/review/", {"token": token})
        before = stored()

        response = send(client, "/file/receipt/", posted, multipart=False)

        assert_clean_answer(response)
        assert stored() == before


def decorated(receipt: str) -> st.SearchStrategy[str]:
    """A receipt typed the ways people type it: groups, dashes, dots, spaces around."""
    groups = [receipt[i : i + 4] for i in range(0, 16, 4)]
    separator = st.sampled_from(["", " ", "-", ".", "  ", "\t", "\u00a0"])
    padding = st.sampled_from(["", " ", "\n"])
    return st.tuples(separator, padding).map(
        lambda parts: parts[1] + parts[0].join(groups) + parts[1]
    )


@FUZZ
@given(data=st.data())
def test_only_the_right_receipt_opens_a_case_and_any_other_text_gets_a_message(
    client, complainant_case, data
):
    _complaint, receipt = complainant_case
    typed = data.draw(
        st.one_of(TEXT, decorated(receipt), st.text("0123456789 -", min_size=16, max_size=24))
    )
    extra = data.draw(st.dictionaries(FIELD_NAME, VALUE, max_size=2))
    fresh_visitor(client)
    client.raise_request_exception = False
    before = stored()

    response = send(client, "/track/", {**extra, "receipt": typed}, multipart=False)

    assert_clean_answer(response)
    form = ReceiptForm({"receipt": typed})
    opens = form.is_valid() and receipt_normalise(form.cleaned_data["receipt"]) == receipt
    assert (response.status_code == 302) == opens, explain(response)
    assert (TRACKING_KEY in client.session) == opens
    assert stored() == before


@FUZZ
@given(body=TEXT, extra=st.dictionaries(FIELD_NAME, VALUE, max_size=3), leave_out=st.booleans())
def test_a_message_is_stored_exactly_when_it_is_valid(tracked, body, extra, leave_out):
    client, complaint = tracked
    posted = {**extra, **({} if leave_out else {"body": body})}
    form = MessageForm(as_querydict(posted))
    valid = form.is_valid()
    with rolled_back():
        before = stored()

        response = send(client, "/track/case/message/", posted, multipart=False)

        assert_clean_answer(response)
        assert response.status_code == (302 if valid else 400), explain(response)
        added = Message.objects.filter(complaint=complaint).count() - before["Message"]
        assert added == (1 if valid else 0)
        if valid:
            assert Message.objects.get(complaint=complaint).body == form.cleaned_data["body"]
        else:
            assert stored() == before


@FUZZ
@given(
    reason=TEXT,
    confirm=st.one_of(st.sampled_from(["on", "1", "", "false", "0"]), TEXT),
    extra=st.dictionaries(FIELD_NAME, VALUE, max_size=3),
    leave_out=st.sets(st.sampled_from(["reason", "confirm"])),
)
def test_a_withdrawal_happens_exactly_when_the_form_is_valid(
    tracked, reason, confirm, extra, leave_out
):
    client, complaint = tracked
    posted = {**extra, "reason": reason, "confirm": confirm}
    posted = {key: value for key, value in posted.items() if key not in leave_out}
    valid = WithdrawForm(as_querydict(posted)).is_valid()
    with rolled_back():
        before = stored()

        response = send(client, "/track/case/withdraw/", posted, multipart=False)

        assert_clean_answer(response)
        assert response.status_code == (302 if valid else 400), explain(response)
        complaint.refresh_from_db()
        assert (complaint.status == Status.WITHDRAWN) == valid
        if valid:
            assert StatusChange.objects.filter(complaint=complaint).count() == 2
        else:
            assert stored() == before


@FUZZ
@given(
    name=FILE_NAME,
    content=FILE_CONTENT,
    description=TEXT,
    leave_out=st.sets(st.sampled_from(["file", "description"])),
    extra=st.dictionaries(FIELD_NAME, VALUE, max_size=2),
)
def test_a_file_added_while_tracking_is_stored_whole_or_not_at_all(
    tracked, name, content, description, leave_out, extra
):
    client, complaint = tracked
    posted = {**extra, "file": SimpleUploadedFile(name, content), "description": description}
    posted = {key: value for key, value in posted.items() if key not in leave_out}
    with rolled_back():
        before = stored()

        response = client.post("/track/case/evidence/", posted)

        assert_clean_answer(response)
        if response.status_code == 302:
            evidence = complaint.evidence.get()
            assert evidence_files() == sorted([*before["files"], evidence.file.name])
            assert not {"/", "\\", "\x00"} & set(evidence.original_name)
        else:
            assert response.status_code == 400, explain(response)
            assert stored() == before


OFF_SITE = ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil.example"]


@FUZZ
@given(
    language=st.one_of(st.sampled_from(["en", "fr", "rw", "sw", "de", "en-us", ""]), TEXT),
    next_url=st.one_of(st.sampled_from(["/track/", "/file/about/", *OFF_SITE]), TEXT),
    extra=st.dictionaries(FIELD_NAME, VALUE, max_size=2),
)
def test_choosing_a_language_never_redirects_off_site_nor_shows_an_unknown_language(
    db, language, next_url, extra
):
    client = Client(raise_request_exception=False)

    response = send(
        client, "/i18n/setlang/", {**extra, "language": language, "next": next_url}, multipart=False
    )

    assert_clean_answer(response)
    location = urlsplit(response.get("Location", ""))
    assert location.netloc in ("", "testserver"), explain(response)
    cookie = response.cookies.get(django_settings.LANGUAGE_COOKIE_NAME)
    if cookie is not None:  # Django remembers any language it has a catalogue for, as asked
        assert cookie.value == language
        shown = client.get("/")["Content-Language"]
        assert shown in {code for code, _name in django_settings.LANGUAGES}
