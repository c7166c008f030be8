"""When a panel's votes make a decision: a pure rule over plain values.

A decision needs every member's vote, a majority of the panel for one choice, and (a setting, on
by default: APPEAL_MAJORITY_NEEDS_OTHER_NATIONAL) within that majority at least one judge who is
not a national of the respondent state, the safeguard of mixed tribunals such as the
Extraordinary Chambers in the Courts of Cambodia: the judges of one nationality cannot decide
alone. A judge of several nationalities counts as a national of each.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Ballot:
    judge_id: int
    choice: str
    respondent_national: bool


@dataclass(frozen=True)
class Problem:
    code: str
    message: str = field(compare=False)


VOTES_MISSING = Problem("votes_missing", _("Not every member of the panel has voted yet."))
NO_MAJORITY = Problem("no_majority", _("No choice has the votes of a majority of the panel."))
NO_OTHER_NATIONAL = Problem(
    "no_other_national",
    _(
        "The majority holds no judge who is not a national of the respondent state: such a "
        "judge's vote is needed for a decision."
    ),
)


@dataclass(frozen=True)
class Result:
    choice: str | None  # the panel's decision, when the votes make one
    problem: Problem | None  # otherwise, why not


def votes_result(ballots: Iterable[Ballot], *, size: int, needs_other_national: bool) -> Result:
    """The choice the votes decide, or the problem that keeps them from deciding."""
    ballots = list(ballots)
    if len({ballot.judge_id for ballot in ballots}) < size:
        return Result(None, VOTES_MISSING)
    choice, count = Counter(ballot.choice for ballot in ballots).most_common(1)[0]
    if count * 2 <= size:
        return Result(None, NO_MAJORITY)
    majority = [ballot for ballot in ballots if ballot.choice == choice]
    if needs_other_national and all(ballot.respondent_national for ballot in majority):
        return Result(None, NO_OTHER_NATIONAL)
    return Result(choice, None)
