"""An unreachable database or cache answers a translated 503 that keeps what was typed; never a 500.

The database is made unreachable for real queries with an execute wrapper (the error Django gets
from a dropped or refused connection); the cache, by pointing it at a port where nothing listens.
"""

import contextlib
import time

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings

from complaints import outage
from complaints.models import Complaint
from complaints.receipts import receipt_normalise
from complaints.selectors import complaint_by_receipt
from tests.filing import FORM_STEPS, receipt_shown, step_data

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1: refused at once
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK")


@contextlib.contextmanager
def database_down():
    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return execute(sql, params, many, context)  # so the test's own transaction unwinds
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def lose_cache():
    """Call it to make the cache unreachable from then on, until the test ends."""
    dead = override_settings(CACHES=DEAD_REDIS)
    enabled = []
    yield lambda: enabled.append(dead.enable())
    if enabled:
        dead.disable()


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def filed_up_to_review(client: Client) -> str:
    for step in FORM_STEPS:
        assert client.post(f"/file/{step.slug}/", step_data()[step.slug]).status_code == 302
    return client.get("/file/review/").context["form"].initial["token"]


def test_sending_while_the_database_is_down_is_a_503_that_sends_again_later(visitor, db, settings):
    token = filed_up_to_review(visitor)

    with database_down():
        refused = visitor.post("/file/review/", {"token": token})

    assert refused.status_code == 503
    assert refused["Retry-After"] == str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    assert Complaint.objects.count() == 0  # nothing half-written
    page = refused.content.decode()
    assert f'name="token" value="{token}"' in page  # the press can be repeated as it was
    assert "earlier pages are kept" in page
    again = visitor.post("/file/review/", {"token": token})
    assert receipt_shown(again)
    assert Complaint.objects.count() == 1


def test_text_typed_on_a_step_comes_back_in_the_503_and_is_saved_when_sent_again(
    visitor, db, settings
):
    filed_up_to_review(visitor)
    typed = step_data(what={"narrative": "They came at night <b>and</b> took my brother."})["what"]

    with database_down():
        refused = visitor.post("/file/what/", typed)

    assert refused.status_code == 503
    page = refused.content.decode()
    assert "They came at night &lt;b&gt;and&lt;/b&gt; took my brother." in page  # escaped
    assert 'autocomplete="off"' in page
    assert visitor.post("/file/what/", typed).status_code == 302
    review = visitor.get("/file/review/").content.decode()
    assert "They came at night &lt;b&gt;and&lt;/b&gt; took my brother." in review


def test_the_outage_page_is_in_the_visitors_language(visitor, db):
    visitor.cookies["django_language"] = "fr"

    with database_down():
        refused = visitor.post("/track/", {"receipt": "1234 5678 1234 5678"})

    assert refused.status_code == 503
    assert 'lang="fr"' in refused.content.decode()
    assert "Veuillez réessayer dans une minute" in refused.content.decode()


def test_a_receipt_or_a_staff_password_is_never_written_into_the_outage_page(visitor, db):
    with database_down():
        tracking = visitor.post("/track/", {"receipt": "1234 5678 1234 5678"})
        staff = visitor.post("/staff/login/", {"username": "chair", "password": "a long secret"})

    assert tracking.status_code == staff.status_code == 503
    assert "5678" not in tracking.content.decode()
    assert "a long secret" not in staff.content.decode()
    assert "chair" not in staff.content.decode()


def test_a_visit_while_the_session_cache_is_down_is_a_503_not_a_new_empty_filing(
    visitor, db, lose_cache
):
    filed_up_to_review(visitor)
    lose_cache()

    for path in ["/file/review/", "/file/what/", "/file/receipt/", "/track/case/"]:
        response = visitor.get(path)

        assert response.status_code == 503, path
        assert response["Retry-After"]
        filing = path.startswith("/file/")
        assert ("we could not keep them" in response.content.decode()) == filing


def test_a_filing_started_while_the_cache_is_down_is_a_503(visitor, db, lose_cache):
    lose_cache()

    response = visitor.post("/file/about/", step_data()["about"])

    assert response.status_code == 503
    assert Complaint.objects.count() == 0


def test_when_the_cache_fails_after_the_complaint_is_filed_the_receipt_is_still_shown(
    visitor, db, lose_cache, monkeypatch
):
    from complaints import views

    token = filed_up_to_review(visitor)
    submit = views.complaint_submit

    def submit_then_lose_the_cache(**kwargs):
        submission = submit(**kwargs)
        lose_cache()  # Redis dies right after the commit
        return submission

    monkeypatch.setattr(views, "complaint_submit", submit_then_lose_the_cache)

    response = visitor.post("/file/review/", {"token": token})

    assert receipt_shown(response)
    assert "only time it can be shown" in response.content.decode()
    digits = receipt_normalise("".join(response.context["groups"]))
    assert complaint_by_receipt(digits) == Complaint.objects.get()


def test_a_bug_is_still_the_plain_500_page(visitor, db, monkeypatch):
    from complaints import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(views, "render", broken)

    response = visitor.get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Sorry, something went wrong on our side." in response.content.decode()


def test_when_the_outage_page_cannot_be_rendered_a_plain_503_still_answers(
    visitor, db, monkeypatch
):
    def no_templates(name):
        raise OSError("templates unreadable")

    monkeypatch.setattr(outage.loader, "get_template", no_templates)

    with database_down():
        response = visitor.post("/track/", {"receipt": "1234 5678 1234 5678"})

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Nothing you sent from this page was saved" in response.content.decode()


def test_an_outage_is_told_from_a_bug_by_the_error_or_what_caused_it():
    import redis.exceptions

    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = redis.exceptions.ConnectionError("refused")
    assert outage.outage_kind(wrapped) == "cache"
    assert outage.outage_kind(OperationalError("gone")) == "database"
    assert outage.outage_kind(ValueError("a bug")) is None
    assert outage.outage_kind(None) is None


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a server connection to kill: PostgreSQL run"
)


@postgresql_only
def test_a_connection_killed_under_the_app_is_replaced_at_the_next_request(transactional_db):
    """Persistent connections are health-checked when a request starts: a killed one costs no 500.

    Django's test client leaves connections alone between requests, so this starts the request
    as the server's handler does: close_old_connections, then the page.
    """
    import psycopg2
    from django.db import close_old_connections

    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    connection.ensure_connection()
    killer = psycopg2.connect(**connection.get_connection_params())
    killer.autocommit = True
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    killer.close()

    close_old_connections()  # what the handler does as every request starts
    response = Client(raise_request_exception=False).post("/track/", {"receipt": "1" * 16})

    assert response.status_code == 400  # looked up and not found: the database answered


@postgresql_only
def test_a_database_that_does_not_answer_is_given_up_on_by_the_client(settings):
    """What a frozen server does to a query, bounded on our side (the server cannot time out)."""
    settings.DATABASE_CLIENT_TIMEOUT_SECONDS = 1
    import psycopg2

    frozen = psycopg2.connect(**connection.get_connection_params())
    try:
        start = time.monotonic()
        with (
            pytest.raises(psycopg2.OperationalError, match="did not answer in time"),
            frozen.cursor() as cursor,
        ):
            cursor.execute("SELECT pg_sleep(5)")
        assert time.monotonic() - start < 3
    finally:
        frozen.close()


def test_a_second_press_with_the_sessions_old_cookie_still_shows_the_receipt(visitor, db):
    """The first press filed and replaced the session; the browser sends the second with the old."""
    from django.conf import settings

    token = filed_up_to_review(visitor)
    old_session = visitor.cookies[settings.SESSION_COOKIE_NAME].value
    first = visitor.post("/file/review/", {"token": token})
    visitor.cookies[settings.SESSION_COOKIE_NAME] = old_session

    second = visitor.post("/file/review/", {"token": token})

    assert receipt_shown(second)
    assert second.context["groups"] == first.context["groups"]
    assert Complaint.objects.count() == 1


def test_a_retry_after_a_commit_whose_answer_was_lost_shows_the_receipt(visitor, db, monkeypatch):
    from complaints import views

    token = filed_up_to_review(visitor)
    submit = views.complaint_submit

    def commit_then_lose_the_answer(**kwargs):
        submit(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")  # after COMMIT

    monkeypatch.setattr(views, "complaint_submit", commit_then_lose_the_answer)
    lost = visitor.post("/file/review/", {"token": token})
    monkeypatch.setattr(views, "complaint_submit", submit)

    retried = visitor.post("/file/review/", {"token": token})

    assert lost.status_code == 503
    assert receipt_shown(retried)
    digits = receipt_normalise("".join(retried.context["groups"]))
    assert complaint_by_receipt(digits) == Complaint.objects.get()


def test_a_token_alone_never_shows_a_receipt_whose_complaint_was_not_filed(visitor, db):
    from complaints import filing

    filing.receipt_hand_over(token="t" * 43, reference=None, receipt="1234123412341234")

    response = visitor.post("/file/review/", {"token": "t" * 43})

    assert not receipt_shown(response)
    assert "1234" not in response.content.decode()


def test_a_staff_password_is_not_carried_even_under_a_url_prefix(visitor, db):
    with database_down():
        refused = visitor.post(
            "/staff/login/",
            {"username": "chair", "password": "a long secret"},
            SCRIPT_NAME="/afr",
        )

    assert refused.status_code == 503
    assert "a long secret" not in refused.content.decode()


def test_an_outage_is_logged_once_a_minute_without_the_page(visitor, db, caplog):
    outage._last_logged.clear()

    with database_down(), caplog.at_level("INFO"):
        for _ in range(3):
            assert visitor.post("/track/", {"receipt": "1234 5678 1234 5678"}).status_code == 503

    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "The database cannot be reached (OperationalError); pages that need it answer 503"
    ]


def test_when_the_cache_fails_as_the_receipt_page_is_sent_the_receipt_still_arrives(
    visitor, db, monkeypatch
):
    """After the view wrote the session, Django's middleware writes it again: that may fail."""
    from complaints import views

    token = filed_up_to_review(visitor)
    page = views._receipt_page

    def page_then_lose_the_cache(request, **kwargs):
        from django.core.cache.backends.redis import RedisCache

        response = page(request, **kwargs)
        dead = DEAD_REDIS["default"]
        request.session._cache = RedisCache(dead["LOCATION"], {"OPTIONS": dead["OPTIONS"]})
        return response

    monkeypatch.setattr(views, "_receipt_page", page_then_lose_the_cache)

    response = visitor.post("/file/review/", {"token": token})

    assert receipt_shown(response)
    assert Complaint.objects.count() == 1
