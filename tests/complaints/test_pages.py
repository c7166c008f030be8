"""Every public page: it answers, loads nothing from elsewhere, and costs few queries."""

import re
from html.parser import HTMLParser

import pytest

from complaints.receipts import receipt_groups
from tests.filing import file_through_pages, step_data

PUBLIC_PAGES = [
    "/",
    "/file/about/",
    "/file/victims/",
    "/file/what/",
    "/file/remedies/",
    "/file/evidence/",
    "/file/consents/",
    "/track/",
]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []
        self.inline_scripts = 0
        self.inline_styles = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "script" and "src" not in attrs:
            self.inline_scripts += 1
        if "style" in attrs:
            self.inline_styles += 1


def resources(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def case_pages(client, complaint_receipt):
    _complaint, receipt = complaint_receipt
    client.post("/track/", {"receipt": "".join(receipt_groups(receipt))})
    return ["/track/case/", "/track/case/withdraw/"]


def test_no_public_page_refers_to_another_origin_or_runs_inline_code(client, complainant_case):
    file_client = client.__class__()
    file_through_pages(file_client)
    pages = [(client, path) for path in PUBLIC_PAGES]
    pages += [(file_client, "/file/receipt/")]
    pages += [(client, path) for path in case_pages(client, complainant_case)]

    for who, path in pages:
        response = who.get(path)
        assert response.status_code == 200, path
        found = resources(response.content.decode())
        foreign = [
            u
            for u in found.urls
            if re.match(r"^(https?:)?//", u)
            or (":" in u.split("/")[0] and not u.startswith(("data:", "mailto:")))
        ]
        assert foreign == [], (path, foreign)
        assert found.inline_scripts == 0, path
        assert found.inline_styles == 0, path
        assert "default-src 'none'" in response["Content-Security-Policy"]


def test_every_public_page_has_the_leave_link(client, complainant_case):
    for path in PUBLIC_PAGES + case_pages(client, complainant_case):
        assert 'href="/leave/"' in client.get(path).content.decode(), path


def test_the_review_page_shows_every_answer_before_sending(client, db):
    data = step_data()
    for slug in ("about", "victims", "what", "remedies", "consents"):
        client.post(f"/file/{slug}/", data[slug])

    page = client.get("/file/review/").content.decode()

    assert "Zxqnarrative" in page
    assert "Zxqname Marker-Person" in page
    assert "Arbitrary arrest" in page or "arrest" in page.lower()
    assert "Uganda" in page


FORM_STEPS = ["about", "victims", "what", "remedies", "evidence", "consents"]


@pytest.mark.parametrize("slug", FORM_STEPS)
def test_each_form_step_costs_at_most_two_queries(client, db, slug, django_assert_max_num_queries):
    data = step_data()
    with django_assert_max_num_queries(2):
        assert client.get(f"/file/{slug}/").status_code == 200
    if slug != "evidence":
        with django_assert_max_num_queries(2):
            response = client.post(f"/file/{slug}/", data[slug])
        following = [*FORM_STEPS, "review"][FORM_STEPS.index(slug) + 1]
        assert response.status_code == 302  # accepted, not shown again with its errors
        assert response.url == f"/file/{following}/"


def test_the_review_page_and_sending_cost_a_bounded_number_of_queries(
    client, db, django_assert_max_num_queries
):
    data = step_data()
    for slug in ("about", "victims", "what", "remedies", "consents"):
        client.post(f"/file/{slug}/", data[slug])
    with django_assert_max_num_queries(6):
        token = client.get("/file/review/").context["form"].initial["token"]
    with django_assert_max_num_queries(16):
        client.post("/file/review/", {"token": token})


def test_the_receipt_lookup_is_one_query(client, complainant_case, django_assert_num_queries):
    _complaint, receipt = complainant_case

    with django_assert_num_queries(1):
        response = client.post("/track/", {"receipt": receipt})

    assert response.status_code == 302


def test_the_tracking_page_costs_six_queries_however_long_the_history(
    client, complainant_case, django_assert_max_num_queries
):
    _complaint, receipt = complainant_case
    client.post("/track/", {"receipt": receipt})
    for number in range(5):
        client.post("/track/case/message/", {"body": f"message {number}"})
    for given in ["on", "", "on"]:
        client.post(
            "/track/case/choices/", {"consents-contact": "on", "consents-anonymised_use": given}
        )

    # The case, then its status changes, messages, files, decisions and consent changes: one
    # query each.
    with django_assert_max_num_queries(6):
        response = client.get("/track/case/")

    assert len(response.context["timeline"]) == 9


def test_a_step_that_fails_keeps_everything_typed(client, db):
    data = step_data(what={"narrative": "", "incident_place": "Gihembe camp"})

    response = client.post("/file/what/", data["what"])

    assert response.status_code == 400
    html = response.content.decode()
    assert "Gihembe camp" in html
    assert "This field is required" in html
    again = client.get("/file/when/").content.decode()  # the page that asks for the place
    assert "Gihembe camp" in again


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"incident_day": "31", "incident_month": "2"}, "does not exist"),
        ({"incident_year": "2999"}, "in the future"),
        ({"incident_day": "3", "incident_month": ""}, "choose the month"),
        ({"immediate_danger": "yes", "danger_details": ""}, "who is in danger"),
        ({"categories": []}, "choose at least one"),
        ({"categories": ["NOT_A_CODE"]}, "Select a valid choice"),
        ({"narrative": "x" * 20_001}, "at most 20000"),
    ],
)
def test_what_happened_errors_are_explained(client, db, fields, message):
    response = client.post("/file/what/", step_data(what=fields)["what"])

    assert response.status_code == 400
    assert message in response.content.decode().replace("20,000", "20000")


def test_the_language_switcher_shows_the_form_in_french(client, db):
    client.post("/i18n/setlang/", {"language": "fr", "next": "/file/about/"})

    page = client.get("/file/about/").content.decode()

    assert "Quitter ce site rapidement" in page
    assert 'lang="fr"' in page


def test_adding_a_person_on_the_victims_step_keeps_the_first(client, db):
    data = step_data(victims={"victims-0-name": "Person One", "add_person": "1"})["victims"]

    response = client.post("/file/victims/", data)

    html = response.content.decode()
    assert "Person One" in html
    assert 'name="victims-1-name"' in html


def test_the_review_page_reads_in_words_not_codes_and_skips_unanswered_questions(client, db):
    data = step_data(victims={"victims-0-name": "Person Name"})
    for slug in ("about", "victims", "what", "remedies", "consents"):
        client.post(f"/file/{slug}/", data[slug])

    response = client.get("/file/review/")

    page = response.content.decode()
    assert "not_needed" not in page
    assert "If you file for someone else: did they agree?" not in page
    assert "Person 1: Person Name" in page
    assert "Male, Adult, In exile" in page
    rows = [label for section in response.context["summary"] for label, _v in section["rows"]]
    assert "Name of your organisation" not in rows
