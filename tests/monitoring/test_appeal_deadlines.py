"""When each step of an appeal is due, and when it is late: the pure rule."""

from datetime import UTC, datetime, timedelta

from monitoring.appeals.deadlines import (
    DECLARATION,
    JUDGMENT,
    PANEL,
    VOTES,
    AppealTimes,
    SeatTimes,
    appeal_progress,
)

DAY = timedelta(days=1)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
TIMES = AppealTimes(
    panel=14 * DAY, declaration=7 * DAY, votes=30 * DAY, judgment=14 * DAY, appeal=90 * DAY
)


def seat(seated: int, declared: int | None = None, *, recused=False, voted: int | None = None):
    at = lambda days: None if days is None else T0 + days * DAY  # noqa: E731
    return SeatTimes(at(seated), at(declared), recused, at(voted))


def progress(seats, *, round_opened=None, decided=False):
    return appeal_progress(
        lodged_at=T0,
        seats=seats,
        size=3,
        round_opened_at=round_opened,
        decided=decided,
        times=TIMES,
    )


def test_an_appeal_without_a_full_panel_waits_on_the_registry_from_the_lodging():
    waiting = progress([seat(2), seat(2)])

    assert (waiting.step, waiting.step_due, waiting.appeal_due) == (
        PANEL,
        T0 + 14 * DAY,
        T0 + 90 * DAY,
    )


def test_a_recusal_gives_the_registry_its_time_again_from_the_recusal():
    waiting = progress([seat(2, 3), seat(2, 3), seat(2, 20, recused=True)])

    assert (waiting.step, waiting.step_due) == (PANEL, T0 + 34 * DAY)


def test_declarations_are_due_a_week_after_the_earliest_undeclared_seat():
    waiting = progress([seat(2, 3), seat(4), seat(6)])

    assert (waiting.step, waiting.step_due) == (DECLARATION, T0 + 11 * DAY)


def test_votes_are_due_from_the_last_declaration_or_the_new_round():
    first = progress([seat(2, 3, voted=5), seat(2, 8), seat(2, 4)])
    again = progress([seat(2, 3), seat(2, 8), seat(2, 4)], round_opened=T0 + 40 * DAY)

    assert (first.step, first.step_due) == (VOTES, T0 + 38 * DAY)
    assert (again.step, again.step_due) == (VOTES, T0 + 70 * DAY)


def test_the_judgment_is_due_two_weeks_after_the_last_vote():
    waiting = progress([seat(2, 3, voted=10), seat(2, 3, voted=12), seat(2, 3, voted=11)])

    assert (waiting.step, waiting.step_due) == (JUDGMENT, T0 + 26 * DAY)


def test_lateness_of_a_step_and_of_the_whole_appeal():
    waiting = progress([seat(2, 3), seat(4), seat(6)])

    assert not waiting.step_late(T0 + 11 * DAY)
    assert waiting.step_late(T0 + 11 * DAY + timedelta(seconds=1))
    assert not waiting.appeal_late(T0 + 90 * DAY)
    assert waiting.appeal_late(T0 + 91 * DAY)


def test_a_decided_appeal_waits_on_nothing_and_is_never_late():
    decided = progress([seat(2, 3, voted=10)] * 3, decided=True)

    assert (decided.step, decided.step_due) == (None, None)
    assert not decided.step_late(T0 + 400 * DAY)
    assert not decided.appeal_late(T0 + 400 * DAY)


def test_the_times_come_from_settings(settings):
    settings.APPEAL_DEADLINE_VOTE_DAYS = 10

    assert AppealTimes.from_settings().votes == 10 * DAY
    assert AppealTimes.from_settings().appeal == 90 * DAY


def test_only_a_recusal_gives_the_registry_its_time_again():
    # A member who declared late does not move the registry's deadline; the recusal does.
    waiting = progress([seat(2, 30), seat(2, 3, recused=True), seat(2)])

    assert (waiting.step, waiting.step_due) == (PANEL, T0 + 17 * DAY)
