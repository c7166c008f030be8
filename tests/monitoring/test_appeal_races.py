"""Two registrars filling one vacated seat at the same moment: one wins, the other is told, and
the panel never breaks a rule. PostgreSQL only, as tests/monitoring/test_case_races.py."""

import pytest
from django.db import connection

from complaints.errors import ComplaintError
from monitoring.appeals.panels import PanelRules, panel_problems
from monitoring.appeals.services import case_of, declaration_make, open_seats, panel_seat, roster
from tests.monitoring.appeal_body import appealed_case, judge
from tests.monitoring.cast import member
from tests.monitoring.test_case_races import at_the_same_moment

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks: PostgreSQL run"
)
ROUNDS = 25


def test_two_registrars_filling_one_seat_never_make_a_panel_that_breaks_a_rule(
    transactional_db, seed_data, roles, chair, member_rapporteur, django_user_model, now
):
    registrars = [member(django_user_model, f"registrar{i}", "Appeal registrar") for i in (1, 2)]
    rw, fr, ke = (judge(django_user_model, f"j_{c}", c.upper()) for c in ("rw", "fr", "ke"))
    # Either may fill the seat alone; both together would make a panel of four.
    candidates = [judge(django_user_model, "j_ke2", "KE"), judge(django_user_model, "j_ug", "UG")]
    for _round in range(ROUNDS):
        _complaint, appeal = appealed_case(rapporteur=member_rapporteur, chair=chair, now=now)
        panel_seat(appeal=appeal, judges=[rw, fr, ke], by=registrars[0], now=now)
        declaration_make(appeal=appeal, judge=ke, recuse=True, reason="Conflict.", now=now)

        outcomes = at_the_same_moment(
            *(
                lambda a=appeal, r=registrar, j=candidate: panel_seat(
                    appeal=a, judges=[j], by=r, now=now
                )
                for registrar, candidate in zip(registrars, candidates, strict=True)
            )
        )

        refused = [o for o in outcomes if isinstance(o, ComplaintError)]
        assert len(refused) == 1, outcomes
        seats = open_seats(appeal)
        by_id = {entry.id: entry for entry in roster()}
        members = [by_id[seat.judge_id] for seat in seats]
        assert panel_problems(members, case_of(appeal), PanelRules()) == []


def test_two_registrars_seating_the_same_judge_seat_them_once(
    transactional_db, seed_data, roles, chair, member_rapporteur, django_user_model, now
):
    registrars = [member(django_user_model, f"registrar{i}", "Appeal registrar") for i in (1, 2)]
    rw, fr, ke, ug = (
        judge(django_user_model, f"j_{c}", c.upper()) for c in ("rw", "fr", "ke", "ug")
    )
    for _round in range(ROUNDS):
        _complaint, appeal = appealed_case(rapporteur=member_rapporteur, chair=chair, now=now)
        panel_seat(appeal=appeal, judges=[rw, fr, ke], by=registrars[0], now=now)
        declaration_make(appeal=appeal, judge=ke, recuse=True, reason="Conflict.", now=now)

        outcomes = at_the_same_moment(
            *(
                lambda a=appeal, r=registrar: panel_seat(appeal=a, judges=[ug], by=r, now=now)
                for registrar in registrars
            )
        )

        messages = sorted(str(o) for o in outcomes if isinstance(o, ComplaintError))
        assert messages == ["j_ug already sits on this panel."], outcomes
        assert len(open_seats(appeal)) == 3
