"""When a panel's votes decide: the pure rule, against the rule spelled out by hand."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.appeals.deliberation import (
    NO_MAJORITY,
    NO_OTHER_NATIONAL,
    VOTES_MISSING,
    Ballot,
    votes_result,
)

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)
CHOICES = ["uphold", "overturn", "remit"]


@st.composite
def panels(draw: st.DrawFn) -> tuple[list[Ballot], int]:
    size = draw(st.sampled_from([1, 3, 5]))
    voted = draw(st.integers(0, size))
    ballots = [
        Ballot(judge_id, draw(st.sampled_from(CHOICES)), draw(st.booleans()))
        for judge_id in range(1, voted + 1)
    ]
    return ballots, size


@PROPERTY
@given(panels(), st.booleans())
def test_a_decision_is_a_majority_of_the_whole_panel_with_another_national_when_required(
    panel, needs_other
):
    ballots, size = panel

    result = votes_result(ballots, size=size, needs_other_national=needs_other)

    counts = Counter(ballot.choice for ballot in ballots)
    winners = [choice for choice, count in counts.items() if count > size / 2]
    if len(ballots) < size:
        assert result.problem == VOTES_MISSING
    elif not winners:
        assert result.problem == NO_MAJORITY
    elif needs_other and all(b.respondent_national for b in ballots if b.choice == winners[0]):
        assert result.problem == NO_OTHER_NATIONAL
    else:
        assert (result.choice, result.problem) == (winners[0], None)
    assert (result.choice is None) != (result.problem is None)


def test_two_to_one_decides_and_one_to_one_to_one_does_not():
    split = [Ballot(1, "uphold", False), Ballot(2, "uphold", True), Ballot(3, "remit", False)]
    three_ways = [
        Ballot(1, "uphold", False),
        Ballot(2, "overturn", True),
        Ballot(3, "remit", False),
    ]

    assert votes_result(split, size=3, needs_other_national=True).choice == "uphold"
    assert votes_result(three_ways, size=3, needs_other_national=True).problem == NO_MAJORITY


def test_a_judge_voting_twice_does_not_fill_a_missing_vote():
    ballots = [Ballot(1, "uphold", False), Ballot(1, "uphold", False), Ballot(2, "uphold", False)]

    assert votes_result(ballots, size=3, needs_other_national=False).problem == VOTES_MISSING


def test_the_safeguard_applies_only_when_switched_on():
    nationals = [
        Ballot(1, "overturn", True),
        Ballot(2, "overturn", True),
        Ballot(3, "uphold", False),
    ]

    assert votes_result(nationals, size=3, needs_other_national=True).problem == NO_OTHER_NATIONAL
    assert votes_result(nationals, size=3, needs_other_national=False).choice == "overturn"


def test_the_votes_may_come_as_any_iterable():
    votes = (Ballot(i, "remit", i == 1) for i in (1, 2, 3))

    assert votes_result(votes, size=3, needs_other_national=True).choice == "remit"
