"""The panel rules, each refused by name, and the draw, checked by brute force over every panel.

Pure functions, no database. Hypothesis runs derandomized (the same examples on every run) and
without an example database, as in tests/security.
"""

from collections import Counter
from dataclasses import FrozenInstanceError, replace
from itertools import combinations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.appeals.panels import (
    ACTIVE,
    COMPOSITION,
    CONFLICT,
    DIFFERENT_NATIONALITIES,
    ELIGIBILITY,
    FIRST_INSTANCE,
    ONE_RESPONDENT_NATIONAL,
    READER_OF_LANGUAGE,
    RULES,
    SIZE,
    Case,
    Judge,
    PanelRules,
    draw_reproduces,
    panel_draw,
    panel_problems,
)

# The autouse fixtures of tests/conftest.py only set settings; nothing carries between examples.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    # Generation slows down on a loaded machine; how slow is not what these tests check.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Against the brute force, where the rare cases (rules that fail only together) need more tries.
AGAINST_BRUTE_FORCE = settings(PROPERTY, max_examples=400)
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


@st.composite
def crowded_situations(draw: st.DrawFn) -> tuple[list[Judge], Case, PanelRules]:
    """Eligible judges only and every rule on, so that only the composition of the panel fails,
    and often only in combination: a lone reader of Kinyarwanda whose nationalities clash."""
    count = draw(st.integers(3, 8))
    readers = draw(st.sampled_from([0, 1, 1, 2]))
    roster = [
        Judge(
            id,
            # Readers are dual nationals, who clash with more of the others.
            draw(st.frozensets(st.sampled_from(NATIONS), min_size=1 + (id <= readers), max_size=2)),
            frozenset({"rw"}) if id <= readers else frozenset({"en"}),
            True,
            0,
        )
        for id in range(1, count + 1)
    ]
    return roster, Case("rw"), PanelRules()


SITUATIONS = st.one_of(situations(max_judges=9), crowded_situations())


def every_panel(roster: list[Judge], rules: PanelRules) -> list[tuple[Judge, ...]]:
    return list(combinations(roster, rules.size))


def meets(panel: tuple[Judge, ...], case: Case, rules: PanelRules, wanted) -> bool:
    return not set(panel_problems(panel, case, rules)) & set(wanted)


# Properties


@PROPERTY
@given(situations(), st.integers(0, 2**32))
def test_every_drawn_panel_keeps_every_rule(situation, seed):
    roster, case, rules = situation

    draw = panel_draw(roster, case, rules, seed=seed)

    if draw.panel is not None:
        assert panel_problems(draw.panel, case, rules) == []
        assert set(draw.panel) <= set(roster)
        assert draw.presiding in draw.panel
        assert draw.failing_rule is None


@AGAINST_BRUTE_FORCE
@given(SITUATIONS, st.integers(0, 2**32))
def test_a_panel_is_drawn_whenever_any_valid_panel_exists(situation, seed):
    roster, case, rules = situation
    valid = [panel for panel in every_panel(roster, rules) if meets(panel, case, rules, RULES)]

    draw = panel_draw(roster, case, rules, seed=seed)

    assert (draw.panel is not None) == bool(valid)
    assert (draw.failing_rule is None) == bool(valid)


@AGAINST_BRUTE_FORCE
@given(SITUATIONS, st.integers(0, 2**32))
def test_when_no_panel_exists_the_rule_named_is_one_the_roster_cannot_meet(situation, seed):
    roster, case, rules = situation

    failing = panel_draw(roster, case, rules, seed=seed).failing_rule

    if failing is None:
        return
    assert rules.is_on(failing)
    panels = every_panel(roster, rules)  # every `size` different judges: all keep SIZE
    if failing == SIZE:
        assert panels == []
        return
    eligible = [panel for panel in panels if meets(panel, case, rules, [SIZE, *ELIGIBILITY])]
    impossible_alone = [
        rule
        for rule in COMPOSITION
        if rules.is_on(rule) and not any(meets(panel, case, rules, [rule]) for panel in eligible)
    ]
    if failing in COMPOSITION and impossible_alone:
        # Every panel of eligible judges breaks it, and it is the first rule they all break.
        assert failing == impossible_alone[0]
        assert eligible
        return
    # The rules before it can be met together, and every panel that meets them breaks it.
    before = [rule for rule in RULES[: RULES.index(failing)] if rules.is_on(rule)]
    meeting_before = [panel for panel in panels if meets(panel, case, rules, before)]
    assert meeting_before
    assert all(failing in panel_problems(panel, case, rules) for panel in meeting_before)


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


@PROPERTY
@given(situations(), st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_the_same_seed_and_roster_give_the_same_draw_in_any_order(situation, seed, shuffler):
    roster, case, rules = situation
    shuffled = list(roster)
    shuffler.shuffle(shuffled)

    draw = panel_draw(roster, case, rules, seed=seed)

    assert panel_draw(shuffled, case, rules, seed=seed) == draw
    assert draw_reproduces(draw)


@AGAINST_BRUTE_FORCE
@given(SITUATIONS, st.integers(0, 2**32), st.data())
def test_filling_a_vacated_seat_keeps_the_seated_judges_and_every_rule(situation, seed, data):
    roster, case, rules = situation
    seated = (
        data.draw(st.lists(st.sampled_from(roster), unique=True, max_size=rules.size - 1))
        if roster
        else []
    )
    kept = {judge.id for judge in seated}
    valid = [
        panel
        for panel in every_panel(roster, rules)
        if kept <= {judge.id for judge in panel} and meets(panel, case, rules, RULES)
    ]

    draw = panel_draw(roster, case, rules, seed=seed, keep=kept)

    assert (draw.panel is not None) == bool(valid)
    assert draw.kept == tuple(sorted(kept))
    assert draw_reproduces(draw)
    if draw.panel is not None:
        assert kept <= {judge.id for judge in draw.panel}
        assert panel_problems(draw.panel, case, rules) == []
    else:
        assert rules.is_on(draw.failing_rule)


def test_a_seated_judge_who_breaks_a_rule_is_the_rule_named():
    case = Case("rw", conflicted=frozenset({2}))

    draw = panel_draw([*VALID, judge(4, "UG", "rw")], case, RWANDA, seed=0, keep=[2])

    assert (draw.panel, draw.failing_rule) == (None, CONFLICT)


def test_keeping_a_judge_who_is_not_on_the_roster_is_an_error():
    with pytest.raises(ValueError, match="not on the roster"):
        panel_draw(VALID, Case("rw"), RWANDA, seed=0, keep=[9])


def test_lighter_workloads_are_drawn_more_often():
    roster = [
        judge(1, "RW", workload=0),
        judge(2, "FR", workload=10),
        judge(3, "KE", workload=3),
        judge(4, "UG", workload=3),
        judge(5, "CD", workload=3),
        judge(6, "BE", workload=3),
    ]

    seated = Counter(
        member.id
        for seed in range(2000)
        for member in panel_draw(roster, Case("en"), PanelRules(), seed=seed).panel
    )

    # Drawing 3 of 6 seats the idlest judge nearly always (about 90%), so the margins are in
    # ratios of seats: idle > 4 × busiest, and each middling judge between them by a clear step.
    middling = [seated[id] for id in (3, 4, 5, 6)]
    assert seated[1] > 4 * seated[2]
    assert seated[1] > 1.5 * max(middling)
    assert min(middling) > 2 * seated[2]


def test_a_judge_who_cannot_complete_a_panel_is_passed_over_whatever_the_draw():
    # Only judge 4 reads Kinyarwanda, so every draw seats them.
    roster = [judge(1, "FR"), judge(2, "KE"), judge(3, "UG"), judge(4, "BE", "rw", workload=10)]

    panels = [panel_draw(roster, Case("rw"), PanelRules(), seed=seed).panel for seed in range(50)]

    assert all(judge(4, "BE", "rw", workload=10) in panel for panel in panels)


def test_the_lightest_loaded_member_presides_ties_to_the_lowest_id():
    roster = [judge(3, "FR", workload=2), judge(7, "KE", workload=1), judge(5, "UG", workload=1)]

    draw = panel_draw(roster, Case("en"), PanelRules(), seed=0)

    assert [member.id for member in draw.panel] == [3, 5, 7]
    assert draw.presiding.id == 5


def test_a_record_altered_after_the_draw_no_longer_reproduces():
    roster = [judge(id, nation) for id, nation in enumerate(NATIONS, start=1)]
    draw = panel_draw(roster, Case("en"), PanelRules(), seed=4)
    swapped = next(member for member in roster if member not in draw.panel)

    altered = replace(draw, panel=(*draw.panel[1:], swapped))

    assert draw_reproduces(draw)
    assert not draw_reproduces(altered)


def test_what_a_draw_recorded_cannot_be_changed_afterwards():
    draw = panel_draw(VALID, Case("rw"), RWANDA, seed=0)

    for record, name in [(draw, "seed"), (draw.case, "language"), (draw.rules, "size")]:
        with pytest.raises(FrozenInstanceError):
            setattr(record, name, None)


def test_a_judge_without_a_nationality_or_with_a_negative_workload_is_an_error():
    with pytest.raises(ValueError, match="no nationality"):
        Judge(1, frozenset(), frozenset({"en"}), True, 0)
    with pytest.raises(ValueError, match="negative workload"):
        judge(1, workload=-1)


def test_a_roster_that_lists_a_judge_twice_is_an_error():
    with pytest.raises(ValueError, match="twice"):
        panel_draw([judge(1), judge(1, "KE")], Case("en"), PanelRules(size=1), seed=0)


# Each rule, refused by name


RWANDA = PanelRules()
VALID = [judge(1, "RW", "rw"), judge(2, "FR", "fr"), judge(3, "KE", "en sw")]


def test_a_panel_that_keeps_every_rule_has_no_problem():
    assert panel_problems(VALID, Case("rw"), RWANDA) == []


def test_a_panel_may_come_as_any_iterable_of_judges():
    assert panel_problems(iter(VALID), Case("rw"), RWANDA) == []
    assert panel_problems(iter(VALID[:2]), Case("rw"), RWANDA) == [SIZE]


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


def test_a_switched_off_rule_is_not_enforced_nor_named():
    panel = [judge(1, "RW"), judge(2, "RW"), judge(3, "RW")]
    lenient = PanelRules(
        different_nationalities=False, one_respondent_national=False, reader_of_language=False
    )

    assert panel_problems(panel, Case("rw"), lenient) == []
    assert panel_draw(panel, Case("rw"), lenient, seed=0).panel is not None


def test_a_rule_is_the_same_rule_in_every_language():
    with translation.override("en"):
        seen = {SIZE, ACTIVE}
    with translation.override("fr"):
        assert SIZE in seen
        assert ACTIVE in seen


def test_the_rules_read_in_french():
    with translation.override("fr"):
        assert ONE_RESPONDENT_NATIONAL.explain(RWANDA) == (
            "Au plus un membre a la nationalité de l’État défendeur : Rwanda."
        )
        assert SIZE.explain(RWANDA) == (
            "Taille de la formation : 3, chaque siège occupé par un juge différent."
        )


# What the roster cannot give, named


def test_too_small_a_roster_is_named_as_the_size_rule():
    draw = panel_draw(VALID[:2], Case("rw"), RWANDA, seed=0)

    assert (draw.panel, draw.presiding, draw.failing_rule) == (None, None, SIZE)


def test_too_few_judges_left_after_first_instance_is_named_as_that_rule():
    case = Case("rw", first_instance=frozenset({1}))

    assert panel_draw(VALID, case, RWANDA, seed=0).failing_rule == FIRST_INSTANCE


def test_no_reader_of_the_language_is_named_even_when_nationalities_fail_too():
    roster = [judge(1, "FR"), judge(2, "FR"), judge(3, "KE")]

    assert panel_draw(roster, Case("sw"), RWANDA, seed=0).failing_rule == READER_OF_LANGUAGE


def test_rules_that_fail_only_together_name_the_later_one():
    # The only reader holds French and Kenyan nationality; the others leave only one Ugandan to
    # sit beside them. Without the reader, French, Kenyan and Ugandan judges make a panel.
    roster = [judge(1, "FR KE", "rw"), judge(2, "FR"), judge(3, "KE"), judge(4, "UG")]

    assert panel_draw(roster, Case("rw"), RWANDA, seed=0).failing_rule == DIFFERENT_NATIONALITIES


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
    settings.APPEAL_PANEL_DIFFERENT_NATIONALITIES = False
    settings.APPEAL_PANEL_ONE_RESPONDENT_NATIONAL = False
    settings.APPEAL_PANEL_READER_OF_LANGUAGE = False

    assert PanelRules.from_settings() == PanelRules(
        size=5,
        respondent_state="KE",
        different_nationalities=False,
        one_respondent_national=False,
        reader_of_language=False,
    )


@pytest.mark.parametrize("size", [0, 2, 4, -1])
def test_a_panel_size_that_is_not_odd_and_positive_is_refused(settings, size):
    settings.APPEAL_PANEL_SIZE = size

    with pytest.raises(ImproperlyConfigured):
        PanelRules.from_settings()
