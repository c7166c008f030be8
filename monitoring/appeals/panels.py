"""Who may hear an appeal: the panel rules, each with a code and the sentence that names it.

Pure functions over plain values, apart from the ORM, so that the rules can be tested exhaustively
without a database. The service around them loads the panel and the case and calls these.

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
    active: bool = True
    workload: int = 0  # panels they currently sit on

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
    message: str = field(compare=False, repr=False)  # lazy; may name %(size)s and %(state)s

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
