"""The panel rules, each refused by name, and checked against a second reading of the issue.

Pure functions, no database. Hypothesis runs derandomized (the same examples on every run) and
without an example database, as in tests/security.
"""

from itertools import combinations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.appeals.panels import (
    ACTIVE,
    CONFLICT,
    DIFFERENT_NATIONALITIES,
    FIRST_INSTANCE,
    ONE_RESPONDENT_NATIONAL,
    READER_OF_LANGUAGE,
    RULES,
    SIZE,
    Case,
    Judge,
    PanelRules,
    panel_problems,
)

# The autouse fixtures of tests/conftest.py only set settings; nothing carries between examples.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
NATIONS = ["RW", "FR", "KE", "UG", "BE"]
LANGUAGES = ["en", "fr", "rw", "sw"]


def judge(
    id: int, nationalities: str = "FR", languages: str = "en", *, active: bool = True, workload=0
) -> Judge:
    return Judge(
        id, frozenset(nationalities.split()), frozenset(languages.split()), active, workload
    )


MOSTLY = st.sampled_from([True, True, True, True, False])


@st.composite
def situations(draw: st.DrawFn, max_judges: int = 12) -> tuple[list[Judge], Case, PanelRules]:
    """A roster, a case on it and rules, tuned so that every rule is often the one that fails:
    most judges active, few excluded from the case, nationalities and languages from small pools.
    """
    count = draw(st.integers(0, max_judges))  # every roster size equally often
    ids = draw(st.lists(st.integers(1, 40), unique=True, min_size=count, max_size=count))
    roster = [
        Judge(
            id,
            draw(st.frozensets(st.sampled_from(NATIONS), min_size=1, max_size=2)),
            draw(st.frozensets(st.sampled_from(LANGUAGES), max_size=2)),
            draw(MOSTLY),
            draw(st.integers(0, 10)),
        )
        for id in ids
    ]
    a_few = st.frozensets(st.sampled_from(ids), max_size=2) if ids else st.just(frozenset())
    case = Case(draw(st.sampled_from(LANGUAGES)), draw(a_few), draw(a_few))
    rules = PanelRules(
        size=draw(st.sampled_from([1, 3, 3, 3, 5])),
        different_nationalities=draw(MOSTLY),
        one_respondent_national=draw(MOSTLY),
        reader_of_language=draw(MOSTLY),
    )
    return roster, case, rules


# Properties


@PROPERTY
@given(situations(), st.data())
def test_a_hand_picked_panel_is_refused_for_exactly_the_rules_it_breaks(situation, data):
    roster, case, rules = situation
    picked = data.draw(st.lists(st.sampled_from(roster), max_size=6)) if roster else []

    assert panel_problems(picked, case, rules) == broken_as_the_issue_words_them(
        picked, case, rules
    )


def broken_as_the_issue_words_them(panel, case: Case, rules: PanelRules) -> list:
    """The rules spelled out one by one, independently of panels.py, as a second opinion."""
    ids = [member.id for member in panel]
    pairs = [(a, b) for a, b in combinations(panel, 2) if a.id != b.id]
    nationals = {member.id for member in panel if rules.respondent_state in member.nationalities}
    broken = {
        SIZE: len(ids) != rules.size or len(set(ids)) != len(ids),
        ACTIVE: any(not member.active for member in panel),
        FIRST_INSTANCE: any(id in case.first_instance for id in ids),
        CONFLICT: any(id in case.conflicted for id in ids),
        READER_OF_LANGUAGE: rules.reader_of_language
        and not any(case.language in member.languages for member in panel),
        ONE_RESPONDENT_NATIONAL: rules.one_respondent_national and len(nationals) > 1,
        DIFFERENT_NATIONALITIES: rules.different_nationalities
        and any(a.nationalities & b.nationalities for a, b in pairs),
    }
    return [rule for rule in RULES if broken[rule]]


# Each rule, refused by name


RWANDA = PanelRules()
VALID = [judge(1, "RW", "rw"), judge(2, "FR", "fr"), judge(3, "KE", "en sw")]


def test_a_panel_that_keeps_every_rule_has_no_problem():
    assert panel_problems(VALID, Case("rw"), RWANDA) == []


def test_a_judge_seated_twice_breaks_the_size_rule_only():
    panel = [VALID[0], VALID[0], VALID[1]]

    assert panel_problems(panel, Case("rw"), RWANDA) == [SIZE]
    assert SIZE.explain(RWANDA) == "Panel size: 3, each seat held by a different judge."


def test_a_panel_short_of_a_judge_breaks_the_size_rule():
    assert panel_problems(VALID[:2], Case("rw"), RWANDA) == [SIZE]


def test_an_inactive_judge_is_refused():
    panel = [*VALID[:2], judge(3, "KE", active=False)]

    assert panel_problems(panel, Case("rw"), RWANDA) == [ACTIVE]
    assert ACTIVE.explain(RWANDA) == "Every member is an active judge."


def test_a_judge_who_acted_at_first_instance_is_refused():
    case = Case("rw", first_instance=frozenset({2}))

    assert panel_problems(VALID, case, RWANDA) == [FIRST_INSTANCE]
    assert (
        FIRST_INSTANCE.explain(RWANDA) == "Nobody on the panel acted on the case at first instance."
    )


def test_a_judge_who_declared_a_conflict_is_refused():
    case = Case("rw", conflicted=frozenset({3}))

    assert panel_problems(VALID, case, RWANDA) == [CONFLICT]
    assert (
        CONFLICT.explain(RWANDA)
        == "Nobody on the panel declared a conflict of interest on the case."
    )


def test_a_panel_that_nobody_on_reads_the_complaint_in_is_refused():
    assert panel_problems([*VALID[1:], judge(4, "UG")], Case("rw"), RWANDA) == [READER_OF_LANGUAGE]
    assert READER_OF_LANGUAGE.explain(RWANDA) == (
        "At least one member reads the language of the complaint."
    )


def test_two_rwandans_are_refused_and_dual_nationals_count():
    panel = [VALID[0], judge(2, "FR RW"), VALID[2]]

    assert panel_problems(panel, Case("rw"), RWANDA) == [
        ONE_RESPONDENT_NATIONAL,
        DIFFERENT_NATIONALITIES,
    ]
    assert ONE_RESPONDENT_NATIONAL.explain(RWANDA) == (
        "At most one member is a national of the respondent state, Rwanda."
    )


def test_two_members_who_share_a_nationality_are_refused():
    panel = [VALID[0], judge(2, "FR"), judge(3, "KE FR")]

    assert panel_problems(panel, Case("rw"), RWANDA) == [DIFFERENT_NATIONALITIES]
    assert DIFFERENT_NATIONALITIES.explain(RWANDA) == "No two members share a nationality."


def test_a_switched_off_rule_is_not_enforced():
    panel = [judge(1, "RW"), judge(2, "RW"), judge(3, "RW")]
    lenient = PanelRules(
        different_nationalities=False, one_respondent_national=False, reader_of_language=False
    )

    assert panel_problems(panel, Case("rw"), lenient) == []


def test_the_rules_read_in_french():
    with translation.override("fr"):
        assert ONE_RESPONDENT_NATIONAL.explain(RWANDA) == (
            "Au plus un membre a la nationalité de l’État défendeur : Rwanda."
        )
        assert SIZE.explain(RWANDA) == (
            "Taille de la formation : 3, chaque siège occupé par un juge différent."
        )


# Defaults and settings


def test_the_default_rules_are_those_of_the_design():
    assert PanelRules() == PanelRules(
        size=3,
        respondent_state="RW",
        different_nationalities=True,
        one_respondent_national=True,
        reader_of_language=True,
    )
    assert [rule.code for rule in RULES] == [
        "size",
        "active",
        "first_instance",
        "conflict",
        "language",
        "respondent_state",
        "nationalities",
    ]


def test_the_rules_come_from_settings_with_those_defaults(settings):
    assert PanelRules.from_settings() == PanelRules()

    settings.APPEAL_PANEL_SIZE = 5
    settings.APPEAL_PANEL_RESPONDENT_STATE = "KE"
    settings.APPEAL_PANEL_READER_OF_LANGUAGE = False

    assert PanelRules.from_settings() == PanelRules(
        size=5, respondent_state="KE", reader_of_language=False
    )


@pytest.mark.parametrize("size", [0, 2, 4, -1])
def test_a_panel_size_that_is_not_odd_and_positive_is_refused(settings, size):
    settings.APPEAL_PANEL_SIZE = size

    with pytest.raises(ImproperlyConfigured):
        PanelRules.from_settings()
