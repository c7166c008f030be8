"""Four eyes on the accounts of case workers: an Administrator proposes, a second person confirms.

One person who manages accounts could otherwise open case content to an account they control:
give it the chair's role, or reset a chair's password and authenticator app. So giving a
*sensitive* role (one whose permissions reach case content, identities or decisions, see
`roles.SENSITIVE_PERMISSIONS`), and resetting the password or app of a *sensitive* account, are
recorded as a StaffChange and applied only when someone holding `confirm_staff_change` (the
Committee chair) confirms it, who is neither the proposer nor the account's holder. Taking a
role away is never held up. A superuser's own change is applied at once and recorded the same
way, as applied directly.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints.errors import ComplaintError
from monitoring.models import (
    PendingPassword,
    StaffChange,
    StaffChangeDecision,
    StaffChangeKind,
    StaffChangeOutcome,
)
from monitoring.roles import SENSITIVE_PERMISSIONS


class StaffChangeRefused(ComplaintError):
    default_message = _("You do not have permission to do this.")


def sensitive_permissions() -> QuerySet[Permission]:
    query = Q()
    for dotted in SENSITIVE_PERMISSIONS:
        app_label, codename = dotted.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def sensitive_groups() -> QuerySet[Group]:
    """The roles that take two people to give: read from their permissions, not their names."""
    return Group.objects.filter(permissions__in=sensitive_permissions()).distinct()


def sensitive_accounts() -> QuerySet:
    """The accounts that reach case content: by a role, a permission of their own, or as root."""
    return (
        get_user_model()
        ._default_manager.filter(
            Q(is_superuser=True)
            | Q(groups__in=sensitive_groups())
            | Q(user_permissions__in=sensitive_permissions())
        )
        .distinct()
    )


def account_is_sensitive(*, account: AbstractBaseUser) -> bool:
    return sensitive_accounts().filter(pk=account.pk).exists()


def staff_changes_pending() -> QuerySet[StaffChange]:
    return StaffChange.objects.filter(decision__isnull=True)


def staff_change_request(
    *,
    kind: StaffChangeKind,
    account: AbstractBaseUser,
    by: AbstractBaseUser,
    now: datetime,
    group: Group | None = None,
    password_hash: str = "",
) -> StaffChange:
    """Record a change to a sensitive account; a superuser's is applied at once, others wait.

    A password is passed as its hash (as `auth_user` would store it), kept beside the proposal
    only until it is decided.
    """
    waiting = staff_changes_pending().filter(kind=kind, account=account, group=group).first()
    if waiting is not None and not by.is_superuser and kind != StaffChangeKind.RESET_PASSWORD:
        return waiting  # asked for twice: one proposal for the chair to answer
    with transaction.atomic():
        change = StaffChange.objects.create(
            kind=kind, account=account, group=group, proposed_by=by, at=now
        )
        if kind == StaffChangeKind.RESET_PASSWORD:
            PendingPassword.objects.create(change=change, password_hash=password_hash)
        if by.is_superuser:
            _decide(change=change, outcome=StaffChangeOutcome.APPLIED_DIRECTLY, by=by, now=now)
    return change


def staff_change_decide(
    *, change: StaffChange, by: AbstractBaseUser, confirm: bool, now: datetime
) -> StaffChangeDecision:
    """The second person's answer: confirming applies the change, in the same transaction."""
    if not by.has_perm("monitoring.confirm_staff_change"):
        raise StaffChangeRefused
    if by.pk == change.proposed_by_id:
        raise StaffChangeRefused(_("Someone other than the proposer must decide on this change."))
    if by.pk == change.account_id:
        raise StaffChangeRefused(_("Nobody may decide on a change to their own account."))
    outcome = StaffChangeOutcome.CONFIRMED if confirm else StaffChangeOutcome.REFUSED
    with transaction.atomic():
        # The lock makes two chairs deciding at once take turns; the second finds it decided.
        locked = StaffChange.objects.select_for_update().get(pk=change.pk)
        if StaffChangeDecision.objects.filter(change=locked).exists():
            raise StaffChangeRefused(_("This change has already been decided."))
        return _decide(change=locked, outcome=outcome, by=by, now=now)


def _decide(
    *, change: StaffChange, outcome: StaffChangeOutcome, by: AbstractBaseUser, now: datetime
) -> StaffChangeDecision:
    if outcome != StaffChangeOutcome.REFUSED:
        _apply(change)
    # Decided either way: the proposed password's hash must not outlive the proposal.
    PendingPassword.objects.filter(change=change).delete()
    return StaffChangeDecision.objects.create(change=change, outcome=outcome, by=by, at=now)


def _apply(change: StaffChange) -> None:
    account = change.account
    if change.kind == StaffChangeKind.GRANT_ROLE:
        account.groups.add(change.group_id)
    elif change.kind == StaffChangeKind.RESET_PASSWORD:
        # A new password also ends the account's sessions (their auth hash no longer matches).
        account.password = PendingPassword.objects.get(change=change).password_hash
        account.save(update_fields=["password"])
    elif change.kind == StaffChangeKind.REMOVE_DEVICE:
        # Its next sign-in enrols a new app (monitoring/accounts.py).
        TOTPDevice.objects.filter(user=account).delete()
