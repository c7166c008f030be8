"""The Committee's case work in the admin: who sees which case, assignment, moves, notes, queues."""

from datetime import timedelta
from itertools import product

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints.models import Message, Status, StatusChange
from complaints.services import message_from_complainant
from monitoring.cases.access import Access, Standing, case_access
from monitoring.cases.models import Assignment, ConflictDeclaration, Note
from monitoring.cases.services import (
    CaseWorkRefused,
    StaleCase,
    case_assign,
    case_move,
    conflict_declare,
    note_add,
)
from monitoring.services import AccessRefused, identity_reveal
from tests.filing import MARKERS, submit_directly
from tests.monitoring.cast import client_of, give, member
from tests.monitoring.staff import PASSWORD


@pytest.fixture
def rapporteur(member_rapporteur):
    return member_rapporteur


def case_page(client: Client, complaint):
    return client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))


# --- the access rule, every combination --------------------------------------------------------


def expected_access(view, read, every, mine, unassigned, conflicted) -> Access:
    if not view or conflicted:
        return Access.NONE
    if not read:
        return Access.STRUCTURED
    if every or mine:
        return Access.FULL
    return Access.STRUCTURED if unassigned else Access.NONE


@pytest.mark.parametrize("answers", list(product([False, True], repeat=6)))
def test_the_access_rule_for_every_combination(answers):
    view, read, every, mine, unassigned, conflicted = answers
    if mine and unassigned:
        return  # a case cannot be both someone's and nobody's
    standing = Standing(
        may_view=view,
        may_read_cases=read,
        sees_every_case=every,
        is_rapporteur=mine,
        unassigned=unassigned,
        conflicted=conflicted,
    )

    assert case_access(standing) == expected_access(*answers)


# --- who sees which case -------------------------------------------------------------------------


def listed(client: Client, **params) -> set[str]:
    page = client.get(reverse("admin:complaints_complaint_changelist"), params)
    assert page.status_code == 200
    return {c.reference for c in page.context["cl"].result_list}


def test_a_member_sees_their_cases_and_the_unassigned_queue_the_chair_sees_all(
    chair, rapporteur, other_rapporteur, now
):
    theirs = submit_directly(now=now).complaint
    someone_elses = submit_directly(now=now).complaint
    unassigned = submit_directly(now=now).complaint
    give(theirs, rapporteur, by=chair, now=now)
    give(someone_elses, other_rapporteur, by=chair, now=now)

    assert listed(client_of(rapporteur)) == {theirs.reference, unassigned.reference}
    assert listed(client_of(chair)) == {
        theirs.reference,
        someone_elses.reference,
        unassigned.reference,
    }
    other_page = case_page(client_of(rapporteur), someone_elses)
    assert other_page.status_code == 302  # the admin's "does not exist" redirect
    assert MARKERS["narrative"] not in other_page.content.decode()


def test_an_unassigned_case_shows_a_member_its_structured_fields_only(rapporteur, now):
    complaint = submit_directly(now=now).complaint

    page = case_page(client_of(rapporteur), complaint)

    text = page.content.decode()
    assert page.status_code == 200
    assert complaint.reference in text
    assert MARKERS["narrative"] not in text
    assert MARKERS["name"] not in text
    assert "structured fields only" in text
    assert reverse("admin:case_write", args=[complaint.pk, "note"]) not in text


def test_the_rapporteur_reads_their_case_and_its_timeline(chair, rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)

    page = case_page(client_of(rapporteur), complaint)

    text = page.content.decode()
    assert MARKERS["narrative"] in text
    assert MARKERS["name"] not in text  # identity stays behind the recorded reveal
    assert [entry.kind for entry in page.context["timeline"]] == ["status", "assignment"]


def test_the_outsider_reaches_no_case_page_and_no_case_action(outsider, chair, now):
    complaint = submit_directly(now=now).complaint
    outsider.is_staff = True
    outsider.set_password(PASSWORD)
    outsider.save()
    TOTPDevice.objects.create(user=outsider, name="Phone", confirmed=True)
    client = client_of(outsider)

    pages = [
        reverse("admin:complaints_complaint_changelist"),
        reverse("admin:complaints_complaint_change", args=[complaint.pk]),
        reverse("admin:case_move", args=[complaint.pk, "triage"]),
        reverse("admin:case_assign", args=[complaint.pk]),
        reverse("admin:case_write", args=[complaint.pk, "note"]),
    ]

    for url in pages:
        assert client.get(url).status_code in {403, 404}, url
        assert client.post(url, {"body": "x", "reason": "x"}).status_code in {403, 404}, url
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert not Note.objects.exists()


# --- assignment and conflicts --------------------------------------------------------------------


def test_the_chair_assigns_and_reassigns_and_each_is_recorded(
    chair, rapporteur, other_rapporteur, now
):
    complaint = submit_directly(now=now).complaint

    give(complaint, rapporteur, by=chair, now=now)
    give(complaint, other_rapporteur, by=chair, now=now)

    complaint.refresh_from_db()
    assert complaint.rapporteur == other_rapporteur
    assert list(
        Assignment.objects.filter(complaint=complaint).values_list("rapporteur__username", "by")
    ) == [("amina", chair.pk), ("jean", chair.pk)]


def test_an_assignment_from_a_stale_page_changes_nothing(chair, rapporteur, other_rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)

    with pytest.raises(StaleCase):
        case_assign(
            complaint=complaint,
            rapporteur=other_rapporteur,
            by=chair,
            expected_rapporteur_id=None,  # the page was opened before the first assignment
            now=now,
        )

    complaint.refresh_from_db()
    assert complaint.rapporteur == rapporteur
    assert Assignment.objects.count() == 1


def test_only_the_chair_assigns(rapporteur, other_rapporteur, now):
    complaint = submit_directly(now=now).complaint

    with pytest.raises(CaseWorkRefused):
        give(complaint, other_rapporteur, by=rapporteur, now=now)

    complaint.refresh_from_db()
    assert complaint.rapporteur is None


def test_a_declared_conflict_takes_the_case_away_hides_it_and_blocks_assignment(
    chair, rapporteur, now
):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)

    conflict_declare(complaint=complaint, member=rapporteur, reason="I know the family.", now=now)

    complaint.refresh_from_db()
    assert complaint.rapporteur is None
    assert ConflictDeclaration.objects.get().reason == "I know the family."
    assert listed(client_of(rapporteur)) == set()
    with pytest.raises(CaseWorkRefused):
        give(complaint, rapporteur, by=chair, now=now)


def test_a_conflict_needs_a_reason(rapporteur, now):
    complaint = submit_directly(now=now).complaint

    with pytest.raises(CaseWorkRefused):
        conflict_declare(complaint=complaint, member=rapporteur, reason="  ", now=now)

    assert not ConflictDeclaration.objects.exists()


def test_the_chair_assigns_from_the_case_page(chair, rapporteur, now):
    complaint = submit_directly(now=now).complaint
    client = client_of(chair)
    url = reverse("admin:case_assign", args=[complaint.pk])

    form = client.get(url)
    done = client.post(url, {"rapporteur": rapporteur.pk, "expected_rapporteur": ""})

    assert form.status_code == 200
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.rapporteur == rapporteur


# --- moves ---------------------------------------------------------------------------------------


def test_the_case_page_offers_the_moves_the_user_may_make_now(chair, rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)

    page = case_page(client_of(rapporteur), complaint)

    assert [move.target for move in page.context["moves"]] == [Status.TRIAGE]
    assert reverse("admin:case_move", args=[complaint.pk, "triage"]) in page.content.decode()


def test_a_move_from_the_case_page_is_stored_with_who_made_it(chair, rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)
    url = reverse("admin:case_move", args=[complaint.pk, "triage"])

    done = client_of(rapporteur).post(url, {"reason": "", "expected_status": "received"})

    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.TRIAGE
    change = complaint.status_changes.last()
    assert (change.from_status, change.to_status, change.by) == ("received", "triage", rapporteur)


def test_a_question_needs_its_text_and_a_missing_one_changes_nothing(chair, rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)
    case_move(
        complaint=complaint, to=Status.TRIAGE, by=rapporteur, expected_status="received", now=now
    )
    url = reverse("admin:case_move", args=[complaint.pk, "awaiting_complainant"])

    refused = client_of(rapporteur).post(url, {"reason": " ", "expected_status": "triage"})

    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == Status.TRIAGE
    assert not Message.objects.exists()


def test_a_question_reaches_the_complainant_and_their_answer_shows_unread(
    chair, rapporteur, now, client
):
    submission = submit_directly(now=now)
    complaint = submission.complaint
    give(complaint, rapporteur, by=chair, now=now)
    case_move(
        complaint=complaint, to=Status.TRIAGE, by=rapporteur, expected_status="received", now=now
    )
    case_move(
        complaint=complaint,
        to=Status.AWAITING_COMPLAINANT,
        by=rapporteur,
        expected_status="triage",
        reason="Which police station?",
        now=now,
    )
    note_add(complaint=complaint, by=rapporteur, body="Zxqnote: check the prison list.", now=now)

    client.post(reverse("complaints:track"), {"receipt": submission.receipt})
    tracking = client.get(reverse("complaints:track_case")).content.decode()
    message_from_complainant(complaint=complaint, body="Remera station.", now=now)
    staff = client_of(rapporteur)
    first_look = case_page(staff, complaint)
    second_look = case_page(staff, complaint)

    assert "Which police station?" in tracking
    assert "Zxqnote" not in tracking  # notes never reach the complainant
    assert [e.unread for e in first_look.context["timeline"] if e.kind == "message_in"] == [True]
    assert [e.unread for e in second_look.context["timeline"] if e.kind == "message_in"] == [False]
    complaint.refresh_from_db()
    assert complaint.status == Status.TRIAGE


def test_a_move_from_a_stale_page_changes_nothing(chair, rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)
    case_move(
        complaint=complaint, to=Status.TRIAGE, by=rapporteur, expected_status="received", now=now
    )

    with pytest.raises(StaleCase):
        case_move(
            complaint=complaint,
            to=Status.EXAMINATION,
            by=rapporteur,
            expected_status="received",
            now=now,
        )

    assert StatusChange.objects.filter(complaint=complaint).count() == 2


def test_a_member_cannot_move_a_case_they_only_see_in_the_queue(rapporteur, now):
    complaint = submit_directly(now=now).complaint

    with pytest.raises(CaseWorkRefused):
        case_move(
            complaint=complaint,
            to=Status.TRIAGE,
            by=rapporteur,
            expected_status="received",
            now=now,
        )

    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_the_chair_starts_triage_on_many_cases_at_once(chair, now):
    cases = [submit_directly(now=now).complaint for _ in range(3)]
    already = cases[0]
    case_move(complaint=already, to=Status.TRIAGE, by=chair, expected_status="received", now=now)

    done = client_of(chair).post(
        reverse("admin:complaints_complaint_changelist"),
        {"action": "start_triage", "_selected_action": [c.pk for c in cases]},
        follow=True,
    )

    text = done.content.decode()
    assert "2 cases moved." in text
    assert already.reference in text  # named as not moved
    assert {c.status for c in type(already).objects.filter(pk__in=[c.pk for c in cases])} == {
        Status.TRIAGE
    }
    assert StatusChange.objects.filter(complaint=already).count() == 2


# --- identity and queues -------------------------------------------------------------------------


def test_the_identity_reveal_is_for_the_cases_rapporteur_or_the_chair(
    chair, rapporteur, django_user_model, now
):
    from django.contrib.auth.models import Permission

    complaint = submit_directly(now=now).complaint
    rapporteur.user_permissions.add(Permission.objects.get(codename="reveal_identity"))
    rapporteur = django_user_model.objects.get(pk=rapporteur.pk)  # a fresh permission cache

    with pytest.raises(AccessRefused):
        identity_reveal(complaint=complaint, by=rapporteur, reason="To call.", now=now)
    give(complaint, rapporteur, by=chair, now=now)
    revealed = identity_reveal(complaint=complaint, by=rapporteur, reason="To call.", now=now)
    by_chair = identity_reveal(complaint=complaint, by=chair, reason="To call.", now=now)

    assert revealed.full_name == by_chair.full_name == MARKERS["name"]


def test_the_index_counts_each_queue_the_user_works_from(chair, rapporteur, now):
    from tests.filing import step_data

    urgent = submit_directly(
        now=now, data=step_data(what={"immediate_danger": "yes", "danger_details": "Threats."})
    ).complaint
    mine = submit_directly(now=now).complaint
    give(mine, rapporteur, by=chair, now=now)

    counts = {
        item.queue.slug: item.count
        for item in client_of(rapporteur).get(reverse("admin:index")).context["queues"]
    }

    assert counts == {"mine": 1, "unassigned": 1, "urgent": 1, "overdue": 0, "awaiting": 0}
    assert urgent.rapporteur is None


def queries_of(django_assert_max_num_queries, request) -> int:
    with django_assert_max_num_queries(100) as queries:
        request()
    return len(queries.captured_queries)


def test_the_index_with_its_queue_counts_costs_a_bounded_number_of_queries(
    chair, now, django_assert_max_num_queries
):
    client = client_of(chair)
    submit_directly(now=now)
    few = queries_of(django_assert_max_num_queries, lambda: client.get(reverse("admin:index")))
    for _ in range(10):
        submit_directly(now=now)

    many = queries_of(django_assert_max_num_queries, lambda: client.get(reverse("admin:index")))

    assert many == few
    # Session, user, groups' permissions, the staff-change count, the user's conflicts, six
    # queues, the recent-actions box, and the session's save.
    assert few <= 13


def test_the_case_page_costs_the_same_queries_however_long_the_case(
    chair, rapporteur, now, django_assert_max_num_queries
):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)
    client = client_of(rapporteur)
    case_page(client, complaint)
    short = queries_of(django_assert_max_num_queries, lambda: case_page(client, complaint))
    for number in range(5):
        note_add(complaint=complaint, by=rapporteur, body=f"Note {number}", now=now)
        message_from_complainant(complaint=complaint, body=f"Answer {number}", now=now)
    case_page(client, complaint)  # marks the answers read

    long = queries_of(django_assert_max_num_queries, lambda: case_page(client, complaint))

    assert long == short
    assert len(case_page(client, complaint).context["timeline"]) == 12


@pytest.mark.parametrize("what", ["note", "message"])
def test_writing_pages_of_a_case_are_closed_to_whoever_does_not_work_on_it(
    what, data_officer, rapporteur, now
):
    complaint = submit_directly(now=now).complaint  # in the queue: structured fields only
    url = reverse("admin:case_write", args=[complaint.pk, what])

    assert client_of(data_officer).get(url).status_code == 403
    assert client_of(rapporteur).get(url).status_code == 403
    assert client_of(rapporteur).post(url, {"body": "Hello"}).status_code == 403
    assert not Note.objects.exists()
    assert not Message.objects.exists()


# --- what a newcomer found on the staff pages ----------------------------------------------------


def test_the_list_names_languages_offers_all_four_and_one_urgency_filter(chair, now):
    submit_directly(now=now)
    client = client_of(chair)

    page = client.get(reverse("admin:complaints_complaint_changelist"))
    refused = client.get(
        reverse("admin:complaints_complaint_changelist"), {"immediate_danger__exact": "1"}
    )

    text = page.content.decode()
    assert '<td class="field-language_name">English</td>' in text
    for code, name in [("rw", "Kinyarwanda"), ("fr", "Français"), ("sw", "Kiswahili")]:
        assert f'href="?language={code}"' in text
        assert f'title="{name}">' in text or f">{name}</a>" in text
    assert "By someone is in immediate danger" not in text
    assert refused.status_code == 400
    assert '<td class="field-violations">Arbitrary arrest</td>' in text


def test_the_case_page_has_no_empty_change_history_and_labels_people_by_place(chair, now):
    from tests.filing import step_data

    data = step_data(what={"incident_country": ""})
    complaint = submit_directly(now=now, data=data).complaint
    client = client_of(chair)

    page = case_page(client, complaint).content.decode()
    history = client.get(reverse("admin:complaints_complaint_history", args=[complaint.pk]))

    assert "Person 1" in page
    assert " of " + str(complaint.pk) not in page
    assert "──" not in page  # a country not given is not the list's separator
    assert reverse("admin:complaints_complaint_history", args=[complaint.pk]) not in page
    assert history.status_code == 302
    assert history.url == reverse("admin:complaints_complaint_change", args=[complaint.pk])


def test_the_access_records_list_shows_the_reason_given(chair, now):
    complaint = submit_directly(now=now).complaint
    identity_reveal(complaint=complaint, by=chair, reason="Zxqreason: to call back.", now=now)

    page = client_of(chair).get(reverse("admin:monitoring_accessevent_changelist"))

    assert "Zxqreason: to call back." in page.content.decode()


def test_roles_that_read_no_complaints_see_no_queues_on_the_index(django_user_model):
    from tests.monitoring.cast import member

    administrator = member(django_user_model, "admin-person", "Administrator")

    page = client_of(administrator).get(reverse("admin:index"))

    assert page.status_code == 200
    assert "queues" not in page.context
    assert "Your queues" not in page.content.decode()


def test_a_question_is_said_once_and_the_answer_comes_before_the_move_it_makes(
    chair, rapporteur, now
):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)
    case_move(
        complaint=complaint, to=Status.TRIAGE, by=rapporteur, expected_status="received", now=now
    )
    later = now + timedelta(hours=1)
    case_move(
        complaint=complaint,
        to=Status.AWAITING_COMPLAINANT,
        by=rapporteur,
        expected_status="triage",
        reason="When were you arrested?",
        now=later,
    )
    message_from_complainant(complaint=complaint, body="In May.", now=later + timedelta(hours=1))

    timeline = case_page(client_of(rapporteur), complaint).context["timeline"]

    asked = [(e.kind, e.body) for e in timeline if e.at == later]
    assert asked == [("message_out", "When were you arrested?"), ("status", "")]
    answered = [e.kind for e in timeline if e.at == later + timedelta(hours=1)]
    assert answered == ["message_in", "status"]
    # At the filing itself, the status comes first.
    assert [e.kind for e in timeline if e.at == now][:1] == ["status"]


@pytest.mark.django_db
def test_a_status_row_reads_in_words_not_codes(now):
    complaint = submit_directly(now=now).complaint
    change = StatusChange(
        complaint=complaint, from_status="triage", to_status="awaiting_complainant"
    )

    assert str(change) == "Triage → Awaiting the complainant"
    assert str(complaint.status_changes.get()) == "— → Received"


def test_the_chair_glancing_at_a_colleagues_case_leaves_its_answer_new(chair, rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)
    message_from_complainant(complaint=complaint, body="Remera station.", now=now)

    by_the_chair = case_page(client_of(chair), complaint)
    by_the_rapporteur = case_page(client_of(rapporteur), complaint)
    afterwards = case_page(client_of(rapporteur), complaint)

    def unread(page):
        return [e.unread for e in page.context["timeline"] if e.kind == "message_in"]

    assert unread(by_the_chair) == [True]
    assert unread(by_the_rapporteur) == [True]
    assert unread(afterwards) == [False]


def test_start_triage_takes_at_most_a_bounded_number_of_cases(chair, now, monkeypatch):
    from monitoring import admin as staff_admin

    monkeypatch.setattr(staff_admin, "BULK_MOVE_MAX", 2)
    cases = [submit_directly(now=now).complaint for _ in range(3)]

    done = client_of(chair).post(
        reverse("admin:complaints_complaint_changelist"),
        {"action": "start_triage", "_selected_action": [c.pk for c in cases]},
        follow=True,
    )

    assert "Select at most 2 cases at a time; nothing was moved." in done.content.decode()
    assert not StatusChange.objects.filter(to_status=Status.TRIAGE).exists()


def test_who_may_be_given_a_case_is_read_in_bounded_queries(
    chair, rapporteur, django_user_model, django_assert_max_num_queries, now
):
    from monitoring.cases.services import rapporteurs_eligible

    complaint = submit_directly(now=now).complaint
    for n in range(10):
        member(django_user_model, f"member{n}", "Rapporteur")
    member(django_user_model, "intake", "Intake officer")
    conflict_declare(complaint=complaint, member=rapporteur, reason="My cousin.", now=now)

    with django_assert_max_num_queries(2):
        eligible = rapporteurs_eligible(complaint)

    names = [user.username for user in eligible]
    assert names == sorted(names)
    assert "chair" in names
    assert {f"member{n}" for n in range(10)} <= set(names)
    assert rapporteur.username not in names  # declared a conflict
    assert "intake" not in names  # reads no cases


def test_the_same_note_or_message_sent_twice_at_once_is_written_once(chair, rapporteur, now):
    from monitoring.cases.services import SAME_PRESS, message_to_complainant

    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)
    moment = now + timedelta(seconds=1)

    first = note_add(complaint=complaint, by=rapporteur, body="Call the lawyer.", now=now)
    again = note_add(complaint=complaint, by=rapporteur, body=" Call the lawyer. ", now=moment)
    other = note_add(complaint=complaint, by=rapporteur, body="Call the lawyer too.", now=moment)
    later = note_add(
        complaint=complaint, by=rapporteur, body="Call the lawyer.", now=now + 2 * SAME_PRESS
    )
    sent = message_to_complainant(complaint=complaint, by=rapporteur, body="Which day?", now=now)
    resent = message_to_complainant(
        complaint=complaint, by=rapporteur, body="Which day?", now=moment
    )
    by_the_chair = message_to_complainant(
        complaint=complaint, by=chair, body="Which day?", now=moment
    )

    assert again == first
    assert other != first
    assert later != first
    assert Note.objects.filter(complaint=complaint).count() == 3
    assert resent == sent
    assert by_the_chair != sent
    assert Message.objects.filter(complaint=complaint).count() == 2


def test_no_sidebar_narrows_the_case_list(chair):
    page = client_of(chair).get(reverse("admin:complaints_complaint_changelist"))

    assert page.status_code == 200
    assert 'id="nav-sidebar"' not in page.content.decode()
