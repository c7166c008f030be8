"""Complaints about the same events: linked by hand, suggested from structured fields only."""

from datetime import timedelta

import pytest
from django.urls import reverse

from monitoring.cases.models import CaseLink
from monitoring.cases.selectors import linked_cases, related_suggestions
from monitoring.cases.services import CaseWorkRefused, case_link
from tests.filing import step_data, submit_directly
from tests.monitoring.cast import client_of, give
from tests.monitoring.writes import refusal


def filed(now, **what):
    base = {"incident_year": "2024", "incident_month": "3", "incident_day": "10"}
    return submit_directly(now=now, data=step_data(what={**base, **what})).complaint


def test_a_link_shows_from_both_cases_and_is_stored_once(chair, now):
    first, second = filed(now), filed(now)

    case_link(complaint=second, other=first, by=chair, reason="Same arrest.", now=now)

    assert linked_cases(first, chair) == [second]
    assert linked_cases(second, chair) == [first]
    link = CaseLink.objects.get()
    assert (link.complaint, link.other, link.reason) == (first, second, "Same arrest.")
    with pytest.raises(CaseWorkRefused):
        case_link(complaint=first, other=second, by=chair, reason="", now=now)
    with pytest.raises(CaseWorkRefused):
        case_link(complaint=first, other=first, by=chair, reason="", now=now)


def test_suggestions_share_the_country_a_violation_and_dates_within_thirty_days(chair, now):
    case = filed(now)
    close = filed(now, incident_day="30")
    other_country = filed(now, incident_country="UG")
    too_far = filed(now, incident_month="6")
    other_violation = filed(now, categories=["LIFE_EXTRAJUDICIAL_KILLING"])

    suggested = related_suggestions(chair, case)

    assert suggested == [close]
    assert other_country not in suggested
    assert too_far not in suggested
    assert other_violation not in suggested


def test_a_linked_case_is_no_longer_suggested_and_nothing_is_suggested_without_a_date(chair, now):
    case, close = filed(now), filed(now, incident_day="20")
    undated = filed(now, incident_year="", incident_month="", incident_day="")
    case_link(complaint=case, other=close, by=chair, reason="", now=now)

    assert related_suggestions(chair, case) == []
    assert related_suggestions(chair, undated) == []


def test_a_member_links_only_from_a_case_they_work_on(member_rapporteur, chair, now):
    theirs, unassigned = filed(now), filed(now)
    give(theirs, member_rapporteur, by=chair, now=now)

    with pytest.raises(CaseWorkRefused):
        case_link(complaint=unassigned, other=theirs, by=member_rapporteur, reason="", now=now)
    case_link(complaint=theirs, other=unassigned, by=member_rapporteur, reason="", now=now)

    assert linked_cases(unassigned, chair) == [theirs]


def test_the_case_page_suggests_and_links_by_reference(chair, now):
    case, close = filed(now), filed(now, incident_day="12")
    client = client_of(chair)

    page = client.get(reverse("admin:complaints_complaint_change", args=[case.pk]))
    linked = client.post(
        reverse("admin:case_link", args=[case.pk]), {"reference": close.reference.lower()}
    )
    unknown = client.post(
        reverse("admin:case_link", args=[case.pk]), {"reference": "AFR-0000-0000"}
    )

    assert close.reference in page.content.decode()
    assert [c.reference for c in page.context["related"]] == [close.reference]
    assert linked.status_code == 302
    assert linked_cases(case, chair) == [close]
    assert unknown.status_code == 400
    assert "No complaint you may see has this reference." in unknown.content.decode()


def test_a_reference_one_may_not_see_reads_as_one_that_does_not_exist(
    member_rapporteur, other_rapporteur, chair, now
):
    theirs, hidden = filed(now), filed(now)
    give(theirs, member_rapporteur, by=chair, now=now)
    give(hidden, other_rapporteur, by=chair, now=now)
    client = client_of(member_rapporteur)
    url = reverse("admin:case_link", args=[theirs.pk])

    answers = [
        client.post(url, {"reference": reference}).context["form"].errors["reference"]
        for reference in (hidden.reference, "AFR-0000-0000")
    ]

    assert answers[0] == answers[1] == ["No complaint you may see has this reference."]
    assert linked_cases(theirs, chair) == []


def test_a_duplicate_must_be_of_a_case_the_rapporteur_may_see(
    member_rapporteur, other_rapporteur, chair, now
):
    from complaints.models import DecisionKind, Status
    from monitoring.cases.models import DecisionProposal
    from monitoring.cases.services import case_move, decision_propose

    theirs, hidden = filed(now), filed(now)
    give(theirs, member_rapporteur, by=chair, now=now)
    give(hidden, other_rapporteur, by=chair, now=now)
    case_move(
        complaint=theirs,
        to=Status.TRIAGE,
        by=member_rapporteur,
        expected_status="received",
        now=now,
    )
    url = reverse("admin:case_decision", args=[theirs.pk])

    page = client_of(member_rapporteur).post(
        url,
        {"ground": "duplicate", "duplicate_of": hidden.reference, "reasons": "The same arrest."},
    )
    with pytest.raises(CaseWorkRefused) as refused:
        decision_propose(
            complaint=theirs,
            by=member_rapporteur,
            kind=DecisionKind.INADMISSIBLE,
            ground="duplicate",
            duplicate_of=hidden,
            reasons="The same arrest.",
            checklist="{}",
            expected_status="triage",
            now=now,
        )

    assert str(refused.value) == "No complaint you may see has this reference."
    assert page.context["form"].errors["duplicate_of"] == [
        "No complaint you may see has this reference."
    ]
    assert not DecisionProposal.objects.exists()


def test_a_linked_case_one_may_not_see_is_not_named(
    member_rapporteur, other_rapporteur, chair, now
):
    theirs, hidden = filed(now), filed(now)
    give(theirs, member_rapporteur, by=chair, now=now)
    give(hidden, other_rapporteur, by=chair, now=now)
    case_link(complaint=theirs, other=hidden, by=chair, reason="", now=now)

    page = client_of(member_rapporteur).get(
        reverse("admin:complaints_complaint_change", args=[theirs.pk])
    )

    assert linked_cases(theirs, chair) == [hidden]
    assert linked_cases(theirs, member_rapporteur) == []
    assert hidden.reference not in page.content.decode()


def test_linking_twice_at_once_is_refused_not_a_crash(chair, now):
    first, second = filed(now), filed(now)
    case_link(complaint=first, other=second, by=chair, reason="", now=now)

    with pytest.raises(CaseWorkRefused, match="already linked"):
        case_link(complaint=second, other=first, by=chair, reason="", now=now)


def test_a_link_is_refused_with_the_reason_and_nothing_is_stored(
    member_rapporteur, other_rapporteur, chair, now
):
    theirs, someone_elses, linked = filed(now), filed(now), filed(now)
    give(theirs, member_rapporteur, by=chair, now=now)
    give(someone_elses, other_rapporteur, by=chair, now=now)
    case_link(complaint=theirs, other=linked, by=member_rapporteur, reason="", now=now)

    def link(other):
        return refusal(
            lambda: case_link(
                complaint=theirs, other=other, by=member_rapporteur, reason="", now=now
            )
        )

    assert link(someone_elses) == "No complaint you may see has this reference."
    assert link(theirs) == "A complaint cannot be linked to itself."
    assert link(linked) == "These complaints are already linked."
    assert CaseLink.objects.count() == 1


def test_each_pair_is_linked_once_and_a_case_may_have_several_links(chair, now):
    first, second, third = filed(now), filed(now), filed(now)
    later = now + timedelta(days=1)

    case_link(complaint=first, other=second, by=chair, reason="Same arrest.", now=now)
    link = case_link(complaint=third, other=first, by=chair, reason=" Same day. ", now=later)
    case_link(complaint=second, other=third, by=chair, reason="", now=now)

    assert link == CaseLink.objects.get(complaint=first, other=third)
    assert (link.by, link.reason, link.at) == (chair, "Same day.", later)
    assert sorted(linked_cases(first, chair), key=lambda case: case.pk) == [second, third]
    assert CaseLink.objects.count() == 3
