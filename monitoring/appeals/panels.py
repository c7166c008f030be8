"""Who may hear an appeal: the panel rules, and a weighted random draw that obeys them.

Pure functions over plain values, apart from the ORM, so that the rules can be tested exhaustively
without a database. The service around them loads the roster and the case, calls these, and records
the draw (its seed, the roster it saw, the result) so that anyone can re-run it later.

Settings read by `PanelRules.from_settings()`, with their defaults:

    APPEAL_PANEL_SIZE                     3     judges on a panel; odd (no even split of two sides)
    APPEAL_PANEL_RESPONDENT_STATE         "RW"  ISO code of the state complained about
    APPEAL_PANEL_DIFFERENT_NATIONALITIES  True  no two members share a nationality
    APPEAL_PANEL_ONE_RESPONDENT_NATIONAL  True  at most one member of the respondent state
    APPEAL_PANEL_READER_OF_LANGUAGE       True  a member reads the complaint's language

The other rules cannot be switched off: a full panel of different judges, all active, none of whom
acted on the case at first instance or declared a conflict on it. They are what makes it an appeal
("never back to the people who decided it"), not a matter of policy.
"""

import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_countries import countries


@dataclass(frozen=True)
class Judge:
    """A judge of the roster as the draw sees them."""

    id: int
    nationalities: frozenset[str]  # ISO country codes; dual nationals hold each
    languages: frozenset[str]  # language codes the judge reads
    active: bool
    workload: int  # current load, e.g. open appeals on their panels

    def __post_init__(self) -> None:
        if not self.nationalities:
            raise ValueError(f"judge {self.id} has no nationality")
        if self.workload < 0:
            raise ValueError(f"judge {self.id} has a negative workload")


@dataclass(frozen=True)
class Case:
    """What the rules need to know about the case under appeal."""

    language: str  # the complaint's language
    first_instance: frozenset[int] = frozenset()  # rapporteurs, adopting chair, note writers
    conflicted: frozenset[int] = frozenset()  # judges who declared a conflict on it


@dataclass(frozen=True)
class PanelRules:
    """The rules in force. The service reads them with `from_settings()`; tests name them."""

    size: int = 3
    respondent_state: str = "RW"
    different_nationalities: bool = True
    one_respondent_national: bool = True
    reader_of_language: bool = True

    def __post_init__(self) -> None:
        if self.size < 1 or self.size % 2 == 0:
            raise ValueError(f"a panel has an odd number of judges, not {self.size}")

    @classmethod
    def from_settings(cls) -> "PanelRules":
        try:
            return cls(
                size=getattr(settings, "APPEAL_PANEL_SIZE", 3),
                respondent_state=getattr(settings, "APPEAL_PANEL_RESPONDENT_STATE", "RW"),
                different_nationalities=getattr(
                    settings, "APPEAL_PANEL_DIFFERENT_NATIONALITIES", True
                ),
                one_respondent_national=getattr(
                    settings, "APPEAL_PANEL_ONE_RESPONDENT_NATIONAL", True
                ),
                reader_of_language=getattr(settings, "APPEAL_PANEL_READER_OF_LANGUAGE", True),
            )
        except ValueError as error:
            raise ImproperlyConfigured(f"APPEAL_PANEL_SIZE: {error}") from error

    def is_on(self, rule: "Rule") -> bool:
        switches = {
            DIFFERENT_NATIONALITIES: self.different_nationalities,
            ONE_RESPONDENT_NATIONAL: self.one_respondent_national,
            READER_OF_LANGUAGE: self.reader_of_language,
        }
        return switches.get(rule, True)


@dataclass(frozen=True)
class Rule:
    """A panel rule: a stable code for records and tests, and the rule as the registrar reads it."""

    code: str
    # Lazy, and may name %(size)s and %(state)s. Left out of equality and hashing, so that a rule
    # is the same rule in every language.
    message: str = field(compare=False)

    def explain(self, rules: PanelRules) -> str:
        state = countries.name(rules.respondent_state) or rules.respondent_state
        return str(self.message) % {"size": rules.size, "state": state}


SIZE = Rule("size", _("Panel size: %(size)s, each seat held by a different judge."))
ACTIVE = Rule("active", _("Every member is an active judge."))
FIRST_INSTANCE = Rule(
    "first_instance", _("Nobody on the panel acted on the case at first instance.")
)
CONFLICT = Rule("conflict", _("Nobody on the panel declared a conflict of interest on the case."))
READER_OF_LANGUAGE = Rule("language", _("At least one member reads the language of the complaint."))
ONE_RESPONDENT_NATIONAL = Rule(
    "respondent_state", _("At most one member is a national of the respondent state, %(state)s.")
)
DIFFERENT_NATIONALITIES = Rule("nationalities", _("No two members share a nationality."))

# Rules on each judge alone, then rules on the panel as a whole. This is also the order in which
# a draw that finds no panel names the rule that fails: simplest first (see `panel_draw`).
ELIGIBILITY = (ACTIVE, FIRST_INSTANCE, CONFLICT)
COMPOSITION = (READER_OF_LANGUAGE, ONE_RESPONDENT_NATIONAL, DIFFERENT_NATIONALITIES)
RULES = (SIZE, *ELIGIBILITY, *COMPOSITION)


def _eligible(rule: Rule, judge: Judge, case: Case) -> bool:
    if rule == ACTIVE:
        return judge.active
    if rule == FIRST_INSTANCE:
        return judge.id not in case.first_instance
    return judge.id not in case.conflicted


def _composed(rule: Rule, members: Collection[Judge], case: Case, rules: PanelRules) -> bool:
    """Whether distinct `members` keep a composition rule; all but the language one stay broken
    whatever judges are added, which is what lets the search prune."""
    if rule == READER_OF_LANGUAGE:
        return any(case.language in judge.languages for judge in members)
    if rule == ONE_RESPONDENT_NATIONAL:
        return sum(rules.respondent_state in judge.nationalities for judge in members) <= 1
    held = [code for judge in members for code in judge.nationalities]
    return len(held) == len(set(held))


def panel_problems(panel: Iterable[Judge], case: Case, rules: PanelRules) -> list[Rule]:
    """Every rule that `panel` breaks, in the order of RULES; empty when the panel is valid."""
    panel = list(panel)
    members = list({judge.id: judge for judge in panel}.values())
    # A judge seated twice breaks the size rule only, not the nationality rule with themself.
    problems = [] if len(panel) == len(members) == rules.size else [SIZE]
    problems += [
        rule for rule in ELIGIBILITY if not all(_eligible(rule, judge, case) for judge in members)
    ]
    problems += [
        rule
        for rule in COMPOSITION
        if rules.is_on(rule) and not _composed(rule, members, case, rules)
    ]
    return problems


@dataclass(frozen=True)
class Draw:
    """A draw as recorded: re-running `panel_draw` on its seed, roster, case, rules and kept
    judges gives it again. Exactly one of `panel` and `failing_rule` is set."""

    seed: int
    roster: tuple[Judge, ...]  # by id, with the workloads the draw saw
    case: Case
    rules: PanelRules
    panel: tuple[Judge, ...] | None  # by id
    presiding: Judge | None
    failing_rule: Rule | None
    kept: tuple[int, ...] = ()  # ids of judges already seated, whom the panel keeps


def panel_draw(
    roster: Iterable[Judge],
    case: Case,
    rules: PanelRules,
    *,
    seed: int,
    keep: Iterable[int] = (),
) -> Draw:
    """A valid panel drawn at random, weighted toward lighter workloads; or, when the roster holds
    no valid panel, the rule that fails.

    The judges are put in a random order, as if drawn one by one from a hat in which each judge
    still in it has a chance proportional to 1 / (1 + workload). The panel is the first valid one
    in that order: a backtracking search keeps the earliest-drawn judges who can still complete a
    valid panel, so a valid panel is found whenever one exists. The lightest-loaded member
    presides (ties to the lowest id), since presiding adds the writing of the decision.

    `keep`: judges of the roster already seated (a seat left by a recusal is being filled); the
    panel holds them and fills the other seats.

    When the roster holds no valid panel, the rule named is, in the order of RULES:
    - the first rule that cannot be switched off that a kept judge breaks, or after which fewer
      eligible judges than seats remain (size, active, first instance, conflict); else
    - the first switched-on composition rule that no panel of eligible judges meets even on its
      own (every candidate panel breaks it); else
    - the first composition rule that cannot be met together with those before it (each can be
      met alone, those before it together, but every panel that meets them breaks this one).
    """
    roster = tuple(sorted(roster, key=lambda judge: judge.id))
    if len({judge.id for judge in roster}) != len(roster):
        raise ValueError("the roster lists a judge twice")
    kept = tuple(sorted(set(keep)))
    by_id = {judge.id: judge for judge in roster}
    if any(judge_id not in by_id for judge_id in kept):
        raise ValueError("a kept judge is not on the roster")
    # Seeded so that the draw can be re-run, not secret: the service draws the seed itself
    # (secrets.randbits), so that nobody can try seeds until one gives the panel they want.
    order = _weighted_order(roster, random.Random(seed))  # noqa: S311
    panel, failing_rule = _first_panel(order, case, rules, tuple(by_id[i] for i in kept))
    presiding = min(panel, key=lambda judge: (judge.workload, judge.id)) if panel else None
    return Draw(seed, roster, case, rules, panel, presiding, failing_rule, kept)


def draw_reproduces(draw: Draw) -> bool:
    """Whether re-running a recorded draw gives the same result, judge for judge."""
    again = panel_draw(draw.roster, draw.case, draw.rules, seed=draw.seed, keep=draw.kept)
    return again == draw


def _weighted_order(roster: tuple[Judge, ...], rng: random.Random) -> list[Judge]:
    # Efraimidis and Spirakis: sorting by u ** (1 / weight) is drawing without replacement with
    # chances proportional to the weights; here weight = 1 / (1 + workload).
    keys = {judge.id: rng.random() ** (1 + judge.workload) for judge in roster}
    return sorted(roster, key=lambda judge: (-keys[judge.id], judge.id))


def _first_panel(
    order: list[Judge], case: Case, rules: PanelRules, kept: tuple[Judge, ...] = ()
) -> tuple[tuple[Judge, ...] | None, Rule | None]:
    """The first valid panel in `order` holding `kept`, or else the rule that fails (see
    `panel_draw`)."""
    if len(order) < rules.size or len(kept) > rules.size:
        return None, SIZE
    for rule in ELIGIBILITY:
        if not all(_eligible(rule, judge, case) for judge in kept):
            return None, rule
        order = [judge for judge in order if _eligible(rule, judge, case)]
        if len(order) < rules.size:
            return None, rule
    switched_on = [rule for rule in COMPOSITION if rules.is_on(rule)]
    panel = _search(order, case, rules, switched_on, kept)
    if panel is None:
        return None, _failing_composition(order, case, rules, switched_on, kept)
    return tuple(sorted(panel, key=lambda judge: judge.id)), None


def _failing_composition(
    eligible: list[Judge],
    case: Case,
    rules: PanelRules,
    switched_on: list[Rule],
    kept: tuple[Judge, ...] = (),
) -> Rule:
    """The composition rule to name when the eligible judges hold no valid panel.

    A rule that no panel meets even on its own tells the registrar the most (no reader of the
    language at all, say); failing that, rules fail only together, and the first one that cannot
    be added to those before it is named.
    """
    for rule in switched_on:
        if _search(eligible, case, rules, [rule], kept) is None:
            return rule
    return next(
        rule
        for count, rule in enumerate(switched_on, start=1)
        if _search(eligible, case, rules, switched_on[:count], kept) is None
    )


def _search(
    order: list[Judge],
    case: Case,
    rules: PanelRules,
    enforced: list[Rule],
    kept: tuple[Judge, ...] = (),
) -> tuple[Judge, ...] | None:
    """The first panel of `kept` and judges in `order` (lexicographically by position) that
    keeps the `enforced` composition rules, by backtracking; None if there is none."""
    # A panel that breaks these stays broken whatever judges join it, so each seat is offered
    # only to the judges who still fit beside those already seated.
    lasting = [rule for rule in enforced if rule != READER_OF_LANGUAGE]

    def fits(panel: tuple[Judge, ...]) -> bool:
        return all(_composed(rule, panel, case, rules) for rule in lasting)

    def extend(chosen: tuple[Judge, ...], fitting: list[Judge]) -> tuple[Judge, ...] | None:
        if len(chosen) == rules.size:
            return (
                chosen if all(_composed(rule, chosen, case, rules) for rule in enforced) else None
            )
        if not _may_complete(chosen, fitting, case, rules, enforced):
            return None
        for i, judge in enumerate(fitting):
            panel = (*chosen, judge)
            found = extend(panel, [other for other in fitting[i + 1 :] if fits((*panel, other))])
            if found:
                return found
        return None

    if kept and not fits(kept):
        return None
    kept_ids = {judge.id for judge in kept}
    others = [judge for judge in order if judge.id not in kept_ids and fits((*kept, judge))]
    return extend(kept, others)


def _may_complete(
    chosen: tuple[Judge, ...],
    fitting: list[Judge],
    case: Case,
    rules: PanelRules,
    enforced: list[Rule],
) -> bool:
    """False when the judges who still fit cannot fill the seats left, whatever the choice:
    too few of them, no reader among them when one is needed, or too few nationalities for
    members who may share none. Pruning only; never false when a completion exists."""
    seats_left = rules.size - len(chosen)
    if len(fitting) < seats_left:
        return False
    reader_missing = READER_OF_LANGUAGE in enforced and not _composed(
        READER_OF_LANGUAGE, chosen, case, rules
    )
    if reader_missing and not any(case.language in judge.languages for judge in fitting):
        return False
    if DIFFERENT_NATIONALITIES in enforced:
        return len({code for judge in fitting for code in judge.nationalities}) >= seats_left
    return True
