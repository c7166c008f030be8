"""The Appeal Body's services, against the database: the registry's draws and seatings, each
judge's declaration and vote, the presiding judge's judgment; every refusal named, nothing
changed by it."""

from datetime import timedelta

import pytest

from complaints.models import (
    AppealJudgment,
    AppealResult,
    OpinionKind,
    PublishedOpinion,
    Status,
)
from monitoring.appeals.models import (
    DeclarationState,
    JudgmentRecord,
    PanelDraw,
    Seat,
    Vote,
    VoteChoice,
    VoteRound,
)
from monitoring.appeals.panels import (
    Judge,
    PanelRules,
    panel_problems,
)
from monitoring.appeals.services import (
    case_of,
    declaration_make,
    draw_checks_out,
    first_instance_ids,
    judgment_record,
    open_seats,
    opinion_write,
    panel_propose,
    panel_seat,
    roster,
    round_reopen,
    vote_cast,
    workloads,
)
from monitoring.cases.models import ConflictDeclaration, Note
from tests.monitoring.appeal_body import appealed_case, judge
from tests.monitoring.cast import member
from tests.monitoring.writes import refusal

UPHOLD, OVERTURN, REMIT = VoteChoice.UPHOLD, VoteChoice.OVERTURN, VoteChoice.REMIT


@pytest.fixture
def registrar(django_user_model):
    return member(django_user_model, "registrar", "Appeal registrar")


@pytest.fixture
def judges(django_user_model):
    """Five judges of five nationalities, who all read English (the test complaint's language)."""
    return {
        "rw": judge(django_user_model, "judge_rw", "RW", "rw en"),
        "fr": judge(django_user_model, "judge_fr", "FR", "fr en"),
        "ke": judge(django_user_model, "judge_ke", "KE", "en sw"),
        "ug": judge(django_user_model, "judge_ug", "UG", "en"),
        "be": judge(django_user_model, "judge_be", "BE", "en fr"),
    }


@pytest.fixture
def appealed(member_rapporteur, chair, now):
    return appealed_case(rapporteur=member_rapporteur, chair=chair, now=now)


@pytest.fixture
def appeal(appealed):
    return appealed[1]


def seat(appeal, registrar, now, *users):
    return panel_seat(appeal=appeal, judges=list(users), by=registrar, now=now)


def declared_panel(appeal, registrar, now, *users):
    seat(appeal, registrar, now, *users)
    for user in users:
        declaration_make(appeal=appeal, judge=user, recuse=False, reason="", now=now)


def presiding_judge(appeal):
    return Seat.objects.get(appeal=appeal, presiding=True).judge


def state(appeal) -> tuple:
    """Everything a panel write could change."""
    return (
        list(
            Seat.objects.filter(appeal=appeal).values_list("judge_id", "declaration", "presiding")
        ),
        list(Vote.objects.filter(seat__appeal=appeal).values_list("seat_id", "round", "choice")),
        VoteRound.objects.filter(appeal=appeal).count(),
        AppealJudgment.objects.filter(appeal=appeal).count(),
        PublishedOpinion.objects.count(),
        appeal.complaint.status_changes.count(),
    )


def refused_changing_nothing(appeal, call) -> str:
    before = state(appeal)
    message = refusal(call)
    assert state(appeal) == before
    return message


# --- the roster and the case as the rules see them -----------------------------------------------


def test_first_instance_holds_everyone_who_acted_on_the_case_before_the_appeal(
    appealed, member_rapporteur, chair, django_user_model, now
):
    complaint, _appeal = appealed
    colleague = member(django_user_model, "colleague", "Committee chair")
    Note.objects.create(complaint=complaint, author=colleague, body="Seen.", at=now)

    assert first_instance_ids(complaint) == {member_rapporteur.pk, chair.pk, colleague.pk}


def test_the_roster_carries_nationalities_languages_and_open_seats(appeal, judges, registrar, now):
    seat(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])

    by_id = {entry.id: entry for entry in roster()}

    assert by_id[judges["rw"].pk] == Judge(
        judges["rw"].pk, frozenset({"RW"}), frozenset({"rw", "en"}), True, 1
    )
    assert by_id[judges["ug"].pk].workload == 0
    assert workloads() == {judges[n].pk: 1 for n in ("rw", "fr", "ke")}


# --- the registry: draws and seats ---------------------------------------------------------------


def test_a_proposed_panel_keeps_every_rule_and_its_draw_is_recorded_so_it_can_be_checked(
    appeal, judges, registrar, now
):
    draw = panel_propose(appeal=appeal, by=registrar, now=now)

    recorded = PanelDraw.objects.get()
    assert recorded == draw
    assert len(draw.panel) == 3
    assert draw.presiding in draw.panel
    assert draw.failing_rule == ""
    members = [entry for entry in roster() if entry.id in draw.panel]
    assert panel_problems(members, case_of(appeal), PanelRules()) == []
    assert draw_checks_out(recorded)
    assert not Seat.objects.exists()  # a proposal seats nobody until the registrar confirms it


def test_a_draw_record_altered_afterwards_no_longer_checks_out(appeal, judges, registrar, now):
    record = panel_propose(appeal=appeal, by=registrar, now=now)
    outside = next(j.pk for j in judges.values() if j.pk not in record.panel)

    record.panel = sorted([*record.panel[1:], outside])

    assert not draw_checks_out(record)


def test_seating_the_proposal_gives_the_panel_its_presiding_judge(appeal, judges, registrar, now):
    draw = panel_propose(appeal=appeal, by=registrar, now=now)
    users = [j for j in judges.values() if j.pk in draw.panel]

    seats = panel_seat(appeal=appeal, judges=users, by=registrar, now=now, draw=draw)

    assert {s.judge_id for s in seats} == set(draw.panel)
    assert presiding_judge(appeal).pk == draw.presiding
    assert all(s.declaration == DeclarationState.PENDING and s.draw == draw for s in seats)


def test_when_the_roster_cannot_make_a_panel_the_draw_names_the_rule(
    appeal, registrar, django_user_model, now
):
    judge(django_user_model, "judge_a", "FR", "fr")
    judge(django_user_model, "judge_b", "KE", "sw")
    judge(django_user_model, "judge_c", "UG", "rw")

    draw = panel_propose(appeal=appeal, by=registrar, now=now)

    assert (draw.panel, draw.presiding, draw.failing_rule) == (None, None, "language")


def test_judges_who_acted_at_first_instance_are_never_drawn(
    appeal, judges, registrar, member_rapporteur, chair, now
):
    # The chair who adopted the decision is also on the roster of judges (a small body).
    from django.contrib.auth.models import Group

    from monitoring.appeals.models import JudgeProfile

    for user in (chair, member_rapporteur):
        user.groups.add(Group.objects.get(name="Appeal judge"))
    JudgeProfile.objects.create(user=chair, nationalities=["CD"], languages=["en"])
    JudgeProfile.objects.create(user=member_rapporteur, nationalities=["TZ"], languages=["en"])

    panels = {tuple(panel_propose(appeal=appeal, by=registrar, now=now).panel) for _ in range(30)}

    assert all(chair.pk not in p and member_rapporteur.pk not in p for p in panels)
    message = refused_changing_nothing(
        appeal, lambda: seat(appeal, registrar, now, chair, judges["fr"], judges["ke"])
    )
    assert "Nobody on the panel acted on the case at first instance." in message


@pytest.mark.parametrize(
    ("names", "rule"),
    [
        (("fr", "ke"), "Panel size: 3, each seat held by a different judge."),
        (("rw", "fr", "ke", "ug"), "Panel size: 3, each seat held by a different judge."),
    ],
)
def test_a_panel_of_the_wrong_size_is_refused_naming_the_rule(
    appeal, judges, registrar, now, names, rule
):
    message = refused_changing_nothing(
        appeal, lambda: seat(appeal, registrar, now, *[judges[n] for n in names])
    )

    assert rule in message
    assert "Nothing was changed." in message


def test_a_panel_of_two_rwandans_or_two_of_one_nationality_is_refused_naming_both_rules(
    appeal, judges, registrar, django_user_model, now
):
    dual = judge(django_user_model, "judge_dual", "FR RW", "en")

    message = refused_changing_nothing(
        appeal, lambda: seat(appeal, registrar, now, judges["rw"], dual, judges["ke"])
    )

    assert "At most one member is a national of the respondent state, Rwanda." in message
    assert "No two members share a nationality." in message


def test_a_panel_nobody_on_reads_the_complaint_in_is_refused(
    appeal, registrar, django_user_model, now
):
    users = [
        judge(django_user_model, f"judge_{code}", code.upper(), "fr") for code in ("fr", "ke", "ug")
    ]

    message = refused_changing_nothing(appeal, lambda: seat(appeal, registrar, now, *users))

    assert "At least one member reads the language of the complaint." in message


def test_an_inactive_judge_and_someone_off_the_roster_are_refused(
    appeal, judges, registrar, django_user_model, now
):
    judges["ug"].judge_profile.active = False
    judges["ug"].judge_profile.save()
    stranger = member(django_user_model, "stranger", "Appeal judge")

    inactive = refused_changing_nothing(
        appeal, lambda: seat(appeal, registrar, now, judges["ug"], judges["fr"], judges["ke"])
    )
    off_roster = refused_changing_nothing(
        appeal, lambda: seat(appeal, registrar, now, stranger, judges["fr"], judges["ke"])
    )

    assert "Every member is an active judge." in inactive
    assert off_roster == "stranger is not on the roster of judges."


def test_a_judge_who_declared_a_conflict_on_the_complaint_is_refused(
    appealed, judges, registrar, now
):
    complaint, appeal = appealed
    # A judge who is also a committee member declared it there.
    ConflictDeclaration.objects.create(complaint=complaint, member=judges["fr"], reason="Kin.")

    message = refused_changing_nothing(
        appeal, lambda: seat(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    )

    assert "Nobody on the panel declared a conflict of interest on the case." in message


def test_a_registrar_seating_a_judge_twice_is_refused(appeal, judges, registrar, now):
    chosen = [judges["rw"], judges["fr"], judges["ke"]]
    seat(appeal, registrar, now, *chosen)

    twice_in_one = refused_changing_nothing(
        appeal, lambda: seat(appeal, registrar, now, judges["fr"], judges["fr"])
    )
    again = refused_changing_nothing(appeal, lambda: seat(appeal, registrar, now, judges["fr"]))

    assert twice_in_one == "The same judge was chosen twice."
    assert again == "judge_fr already sits on this panel."


def test_a_full_panel_draws_nothing_more(appeal, judges, registrar, now):
    seat(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])

    message = refusal(lambda: panel_propose(appeal=appeal, by=registrar, now=now))

    assert message == "The panel is complete: it has no seat to fill."
    assert not PanelDraw.objects.exists()


def test_only_the_registry_draws_or_seats(appeal, judges, chair, now):
    for call in [
        lambda: panel_propose(appeal=appeal, by=judges["rw"], now=now),
        lambda: seat(appeal, chair, now, judges["rw"], judges["fr"], judges["ke"]),
    ]:
        assert refused_changing_nothing(appeal, call) == "You do not have permission to do this."
    assert not PanelDraw.objects.exists()


# --- declarations --------------------------------------------------------------------------------


def test_a_recusal_reopens_the_seat_and_the_next_draw_keeps_the_others(
    appeal, judges, registrar, now
):
    seat(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    leaving = presiding_judge(appeal)

    declaration_make(
        appeal=appeal, judge=leaving, recuse=True, reason="I advised the family.", now=now
    )

    vacated = Seat.objects.get(appeal=appeal, judge=leaving)
    assert (vacated.declaration, vacated.presiding) == (DeclarationState.RECUSED, False)
    assert vacated.recusal_reason == "I advised the family."
    assert vacated.declared_at == now
    staying = {j.pk for j in (judges["rw"], judges["fr"], judges["ke"])} - {leaving.pk}
    assert {s.judge_id for s in open_seats(appeal)} == staying

    draw = panel_propose(appeal=appeal, by=registrar, now=now)

    assert set(draw.kept) == staying
    assert staying < set(draw.panel)
    assert leaving.pk not in draw.panel
    replacement = next(j for j in judges.values() if j.pk in set(draw.panel) - staying)
    panel_seat(appeal=appeal, judges=[replacement], by=registrar, now=now, draw=draw)
    assert len(open_seats(appeal)) == 3
    assert Seat.objects.filter(appeal=appeal, presiding=True).count() == 1


def test_a_judge_who_recused_is_never_seated_on_the_appeal_again(appeal, judges, registrar, now):
    seat(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    declaration_make(appeal=appeal, judge=judges["fr"], recuse=True, reason="Conflict.", now=now)

    message = refused_changing_nothing(appeal, lambda: seat(appeal, registrar, now, judges["fr"]))

    assert message == "judge_fr recused from this appeal and cannot sit on it."
    assert judges["fr"].pk in case_of(appeal).conflicted


def test_a_recusal_needs_a_reason_and_a_declaration_is_made_once(appeal, judges, registrar, now):
    seat(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])

    no_reason = refused_changing_nothing(
        appeal,
        lambda: declaration_make(
            appeal=appeal, judge=judges["fr"], recuse=True, reason=" ", now=now
        ),
    )
    declaration_make(appeal=appeal, judge=judges["fr"], recuse=False, reason="", now=now)
    again = refused_changing_nothing(
        appeal,
        lambda: declaration_make(
            appeal=appeal, judge=judges["fr"], recuse=True, reason="x", now=now
        ),
    )

    assert no_reason == "Please say why you recuse yourself."
    assert again == "You have already declared on this appeal."


def test_only_a_seated_judge_declares(appeal, judges, registrar, now):
    seat(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])

    message = refused_changing_nothing(
        appeal,
        lambda: declaration_make(
            appeal=appeal, judge=judges["ug"], recuse=False, reason="", now=now
        ),
    )

    assert message == "Only the members of this appeal's panel can do this."


# --- votes ---------------------------------------------------------------------------------------


def vote(appeal, user, choice, now, opinion=""):
    return vote_cast(appeal=appeal, judge=user, choice=choice, opinion=opinion, now=now)


def test_a_vote_before_declaring_or_before_the_whole_panel_declared_is_refused(
    appeal, judges, registrar, now
):
    seat(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])

    undeclared = refused_changing_nothing(appeal, lambda: vote(appeal, judges["fr"], UPHOLD, now))
    declaration_make(appeal=appeal, judge=judges["fr"], recuse=False, reason="", now=now)
    waiting = refused_changing_nothing(appeal, lambda: vote(appeal, judges["fr"], UPHOLD, now))

    assert undeclared == "Declare first whether you have a conflict of interest."
    assert waiting == (
        "The panel deliberates once every seat is filled and every member has declared."
    )


def test_a_vote_from_outside_the_panel_or_a_second_vote_is_refused(appeal, judges, registrar, now):
    declared_panel(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    vote(appeal, judges["fr"], UPHOLD, now)

    outside = refused_changing_nothing(appeal, lambda: vote(appeal, judges["ug"], UPHOLD, now))
    by_registrar = refused_changing_nothing(appeal, lambda: vote(appeal, registrar, UPHOLD, now))
    second = refused_changing_nothing(appeal, lambda: vote(appeal, judges["fr"], OVERTURN, now))
    unknown = refused_changing_nothing(appeal, lambda: vote(appeal, judges["rw"], "acquit", now))

    assert outside == by_registrar == "Only the members of this appeal's panel can do this."
    assert second == "You have already voted. A vote is cast once."
    assert unknown == "Please choose your vote."


def test_an_opinion_is_written_on_ones_own_vote_until_the_judgment(appeal, judges, registrar, now):
    declared_panel(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])

    before_voting = refused_changing_nothing(
        appeal, lambda: opinion_write(appeal=appeal, judge=judges["fr"], text="x", now=now)
    )
    vote(appeal, judges["fr"], UPHOLD, now)
    opinion_write(appeal=appeal, judge=judges["fr"], text="  I add a word.  ", now=now)

    assert before_voting == "Vote first: an opinion goes with a vote."
    assert Vote.objects.get(seat__judge=judges["fr"]).opinion == "I add a word."


# --- the judgment --------------------------------------------------------------------------------


def judge_it(appeal, choice, now, **extra):
    extra.setdefault("reasons", "The Committee weighed the evidence.")
    return judgment_record(
        appeal=appeal, by=presiding_judge(appeal), choice=choice, now=now, **extra
    )


def test_the_panel_upholds_with_one_dissent_and_the_complainant_reads_both(
    appealed, judges, registrar, now
):
    complaint, appeal = appealed
    panel = [judges["rw"], judges["fr"], judges["ke"]]
    declared_panel(appeal, registrar, now, *panel)
    later = now + timedelta(days=3)
    dissenter = next(u for u in panel if u != presiding_judge(appeal))
    for user in panel:
        if user == dissenter:
            vote(appeal, user, OVERTURN, later, opinion="The second letter was not read.")
        else:
            vote(appeal, user, UPHOLD, later)

    judgment = judge_it(appeal, UPHOLD, later)

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert (judgment.result, judgment.reasons, judgment.decided_at) == (
        AppealResult.UPHELD,
        "The Committee weighed the evidence.",
        later,
    )
    assert [(o.kind, o.text) for o in judgment.opinions.all()] == [
        (OpinionKind.DISSENTING, "The second letter was not read.")
    ]
    record = JudgmentRecord.objects.get(judgment=judgment)
    assert (record.by, record.opinions_withheld) == (presiding_judge(appeal), False)
    moves = list(complaint.status_changes.values_list("to_status", flat=True))
    assert moves[-3:] == [Status.APPEALED, Status.APPEAL_DECIDED, Status.CLOSED]


def test_an_overturning_records_the_appeal_bodys_own_finding(appealed, judges, registrar, now):
    complaint, appeal = appealed
    declared_panel(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    for user in (judges["rw"], judges["fr"], judges["ke"]):
        vote(appeal, user, OVERTURN, now, opinion="I agree, for my own reasons.")

    without_finding = refused_changing_nothing(appeal, lambda: judge_it(appeal, OVERTURN, now))
    judgment = judge_it(appeal, OVERTURN, now, finding="not_found")

    assert without_finding == "An overturning states the Appeal Body's own finding."
    assert (judgment.result, judgment.finding) == (AppealResult.OVERTURNED, "not_found")
    assert {o.kind for o in judgment.opinions.all()} == {OpinionKind.SEPARATE}
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED


def test_a_remittal_sends_the_case_back_to_examination_with_a_fresh_deadline(
    appealed, judges, registrar, now, settings
):
    complaint, appeal = appealed
    declared_panel(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    later = now + timedelta(days=40)
    for user in (judges["rw"], judges["fr"], judges["ke"]):
        vote(appeal, user, REMIT, later)

    judge_it(appeal, REMIT, later)

    complaint.refresh_from_db()
    assert complaint.status == Status.EXAMINATION
    assert complaint.due_at == later + timedelta(days=settings.DEADLINE_DECISION_DAYS)


def test_a_decision_before_every_vote_is_in_is_refused(appeal, judges, registrar, now):
    declared_panel(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    vote(appeal, judges["rw"], UPHOLD, now)
    vote(appeal, judges["fr"], UPHOLD, now)

    message = refused_changing_nothing(appeal, lambda: judge_it(appeal, UPHOLD, now))

    assert message == "Not every member of the panel has voted yet."


def test_three_different_votes_make_no_decision_and_the_presiding_judge_opens_a_new_round(
    appeal, judges, registrar, now
):
    panel = [judges["rw"], judges["fr"], judges["ke"]]
    declared_panel(appeal, registrar, now, *panel)
    for user, choice in zip(panel, [UPHOLD, OVERTURN, REMIT], strict=True):
        vote(appeal, user, choice, now)

    no_majority = refused_changing_nothing(appeal, lambda: judge_it(appeal, UPHOLD, now))
    not_presiding = next(u for u in panel if u != presiding_judge(appeal))
    by_member = refused_changing_nothing(
        appeal, lambda: round_reopen(appeal=appeal, by=not_presiding, now=now)
    )
    round_reopen(appeal=appeal, by=presiding_judge(appeal), now=now)
    for user in panel:
        vote(appeal, user, REMIT, now)
    judgment = judge_it(appeal, REMIT, now)

    assert no_majority == "No choice has the votes of a majority of the panel."
    assert by_member == "The presiding judge does this."
    assert judgment.result == AppealResult.REMITTED
    assert Vote.objects.filter(seat__appeal=appeal).count() == 6  # the first round stays on record


def test_a_new_round_is_refused_while_the_votes_make_a_decision(appeal, judges, registrar, now):
    panel = [judges["rw"], judges["fr"], judges["ke"]]
    declared_panel(appeal, registrar, now, *panel)
    for user in panel:
        vote(appeal, user, UPHOLD, now)

    message = refused_changing_nothing(
        appeal, lambda: round_reopen(appeal=appeal, by=presiding_judge(appeal), now=now)
    )

    assert message == "The votes make a decision: record it."


def test_the_decision_recorded_is_the_one_the_majority_voted_for(appeal, judges, registrar, now):
    panel = [judges["rw"], judges["fr"], judges["ke"]]
    declared_panel(appeal, registrar, now, *panel)
    for user in panel:
        vote(appeal, user, UPHOLD, now)

    message = refused_changing_nothing(appeal, lambda: judge_it(appeal, REMIT, now))

    assert message == (
        "The decision recorded is the one the majority voted for: "
        "“Uphold the Committee's decision”."
    )


def test_a_majority_of_respondent_nationals_alone_does_not_decide(
    appeal, registrar, django_user_model, now, settings
):
    settings.APPEAL_PANEL_ONE_RESPONDENT_NATIONAL = False
    settings.APPEAL_PANEL_DIFFERENT_NATIONALITIES = False
    rwandans = [judge(django_user_model, f"judge_rw{i}", "RW", "en") for i in (1, 2)]
    other = judge(django_user_model, "judge_fr", "FR", "en")
    declared_panel(appeal, registrar, now, *rwandans, other)
    for user in rwandans:
        vote(appeal, user, OVERTURN, now)
    vote(appeal, other, UPHOLD, now)

    message = refused_changing_nothing(
        appeal, lambda: judge_it(appeal, OVERTURN, now, finding="not_found")
    )

    assert message.startswith("The majority holds no judge who is not a national of the respondent")
    settings.APPEAL_MAJORITY_NEEDS_OTHER_NATIONAL = False
    assert judge_it(appeal, OVERTURN, now, finding="not_found").result == AppealResult.OVERTURNED


def test_withheld_opinions_are_not_published_and_the_reason_is_kept(appeal, judges, registrar, now):
    panel = [judges["rw"], judges["fr"], judges["ke"]]
    declared_panel(appeal, registrar, now, *panel)
    for user, choice in zip(panel, [UPHOLD, UPHOLD, OVERTURN], strict=True):
        vote(appeal, user, choice, now, opinion="An opinion that names a witness.")
    withhold = {"withhold_opinions": True}

    unexplained = refused_changing_nothing(
        appeal, lambda: judge_it(appeal, UPHOLD, now, **withhold)
    )
    judgment = judge_it(appeal, UPHOLD, now, **withhold, withheld_reason="It names a witness.")

    assert unexplained == "Please say why the opinions are withheld."
    assert not judgment.opinions.exists()
    record = JudgmentRecord.objects.get(judgment=judgment)
    assert (record.opinions_withheld, record.withheld_reason) == (True, "It names a witness.")


def test_a_decided_appeal_takes_no_more_votes_declarations_or_seats(appeal, judges, registrar, now):
    panel = [judges["rw"], judges["fr"], judges["ke"]]
    declared_panel(appeal, registrar, now, *panel)
    for user in panel:
        vote(appeal, user, UPHOLD, now)
    judge_it(appeal, UPHOLD, now)
    decided = "This appeal has been decided: its panel no longer changes."

    for call in [
        lambda: judge_it(appeal, UPHOLD, now),
        lambda: panel_propose(appeal=appeal, by=registrar, now=now),
        lambda: seat(appeal, registrar, now, judges["ug"]),
        lambda: opinion_write(appeal=appeal, judge=judges["fr"], text="Later.", now=now),
    ]:
        assert refused_changing_nothing(appeal, call) == decided


def test_a_judgment_without_reasons_is_refused(appeal, judges, registrar, now):
    panel = [judges["rw"], judges["fr"], judges["ke"]]
    declared_panel(appeal, registrar, now, *panel)
    for user in panel:
        vote(appeal, user, UPHOLD, now)

    message = refused_changing_nothing(appeal, lambda: judge_it(appeal, UPHOLD, now, reasons="  "))

    assert message == "Please write the reasons: the complainant reads them."


# --- the seating service against the rules, over random rosters ---------------------------------


class _Undo(Exception):
    """Raised to roll an example's writes back."""


@pytest.mark.django_db
def test_the_registry_seats_exactly_the_panels_that_keep_every_rule(
    appeal, registrar, django_user_model, now
):
    from django.db import transaction
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from complaints.errors import ComplaintError

    pool = [
        judge(django_user_model, f"pool_{i}", " ".join(codes), languages)
        for i, (codes, languages) in enumerate(
            [
                (["RW"], "en"),
                (["RW", "FR"], "en"),
                (["FR"], "fr"),
                (["KE"], "sw"),
                (["UG"], "en"),
                (["KE", "UG"], "en sw"),
                (["FR"], "en"),
            ]
        )
    ]

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
    def seat_some(picked):
        entries = {entry.id: entry for entry in roster()}
        expected = panel_problems([entries[u.pk] for u in picked], case_of(appeal), PanelRules())
        if expected:
            with pytest.raises(ComplaintError) as refused:
                panel_seat(appeal=appeal, judges=picked, by=registrar, now=now)
            named = str(refused.value)
            assert all(rule.explain(PanelRules()) in named for rule in expected), named
            assert not Seat.objects.filter(appeal=appeal).exists()
            outcomes.add("refused")
            return
        outcomes.add("seated")
        try:
            with transaction.atomic():
                panel_seat(appeal=appeal, judges=picked, by=registrar, now=now)
                seated = [entries[s.judge_id] for s in open_seats(appeal)]
                assert panel_problems(seated, case_of(appeal), PanelRules()) == []
                raise _Undo
        except _Undo:
            pass

    outcomes: set[str] = set()
    seat_some()
    assert outcomes == {"refused", "seated"}  # the examples reached both sides


# --- what the outside review found ---------------------------------------------------------------


def test_seats_recorded_as_drawn_are_the_latest_draws_for_the_seats_as_they_are(
    appeal, judges, registrar, now
):
    stale = panel_propose(appeal=appeal, by=registrar, now=now)
    latest = panel_propose(appeal=appeal, by=registrar, now=now)
    users = {user.pk: user for user in judges.values()}
    drawn = [users[pk] for pk in latest.panel]
    outside = next(user for pk, user in users.items() if pk not in latest.panel)

    def seat_from(draw, chosen):
        return lambda: panel_seat(appeal=appeal, judges=chosen, by=registrar, now=now, draw=draw)

    from_stale = refused_changing_nothing(appeal, seat_from(stale, [users[i] for i in stale.panel]))
    others = refused_changing_nothing(appeal, seat_from(latest, [*drawn[:2], outside]))
    seats = panel_seat(appeal=appeal, judges=drawn, by=registrar, now=now, draw=latest)

    for message in (from_stale, others):
        assert message.startswith("This draw is no longer the one for these seats.")
    assert {seat.draw_id for seat in seats} == {latest.pk}


def test_a_judges_nationality_as_seated_is_what_the_votes_count(
    appeal, registrar, django_user_model, now, settings
):
    settings.APPEAL_PANEL_ONE_RESPONDENT_NATIONAL = False
    panel = [judge(django_user_model, f"judge_{c}", c.upper(), "en") for c in ("rw", "fr", "ke")]
    declared_panel(appeal, registrar, now, *panel)
    vote(appeal, panel[0], UPHOLD, now)
    vote(appeal, panel[1], UPHOLD, now)
    vote(appeal, panel[2], OVERTURN, now)
    # Edited behind the form's back: the seat keeps the nationality the panel was checked with.
    profile = panel[1].judge_profile
    profile.nationalities = ["FR", "RW"]
    profile.save()

    assert judge_it(appeal, UPHOLD, now).result == AppealResult.UPHELD


def test_a_decision_not_to_accept_is_upheld_or_sent_back_never_overturned(
    judges, registrar, member_rapporteur, chair, now
):
    from complaints.services import appeal_lodge
    from tests.filing import submit_directly
    from tests.monitoring.appeal_body import decide

    complaint = decide(
        submit_directly(now=now).complaint,
        rapporteur=member_rapporteur,
        chair=chair,
        now=now,
        inadmissible=True,
    )
    appeal = appeal_lodge(complaint=complaint, grounds="It is within.", now=now)
    declared_panel(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])

    message = refused_changing_nothing(appeal, lambda: vote(appeal, judges["fr"], OVERTURN, now))

    assert message.startswith("A decision not to accept the complaint is upheld, or sent back")


def test_an_overturning_finds_otherwise_than_the_committee(appeal, judges, registrar, now):
    declared_panel(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    for user in (judges["rw"], judges["fr"], judges["ke"]):
        vote(appeal, user, OVERTURN, now)

    same = refused_changing_nothing(
        appeal, lambda: judge_it(appeal, OVERTURN, now, finding="found")
    )

    assert same == "An overturning finds otherwise than the Committee: choose another finding."


def test_a_judge_who_left_the_role_is_neither_drawn_nor_seated(appeal, judges, registrar, now):
    judges["ug"].groups.clear()

    assert judges["ug"].pk not in {entry.id for entry in roster()}
    message = refused_changing_nothing(
        appeal, lambda: seat(appeal, registrar, now, judges["ug"], judges["fr"], judges["ke"])
    )
    assert message == "judge_ug is not on the roster of judges."


def test_a_deleted_case_leaves_nothing_of_its_appeal(appealed, judges, registrar, now):
    from complaints.models import CaseHistory
    from complaints.retention import complaint_purge

    complaint, appeal = appealed
    declared_panel(appeal, registrar, now, judges["rw"], judges["fr"], judges["ke"])
    for user in (judges["rw"], judges["fr"], judges["ke"]):
        vote(appeal, user, UPHOLD, now, opinion="Agreed.")
    judge_it(appeal, UPHOLD, now)

    complaint_purge(complaint=complaint, now=now + timedelta(days=4000))

    assert not CaseHistory.objects.exists()
    for model in (Seat, Vote, PanelDraw, JudgmentRecord, AppealJudgment, PublishedOpinion):
        assert not model.objects.exists(), model
