"""Case work at its edges: how much each person sees, whose conflicts count, who may reveal,
who may be given a case, and what each refusal says and each write stores."""

from dataclasses import FrozenInstanceError
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Message, Status
from complaints.services import message_from_complainant
from complaints.workflow import complaint_transition
from monitoring.cases.access import Access, Standing, access_to, may_reveal
from monitoring.cases.models import Assignment, ConflictDeclaration, Note
from monitoring.cases.services import (
    case_assign,
    case_move,
    conflict_declare,
    message_to_complainant,
    messages_mark_read,
    note_add,
    rapporteurs_eligible,
)
from tests.filing import submit_directly
from tests.monitoring.cast import client_of, give, member
from tests.monitoring.writes import columns_updated, refusal


def staff_with(django_user_model, username: str, *codenames: str):
    user = django_user_model.objects.create_user(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def listed(user) -> set[str]:
    page = client_of(user).get(reverse("admin:complaints_complaint_changelist"))
    assert page.status_code == 200
    return {c.reference for c in page.context["cl"].result_list}


# --- how much each person sees ------------------------------------------------------------------


def test_how_much_of_a_case_each_person_sees_before_and_after_it_is_given(
    chair, member_rapporteur, other_rapporteur, data_officer, outsider, now
):
    complaint = submit_directly(now=now).complaint
    people = [chair, member_rapporteur, other_rapporteur, data_officer, outsider]

    queued = {user.username: access_to(user, complaint) for user in people}
    give(complaint, member_rapporteur, by=chair, now=now)
    given = {user.username: access_to(user, complaint) for user in people}

    assert queued == {
        "chair": Access.FULL,
        "amina": Access.STRUCTURED,
        "jean": Access.STRUCTURED,
        "data": Access.STRUCTURED,
        "outsider": Access.NONE,
    }
    assert given == {
        "chair": Access.FULL,
        "amina": Access.FULL,
        "jean": Access.NONE,
        "data": Access.STRUCTURED,
        "outsider": Access.NONE,
    }


# --- whose conflicts count -----------------------------------------------------------------------


def test_another_members_conflict_leaves_the_case_in_my_queue(
    member_rapporteur, other_rapporteur, now
):
    complaint = submit_directly(now=now).complaint

    conflict_declare(complaint=complaint, member=other_rapporteur, reason="My cousin.", now=now)

    assert access_to(member_rapporteur, complaint) == Access.STRUCTURED
    assert listed(member_rapporteur) == {complaint.reference}
    assert access_to(other_rapporteur, complaint) == Access.NONE
    assert listed(other_rapporteur) == set()


def test_a_conflict_on_one_case_leaves_my_other_cases_as_they_were(chair, member_rapporteur, now):
    conflicted = submit_directly(now=now).complaint
    mine = submit_directly(now=now).complaint
    queued = submit_directly(now=now).complaint
    give(mine, member_rapporteur, by=chair, now=now)

    conflict_declare(complaint=conflicted, member=member_rapporteur, reason="A friend.", now=now)

    assert [access_to(member_rapporteur, case) for case in (conflicted, mine, queued)] == [
        Access.NONE,
        Access.FULL,
        Access.STRUCTURED,
    ]
    assert listed(member_rapporteur) == {mine.reference, queued.reference}


def test_the_access_rules_inputs_cannot_be_changed_once_read():
    standing = Standing(
        may_view=True,
        may_read_cases=True,
        sees_every_case=False,
        is_rapporteur=False,
        unassigned=True,
        conflicted=False,
    )

    with pytest.raises(FrozenInstanceError):
        standing.conflicted = True

    assert standing.conflicted is False


# --- who may reveal ------------------------------------------------------------------------------


def test_only_the_cases_rapporteur_and_the_chair_may_reveal_its_identity(
    chair, member_rapporteur, other_rapporteur, data_officer, outsider, now, django_user_model
):
    reveal = Permission.objects.get(codename="reveal_identity")
    for user in (member_rapporteur, other_rapporteur, data_officer, outsider):
        user.user_permissions.add(reveal)
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)
    people = [chair, member_rapporteur, other_rapporteur, data_officer, outsider]

    # Fresh accounts: the permission caches were filled before the permission was added.
    answers = {
        user.username: may_reveal(django_user_model.objects.get(pk=user.pk), complaint)
        for user in people
    }

    assert answers == {
        "chair": True,
        "amina": True,
        "jean": False,
        "data": False,
        "outsider": False,
    }


# --- who may be given a case ---------------------------------------------------------------------


def test_a_case_may_be_given_to_active_staff_who_read_and_examine_cases_without_a_conflict(
    chair, member_rapporteur, other_rapporteur, data_officer, django_user_model, now
):
    complaint = submit_directly(now=now).complaint
    elsewhere = submit_directly(now=now).complaint
    conflict_declare(complaint=elsewhere, member=other_rapporteur, reason="A friend.", now=now)
    departed = member(django_user_model, "departed", "Rapporteur")
    departed.is_active = False
    departed.save()
    not_staff = member(django_user_model, "notstaff", "Rapporteur")
    not_staff.is_staff = False
    not_staff.save()
    staff_with(django_user_model, "reader", "view_complaint", "view_case_content")
    staff_with(django_user_model, "examiner", "view_complaint", "examine_complaint")

    eligible = rapporteurs_eligible(complaint)

    # jean's conflict is on another case; data, departed, notstaff, reader, examiner may not.
    assert [user.username for user in eligible] == ["amina", "chair", "jean"]


# --- assignment ----------------------------------------------------------------------------------


def test_the_chair_is_refused_with_the_reason_and_nothing_changes(
    chair, member_rapporteur, data_officer, now
):
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)

    again = refusal(lambda: give(complaint, member_rapporteur, by=chair, now=now))
    ineligible = refusal(lambda: give(complaint, data_officer, by=chair, now=now))
    not_chair = refusal(lambda: give(complaint, None, by=member_rapporteur, now=now))
    stale = refusal(
        lambda: case_assign(
            complaint=complaint,
            rapporteur=None,
            by=chair,
            expected_rapporteur_id=None,
            now=now,
        )
    )

    assert again == "The case is already theirs."
    assert ineligible == (
        "This person cannot be given the case: they do not work on cases, or have declared a "
        "conflict of interest on it."
    )
    assert not_chair == "You do not have permission to do this."
    assert stale == (
        "Someone else changed this case since you opened it. Nothing was changed: look at the "
        "case again and decide."
    )
    complaint.refresh_from_db()
    assert complaint.rapporteur == member_rapporteur
    assert Assignment.objects.count() == 1


def test_the_chair_takes_a_case_back_to_the_queue_and_the_record_says_when(
    chair, member_rapporteur, now
):
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)
    later = now + timedelta(hours=3)

    assignment = give(complaint, None, by=chair, now=later)

    assert complaint.rapporteur is None  # the object the caller holds
    complaint.refresh_from_db()
    assert complaint.rapporteur is None
    assert assignment == Assignment.objects.latest("pk")
    assert (assignment.rapporteur, assignment.by, assignment.at) == (None, chair, later)


def test_an_assignment_writes_the_rapporteur_and_no_other_column_of_the_case(
    chair, member_rapporteur, now
):
    complaint = submit_directly(now=now).complaint

    with CaptureQueriesContext(connection) as queries:
        give(complaint, member_rapporteur, by=chair, now=now)

    assert columns_updated(queries, "complaints_complaint") == [{"rapporteur_id"}]


# --- conflicts of interest -----------------------------------------------------------------------


def test_giving_up_a_case_for_a_conflict_is_recorded_as_the_members_own_act(
    chair, member_rapporteur, now
):
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)
    later = now + timedelta(days=2)

    with CaptureQueriesContext(connection) as queries:
        declaration = conflict_declare(
            complaint=complaint, member=member_rapporteur, reason=" My cousin. ", now=later
        )

    assert complaint.rapporteur is None  # the object the caller holds
    assert declaration == ConflictDeclaration.objects.get()
    assert (declaration.member, declaration.reason, declaration.at) == (
        member_rapporteur,
        "My cousin.",
        later,
    )
    given_up = Assignment.objects.latest("pk")
    assert (given_up.complaint, given_up.rapporteur, given_up.by, given_up.at) == (
        complaint,
        None,
        member_rapporteur,
        later,
    )
    assert columns_updated(queries, "complaints_complaint") == [{"rapporteur_id"}]


def test_each_member_declares_their_own_conflicts_once_per_case(
    member_rapporteur, other_rapporteur, now
):
    first = submit_directly(now=now).complaint
    second = submit_directly(now=now).complaint
    conflict_declare(complaint=first, member=other_rapporteur, reason="My cousin.", now=now)

    conflict_declare(complaint=first, member=member_rapporteur, reason="My neighbour.", now=now)
    conflict_declare(complaint=second, member=member_rapporteur, reason="My friend.", now=now)
    twice = refusal(
        lambda: conflict_declare(
            complaint=first, member=member_rapporteur, reason="Again.", now=now
        )
    )

    assert twice == "You have already declared a conflict on this case."
    assert sorted(
        (d.member.username, d.complaint_id, d.reason) for d in ConflictDeclaration.objects.all()
    ) == [
        ("amina", first.pk, "My neighbour."),
        ("amina", second.pk, "My friend."),
        ("jean", first.pk, "My cousin."),
    ]


def test_a_conflict_is_declared_only_by_a_case_worker_who_sees_the_case_with_a_reason(
    chair, member_rapporteur, other_rapporteur, data_officer, now
):
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)

    def declare(member, reason="I know them."):
        return refusal(
            lambda: conflict_declare(complaint=complaint, member=member, reason=reason, now=now)
        )

    assert declare(data_officer) == "You do not have permission to do this."
    assert declare(other_rapporteur) == "You do not have permission to do this."  # not theirs
    assert declare(member_rapporteur, reason=" ") == "Please say what the conflict of interest is."
    assert not ConflictDeclaration.objects.exists()


# --- notes and messages --------------------------------------------------------------------------


@pytest.mark.parametrize("write", [note_add, message_to_complainant])
def test_notes_and_messages_are_written_by_case_workers_on_their_own_cases_only(
    write, chair, member_rapporteur, staff_viewer, now
):
    theirs = submit_directly(now=now).complaint
    queued = submit_directly(now=now).complaint
    give(theirs, member_rapporteur, by=chair, now=now)
    empty = "The note is empty." if write is note_add else "The message is empty."

    # staff_viewer sees every case but holds no permission to write on one.
    assert refusal(lambda: write(complaint=theirs, by=staff_viewer, body="Hi", now=now)) == (
        "You do not have permission to do this."
    )
    assert refusal(lambda: write(complaint=queued, by=member_rapporteur, body="Hi", now=now)) == (
        "You do not have permission to do this."
    )
    assert refusal(lambda: write(complaint=theirs, by=member_rapporteur, body=" ", now=now)) == (
        empty
    )
    assert not Note.objects.exists()
    assert not Message.objects.exists()


def test_a_note_is_stored_trimmed_with_its_author_and_time(chair, member_rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)
    later = now + timedelta(days=1)

    note = note_add(
        complaint=complaint, by=member_rapporteur, body="  Call the lawyer. ", now=later
    )

    assert note == Note.objects.get()
    assert (note.complaint, note.author, note.body, note.at) == (
        complaint,
        member_rapporteur,
        "Call the lawyer.",
        later,
    )


def test_a_message_to_the_complainant_is_stored_trimmed_with_its_writer_and_time(
    chair, member_rapporteur, now
):
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)
    later = now + timedelta(days=1)

    message = message_to_complainant(
        complaint=complaint, by=member_rapporteur, body=" Are you safe? ", now=later
    )

    assert message == Message.objects.get()
    assert (message.complaint, message.direction, message.author, message.body) == (
        complaint,
        Message.Direction.TO_COMPLAINANT,
        member_rapporteur,
        "Are you safe?",
    )
    assert message.sent_at == later


def test_no_message_goes_to_the_complainant_of_a_closed_case(chair, now):
    complaint = submit_directly(now=now).complaint
    complaint_transition(
        complaint=complaint, to=Status.WITHDRAWN, by=chair, reason="Asked.", now=now
    )

    refused = refusal(
        lambda: message_to_complainant(complaint=complaint, by=chair, body="Hello.", now=now)
    )

    assert refused == "This case is closed: the complainant can no longer answer."
    assert not Message.objects.exists()


def test_opening_a_case_marks_its_unread_answers_read_once_and_nothing_else(
    chair, member_rapporteur, now
):
    case = submit_directly(now=now).complaint
    other = submit_directly(now=now).complaint
    give(case, member_rapporteur, by=chair, now=now)
    message_to_complainant(complaint=case, by=member_rapporteur, body="Which day?", now=now)
    answer = message_from_complainant(complaint=case, body="Monday.", now=now)
    elsewhere = message_from_complainant(complaint=other, body="Any news?", now=now)
    first, second = now + timedelta(hours=1), now + timedelta(hours=2)

    by_the_chair = messages_mark_read(case, by=chair, now=first)  # not the case's rapporteur
    marked = messages_mark_read(case, by=member_rapporteur, now=first)
    again = messages_mark_read(case, by=member_rapporteur, now=second)

    assert (by_the_chair, marked, again) == (0, 1, 0)
    read = {m.pk: m.read_at for m in Message.objects.all()}
    assert read[answer.pk] == first  # the first reading is kept
    assert read[elsewhere.pk] is None
    assert [at for pk, at in read.items() if pk not in {answer.pk, elsewhere.pk}] == [None]


# --- moves ---------------------------------------------------------------------------------------


def test_a_move_returns_the_change_it_stored(chair, member_rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)

    change = case_move(
        complaint=complaint,
        to=Status.TRIAGE,
        by=member_rapporteur,
        expected_status="received",
        now=now,
    )

    assert change == complaint.status_changes.last()
    assert (change.to_status, change.by, change.at) == (Status.TRIAGE, member_rapporteur, now)


def test_a_repeated_text_is_one_press_only_from_the_same_person_on_the_same_case_just_now(
    chair, member_rapporteur, now
):
    from monitoring.cases.services import message_to_complainant, note_add

    case, other_case = submit_directly(now=now).complaint, submit_directly(now=now).complaint
    for complaint in (case, other_case):
        give(complaint, member_rapporteur, by=chair, now=now)
    soon, past_the_window = now + timedelta(seconds=30), now + timedelta(seconds=150)

    note = note_add(complaint=case, by=member_rapporteur, body="Same words.", now=now)
    notes = [
        note_add(complaint=other_case, by=member_rapporteur, body="Same words.", now=soon),
        note_add(complaint=case, by=chair, body="Same words.", now=soon),
        note_add(complaint=case, by=member_rapporteur, body="Same words.", now=past_the_window),
    ]
    sent = message_to_complainant(complaint=case, by=member_rapporteur, body="Which?", now=now)
    messages = [
        message_to_complainant(complaint=other_case, by=member_rapporteur, body="Which?", now=soon),
        message_to_complainant(
            complaint=case, by=member_rapporteur, body="Which?", now=past_the_window
        ),
    ]

    assert note not in notes
    assert len({n.pk for n in notes}) == 3
    assert sent not in messages
    assert len({m.pk for m in messages}) == 2


def test_an_answer_on_a_case_nobody_has_is_read_by_whoever_opens_it(chair, member_rapporteur, now):
    case = submit_directly(now=now).complaint
    message_from_complainant(complaint=case, body="Any news?", now=now)

    assert messages_mark_read(case, by=chair, now=now) == 1


def test_a_proposal_is_not_adopted_once_the_case_was_given_to_someone_else(
    chair, member_rapporteur, other_rapporteur, now
):
    from complaints.models import DecisionKind
    from monitoring.cases.services import CaseWorkRefused, decision_adopt, decision_propose

    case = submit_directly(now=now).complaint
    give(case, member_rapporteur, by=chair, now=now)
    case_move(
        complaint=case, to=Status.TRIAGE, by=member_rapporteur, expected_status="received", now=now
    )
    later = now + timedelta(hours=1)
    proposal = decision_propose(
        complaint=case,
        by=member_rapporteur,
        kind=DecisionKind.INADMISSIBLE,
        ground="outside_mandate",
        reasons="Outside the mandate.",
        checklist="{}",
        expected_status="triage",
        now=later,
    )
    case.refresh_from_db()
    give(case, other_rapporteur, by=chair, now=later)  # no conflict: simply given on

    with pytest.raises(CaseWorkRefused, match="no longer works on this case"):
        decision_adopt(proposal=proposal, by=chair, now=later)


def test_who_may_be_given_a_case_holds_both_permissions_by_a_role_directly_or_as_superuser(
    chair, member_rapporteur, django_user_model, now
):
    from django.contrib.auth.models import Permission

    from monitoring.cases.services import rapporteurs_eligible

    case = submit_directly(now=now).complaint

    def staff(username, *codenames, **extra):
        user = django_user_model.objects.create_user(username=username, is_staff=True, **extra)
        user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
        return user

    staff("direct", "view_case_content", "examine_complaint")
    staff("reads-only", "view_case_content")
    staff("examines-only", "examine_complaint")
    staff("root", is_superuser=True)
    staff("inactive", "view_case_content", "examine_complaint", is_active=False)

    names = [user.username for user in rapporteurs_eligible(case)]

    assert names == ["amina", "chair", "direct", "root"]


def test_only_the_proposers_own_conflict_on_this_case_stops_an_adoption(
    chair, member_rapporteur, other_rapporteur, now
):
    from complaints.models import DecisionKind
    from monitoring.cases.models import ConflictDeclaration
    from monitoring.cases.services import conflict_declare, decision_adopt, decision_propose

    case, elsewhere = submit_directly(now=now).complaint, submit_directly(now=now).complaint
    for complaint in (case, elsewhere):
        give(complaint, member_rapporteur, by=chair, now=now)
    case_move(
        complaint=case, to=Status.TRIAGE, by=member_rapporteur, expected_status="received", now=now
    )
    proposal = decision_propose(
        complaint=case,
        by=member_rapporteur,
        kind=DecisionKind.INADMISSIBLE,
        ground="outside_mandate",
        reasons="Outside the mandate.",
        checklist="{}",
        expected_status="triage",
        now=now,
    )
    conflict_declare(complaint=elsewhere, member=member_rapporteur, reason="A cousin.", now=now)
    # Declared while the case was in the queue, before it was given.
    ConflictDeclaration.objects.create(
        complaint=case, member=other_rapporteur, reason="A neighbour.", at=now
    )

    decision = decision_adopt(proposal=proposal, by=chair, now=now)

    assert decision.complaint == case
