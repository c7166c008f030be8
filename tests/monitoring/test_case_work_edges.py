"""Case work at its edges: how much each person sees, whose conflicts count, who may reveal."""

from dataclasses import FrozenInstanceError

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from monitoring.cases.access import Access, Standing, access_to, may_reveal
from monitoring.cases.services import conflict_declare
from tests.filing import submit_directly
from tests.monitoring.cast import client_of, give


def listed(user) -> set[str]:
    page = client_of(user).get(reverse("admin:complaints_complaint_changelist"))
    assert page.status_code == 200
    return {c.reference for c in page.context["cl"].result_list}


# --- how much each person sees ------------------------------------------------------------------


def test_how_much_of_a_case_each_person_sees_before_and_after_it_is_given(
    chair, member_rapporteur, other_rapporteur, data_officer, outsider, now
):
    complaint = submit_directly(now=now).complaint
    people = [chair, member_rapporteur, other_rapporteur, data_officer, outsider]

    queued = {user.username: access_to(user, complaint) for user in people}
    give(complaint, member_rapporteur, by=chair, now=now)
    given = {user.username: access_to(user, complaint) for user in people}

    assert queued == {
        "chair": Access.FULL,
        "amina": Access.STRUCTURED,
        "jean": Access.STRUCTURED,
        "data": Access.STRUCTURED,
        "outsider": Access.NONE,
    }
    assert given == {
        "chair": Access.FULL,
        "amina": Access.FULL,
        "jean": Access.NONE,
        "data": Access.STRUCTURED,
        "outsider": Access.NONE,
    }


# --- whose conflicts count -----------------------------------------------------------------------


def test_another_members_conflict_leaves_the_case_in_my_queue(
    member_rapporteur, other_rapporteur, now
):
    complaint = submit_directly(now=now).complaint

    conflict_declare(complaint=complaint, member=other_rapporteur, reason="My cousin.", now=now)

    assert access_to(member_rapporteur, complaint) == Access.STRUCTURED
    assert listed(member_rapporteur) == {complaint.reference}
    assert access_to(other_rapporteur, complaint) == Access.NONE
    assert listed(other_rapporteur) == set()


def test_a_conflict_on_one_case_leaves_my_other_cases_as_they_were(chair, member_rapporteur, now):
    conflicted = submit_directly(now=now).complaint
    mine = submit_directly(now=now).complaint
    queued = submit_directly(now=now).complaint
    give(mine, member_rapporteur, by=chair, now=now)

    conflict_declare(complaint=conflicted, member=member_rapporteur, reason="A friend.", now=now)

    assert [access_to(member_rapporteur, case) for case in (conflicted, mine, queued)] == [
        Access.NONE,
        Access.FULL,
        Access.STRUCTURED,
    ]
    assert listed(member_rapporteur) == {mine.reference, queued.reference}


def test_the_access_rules_inputs_cannot_be_changed_once_read():
    standing = Standing(
        may_view=True,
        may_read_cases=True,
        sees_every_case=False,
        is_rapporteur=False,
        unassigned=True,
        conflicted=False,
    )

    with pytest.raises(FrozenInstanceError):
        standing.conflicted = True

    assert standing.conflicted is False


# --- who may reveal ------------------------------------------------------------------------------


def test_only_the_cases_rapporteur_and_the_chair_may_reveal_its_identity(
    chair, member_rapporteur, other_rapporteur, data_officer, outsider, now, django_user_model
):
    reveal = Permission.objects.get(codename="reveal_identity")
    for user in (member_rapporteur, other_rapporteur, data_officer, outsider):
        user.user_permissions.add(reveal)
    complaint = submit_directly(now=now).complaint
    give(complaint, member_rapporteur, by=chair, now=now)
    people = [chair, member_rapporteur, other_rapporteur, data_officer, outsider]

    # Fresh accounts: the permission caches were filled before the permission was added.
    answers = {
        user.username: may_reveal(django_user_model.objects.get(pk=user.pk), complaint)
        for user in people
    }

    assert answers == {
        "chair": True,
        "amina": True,
        "jean": False,
        "data": False,
        "outsider": False,
    }
