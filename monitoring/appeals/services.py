"""The Appeal Body's writes: the registry's draws and seatings, each judge's declaration and
vote, the presiding judge's judgment. Each checks who acts, locks the appeal, checks the rules
again under the lock, writes, and records who.

The rules themselves are pure (panels.py, deliberation.py); this module feeds them the roster and
the case as the database holds them at the moment of the write.
"""

import secrets
from dataclasses import asdict
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from complaints.errors import ComplaintError
from complaints.models import (
    Appeal,
    AppealJudgment,
    AppealResult,
    Complaint,
    DecisionKind,
    Message,
    OpinionKind,
    Outcome,
    PublishedOpinion,
    Status,
    StatusChange,
)
from complaints.workflow import complaint_transition
from monitoring.appeals.deliberation import (
    NO_MAJORITY,
    NO_OTHER_NATIONAL,
    Ballot,
    Result,
    votes_result,
)
from monitoring.appeals.models import (
    LEFT,
    DeclarationState,
    JudgeProfile,
    JudgmentRecord,
    PanelDraw,
    Seat,
    Vote,
    VoteChoice,
    VoteRound,
)
from monitoring.appeals.panels import (
    RULES,
    Case,
    Draw,
    Judge,
    PanelRules,
    draw_reproduces,
    panel_draw,
    panel_problems,
)
from monitoring.cases.models import (
    Assignment,
    CaseLink,
    ConflictDeclaration,
    DecisionProposal,
    Note,
)

# What each vote makes of the appeal when it carries.
RESULT_OF = {
    VoteChoice.UPHOLD: AppealResult.UPHELD,
    VoteChoice.OVERTURN: AppealResult.OVERTURNED,
    VoteChoice.REMIT: AppealResult.REMITTED,
}


class AppealWorkRefused(ComplaintError):
    default_message = _("You do not have permission to do this.")


def majority_needs_other_national() -> bool:
    from django.conf import settings

    return getattr(settings, "APPEAL_MAJORITY_NEEDS_OTHER_NATIONAL", True)


# The case as the rules see it.


def first_instance_ids(complaint: Complaint) -> frozenset[int]:
    """Everyone who acted on the case at first instance: its rapporteurs and whoever gave it to
    them, whoever proposed or adopted a decision, wrote a note or a message, linked it, or moved
    it (recording it on paper included) before the appeal."""
    case = {"complaint": complaint}
    ids = set(Assignment.objects.filter(**case).values_list("rapporteur_id", flat=True))
    ids |= set(Assignment.objects.filter(**case).values_list("by_id", flat=True))
    proposals = DecisionProposal.objects.filter(**case)
    ids |= set(proposals.values_list("proposed_by_id", flat=True))
    ids |= set(proposals.values_list("decided_by_id", flat=True))
    ids |= set(Note.objects.filter(**case).values_list("author_id", flat=True))
    ids |= set(Message.objects.filter(**case).values_list("author_id", flat=True))
    links = CaseLink.objects.filter(Q(complaint=complaint) | Q(other=complaint))
    ids |= set(links.values_list("by_id", flat=True))
    before_appeal = StatusChange.objects.filter(**case).exclude(
        to_status__in=[Status.APPEALED, Status.APPEAL_DECIDED, Status.CLOSED]
    )
    ids |= set(before_appeal.values_list("by_id", flat=True))
    if complaint.rapporteur_id:
        ids.add(complaint.rapporteur_id)
    return frozenset(ids - {None})


def conflicted_ids(appeal: Appeal) -> frozenset[int]:
    """Who may not be drawn for the case: a judge who recused from this appeal (or whose seat
    the registry freed: they do not sit on it again), or declared a conflict on the complaint
    (as a committee member, say)."""
    recused = Seat.objects.filter(appeal=appeal, declaration__in=LEFT)
    ids = set(recused.values_list("judge_id", flat=True))
    declared = ConflictDeclaration.objects.filter(complaint_id=appeal.complaint_id)
    return frozenset(ids | set(declared.values_list("member_id", flat=True)))


def case_of(appeal: Appeal) -> Case:
    return Case(
        language=appeal.complaint.language,
        first_instance=first_instance_ids(appeal.complaint),
        conflicted=conflicted_ids(appeal),
    )


def workloads() -> dict[int, int]:
    """Open seats per judge: seats not recused, on appeals still being heard."""
    rows = (
        Seat.objects.exclude(declaration__in=LEFT)
        .filter(complaint__status=Status.APPEALED)
        .values("judge_id")
        .annotate(seats=Count("pk"))
    )
    return {row["judge_id"]: row["seats"] for row in rows}


def roster() -> list[Judge]:
    """Every judge of the roster, active or not, with their current workload: the profiles of
    active accounts that still hold the judge's permission (a judge who left the role is never
    drawn or seated)."""
    load = workloads()
    judging = get_user_model().objects.with_perm(
        "complaints.decide_appeal",
        is_active=True,
        backend="django.contrib.auth.backends.ModelBackend",  # where roles give permissions
    )
    profiles = JudgeProfile.objects.filter(user__in=judging).order_by("user_id")
    return [
        Judge(
            id=profile.user_id,
            nationalities=frozenset(str(code) for code in profile.nationalities),
            languages=frozenset(profile.languages),
            active=profile.active,
            workload=load.get(profile.user_id, 0),
        )
        for profile in profiles
        if profile.nationalities  # a profile without a nationality cannot be drawn
    ]


def judge_as_json(judge: Judge) -> dict:
    return {
        "id": judge.id,
        "nationalities": sorted(judge.nationalities),
        "languages": sorted(judge.languages),
        "active": judge.active,
        "workload": judge.workload,
    }


def case_as_json(case: Case) -> dict:
    return {
        "language": case.language,
        "first_instance": sorted(case.first_instance),
        "conflicted": sorted(case.conflicted),
    }


def draw_of_record(record: PanelDraw) -> Draw:
    """A recorded draw read back as panels.Draw, to run it again."""
    judges = tuple(
        Judge(
            id=entry["id"],
            nationalities=frozenset(entry["nationalities"]),
            languages=frozenset(entry["languages"]),
            active=entry["active"],
            workload=entry["workload"],
        )
        for entry in record.roster
    )
    by_id = {judge.id: judge for judge in judges}
    failing = next((rule for rule in RULES if rule.code == record.failing_rule), None)
    return Draw(
        seed=record.seed,
        roster=judges,
        case=Case(
            language=record.case["language"],
            first_instance=frozenset(record.case["first_instance"]),
            conflicted=frozenset(record.case["conflicted"]),
        ),
        rules=PanelRules(**record.rules),
        panel=tuple(by_id[i] for i in record.panel) if record.panel is not None else None,
        presiding=by_id.get(record.presiding),
        failing_rule=failing,
        kept=tuple(record.kept),
    )


def draw_checks_out(record: PanelDraw) -> bool:
    """Whether re-running the recorded draw gives what was recorded, judge for judge."""
    try:
        return draw_reproduces(draw_of_record(record))
    except (KeyError, TypeError, ValueError):
        return False  # a record altered so far that it no longer reads as a draw


# Locks and checks.


def _locked(appeal: Appeal) -> Appeal:
    """The appeal, locked: every write on a panel goes through this lock, so that two registrars
    (or a registrar and a recusing judge) never both change one panel from the same state."""
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    locked.complaint = Complaint.objects.get(pk=locked.complaint_id)
    return locked


def _being_heard(appeal: Appeal) -> None:
    if (
        appeal.complaint.status != Status.APPEALED
        or AppealJudgment.objects.filter(appeal=appeal).exists()
    ):
        raise AppealWorkRefused(_("This appeal has been decided: its panel no longer changes."))


def _registrar(user: AbstractBaseUser) -> None:
    if not user.has_perm("monitoring.form_panel"):
        raise AppealWorkRefused


def open_seats(appeal: Appeal) -> list[Seat]:
    return list(
        Seat.objects.filter(appeal=appeal)
        .exclude(declaration__in=LEFT)
        .select_related("judge")
        .order_by("seated_at", "pk")
    )


def panel_ready(seats: list[Seat], rules: PanelRules) -> bool:
    """Every seat filled and every member declared no conflict: the panel may deliberate."""
    return len(seats) == rules.size and all(
        seat.declaration == DeclarationState.NO_CONFLICT for seat in seats
    )


def _rule_names(problems: list, rules: PanelRules) -> str:
    return " ".join(problem.explain(rules) for problem in problems)


# The registry.


def panel_propose(*, appeal: Appeal, by: AbstractBaseUser, now: datetime) -> PanelDraw:
    """Draw a panel (or the judges for the seats left open) and record the draw."""
    _registrar(by)
    rules = PanelRules.from_settings()
    with transaction.atomic():
        locked = _locked(appeal)
        _being_heard(locked)
        kept = [seat.judge_id for seat in open_seats(locked)]
        if len(kept) >= rules.size:
            raise AppealWorkRefused(_("The panel is complete: it has no seat to fill."))
        judges, case = roster(), case_of(locked)
        missing = set(kept) - {judge.id for judge in judges}
        if missing:
            raise AppealWorkRefused(_("A seated judge is no longer on the roster."))
        draw = panel_draw(judges, case, rules, seed=secrets.randbits(63), keep=kept)
        return PanelDraw.objects.create(
            appeal=locked,
            seed=draw.seed,
            roster=[judge_as_json(judge) for judge in draw.roster],
            case=case_as_json(case),
            rules=asdict(rules),
            kept=list(draw.kept),
            panel=[judge.id for judge in draw.panel] if draw.panel else None,
            presiding=draw.presiding.id if draw.presiding else None,
            failing_rule=draw.failing_rule.code if draw.failing_rule else "",
            by=by,
            at=now,
        )


def panel_seat(
    *,
    appeal: Appeal,
    judges: list[AbstractBaseUser],
    by: AbstractBaseUser,
    now: datetime,
    draw: PanelDraw | None = None,
) -> list[Seat]:
    """Seat judges on the panel: with those already seated they must make a full panel that
    keeps every rule, checked again under the appeal's lock."""
    _registrar(by)
    rules = PanelRules.from_settings()
    with transaction.atomic():
        locked = _locked(appeal)
        _being_heard(locked)
        seated = open_seats(locked)
        _check_new_judges(locked, seated, judges)
        by_id = {judge.id: judge for judge in roster()}
        unknown = [user for user in judges if user.pk not in by_id]
        if unknown:
            raise AppealWorkRefused(
                _("%(judge)s is not on the roster of judges.")
                % {"judge": unknown[0].get_username()}
            )
        panel = [by_id[seat.judge_id] for seat in seated if seat.judge_id in by_id]
        panel += [by_id[user.pk] for user in judges]
        if len(panel) < len(seated) + len(judges):
            raise AppealWorkRefused(_("A seated judge is no longer on the roster."))
        problems = panel_problems(panel, case_of(locked), rules)
        if problems:
            raise AppealWorkRefused(
                _("This panel breaks the rules: %(rules)s Nothing was changed.")
                % {"rules": _rule_names(problems, rules)}
            )
        if draw is not None:
            _draw_current(locked, draw, seated, judges)
        new = [
            Seat.objects.create(
                complaint=locked.complaint,
                appeal=locked,
                judge=user,
                draw=draw,
                seated_by=by,
                seated_at=now,
                nationalities=sorted(by_id[user.pk].nationalities),
            )
            for user in judges
        ]
        _presiding_choose(seated + new, panel, draw)
    return new


def _draw_current(
    appeal: Appeal, draw: PanelDraw, seated: list[Seat], judges: list[AbstractBaseUser]
) -> None:
    """Seats recorded as drawn must be what the appeal's latest draw proposed for the seats as
    they are now, and the draw must still check out; else the registrar draws again or seats the
    judges as hand-picked."""
    latest = PanelDraw.objects.filter(appeal=appeal).order_by("-at", "-pk").first()
    kept = sorted(seat.judge_id for seat in seated)
    if (
        latest is None
        or latest.pk != draw.pk
        or draw.panel is None
        or sorted(draw.kept) != kept
        or sorted(set(draw.panel) - set(kept)) != sorted(user.pk for user in judges)
        or not draw_checks_out(draw)
    ):
        raise AppealWorkRefused(
            _(
                "This draw is no longer the one for these seats. Draw again, or choose the "
                "judges by hand. Nothing was changed."
            )
        )


def _check_new_judges(appeal: Appeal, seated: list[Seat], judges: list[AbstractBaseUser]) -> None:
    if not judges:
        raise AppealWorkRefused(_("Please choose the judges to seat."))
    if len({user.pk for user in judges}) != len(judges):
        raise AppealWorkRefused(_("The same judge was chosen twice."))
    ever = dict(Seat.objects.filter(appeal=appeal).values_list("judge_id", "declaration"))
    for user in judges:
        if ever.get(user.pk) == DeclarationState.RECUSED:
            raise AppealWorkRefused(
                _("%(judge)s recused from this appeal and cannot sit on it.")
                % {"judge": user.get_username()}
            )
        if ever.get(user.pk) == DeclarationState.VACATED:
            raise AppealWorkRefused(
                _("%(judge)s was removed from this panel and cannot sit on it again.")
                % {"judge": user.get_username()}
            )
        if user.pk in ever:
            raise AppealWorkRefused(
                _("%(judge)s already sits on this panel.") % {"judge": user.get_username()}
            )


def _presiding_choose(seats: list[Seat], panel: list[Judge], draw: PanelDraw | None) -> None:
    """A full panel has one presiding judge: whoever presides already, else the draw's choice,
    else the member with the lightest workload (presiding adds the writing of the decision)."""
    if any(seat.presiding for seat in seats):
        return
    members = {seat.judge_id: seat for seat in seats}
    chosen = draw.presiding if draw is not None and draw.presiding in members else None
    if chosen is None:
        chosen = min(panel, key=lambda judge: (judge.workload, judge.id)).id
    seat = members[chosen]
    seat.presiding = True
    seat.save(update_fields=["presiding"])


def seat_vacate(
    *, appeal: Appeal, seat: Seat, by: AbstractBaseUser, reason: str, now: datetime
) -> Seat:
    """The registry frees the seat of a judge who has not declared (or no longer holds the
    judge's role), with the reason, recorded on the seat; the judge does not sit on the appeal
    again. Once the panel has voted, nobody leaves it."""
    _registrar(by)
    if not reason.strip():
        raise AppealWorkRefused(_("Please say why the seat is freed."))
    with transaction.atomic():
        locked = _locked(appeal)
        _being_heard(locked)
        current = Seat.objects.select_for_update().filter(pk=seat.pk, appeal=locked).first()
        if current is None or not current.is_open:
            raise AppealWorkRefused(_("This seat is not held on this panel."))
        left_role = not current.judge.has_perm("complaints.decide_appeal")
        if current.declaration != DeclarationState.PENDING and not left_role:
            raise AppealWorkRefused(
                _("This judge has declared: only they can leave the panel, by recusing.")
            )
        if Vote.objects.filter(seat__appeal=locked).exists():
            raise AppealWorkRefused(_("The panel has voted: its seats no longer change."))
        current.complaint = locked.complaint
        current.declaration, current.presiding = DeclarationState.VACATED, False
        current.declared_at = now
        current.recusal_reason = reason.strip()
        current.save(update_fields=["declaration", "presiding", "declared_at", "recusal_reason"])
    return current


# Each judge.


def _seat_of(appeal: Appeal, judge: AbstractBaseUser) -> Seat:
    seat = (
        Seat.objects.select_for_update()
        .filter(appeal=appeal, judge=judge)
        .exclude(declaration__in=LEFT)
        .first()
    )
    if seat is None or not judge.has_perm("complaints.decide_appeal"):
        raise AppealWorkRefused(_("Only the members of this appeal's panel can do this."))
    return seat


def declaration_make(
    *, appeal: Appeal, judge: AbstractBaseUser, recuse: bool, reason: str, now: datetime
) -> Seat:
    """A seated judge declares no conflict of interest (and may then read the file), or recuses
    with a reason (the seat is left for the registrar to fill)."""
    if recuse and not reason.strip():
        raise AppealWorkRefused(_("Please say why you recuse yourself."))
    with transaction.atomic():
        locked = _locked(appeal)
        _being_heard(locked)
        seat = _seat_of(locked, judge)
        if seat.declaration != DeclarationState.PENDING:
            raise AppealWorkRefused(_("You have already declared on this appeal."))
        seat.declared_at = now
        if recuse:
            seat.declaration, seat.presiding = DeclarationState.RECUSED, False
            seat.recusal_reason = reason.strip()
        else:
            seat.declaration = DeclarationState.NO_CONFLICT
        seat.save(update_fields=["declaration", "declared_at", "presiding", "recusal_reason"])
    return seat


NOT_ACCEPTED_IS_NOT_OVERTURNED = _(
    "A decision not to accept the complaint is upheld, or sent back to the Committee to "
    "examine the complaint: the Appeal Body does not decide facts nobody has examined."
)


def choices_for(appeal: Appeal) -> list[str]:
    """The votes open on the appeal: overturning applies to a decision on the facts only."""
    if appeal.decision.kind == DecisionKind.INADMISSIBLE:
        return [VoteChoice.UPHOLD, VoteChoice.REMIT]
    return list(VoteChoice.values)


def vote_round(appeal: Appeal) -> int:
    return 1 + VoteRound.objects.filter(appeal=appeal).count()


def _deliberating(appeal: Appeal, judge: AbstractBaseUser) -> tuple[Seat, list[Seat]]:
    """The judge's seat, once they have declared and the whole panel may deliberate."""
    seat = _seat_of(appeal, judge)
    if seat.declaration != DeclarationState.NO_CONFLICT:
        raise AppealWorkRefused(_("Declare first whether you have a conflict of interest."))
    seats = open_seats(appeal)
    if not panel_ready(seats, PanelRules.from_settings()):
        raise AppealWorkRefused(
            _("The panel deliberates once every seat is filled and every member has declared.")
        )
    return seat, seats


def vote_cast(
    *, appeal: Appeal, judge: AbstractBaseUser, choice: str, opinion: str, now: datetime
) -> Vote:
    """A member's vote in the current round, once; with a separate or dissenting opinion if
    they wish (published with the judgment unless the panel withholds it)."""
    if choice not in VoteChoice.values:
        raise AppealWorkRefused(_("Please choose your vote."))
    with transaction.atomic():
        locked = _locked(appeal)
        _being_heard(locked)
        seat, _seats = _deliberating(locked, judge)
        if choice not in choices_for(locked):
            raise AppealWorkRefused(NOT_ACCEPTED_IS_NOT_OVERTURNED)
        number = vote_round(locked)
        if Vote.objects.filter(seat=seat, round=number).exists():
            raise AppealWorkRefused(_("You have already voted. A vote is cast once."))
        return Vote.objects.create(
            complaint=locked.complaint,
            seat=seat,
            round=number,
            choice=choice,
            opinion=opinion.strip(),
            at=now,
        )


def opinion_write(*, appeal: Appeal, judge: AbstractBaseUser, text: str, now: datetime) -> Vote:
    """A member writes or rewrites their opinion on their vote, until the judgment."""
    with transaction.atomic():
        locked = _locked(appeal)
        _being_heard(locked)
        seat, _seats = _deliberating(locked, judge)
        vote = Vote.objects.filter(seat=seat, round=vote_round(locked)).first()
        if vote is None:
            raise AppealWorkRefused(_("Vote first: an opinion goes with a vote."))
        vote.complaint = locked.complaint
        vote.opinion = text.strip()
        vote.save(update_fields=["opinion"])
    return vote


def ballots(seats: list[Seat], votes: list[Vote], *, respondent_state: str) -> list[Ballot]:
    """The votes as the majority rule reads them, each judge's nationalities as when seated."""
    by_seat = {seat.pk: seat for seat in seats}
    return [
        Ballot(
            judge_id=by_seat[vote.seat_id].judge_id,
            choice=vote.choice,
            respondent_national=respondent_state in by_seat[vote.seat_id].nationalities,
        )
        for vote in votes
        if vote.seat_id in by_seat
    ]


def round_votes(appeal: Appeal, seats: list[Seat]) -> list[Vote]:
    return list(
        Vote.objects.filter(seat__in=seats, round=vote_round(appeal)).order_by("seat_id", "pk")
    )


def _presiding(appeal: Appeal, judge: AbstractBaseUser) -> tuple[list[Seat], list[Vote]]:
    seat, seats = _deliberating(appeal, judge)
    if not seat.presiding:
        raise AppealWorkRefused(_("The presiding judge does this."))
    return seats, round_votes(appeal, seats)


def votes_decide(seats: list[Seat], votes: list[Vote]) -> Result:
    """What the round's votes decide, or why they do not (deliberation.votes_result)."""
    rules = PanelRules.from_settings()
    return votes_result(
        ballots(seats, votes, respondent_state=rules.respondent_state),
        size=rules.size,
        needs_other_national=majority_needs_other_national(),
    )


def judgment_record(
    *,
    appeal: Appeal,
    by: AbstractBaseUser,
    choice: str,
    reasons: str,
    now: datetime,
    finding: str = "",
    withhold_opinions: bool = False,
    withheld_reason: str = "",
) -> AppealJudgment:
    """The presiding judge records the reasoned decision the votes made; the complainant reads
    it, with the members' opinions unless the panel withholds them. Upheld or overturned, the
    case closes; sent back, the Committee examines it again with a fresh deadline."""
    _judgment_checks(choice, reasons, finding, withhold_opinions, withheld_reason)
    with transaction.atomic():
        locked = _locked(appeal)
        _being_heard(locked)
        seats, votes = _presiding(locked, by)
        if choice not in choices_for(locked):
            raise AppealWorkRefused(NOT_ACCEPTED_IS_NOT_OVERTURNED)
        if choice == VoteChoice.OVERTURN and finding == locked.decision.outcome:
            raise AppealWorkRefused(
                _("An overturning finds otherwise than the Committee: choose another finding.")
            )
        result = votes_decide(seats, votes)
        if result.problem is not None:
            raise AppealWorkRefused(result.problem.message)
        if result.choice != choice:
            raise AppealWorkRefused(
                _("The decision recorded is the one the majority voted for: “%(choice)s”.")
                % {"choice": VoteChoice(result.choice).label}
            )
        judgment = AppealJudgment.objects.create(
            complaint=locked.complaint,
            appeal=locked,
            result=RESULT_OF[choice],
            finding=finding if choice == VoteChoice.OVERTURN else "",
            reasons=reasons.strip(),
            decided_at=now,
        )
        _opinions_publish(judgment, votes, choice=choice, withheld=withhold_opinions)
        JudgmentRecord.objects.create(
            complaint=locked.complaint,
            judgment=judgment,
            by=by,
            opinions_withheld=withhold_opinions,
            withheld_reason=withheld_reason.strip(),
        )
        _case_moves_on(locked.complaint, choice=choice, by=by, now=now)
    return judgment


def _judgment_checks(
    choice: str, reasons: str, finding: str, withhold: bool, withheld_reason: str
) -> None:
    if choice not in VoteChoice.values:
        raise AppealWorkRefused(_("Please choose the decision."))
    if not reasons.strip():
        raise AppealWorkRefused(_("Please write the reasons: the complainant reads them."))
    if choice == VoteChoice.OVERTURN and finding not in Outcome.values:
        raise AppealWorkRefused(_("An overturning states the Appeal Body's own finding."))
    if withhold and not withheld_reason.strip():
        raise AppealWorkRefused(_("Please say why the opinions are withheld."))


def _opinions_publish(
    judgment: AppealJudgment, votes: list[Vote], *, choice: str, withheld: bool
) -> None:
    if withheld:
        return
    written = [vote for vote in votes if vote.opinion.strip()]
    for position, vote in enumerate(written, start=1):
        PublishedOpinion.objects.create(
            complaint=judgment.complaint,
            judgment=judgment,
            kind=OpinionKind.SEPARATE if vote.choice == choice else OpinionKind.DISSENTING,
            text=vote.opinion,
            position=position,
        )


def _case_moves_on(
    complaint: Complaint, *, choice: str, by: AbstractBaseUser, now: datetime
) -> None:
    decided = str(_("The Appeal Body decided the appeal."))
    complaint_transition(
        complaint=complaint, to=Status.APPEAL_DECIDED, by=by, reason=decided, now=now
    )
    if choice == VoteChoice.REMIT:
        sent_back = str(_("Sent back to the Committee by the Appeal Body."))
        complaint_transition(
            complaint=complaint, to=Status.EXAMINATION, by=by, reason=sent_back, now=now
        )
    else:
        complaint_transition(complaint=complaint, to=Status.CLOSED, by=by, now=now)


def round_reopen(*, appeal: Appeal, by: AbstractBaseUser, now: datetime) -> VoteRound:
    """The votes are in but make no valid decision: the presiding judge opens a new round
    (the earlier votes stay on record)."""
    with transaction.atomic():
        locked = _locked(appeal)
        _being_heard(locked)
        seats, votes = _presiding(locked, by)
        problem = votes_decide(seats, votes).problem
        if problem not in (NO_MAJORITY, NO_OTHER_NATIONAL):
            if problem is None:
                raise AppealWorkRefused(_("The votes make a decision: record it."))
            raise AppealWorkRefused(problem.message)
        return VoteRound.objects.create(
            complaint=locked.complaint,
            appeal=locked,
            number=vote_round(locked) + 1,
            by=by,
            at=now,
        )
