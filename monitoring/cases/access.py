"""Who sees how much of a case: a pure rule over plain answers, and its ORM counterparts.

- nothing: no permission to view complaints, or a declared conflict of interest on the case;
- the structured fields (dates, categories, country, status; no narrative, free text, files,
  messages or identity): whoever may view complaints but not read cases (the data officer), and a
  committee member looking at a case nobody has been given yet (the unassigned queue);
- everything but identity: the case's rapporteur, and whoever sees every case (the chair).

Identity stays behind the recorded reveal, for the rapporteur or the chair alone.
"""

from dataclasses import dataclass
from enum import IntEnum

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from complaints.models import Complaint
from monitoring.cases.models import ConflictDeclaration


class Access(IntEnum):
    NONE = 0
    STRUCTURED = 1
    FULL = 2


@dataclass(frozen=True)
class Standing:
    """What the rule needs to know about a user and a case."""

    may_view: bool
    may_read_cases: bool
    sees_every_case: bool
    is_rapporteur: bool
    unassigned: bool
    conflicted: bool


def case_access(standing: Standing) -> Access:
    if not standing.may_view or standing.conflicted:
        return Access.NONE
    if not standing.may_read_cases:
        return Access.STRUCTURED
    if standing.sees_every_case or standing.is_rapporteur:
        return Access.FULL
    return Access.STRUCTURED if standing.unassigned else Access.NONE


def conflicts_of(user: AbstractBaseUser) -> list[int]:
    # The user's few declarations, read first and excluded by id: any subquery in the list's
    # WHERE (NOT EXISTS, NOT IN) makes PostgreSQL plan the capped count as a scan of the whole
    # complaint table (tests/complaints/test_admin_plans.py), for everyone, conflicts or not.
    return list(
        ConflictDeclaration.objects.filter(member=user).values_list("complaint_id", flat=True)
    )


def standing_of(user: AbstractBaseUser, complaint: Complaint) -> Standing:
    return Standing(
        may_view=user.has_perm("complaints.view_complaint"),
        may_read_cases=user.has_perm("complaints.view_case_content"),
        sees_every_case=user.has_perm("monitoring.view_every_case"),
        is_rapporteur=complaint.rapporteur_id is not None and complaint.rapporteur_id == user.pk,
        unassigned=complaint.rapporteur_id is None,
        conflicted=ConflictDeclaration.objects.filter(complaint=complaint, member=user).exists(),
    )


def access_to(user: AbstractBaseUser, complaint: Complaint) -> Access:
    return case_access(standing_of(user, complaint))


def cases_visible_to(
    user: AbstractBaseUser, cases: QuerySet[Complaint], *, conflicted: list[int] | None = None
) -> QuerySet[Complaint]:
    """The cases of which the user sees anything (the same rule as case_access, as a filter).

    `conflicted`: the user's declared conflicts, when the caller has read them already.
    """
    if not user.has_perm("complaints.view_complaint"):
        return cases.none()
    if user.has_perm("complaints.view_case_content") and not user.has_perm(
        "monitoring.view_every_case"
    ):
        cases = cases.filter(Q(rapporteur=user) | Q(rapporteur__isnull=True))
    conflicted = conflicts_of(user) if conflicted is None else conflicted
    return cases.exclude(pk__in=conflicted) if conflicted else cases


def may_reveal(user: AbstractBaseUser, complaint: Complaint) -> bool:
    """The recorded reveal of identity: the identity permission, and the case's rapporteur or
    someone who sees every case (the chair)."""
    if not user.has_perm("complaints.reveal_identity") or access_to(user, complaint) < Access.FULL:
        return False
    return complaint.rapporteur_id == user.pk or user.has_perm("monitoring.view_every_case")
