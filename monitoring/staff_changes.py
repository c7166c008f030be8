"""Four eyes on the accounts of case workers: an Administrator proposes, a second person confirms.

One person who manages accounts could otherwise open case content to an account they control:
give it the chair's role, or reset a chair's password and authenticator app. So giving a
*sensitive* role (one whose permissions reach case content, identities or decisions, see
`roles.SENSITIVE_PERMISSIONS`), and resetting the password or app of a *sensitive* account, are
recorded as a StaffChange and applied only when someone holding `confirm_staff_change` (the
Committee chair) confirms it, who is neither the proposer nor the account's holder. Taking a
role away is never held up. A superuser's own change is applied at once and recorded the same
way, as applied directly.

Every other password reset, app removal, role removal and rename is recorded too, applied at
once: an account can be stripped of its role, reset, and proposed for the role again, so the
confirmer is shown what was done to it (`staff_change_warnings`) and must reach its real holder,
who reads them the code their app shows (`staff_change_decide`).
"""

import re
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import is_password_usable
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext
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

HISTORY_SHOWN = timedelta(days=90)
RECENT = timedelta(days=30)
APPLIED = [
    StaffChangeOutcome.CONFIRMED,
    StaffChangeOutcome.APPLIED_DIRECTLY,
    StaffChangeOutcome.RECORDED,
]
SIX_DIGITS = re.compile(r"[0-9]{6}")


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


def staff_account_rename_check(*, account: AbstractBaseUser) -> None:
    """A proposal names its account as it was; a rename while it waits would mislead the chair."""
    if staff_changes_pending().filter(account=account).exists():
        raise StaffChangeRefused(
            _(
                "This account has a change awaiting the Committee chair's confirmation: it "
                "cannot be renamed until the chair has decided on it."
            )
        )


def staff_change_request(
    *,
    kind: StaffChangeKind,
    account: AbstractBaseUser,
    by: AbstractBaseUser,
    now: datetime,
    group: Group | None = None,
    password_hash: str = "",
    renamed_to: str = "",
) -> StaffChange:
    """Record a change to a staff account; applied at once unless it needs a second person.

    A password is passed as its hash (as `auth_user` would store it), kept beside the proposal
    only until it is decided. The account's username and creation date are kept as they are now.
    """
    if kind == StaffChangeKind.RENAME:
        staff_account_rename_check(account=account)
    waiting = staff_changes_pending().filter(kind=kind, account=account, group=group).first()
    if waiting is not None and not by.is_superuser and kind != StaffChangeKind.RESET_PASSWORD:
        return waiting  # asked for twice: one proposal for the chair to answer
    waits = _needs_second_person(kind=kind, account=account, password_hash=password_hash)
    with transaction.atomic():
        change = StaffChange.objects.create(
            kind=kind,
            account=account,
            group=group,
            proposed_by=by,
            at=now,
            username=account.get_username(),
            account_joined=account.date_joined,
            renamed_to=renamed_to,
        )
        if kind == StaffChangeKind.RESET_PASSWORD:
            PendingPassword.objects.create(change=change, password_hash=password_hash)
        if by.is_superuser:
            _decide(change=change, outcome=StaffChangeOutcome.APPLIED_DIRECTLY, by=by, now=now)
        elif not waits:
            _decide(change=change, outcome=StaffChangeOutcome.RECORDED, by=by, now=now)
    return change


def _needs_second_person(
    *, kind: StaffChangeKind, account: AbstractBaseUser, password_hash: str
) -> bool:
    if kind == StaffChangeKind.GRANT_ROLE:
        return True
    if kind == StaffChangeKind.RESET_PASSWORD:
        # Switching password sign-in off takes access away, which never waits.
        return is_password_usable(password_hash) and account_is_sensitive(account=account)
    if kind == StaffChangeKind.REMOVE_DEVICE:
        return account_is_sensitive(account=account)
    return False  # a role taken away, or a rename (recorded, and refused while one waits)


def staff_change_decide(
    *, change: StaffChange, by: AbstractBaseUser, confirm: bool, now: datetime, code: str = ""
) -> StaffChangeDecision:
    """The second person's answer: confirming applies the change, in the same transaction.

    Confirming a role takes the `code` the account's app shows now, read to the confirmer by its
    holder: the proposer may have reset the account and enrolled their own app on it.
    """
    if not by.has_perm("monitoring.confirm_staff_change"):
        raise StaffChangeRefused
    if by.pk == change.proposed_by_id:
        raise StaffChangeRefused(_("Someone other than the proposer must decide on this change."))
    if by.pk == change.account_id:
        raise StaffChangeRefused(_("Nobody may decide on a change to their own account."))
    if StaffChangeDecision.objects.filter(change=change).exists():
        raise StaffChangeRefused(_("This change has already been decided."))
    if confirm and change.kind == StaffChangeKind.GRANT_ROLE:
        # Outside the transaction: a wrong code counts towards the app's throttle either way.
        _holder_code_check(account=change.account, code=code)
    outcome = StaffChangeOutcome.CONFIRMED if confirm else StaffChangeOutcome.REFUSED
    with transaction.atomic():
        # The lock makes two chairs deciding at once take turns; the second finds it decided.
        locked = StaffChange.objects.select_for_update().get(pk=change.pk)
        if StaffChangeDecision.objects.filter(change=locked).exists():
            raise StaffChangeRefused(_("This change has already been decided."))
        return _decide(change=locked, outcome=outcome, by=by, now=now)


def _holder_code_check(*, account: AbstractBaseUser, code: str) -> None:
    devices = list(TOTPDevice.objects.filter(user_id=account.pk, confirmed=True))
    if not devices:
        raise StaffChangeRefused(
            _(
                "This account has no authenticator app yet, so nothing was confirmed: ask them "
                "to sign in once and set up their app first."
            )
        )
    code = code.strip()
    if not SIX_DIGITS.fullmatch(code) or not any(device.verify_token(code) for device in devices):
        raise StaffChangeRefused(
            _(
                "That is not the code this account's app shows now, so nothing was confirmed. "
                "Ask the account's holder, on a channel you trust, to read you the six-digit "
                "code their app shows, and type it straight away."
            )
        )


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
    elif change.kind == StaffChangeKind.REMOVE_ROLE:
        account.groups.remove(change.group_id)
    elif change.kind == StaffChangeKind.RENAME:
        account.username = change.renamed_to
        account.save(update_fields=["username"])


def staff_change_history(*, account: AbstractBaseUser, now: datetime) -> QuerySet[StaffChange]:
    """What was asked for and done to the account in the last 90 days, newest first."""
    return StaffChange.objects.filter(account=account, at__gte=now - HISTORY_SHOWN).select_related(
        "group", "proposed_by", "decision__by"
    )


def staff_change_warnings(*, change: StaffChange, now: datetime) -> list[str]:
    """Plain words for the confirmer: what changed on the account that its proposer could use.

    Looks back 30 days, or further, to when the account last lost a role that reaches cases.
    """
    account = change.account
    since = min(now - RECENT, _last_lost_sensitive_role(account=account) or now)
    warnings = []
    if change.username and change.username != account.get_username():
        warnings.append(
            gettext("This account is now called “%(now)s”, not “%(then)s” as when asked.")
            % {"now": account.get_username(), "then": change.username}
        )
    applied = StaffChange.objects.filter(
        account=account,
        at__gte=since,
        kind__in=[
            StaffChangeKind.RESET_PASSWORD,
            StaffChangeKind.REMOVE_DEVICE,
            StaffChangeKind.RENAME,
        ],
        decision__outcome__in=APPLIED,
    ).select_related("proposed_by")
    warnings += [_warning(earlier) for earlier in applied.order_by("at")]
    for device in TOTPDevice.objects.filter(user_id=account.pk, created_at__gte=since):
        warnings.append(
            gettext("The authenticator app it has now was set up on %(when)s.")
            % {"when": _when(device.created_at)}
        )
    return warnings


def _last_lost_sensitive_role(*, account: AbstractBaseUser) -> datetime | None:
    removals = StaffChange.objects.filter(
        account=account, kind=StaffChangeKind.REMOVE_ROLE, group__in=sensitive_groups()
    )
    return removals.order_by("-at").values_list("at", flat=True).first()


def _warning(earlier: StaffChange) -> str:
    words = {
        "by": earlier.proposed_by.get_username(),
        "when": _when(earlier.at),
        "then": earlier.username,
        "now": earlier.renamed_to,
    }
    if earlier.kind == StaffChangeKind.RESET_PASSWORD:
        text = gettext(
            "Its password was reset by %(by)s on %(when)s: %(by)s may know the password."
        )
    elif earlier.kind == StaffChangeKind.REMOVE_DEVICE:
        text = gettext(
            "Its authenticator app was removed by %(by)s on %(when)s: the app it has now was "
            "set up by whoever signed in next."
        )
    else:
        text = gettext(
            "It was renamed from “%(then)s” to “%(now)s” by %(by)s on %(when)s: make sure it "
            "is the colleague you think."
        )
    return text % words


def _when(at: datetime) -> str:
    return formats.date_format(timezone.localtime(at), "DATETIME_FORMAT")
