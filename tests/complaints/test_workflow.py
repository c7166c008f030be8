from dataclasses import FrozenInstanceError
from datetime import timedelta
from itertools import product

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from complaints.errors import TransitionRefused
from complaints.models import (
    Appeal,
    AppealJudgment,
    AppealResult,
    Decision,
    DecisionKind,
    Status,
)
from complaints.workflow import (
    PUBLIC_STATUS,
    TRANSITIONS,
    complaint_transition,
    transition_allowed,
)
from tests.filing import submit_directly

DAY = timedelta(days=1)

S = Status
TRIAGE, EXAMINE, DECIDE = "triage_complaint", "examine_complaint", "decide_complaint"
APPEAL, WITHDRAWAL = "decide_appeal", "record_withdrawal"
WORKFLOW_PERMISSIONS = [TRIAGE, EXAMINE, DECIDE, APPEAL, WITHDRAWAL]
STAFF, COMPLAINANT, EITHER, SCHEDULE = "staff", "complainant", "either", "schedule"
REASON, NO_REASON = True, False

# The workflow of DESIGN.md, written out: (from, to) -> who moves it, with which permission
# (codename, for staff), and whether a reason is needed. Every pair not listed is refused.
WORKFLOW: dict[tuple[Status, Status], tuple[str, str | None, bool]] = {
    (S.RECEIVED, S.TRIAGE): (STAFF, TRIAGE, NO_REASON),
    (S.TRIAGE, S.AWAITING_COMPLAINANT): (STAFF, TRIAGE, REASON),
    # The complainant's answer moves it back too, to where it was (and only there).
    (S.AWAITING_COMPLAINANT, S.TRIAGE): (EITHER, TRIAGE, NO_REASON),
    (S.TRIAGE, S.INADMISSIBLE): (STAFF, DECIDE, REASON),
    (S.TRIAGE, S.EXAMINATION): (STAFF, TRIAGE, NO_REASON),
    (S.EXAMINATION, S.AWAITING_COMPLAINANT): (STAFF, EXAMINE, REASON),
    (S.AWAITING_COMPLAINANT, S.EXAMINATION): (EITHER, EXAMINE, NO_REASON),
    (S.EXAMINATION, S.DECIDED): (STAFF, DECIDE, REASON),
    (S.INADMISSIBLE, S.APPEALED): (COMPLAINANT, None, REASON),
    (S.DECIDED, S.APPEALED): (COMPLAINANT, None, REASON),
    # When the appeal window passes, by the scheduled job; nobody may cut the window short.
    (S.INADMISSIBLE, S.CLOSED): (SCHEDULE, None, NO_REASON),
    (S.DECIDED, S.CLOSED): (SCHEDULE, None, NO_REASON),
    (S.APPEALED, S.APPEAL_DECIDED): (STAFF, APPEAL, REASON),
    (S.APPEAL_DECIDED, S.CLOSED): (STAFF, APPEAL, NO_REASON),
    (S.APPEAL_DECIDED, S.EXAMINATION): (STAFF, APPEAL, REASON),
    # Any open status: withdrawn by the complainant, or by staff on their written request.
    **{
        (source, S.WITHDRAWN): (EITHER, WITHDRAWAL, REASON)
        for source in Status
        if source not in {S.CLOSED, S.WITHDRAWN}
    },
}
STAFF_MOVES = [pair for pair, (who, _p, _r) in WORKFLOW.items() if who in {STAFF, EITHER}]
STAFF_ONLY_MOVES = [pair for pair, (who, _p, _r) in WORKFLOW.items() if who == STAFF]
COMPLAINANT_MOVES = [
    pair for pair, (who, _p, _r) in WORKFLOW.items() if who in {COMPLAINANT, EITHER}
]
SCHEDULED_MOVES = [pair for pair, (who, _p, _r) in WORKFLOW.items() if who == SCHEDULE]
APPEALS = [pair for pair, (who, _p, _r) in WORKFLOW.items() if who == COMPLAINANT]
NEEDS_REASON = [pair for pair, (_w, _p, reason) in WORKFLOW.items() if reason]
NEEDS_NO_REASON = [
    pair for pair, (who, _p, reason) in WORKFLOW.items() if not reason and who != SCHEDULE
]

# How a case reaches each status in the tests: the steps after "received".
PATH = {
    S.RECEIVED: [],
    S.TRIAGE: [S.TRIAGE],
    S.AWAITING_COMPLAINANT: [S.TRIAGE, S.AWAITING_COMPLAINANT],
    S.EXAMINATION: [S.TRIAGE, S.EXAMINATION],
    S.INADMISSIBLE: [S.TRIAGE, S.INADMISSIBLE],
    S.DECIDED: [S.TRIAGE, S.EXAMINATION, S.DECIDED],
    S.APPEALED: [S.TRIAGE, S.INADMISSIBLE, S.APPEALED],
    S.APPEAL_DECIDED: [S.TRIAGE, S.INADMISSIBLE, S.APPEALED, S.APPEAL_DECIDED],
    S.CLOSED: [S.TRIAGE, S.INADMISSIBLE, S.CLOSED],
    S.WITHDRAWN: [S.WITHDRAWN],
}

REFUSED_PERMISSION = "You do not have permission to make this change."


def move_id(pair: tuple[Status, Status]) -> str:
    return f"{pair[0]}->{pair[1]}"


@pytest.fixture
def triager(django_user_model):
    user = django_user_model.objects.create_user(username="triager")
    user.user_permissions.add(Permission.objects.get(codename="triage_complaint"))
    return user


@pytest.fixture
def staff_with(django_user_model):
    """A case worker holding exactly these permissions."""

    def make(*codenames: str):
        user = django_user_model.objects.create_user(
            username="-".join(codenames) or "nobody", is_staff=True
        )
        user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
        return user

    return make


@pytest.fixture
def case_at(django_user_model, now):
    """A complaint filed through the service and moved, through the service, to a status."""
    registry = django_user_model.objects.create_superuser(username="registry", password=None)

    def make(status: Status, *, then: Status | None = None):
        """`then`: the move the test makes next (a question asked in examination is answered
        back to examination)."""
        complaint = submit_directly(now=now).complaint
        path = PATH[status]
        if status == S.AWAITING_COMPLAINANT and then == S.EXAMINATION:
            path = [S.TRIAGE, S.EXAMINATION, S.AWAITING_COMPLAINANT]
        for step in path:
            by = {"by": registry}
            if step == S.APPEALED:
                by = {"by_complainant": True}
            elif step == S.CLOSED:
                by = {"by_schedule": True}
                decision_with_window_passed(complaint, now=now)
            by.update(adopted_for(complaint, step, now=now, then=then))
            complaint_transition(
                complaint=complaint, to=step, reason="For the test.", now=now, **by
            )
        assert complaint.status == status
        return complaint

    return make


# The kind of decision that each decision move publishes.
DECISION_MOVES = {S.INADMISSIBLE: DecisionKind.INADMISSIBLE, S.DECIDED: DecisionKind.MERITS}


def adopted_for(complaint, target: Status, *, now, then: Status | None = None) -> dict:
    """What a move to `target` needs besides its actor: for a decision, the Decision adopted
    for it; for the end of an appeal, the Appeal Body's judgment, sending the case back when
    `then` is examination (both made directly: monitoring's services make them, tested in
    tests/monitoring)."""
    if target == S.APPEAL_DECIDED:
        judged_for(complaint, remitted=then == S.EXAMINATION, now=now)
        return {}
    kind = DECISION_MOVES.get(target)
    if kind is None:
        return {}
    values = {
        "kind": kind,
        "ground": "other" if kind == DecisionKind.INADMISSIBLE else "",
        "outcome": "found" if kind == DecisionKind.MERITS else "",
        "reasons": "For the test.",
        "adopted_at": now,
        "appeal_until": now + timedelta(days=30),
    }
    decision = Decision.objects.create(complaint=complaint, **values)
    return {"decision": decision}


def judged_for(complaint, *, remitted: bool, now) -> AppealJudgment:
    decision = complaint.decisions.order_by("-adopted_at", "-pk").first()
    appeal = Appeal.objects.get_or_create(
        complaint=complaint, decision=decision, defaults={"grounds": "Wrong.", "lodged_at": now}
    )[0]
    result = AppealResult.REMITTED if remitted else AppealResult.UPHELD
    return AppealJudgment.objects.create(
        complaint=complaint, appeal=appeal, result=result, reasons="Heard.", decided_at=now
    )


def decision_with_window_passed(complaint, *, now) -> None:
    """The decision a case in inadmissible or decided carries, its appeal window over."""
    complaint.decisions.update(adopted_at=now - timedelta(days=31), appeal_until=now - DAY)


def refusal(complaint, **move) -> str:
    before = complaint.status_changes.count()
    with pytest.raises(TransitionRefused) as refused:
        complaint_transition(complaint=complaint, **move)
    complaint.refresh_from_db()
    assert complaint.status_changes.count() == before
    return str(refused.value)


def test_the_transition_table_is_the_designed_workflow():
    def described(source: Status, target: Status) -> tuple[str, str | None, bool] | None:
        rule = transition_allowed(source=source, target=target)
        if rule is None:
            return None
        who = {
            (True, True, False): EITHER,
            (True, False, False): COMPLAINANT,
            (False, True, False): STAFF,
            (False, False, True): SCHEDULE,
        }[rule.complainant_may, rule.permission is not None, rule.scheduled]
        permission = rule.permission and rule.permission.removeprefix("complaints.")
        return who, permission, rule.needs_reason

    every_pair = list(product(Status, Status))

    assert {pair: described(*pair) for pair in every_pair} == {
        pair: WORKFLOW.get(pair) for pair in every_pair
    }


def test_a_rule_of_the_workflow_cannot_be_changed_by_the_code_that_reads_it():
    rule = transition_allowed(source=S.TRIAGE, target=S.INADMISSIBLE)

    with pytest.raises(FrozenInstanceError):
        rule.needs_reason = False


def test_a_permitted_move_changes_status_and_records_who_and_why(complainant_case, triager, now):
    complaint, _receipt = complainant_case

    change = complaint_transition(complaint=complaint, to=Status.TRIAGE, by=triager, now=now)

    assert complaint.status == Status.TRIAGE  # the object in hand, without reloading it
    complaint.refresh_from_db()
    assert complaint.status == Status.TRIAGE
    assert (change.from_status, change.to_status, change.by, change.at) == (
        Status.RECEIVED,
        Status.TRIAGE,
        triager,
        now,
    )
    assert complaint.status_changes.last() == change


def test_a_move_writes_only_the_status_and_deadline_of_the_complaint(
    complainant_case, triager, now
):
    complaint, _receipt = complainant_case

    with CaptureQueriesContext(connection) as queries:
        complaint_transition(complaint=complaint, to=Status.TRIAGE, by=triager, now=now)

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "complaints_complaint"')]
    assert len(updates) == 1
    assignments = updates[0].split(" SET ")[1].split(" WHERE ")[0].split(", ")
    assert [column.split(" = ")[0] for column in assignments] == ['"status"', '"due_at"']
    assert assignments[0] == "\"status\" = 'triage'"


def test_moving_one_complaint_leaves_the_others_as_they_were(complainant_case, triager, now):
    other, _receipt = complainant_case
    complaint = submit_directly(now=now).complaint

    complaint_transition(complaint=complaint, to=Status.TRIAGE, by=triager, now=now)

    other.refresh_from_db()
    assert other.status == Status.RECEIVED
    assert other.status_changes.count() == 1


def test_the_outsider_cannot_move_a_complaint(complainant_case, outsider, now):
    complaint, _receipt = complainant_case

    assert refusal(complaint, to=Status.TRIAGE, by=outsider, now=now) == REFUSED_PERMISSION
    assert complaint.status == Status.RECEIVED


def test_a_staff_move_without_anyone_making_it_is_refused(complainant_case, now):
    complaint, _receipt = complainant_case

    assert refusal(complaint, to=Status.TRIAGE, by=None, now=now) == REFUSED_PERMISSION
    assert complaint.status == Status.RECEIVED


def test_a_move_not_in_the_table_is_refused_with_a_clear_message(complainant_case, triager, now):
    complaint, _receipt = complainant_case

    message = refusal(complaint, to=Status.DECIDED, by=triager, now=now)

    assert message == "A complaint that is “Received” cannot become “Decided”."
    assert complaint.status == Status.RECEIVED


NO_DECISION = "Only a decision that the chair adopts can make this change."


@pytest.mark.parametrize("target", list(DECISION_MOVES))
def test_a_decision_move_is_made_only_with_the_decision_adopted_for_it(
    target, case_at, django_user_model, now
):
    source = {S.INADMISSIBLE: S.TRIAGE, S.DECIDED: S.EXAMINATION}[target]
    complaint = case_at(source)
    chair = django_user_model.objects.create_superuser(username="root", password=None)
    other_target = next(move for move in DECISION_MOVES if move != target)
    move = {"to": target, "by": chair, "reason": "Adopted.", "now": now}

    without = refusal(complaint, **move)
    another_case = refusal(
        complaint, **move, **adopted_for(submit_directly(now=now).complaint, target, now=now)
    )
    another_kind = refusal(complaint, **move, **adopted_for(complaint, other_target, now=now))
    before_the_last_move = refusal(
        complaint, **move, **adopted_for(complaint, target, now=now - DAY)
    )
    change = complaint_transition(
        complaint=complaint, **move, **adopted_for(complaint, target, now=now)
    )

    assert without == another_case == another_kind == before_the_last_move == NO_DECISION
    complaint.refresh_from_db()
    assert complaint.status == target
    assert change.from_status == source


def test_a_triager_cannot_declare_a_complaint_inadmissible(case_at, triager, now):
    complaint = case_at(S.TRIAGE)

    decision = adopted_for(complaint, S.INADMISSIBLE, now=now)
    message = refusal(
        complaint, to=S.INADMISSIBLE, by=triager, reason="Out of time.", now=now, **decision
    )

    assert message == REFUSED_PERMISSION
    assert complaint.status == S.TRIAGE


@pytest.mark.parametrize("move", STAFF_MOVES, ids=move_id)
def test_each_staff_move_takes_its_own_permission_and_no_other(move, case_at, staff_with, now):
    source, target = move
    needed = WORKFLOW[move][1]
    complaint = case_at(source, then=target)
    holds_the_others = staff_with(*[p for p in WORKFLOW_PERMISSIONS if p != needed])
    holds_it = staff_with(needed)

    decision = adopted_for(complaint, target, now=now)
    message = refusal(
        complaint, to=target, by=holds_the_others, reason="Asked.", now=now, **decision
    )
    change = complaint_transition(
        complaint=complaint, to=target, by=holds_it, reason="Asked.", now=now, **decision
    )

    assert message == REFUSED_PERMISSION
    complaint.refresh_from_db()
    assert complaint.status == target
    assert (change.from_status, change.by, change.by_complainant) == (source, holds_it, False)


@pytest.mark.parametrize("move", STAFF_ONLY_MOVES, ids=move_id)
def test_the_complainant_cannot_make_a_staff_move(move, case_at, now):
    source, target = move
    complaint = case_at(source, then=target)

    message = refusal(complaint, to=target, by_complainant=True, reason="Please.", now=now)

    assert message == "Only the Committee can make this change."
    assert complaint.status == source


@pytest.mark.parametrize("move", COMPLAINANT_MOVES, ids=move_id)
def test_the_complainant_makes_their_own_moves_and_the_history_says_so(move, case_at, now):
    source, target = move
    complaint = case_at(source, then=target)

    complaint_transition(
        complaint=complaint, to=target, by_complainant=True, reason="  My reasons.  ", now=now
    )

    complaint.refresh_from_db()
    assert complaint.status == target
    change = complaint.status_changes.last()
    assert (change.from_status, change.to_status, change.by, change.by_complainant) == (
        source,
        target,
        None,
        True,
    )
    assert change.reason == "My reasons."


@pytest.mark.parametrize("move", APPEALS, ids=move_id)
def test_nobody_on_the_staff_can_appeal_for_the_complainant_not_even_a_superuser(
    move, case_at, django_user_model, now
):
    source, target = move
    complaint = case_at(source, then=target)
    superuser = django_user_model.objects.create_superuser(username="root", password=None)

    message = refusal(complaint, to=target, by=superuser, reason="On their behalf.", now=now)

    assert message == REFUSED_PERMISSION
    assert complaint.status == source


@pytest.mark.parametrize("move", NEEDS_REASON, ids=move_id)
def test_a_move_that_needs_a_reason_is_refused_without_one(move, case_at, django_user_model, now):
    source, target = move
    complaint = case_at(source, then=target)
    who = WORKFLOW[move][0]
    by = (
        {"by_complainant": True}
        if who == COMPLAINANT
        else {"by": django_user_model.objects.create_superuser(username="root", password=None)}
    )

    by.update(adopted_for(complaint, target, now=now))
    message = refusal(complaint, to=target, reason=" \n ", now=now, **by)

    assert message == "Please give a reason for this change."
    assert complaint.status == source


@pytest.mark.parametrize("move", NEEDS_NO_REASON, ids=move_id)
def test_a_move_that_needs_no_reason_is_made_without_one(move, case_at, staff_with, now):
    source, target = move
    complaint = case_at(source, then=target)

    complaint_transition(complaint=complaint, to=target, by=staff_with(WORKFLOW[move][1]), now=now)

    complaint.refresh_from_db()
    assert complaint.status == target


def test_every_status_has_public_wording_and_closed_ones_lead_nowhere():
    assert set(PUBLIC_STATUS) == set(Status)
    assert not [pair for pair in TRANSITIONS if pair[0] in {Status.CLOSED, Status.WITHDRAWN}]


@pytest.mark.parametrize("status", Status)
def test_the_complainant_reads_each_status_in_french_too(status):
    name, explanation = PUBLIC_STATUS[status]
    with translation.override("en"):
        english = str(name), str(explanation)
    with translation.override("fr"):
        french = str(name), str(explanation)

    assert french[0] != english[0]
    assert french[1] != english[1]


@pytest.mark.parametrize("move", SCHEDULED_MOVES, ids=move_id)
def test_a_case_closes_when_its_appeal_window_passes_by_the_schedule_alone(
    move, case_at, django_user_model, now
):
    source, target = move
    complaint = case_at(source, then=target)
    superuser = django_user_model.objects.create_superuser(username="root", password=None)
    decision_with_window_passed(complaint, now=now)

    by_a_person = refusal(complaint, to=target, by=superuser, now=now)
    by_the_complainant = refusal(complaint, to=target, by_complainant=True, now=now)
    change = complaint_transition(complaint=complaint, to=target, by_schedule=True, now=now)

    assert by_a_person == REFUSED_PERMISSION
    assert by_the_complainant == "Only the Committee can make this change."
    complaint.refresh_from_db()
    assert complaint.status == target
    assert (change.from_status, change.by, change.by_complainant) == (source, None, False)


@pytest.mark.parametrize("move", [m for m in WORKFLOW if m not in SCHEDULED_MOVES], ids=move_id)
def test_the_schedule_makes_no_move_that_a_person_makes(move, case_at, now):
    source, target = move
    complaint = case_at(source, then=target)

    message = refusal(complaint, to=target, by_schedule=True, reason="Scheduled.", now=now)

    assert message == "Only a person can make this change."
    assert complaint.status == source


@pytest.mark.parametrize(
    ("asked_in", "not_there"), [(S.TRIAGE, S.EXAMINATION), (S.EXAMINATION, S.TRIAGE)]
)
def test_a_case_awaiting_an_answer_goes_back_only_to_where_it_was(
    asked_in, not_there, case_at, django_user_model, now
):
    complaint = case_at(S.AWAITING_COMPLAINANT, then=asked_in)
    superuser = django_user_model.objects.create_superuser(username="root", password=None)

    by_staff = refusal(complaint, to=not_there, by=superuser, now=now)
    by_the_complainant = refusal(complaint, to=not_there, by_complainant=True, now=now)

    expected = f"A complaint awaiting an answer goes back to where it was: “{asked_in.label}”."
    assert by_staff == by_the_complainant == expected
    complaint_transition(complaint=complaint, to=asked_in, by_complainant=True, now=now)
    complaint.refresh_from_db()
    assert complaint.status == asked_in


@pytest.mark.parametrize("source", [S.INADMISSIBLE, S.DECIDED])
def test_the_schedule_does_not_close_a_case_while_its_appeal_window_is_open(source, case_at, now):
    complaint = case_at(source)
    Decision.objects.create(
        complaint=complaint,
        kind=DecisionKind.INADMISSIBLE,
        ground="other",
        reasons="For the test.",
        adopted_at=now,
        appeal_until=now + timedelta(days=30),
    )

    message = refusal(complaint, to=S.CLOSED, by_schedule=True, now=now + timedelta(days=29))

    assert message == "The appeal window of this decision is still open."
    assert complaint.status == source


def test_the_schedule_does_not_close_a_case_without_a_decision(case_at, now):
    complaint = case_at(S.DECIDED)
    complaint.decisions.all().delete()  # which no move leaves behind: a damaged record

    message = refusal(complaint, to=S.CLOSED, by_schedule=True, now=now)

    assert message == "The appeal window of this decision is still open."


def test_the_appeal_window_is_open_until_its_last_moment(case_at, now):
    complaint = case_at(S.DECIDED)
    until = now + timedelta(days=30)
    Decision.objects.create(
        complaint=complaint,
        kind=DecisionKind.INADMISSIBLE,
        ground="other",
        reasons="For the test.",
        adopted_at=now,
        appeal_until=until,
    )

    at_the_last_moment = refusal(complaint, to=S.CLOSED, by_schedule=True, now=until)
    complaint_transition(
        complaint=complaint, to=S.CLOSED, by_schedule=True, now=until + timedelta(seconds=1)
    )

    assert at_the_last_moment == "The appeal window of this decision is still open."
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED


@pytest.mark.parametrize("source", [S.INADMISSIBLE, S.DECIDED])
def test_the_complainant_appeals_only_while_the_window_is_open(source, case_at, now):
    complaint = case_at(source)
    until = complaint.decisions.get().appeal_until

    too_late = refusal(
        complaint, to=S.APPEALED, by_complainant=True, reason="I disagree.", now=until + DAY
    )
    complaint_transition(
        complaint=complaint, to=S.APPEALED, by_complainant=True, reason="I disagree.", now=until
    )

    assert too_late == "The time to appeal this decision has passed."
    complaint.refresh_from_db()
    assert complaint.status == S.APPEALED


def test_the_public_wording_names_the_time_limits_the_settings_give(settings):
    from complaints.workflow import public_status

    settings.DEADLINE_TRIAGE_DAYS, settings.DEADLINE_TRIAGE_URGENT_HOURS = 5, 24
    settings.APPEAL_WINDOW_DAYS = 60

    received = public_status(S.RECEIVED)[1]
    decided = public_status(S.DECIDED)[1]
    with translation.override("fr"):
        french = public_status(S.INADMISSIBLE)[1]

    assert "within 5 days, or within 24 hours" in received
    assert decided.endswith("You may appeal within 60 days.")
    assert french.endswith("Vous pouvez faire appel dans les 60 jours.")


NOT_JUDGED = "Only the Appeal Body's recorded decision can make this change."


def test_an_appeal_is_decided_only_with_the_appeal_bodys_judgment(case_at, staff_with, now):
    complaint = case_at(S.APPEALED)
    judge = staff_with(APPEAL)

    message = refusal(complaint, to=S.APPEAL_DECIDED, by=judge, reason="Heard.", now=now)

    assert message == NOT_JUDGED
    assert complaint.status == S.APPEALED


@pytest.mark.parametrize(
    ("remitted", "target", "wrong"),
    [(True, S.CLOSED, S.EXAMINATION), (False, S.EXAMINATION, S.CLOSED)],
    ids=["remitted-is-not-closed", "upheld-is-not-sent-back"],
)
def test_after_an_appeal_the_case_goes_where_the_judgment_sends_it(
    remitted, target, wrong, case_at, staff_with, now
):
    complaint = case_at(S.APPEAL_DECIDED, then=wrong)
    complaint.appeals.get().judgment.delete()
    judged_for(complaint, remitted=remitted, now=now)
    judge = staff_with(APPEAL)

    message = refusal(complaint, to=target, by=judge, reason="As judged.", now=now)
    complaint_transition(complaint=complaint, to=wrong, by=judge, reason="As judged.", now=now)

    assert message == NOT_JUDGED
    complaint.refresh_from_db()
    assert complaint.status == wrong
