"""Requests no form sends: unreadable bodies, floods of fields, wrong types, methods and tokens.

Most tests use the `visitor` fixture: CSRF checks on, as in production, with the token in a header
so that it still counts when the body cannot be read, and the complainant's case open to follow.
Every answer must be a 4xx that says what went wrong (405 for a wrong method), never a 5xx or a
traceback, and nothing may be stored.
"""

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client

from complaints.models import Complaint, Evidence, Message, Status
from tests.filing import step_data
from tests.security.hostile import (
    NEEDS_DATA,
    PDF,
    POST_ENDPOINTS,
    assert_clean_answer,
    assert_refused,
    csrf_headers,
    evidence_files,
    explain,
    html_of,
    stored,
)

ENDPOINTS = list(POST_ENDPOINTS)
EVIDENCE_ENDPOINTS = ["/file/evidence/", "/track/case/evidence/"]
INVALID_UTF8 = [
    b"\xff",
    b"\xc3\x28",
    b"\xe2\x28\xa1",
    b"\xf0\x28\x8c\x28",
    b"\xed\xa0\x80",
    b"\x80",
]
STORED_NAME = re.compile(r"evidence/[0-9a-f]{32}(\.[a-z0-9]+)?")


def post_raw(client: Client, path: str, body: bytes, content_type: str) -> HttpResponse:
    try:
        return client.generic(
            "POST", path, body, content_type=content_type, headers=csrf_headers(client)
        )
    except Exception as error:  # it escaped even Django's error pages: the server's bare 500
        pytest.fail(f"POST {path} ({content_type}) escaped every error handler: {error!r}")


def multipart(
    *parts: tuple[bytes, bytes, bytes | None], boundary: bytes = b"hostile-boundary"
) -> tuple[bytes, str]:
    """A multipart body written by hand, so that names and file names arrive byte for byte."""
    chunks = []
    for name, value, filename in parts:
        headers = b'Content-Disposition: form-data; name="' + name + b'"'
        if filename is not None:
            headers += b'; filename="' + filename + b'"\r\nContent-Type: application/pdf'
        chunks.append(b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + value + b"\r\n")
    body = b"".join(chunks) + b"--" + boundary + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary.decode()}"


def upload(client: Client, path: str, filename: bytes, content: bytes = PDF) -> HttpResponse:
    body, content_type = multipart(
        (b"upload", b"1", None), (b"description", b"A photo", None), (b"file", content, filename)
    )
    return post_raw(client, path, body, content_type)


def assert_answer_for(path: str, response: HttpResponse) -> None:
    """A 4xx where the endpoint needs data; elsewhere at least a clean answer."""
    if path in NEEDS_DATA:
        assert_refused(response)
    else:
        assert_clean_answer(response)


# --- Invalid UTF-8 -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
def test_invalid_utf8_in_a_urlencoded_body_gets_a_clean_answer_and_stores_nothing(visitor, path):
    body = b"&".join(bad + b"=" + bad + b"x" for bad in INVALID_UTF8) + b"&\xff\xfe=\xfe\xff"
    before = stored()

    response = post_raw(visitor, path, body, "application/x-www-form-urlencoded")

    assert_answer_for(path, response)
    assert stored() == before


@pytest.mark.parametrize("path", ENDPOINTS)
def test_invalid_utf8_in_multipart_names_and_values_gets_a_clean_answer_and_stores_nothing(
    visitor, path
):
    body, content_type = multipart(*[(b"x" + bad, bad + b"y", None) for bad in INVALID_UTF8])
    before = stored()

    response = post_raw(visitor, path, body, content_type)

    assert_answer_for(path, response)
    assert stored() == before


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_message_with_invalid_utf8_is_refused_not_stored_with_replacement_characters(
    visitor, encoding
):
    # The issue asks for a 4xx on invalid UTF-8. Django decodes form bodies with
    # errors="replace", so without a check the bytes become U+FFFD and the message is kept.
    text = b"My brother \xff\xfe was taken"
    if encoding == "urlencoded":
        body, content_type = b"body=" + text, "application/x-www-form-urlencoded"
    else:
        body, content_type = multipart((b"body", text, None))
    before = stored()

    response = post_raw(visitor, "/track/case/message/", body, content_type)

    assert_refused(response)
    assert stored() == before


@pytest.mark.parametrize("path", EVIDENCE_ENDPOINTS)
def test_a_file_name_in_invalid_utf8_is_refused_or_reduced_to_a_harmless_label(visitor, path):
    before = stored()

    response = upload(visitor, path, b"\xff\xfephoto\xc3\x28.pdf")

    assert_clean_answer(response)
    if response.status_code == 302:
        assert "\ufffd" not in stored_label(visitor, path)
    else:
        assert stored() == before


# --- Too much: bodies, fields, files -------------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_urlencoded_body_over_the_memory_limit_is_refused(visitor, path):
    body = b"narrative=" + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    before = stored()

    response = post_raw(visitor, path, body, "application/x-www-form-urlencoded")

    assert_refused(response)
    assert stored() == before


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_multipart_text_field_over_the_memory_limit_is_refused(visitor, path):
    big = b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body, content_type = multipart((b"upload", b"1", None), (b"description", big, None))
    before = stored()

    response = post_raw(visitor, path, body, content_type)

    assert_refused(response)
    assert stored() == before


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_five_thousand_fields_are_refused(visitor, path, encoding):
    if encoding == "urlencoded":
        body = b"&".join(b"f%d=x" % i for i in range(5_000))
        content_type = "application/x-www-form-urlencoded"
    else:
        body, content_type = multipart(*[(b"f%d" % i, b"x", None) for i in range(5_000)])
    before = stored()

    response = post_raw(visitor, path, body, content_type)

    assert_refused(response)
    assert stored() == before


@pytest.mark.parametrize("path", EVIDENCE_ENDPOINTS)
def test_hundreds_of_files_in_one_request_are_refused(visitor, path):
    body, content_type = multipart(*[(b"file", PDF, b"f%d.pdf" % i) for i in range(200)])
    before = stored()

    response = post_raw(visitor, path, body, content_type)

    assert_refused(response)
    assert stored() == before


def test_a_victims_form_claiming_thousands_of_people_is_refused_with_a_message(visitor):
    data = {**step_data()["victims"], "victims-TOTAL_FORMS": "5000"}

    response = visitor.post("/file/victims/", data, headers=csrf_headers(visitor))

    assert_refused(response)
    assert "at most 30" in html_of(response)


@pytest.mark.parametrize("path", EVIDENCE_ENDPOINTS)
def test_a_file_over_the_size_limit_is_refused_with_a_message_and_not_kept(visitor, path, settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    before = stored()

    response = upload(visitor, path, b"big.pdf", PDF + b"0" * (1024 * 1024))

    assert_refused(response)
    assert "larger than 1 MB" in html_of(response)
    assert stored() == before
    assert visitor.session.get("filing", {}).get("evidence", []) == []


# --- Wrong content types and broken multipart ----------------------------------------------------

# Bodies Django cannot parse at all: a 400 page before any view runs.
UNPARSEABLE = {
    "multipart without a boundary": (b"body=hello", "multipart/form-data"),
    "multipart with an empty boundary": (b"body=hello", "multipart/form-data; boundary="),
    "multipart with an over-long boundary": (b"--x", "multipart/form-data; boundary=" + "b" * 300),
    "multipart with a non-ASCII boundary": (b"--x", "multipart/form-data; boundary=é"),
}
# Bodies Django reads as an empty form: valid-looking data in them must not be acted on.
NOT_A_FORM = {
    "plain text": (b"body=hello&reason=x&confirm=on&upload=1", "text/plain"),
    "JSON": (b'{"body": "hello", "reason": "x", "confirm": "on"}', "application/json"),
    "XML": (b"<body>hello</body>", "application/xml"),
}


@pytest.mark.parametrize("kind", UNPARSEABLE)
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_that_cannot_be_parsed_is_refused(visitor, path, kind):
    body, content_type = UNPARSEABLE[kind]
    before = stored()

    response = post_raw(visitor, path, body, content_type)

    assert_refused(response)
    assert stored() == before


@pytest.mark.parametrize("kind", NOT_A_FORM)
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_that_is_not_a_form_is_not_acted_on(visitor, path, kind):
    body, content_type = NOT_A_FORM[kind]
    before = stored()

    response = post_raw(visitor, path, body, content_type)

    assert_answer_for(path, response)
    assert stored() == before


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "utf8"])
def test_a_urlencoded_body_declaring_another_charset_is_refused_with_a_400(visitor, charset):
    # Django refuses it (BadRequest) but leaves request.POST unparsed; its 400 and 500 pages are
    # @requires_csrf_token, which reads request.POST again, so the error escapes every handler.
    # Any POST endpoint shows it, given the CSRF cookie that any page hands out.
    before = stored()

    response = post_raw(
        visitor,
        "/track/case/message/",
        "body=café".encode(charset),
        f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert_refused(response)
    assert stored() == before


def test_a_multipart_body_whose_declared_boundary_never_appears_is_not_read_as_a_form(visitor):
    body = b'--other\r\nContent-Disposition: form-data; name="body"\r\n\r\nhello\r\n--other--\r\n'
    before = stored()

    response = post_raw(visitor, "/track/case/message/", body, "multipart/form-data; boundary=x")

    assert_refused(response)
    assert stored() == before


def test_a_multipart_body_cut_off_before_its_closing_boundary_is_not_half_saved(visitor):
    body = b'--x\r\nContent-Disposition: form-data; name="body"\r\n\r\nMy brother was ta'
    before = stored()

    response = post_raw(visitor, "/track/case/message/", body, "multipart/form-data; boundary=x")

    assert_refused(response)
    assert stored() == before


# --- File names ----------------------------------------------------------------------------------

HOSTILE_FILE_NAMES = {
    "5,000 characters": b"x" * 5_000 + b".pdf",
    "parent directories": b"../../../../etc/passwd.pdf",
    "Windows parent directories": b"..\\..\\..\\windows\\win.ini.pdf",
    "encoded parent directories": b"%2e%2e%2f%2e%2e%2fetc%2fpasswd.pdf",
    "an absolute path": b"/etc/cron.d/evil.pdf",
    "a drive letter": b"C:\\Windows\\System32\\evil.pdf",
    "a NUL before the extension": b"evil.pdf\x00.jpg",
    "only a NUL": b"\x00",
    "a NUL in the middle": b"ev\x00il.pdf",
    "right-to-left override": "\u202egpj.exe.pdf".encode(),
    "a reserved device name": b"CON",
    "a newline": b"a\r\nContent-Type: text/html.pdf",
}


@pytest.mark.parametrize("kind", HOSTILE_FILE_NAMES)
@pytest.mark.parametrize("path", EVIDENCE_ENDPOINTS)
def test_a_hostile_file_name_never_chooses_where_the_file_is_written(visitor, path, kind, tmp_path):
    response = upload(visitor, path, HOSTILE_FILE_NAMES[kind])

    assert_clean_answer(response)
    written = [str(p.relative_to(tmp_path)) for p in Path(tmp_path).rglob("*") if p.is_file()]
    assert all(re.fullmatch(r"evidence/" + STORED_NAME.pattern, name) for name in written), written
    if response.status_code == 302:
        label = stored_label(visitor, path)
        assert not {"/", "\\", "\x00", "\r", "\n", "\u202e"} & set(label)
        assert len(label) <= 120
        assert len(evidence_files()) == 1


def stored_label(client: Client, path: str) -> str:
    """The name shown to people for the file just accepted."""
    if path == "/file/evidence/":
        return client.session["filing"]["evidence"][0]["name"]
    return Evidence.objects.get().original_name


# --- CSRF ----------------------------------------------------------------------------------------


def valid_post(path: str, receipt: str) -> dict:
    """Data each endpoint would act on, so that a missing CSRF check would show."""
    steps = step_data()
    return {
        **{f"/file/{slug}/": data for slug, data in steps.items()},
        "/file/evidence/": {"upload": "1", "description": "A photo"},
        "/file/review/": {"token": "x"},
        "/file/receipt/": {},
        "/track/": {"receipt": receipt},
        "/track/case/message/": {"body": "hello"},
        "/track/case/evidence/": {"description": "A photo"},
        "/track/case/withdraw/": {"reason": "I was told to", "confirm": "on"},
        "/i18n/setlang/": {"language": "fr", "next": "/"},
    }[path]


@pytest.mark.parametrize(
    "token", ["no cookie and no token", "a cookie but no token", "a wrong token"]
)
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_post_without_a_valid_csrf_token_is_refused_with_a_friendly_page(
    visitor, complainant_case, path, token
):
    complaint, receipt = complainant_case
    if token == "no cookie and no token":
        del visitor.cookies[settings.CSRF_COOKIE_NAME]
    headers = {"X-CSRFToken": "x" * 32} if token == "a wrong token" else {}
    before = stored()

    response = visitor.post(path, valid_post(path, receipt), headers=headers)

    assert response.status_code == 403, explain(response)
    assert "Please try again" in html_of(response)
    assert stored() == before
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


# --- Methods -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_method_other_than_get_or_post_changes_nothing(visitor, complainant_case, path, method):
    _complaint, receipt = complainant_case
    before = stored()
    body = urlencode(valid_post(path, receipt), doseq=True)

    response = visitor.generic(
        method,
        path,
        body.encode(),
        content_type="application/x-www-form-urlencoded",
        headers=csrf_headers(visitor),
    )

    assert_clean_answer(response)
    if path == "/i18n/setlang/":  # Django's view: sends back where it came from, sets nothing
        assert response.status_code in (302, 405), explain(response)
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    else:
        assert response.status_code == 405, explain(response)
    assert stored() == before
    assert not Message.objects.exists()
    assert Complaint.objects.get().status == Status.RECEIVED
