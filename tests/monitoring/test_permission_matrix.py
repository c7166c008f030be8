"""Who may do what under /staff/: every role against every page, action and move, in one table.

Each line of TABLE is one page, action or move (its request is in REQUESTS, under the same
name); each column one person: nobody signed in, a signed-in staff account in no role, then
each role of monitoring/roles.py, the Rapporteur twice (as the case's rapporteur, and as another
member who was not given it). A cell says what must happen:

    L      sent to sign in; nothing changed
    -      refused (403, 404, or sent back with a message); nothing changed, nothing of the
           case shown
    +      allowed: the page opens, or the action took effect (the request's `done` says how)
    F      the case page in full: the narrative shown, never the identity
    S      the case page with its structured fields only: no narrative, no identity
    [AU]   the cases listed (a list or queue) or moved (the bulk action), by letter; [] none
           (a queue the person is not offered is not applied: they get their whole list)

The cases, built through the services once for each column (each row's changes are rolled back
before the next):

    R  the rapporteur's, received             A  the rapporteur's, in triage, someone in danger
    E  the rapporteur's, in examination       W  the rapporteur's, awaiting an answer asked
    P  the rapporteur's, in triage 40 days       during the examination
       (overdue), a decision proposed          D  the rapporteur's, declared inadmissible and
    U  nobody's, received                         appealed by the complainant
    C  the chair's own (the chair took it as rapporteur), a decision proposed by the chair

A new page is one line in TABLE and one in REQUESTS.
"""

import csv
import io
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints import receipts
from complaints.evidence import evidence_clean
from complaints.models import (
    Appeal,
    Channel,
    Complaint,
    Decision,
    DecisionKind,
    Message,
    Status,
    StatusChange,
    ViolationCategory,
)
from complaints.services import appeal_lodge, complaint_submit, evidence_add
from monitoring.appeals.models import PanelDraw, Seat
from monitoring.cases.checklist import QUESTIONS, YES, checklist_record
from monitoring.cases.models import (
    Assignment,
    CaseLink,
    ConflictDeclaration,
    DecisionProposal,
    Note,
    ProposalState,
)
from monitoring.cases.services import case_move, decision_adopt, decision_propose
from monitoring.models import (
    AccessAction,
    AccessEvent,
    ExportEnd,
    ExportRecord,
    StaffChange,
    StaffChangeDecision,
    StaffChangeKind,
    StaffChangeOutcome,
)
from monitoring.roles import ROLES
from monitoring.staff_changes import staff_change_request
from tests.filing import MARKERS, cleaned_steps, intake_data, step_data
from tests.monitoring.cast import client_of, give, member
from tests.monitoring.staff import PASSWORD
from tests.testdata import minimal_pdf

# The table's columns, and the role each signs in with (None: no role).
ACTORS: dict[str, str | None] = {
    "anonymous": None,  # not signed in
    "outsider": None,  # a staff account with its second factor, in no role
    "intake": "Intake officer",
    "rapporteur": "Rapporteur",  # the one the cases are given to
    "other": "Rapporteur",  # a member who was not given them
    "chair": "Committee chair",
    "registrar": "Appeal registrar",
    "judge": "Appeal judge",
    "data": "Data officer",
    "admin": "Administrator",
}

# fmt: off
TABLE = """
# what                         anon out intake rapp      other chair      regis judge data       adm
admin index                    L    +   +      +         +     +          +     +     +          +
complaint list                 L    -   -      [ADEPRUW] [U]   [ACDEPRUW] -     -     [ACDEPRUW] -
queue mine                     L    -   -      [AEPRW]   []    [C]        -     -     [ACDEPRUW] -
queue unassigned               L    -   -      [U]       [U]   [U]        -     -     [ACDEPRUW] -
queue urgent                   L    -   -      [A]       []    [A]        -     -     [A]        -
queue overdue                  L    -   -      [P]       []    [P]        -     -     [P]        -
queue awaiting                 L    -   -      [W]       []    [W]        -     -     [W]        -
queue proposed                 L    -   -      [ADEPRUW] [U]   [CP]       -     -     [ACDEPRUW] -
case page of A                 L    -   -      F         -     F          -     -     S          -
case page of U                 L    -   -      S         S     F          -     -     S          -
R: received -> triage          L    -   -      +         -     +          -     -     -          -
U: received -> triage          L    -   -      -         -     +          -     -     -          -
A: triage -> awaiting          L    -   -      +         -     +          -     -     -          -
A: triage -> examination       L    -   -      +         -     +          -     -     -          -
E: examination -> awaiting     L    -   -      +         -     +          -     -     -          -
W: awaiting -> examination     L    -   -      +         -     +          -     -     -          -
W: awaiting -> triage          L    -   -      -         -     -          -     -     -          -
A: -> withdrawn (on request)   L    -   -      -         -     +          -     -     -          -
A: -> inadmissible, unproposed L    -   -      -         -     -          -     -     -          -
E: -> decided, unproposed      L    -   -      -         -     -          -     -     -          -
D: appealed -> appeal decided  L    -   -      -         -     -          -     -     -          -
start triage of every case     L    -   -      [R]       []    [RU]       -     -     []         -
assign U                       L    -   -      -         -     +          -     -     -          -
note on A                      L    -   -      +         -     +          -     -     -          -
note on U                      L    -   -      -         -     +          -     -     -          -
message on A                   L    -   -      +         -     +          -     -     -          -
message on U                   L    -   -      -         -     +          -     -     -          -
conflict on A                  L    -   -      +         -     +          -     -     -          -
conflict on U                  L    -   -      +         +     +          -     -     -          -
link A to U                    L    -   -      +         -     +          -     -     -          -
link U to A                    L    -   -      -         -     +          -     -     -          -
propose: A inadmissible        L    -   -      +         -     -          -     -     -          -
propose: E on the facts        L    -   -      +         -     -          -     -     -          -
adopt the proposal on P        L    -   -      -         -     +          -     -     -          -
send back the proposal on P    L    -   -      -         -     +          -     -     -          -
adopt one's own proposal on C  L    -   -      -         -     -          -     -     -          -
reveal who filed A             L    -   -      +         -     +          -     -     -          -
reveal who filed U             L    -   -      -         -     +          -     -     -          -
evidence file of A             L    -   -      +         -     +          -     -     -          -
evidence file of U             L    -   -      -         -     +          -     -     -          -
intake page                    L    -   +      -         -     -          -     -     -          -
record a complaint on behalf   L    -   +      -         -     -          -     -     -          -
access records                 L    -   -      -         -     +          -     -     -          -
staff changes                  L    -   -      -         -     +          -     -     -          +
confirm a staff change         L    -   -      -         -     +          -     -     -          -
staff accounts                 L    -   -      -         -     -          -     -     -          +
give a colleague a case role   L    -   -      -         -     -          -     -     -          +
give a colleague intake        L    -   -      -         -     -          -     -     -          +
give oneself a case role       L    -   -      -         -     -          -     -     -          -
reset a case worker's password L    -   -      -         -     -          -     -     -          +
authenticator apps             L    -   -      -         -     -          -     -     -          +
remove a case worker's app     L    -   -      -         -     -          -     -     -          +
remove a newcomer's app        L    -   -      -         -     -          -     -     -          +
violation categories           L    -   +      +         +     +          +     -     +          -
edit a violation category      L    -   -      -         -     +          -     -     -          -
appeal list                    L    -   -      -         -     -          +     +     -          -
appeal page of D               L    -   -      -         -     -          +     -     -          -
draw a panel for D             L    -   -      -         -     -          +     -     -          -
lodge an appeal page           L    -   +      -         -     -          +     -     -          -
roster of judges               L    -   -      -         -     -          +     +     -          +
export page                    L    -   -      -         -     +          -     -     +          -
statistics page                L    -   -      -         -     +          -     -     +          -
export the case list           L    -   -      -         -     [ACDEPRUW] -     -     [ACDEPRUW] -
export with the facts          L    -   -      -         -     [ACDEPRUW] -     -     -          -
export with identities         L    -   -      -         -     [ACDEPRUW] -     -     -          -
"""
# fmt: on

CODES = {"L", "-", "+", "F", "S"}


def table_rows(table: str) -> list[tuple[str, dict[str, str]]]:
    rows = []
    for line in table.splitlines():
        if line.startswith("# what"):
            columns = line.split()[2:]
            assert all(a.startswith(c) for a, c in zip(ACTORS, columns, strict=True)), line
        if not line.strip() or line.startswith("#"):
            continue
        words = line.split()
        name, cells = " ".join(words[: -len(ACTORS)]), words[-len(ACTORS) :]
        assert all(c in CODES or (c[0], c[-1]) == ("[", "]") for c in cells), line
        rows.append((name, dict(zip(ACTORS, cells, strict=True))))
    return rows


# --- the world a test acts in --------------------------------------------------------------------

CHECKLIST = checklist_record({q.key: (YES, "") for q in QUESTIONS})
CHECKS = {f"check_{q.key}": YES for q in QUESTIONS}


class World:
    """Everyone and everything the table's rows act on, built once for each column."""

    def __init__(self, django_user_model: type, now: object) -> None:
        self.users, self.now, self.built = django_user_model, now, {}
        self.user = None
        self.client = Client()
        self.before: dict = {}
        self.steps: dict = {}

    def __getitem__(self, key: str) -> object:
        if key not in self.built:
            self.built[key] = BUILDERS[key](self)
        return self.built[key]

    def case(self, key: str) -> Complaint:
        return Complaint.objects.get(pk=self[key].pk)

    def cases(self) -> dict[str, Complaint]:
        return {key: self[key] for key in CASES}


def _staff_in_no_role(w: World, username: str) -> object:
    user = w.users.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def _filed(w: World, *, danger: bool = False, days_ago: int = 0) -> Complaint:
    """Filed through the service, from the steps as the review page hands them over (cleaned
    once for the test: every case here tells the same story)."""
    if danger not in w.steps:
        what = {"immediate_danger": "yes", "danger_details": "Threats."} if danger else {}
        w.steps[danger] = cleaned_steps(step_data(what=what))
    submission = complaint_submit(
        steps=w.steps[danger],
        evidence=[],
        language="en",
        token=secrets.token_urlsafe(32),
        now=w.now - timedelta(days=days_ago),
    )
    return submission.complaint


def _theirs(w: World, *, to: list[Status] = (), danger: bool = False, days_ago: int = 0):
    """A case given to the rapporteur, who moves it along `to`."""
    complaint, now = _filed(w, danger=danger, days_ago=days_ago), w.now - timedelta(days=days_ago)
    give(complaint, w["rapporteur"], by=w["chair"], now=now)
    for status in to:
        reason = "Which police station?" if status == Status.AWAITING_COMPLAINANT else ""
        case_move(
            complaint=complaint,
            to=status,
            by=w["rapporteur"],
            expected_status=complaint.status,
            reason=reason,
            now=now,
        )
    return complaint


def _proposed(w: World, complaint: Complaint, *, by: object = None) -> DecisionProposal:
    return decision_propose(
        complaint=complaint,
        by=by or w["rapporteur"],
        kind=DecisionKind.INADMISSIBLE,
        ground="outside_mandate",
        reasons="Outside the mandate.",
        checklist=CHECKLIST,
        expected_status=complaint.status,
        now=w.now,
    )


def _appealed(w: World) -> Complaint:
    complaint = _theirs(w, to=[Status.TRIAGE])
    decision_adopt(proposal=_proposed(w, complaint), by=w["chair"], now=w.now)
    appeal_lodge(complaint=complaint, grounds="I appeal.", now=w.now)
    return complaint


def _chairs_own(w: World) -> Complaint:
    """The chair took a case as its rapporteur, and proposed its decision."""
    complaint, chair = _filed(w), w["chair"]
    give(complaint, chair, by=chair, now=w.now)
    case_move(
        complaint=complaint, to=Status.TRIAGE, by=chair, expected_status="received", now=w.now
    )
    _proposed(w, complaint, by=chair)
    return complaint


def _with_a_file(w: World, key: str) -> object:
    clean = evidence_clean(SimpleUploadedFile("warrant.pdf", minimal_pdf()))
    return evidence_add(complaint=w[key], clean=clean, description="", now=w.now)


def _pending_change(w: World) -> StaffChange:
    """An Administrator asked to remove a case worker's app: it waits for a second person."""
    return staff_change_request(
        kind=StaffChangeKind.REMOVE_DEVICE, account=w["colleague"], by=w["proposer"], now=w.now
    )


USERNAMES = {"rapporteur": "amina", "other": "jean"}
PEOPLE = {
    **{actor: role for actor, role in ACTORS.items() if role},
    "proposer": "Administrator",  # of the staff change the chair confirms
    "colleague": "Rapporteur",  # whose app that change removes
}

CASES = ["A", "C", "D", "E", "P", "R", "U", "W"]

# In this order: the cases are built while the chair and the rapporteur are the only staff (who
# may be given a case is worked out for every account, at each assignment).
BUILDERS: dict[str, Callable[[World], object]] = {
    "R": lambda w: _theirs(w),
    "A": lambda w: _theirs(w, to=[Status.TRIAGE], danger=True),
    "E": lambda w: _theirs(w, to=[Status.TRIAGE, Status.EXAMINATION]),
    "W": lambda w: _theirs(w, to=[Status.TRIAGE, Status.EXAMINATION, Status.AWAITING_COMPLAINANT]),
    # In triage since 40 days: its 30 days for admissibility have run out.
    "P": lambda w: _proposed(w, _theirs(w, to=[Status.TRIAGE], days_ago=40)).complaint,
    "D": _appealed,
    "U": lambda w: _filed(w),
    "C": _chairs_own,
    "appeal of D": lambda w: w["D"].appeals.get(),
    "file of A": lambda w: _with_a_file(w, "A"),
    "file of U": lambda w: _with_a_file(w, "U"),
    **{
        key: (lambda w, k=key, r=role: member(w.users, USERNAMES.get(k, k), r))
        for key, role in PEOPLE.items()
    },
    "outsider": lambda w: _staff_in_no_role(w, "outsider"),
    "newcomer": lambda w: _staff_in_no_role(w, "newcomer"),
    "change": _pending_change,
    "category": lambda w: ViolationCategory.objects.get(code="LIBERTY_ARBITRARY_ARREST"),
    "app of rapporteur": lambda w: TOTPDevice.objects.get(user=w["rapporteur"]),
    "app of newcomer": lambda w: TOTPDevice.objects.get(user=w["newcomer"]),
}


def world_state() -> dict:
    """What any refused request must leave as it was."""
    through = Group.user_set.through
    counted = [
        StatusChange,
        Message,
        Note,
        Assignment,
        ConflictDeclaration,
        CaseLink,
        Decision,
        AccessEvent,
        StaffChange,
        StaffChangeDecision,
        TOTPDevice,
        ExportRecord,
        ExportEnd,
        Appeal,
        PanelDraw,
        Seat,
    ]
    return {
        "cases": sorted(Complaint.objects.values_list("pk", "status", "rapporteur_id")),
        "proposals": sorted(DecisionProposal.objects.values_list("pk", "state")),
        "roles": sorted(through.objects.values_list("user_id", "group_id")),
        "categories": sorted(ViolationCategory.objects.values_list("pk", "label_en", "is_active")),
        **{model.__name__: model.objects.count() for model in counted},
    }


# --- the requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    url: Callable[[World], str]
    data: Callable[[World], dict] | None = None  # a POST with this data; without, a GET
    # For `+`: whether the action took effect.
    done: Callable[[World, HttpResponse], bool] | None = None
    # For `[…]`: the letters of the cases listed, or moved.
    found: Callable[[World, HttpResponse], set[str]] | None = None
    case: str = ""  # for `F` and `S`: the case the page is about

    def prepare(self, w: World) -> Callable[[], HttpResponse]:
        """Build what the request names (before the state is taken); return how to send it."""
        url = self.url(w)
        if self.data is None:
            return lambda: w.client.get(url)
        data = self.data(w)
        return lambda: w.client.post(url, data)


def at(name: str, *args: str, query: str = "") -> Callable[[World], str]:
    """An admin URL; an argument that names something built (a case, a change) is its pk."""

    def url(w: World) -> str:
        values = [w[arg].pk if arg in w.built else arg for arg in args]
        return reverse(f"admin:{name}", args=values) + query

    return url


def intake_token(w: World) -> str:
    """The token of a fresh intake page, for those who may open it; a made-up one otherwise."""
    page = w.client.get(reverse("admin:intake"))
    found = re.search(r'name="token" value="([^"]+)"', page.content.decode())
    return found.group(1) if page.status_code == 200 and found else secrets.token_urlsafe(32)


def recorded_on_behalf(w: World, response: HttpResponse) -> bool:
    return Complaint.objects.filter(channel=Channel.PAPER).count() == 1


def listed(w: World, response: HttpResponse) -> set[str]:
    references = {c.reference for c in response.context["cl"].result_list}
    return {key for key, case in w.cases().items() if case.reference in references}


QUEUE_SLUGS = ["mine", "unassigned", "urgent", "overdue", "awaiting", "proposed"]


def exported(w: World, response: HttpResponse) -> set[str]:
    """The cases in the file sent, by letter."""
    assert response.streaming, response.status_code
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    references = {row[0] for row in csv.reader(io.StringIO(text, newline=""))}
    return {key for key, case in w.cases().items() if case.reference in references}


def export(level: str) -> Request:
    return Request(
        at("complaints_complaint_export"),
        data=lambda w: {"level": level, "file_format": "csv", "purpose": "A referral."},
        found=exported,
    )


def queue(slug: str = "") -> Request:
    query = f"?queue={slug}" if slug else ""
    return Request(at("complaints_complaint_changelist", query=query), found=listed)


def case_page(key: str) -> Request:
    return Request(at("complaints_complaint_change", key), case=key)


def status_is(key: str, status: Status) -> Callable[[World, HttpResponse], bool]:
    def done(w: World, response: HttpResponse) -> bool:
        change = w.case(key).status_changes.order_by("-at", "-pk").first()
        return (w.case(key).status, change.to_status, change.by) == (status, status, w.user)

    return done


def move(key: str, target: Status, *, reason: str = "") -> Request:
    return Request(
        at("case_move", key, target.value),
        data=lambda w: {"reason": reason, "expected_status": w.case(key).status},
        done=status_is(key, target),
    )


def moved(w: World, response: HttpResponse) -> set[str]:
    return {key for key in CASES if w.case(key).status != w.before[key]}


def start_triage(w: World) -> dict:
    return {"action": "start_triage", "_selected_action": [c.pk for c in w.cases().values()]}


def write(key: str, what: str, done: Callable[[World, Complaint], bool]) -> Request:
    return Request(
        at("case_write", key, what),
        data=lambda w: {"body": f"Zxq{what}: a few words."},
        done=lambda w, response: done(w, w.case(key)),
    )


def link(key: str, other: str) -> Request:
    return Request(
        at("case_link", key),
        data=lambda w: {"reference": w[other].reference, "reason": "The same arrest."},
        done=lambda w, response: CaseLink.objects.filter(by=w.user).exists(),
    )


def proposal_state(key: str, state: ProposalState) -> Callable[[World, HttpResponse], bool]:
    def done(w: World, response: HttpResponse) -> bool:
        proposal = DecisionProposal.objects.get(complaint=w.case(key))
        return (proposal.state, proposal.decided_by) == (state, w.user)

    return done


def proposed_by_them(key: str) -> Callable[[World, HttpResponse], bool]:
    return lambda w, response: DecisionProposal.objects.filter(
        complaint=w.case(key), proposed_by=w.user, state=ProposalState.PROPOSED
    ).exists()


def recorded(action: AccessAction, key: str) -> Callable[[World, HttpResponse], bool]:
    def done(w: World, response: HttpResponse) -> bool:
        event = AccessEvent.objects.filter(
            action=action, actor=w.user, complaint_reference=w.case(key).reference
        )
        return response.status_code == 200 and event.exists()

    return done


def revealed(key: str) -> Callable[[World, HttpResponse], bool]:
    recorded_reveal = recorded(AccessAction.REVEAL_IDENTITY, key)
    return lambda w, response: (
        recorded_reveal(w, response) and MARKERS["name"] in response.content.decode()
    )


def account_data(account_key: str, *roles: str) -> Callable[[World], dict]:
    def data(w: World) -> dict:
        account = w[account_key]
        return {
            "username": account.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "groups": list(Group.objects.filter(name__in=roles).values_list("pk", flat=True)),
        }

    return data


def role_proposed(w: World, response: HttpResponse, role: str = "Committee chair") -> bool:
    """Asked for, awaiting the chair, and not applied."""
    newcomer, group = w["newcomer"], Group.objects.get(name=role)
    waiting = StaffChange.objects.filter(
        kind=StaffChangeKind.GRANT_ROLE, account=newcomer, group=group, decision=None
    )
    return waiting.exists() and not newcomer.groups.filter(pk=group.pk).exists()


NEW_PASSWORD = "a brand new passphrase 77"


def waits_for_the_chair(w: World, kind: StaffChangeKind, account: str) -> bool:
    return StaffChange.objects.filter(
        kind=kind, account=w[account], proposed_by=w.user, decision=None
    ).exists()


def change_confirmed(w: World, response: HttpResponse) -> bool:
    decided = StaffChangeDecision.objects.filter(
        change=w["change"], outcome=StaffChangeOutcome.CONFIRMED, by=w.user
    )
    return decided.exists() and not TOTPDevice.objects.filter(user=w["colleague"]).exists()


def category_data(w: World) -> dict:
    category = w["category"]
    return {
        "group": category.group,
        "label_en": "Arbitrary arrest (edited)",
        "label_fr": category.label_fr,
        "label_rw": category.label_rw,
        "label_sw": category.label_sw,
        "huridocs_code": category.huridocs_code,
        "sort_order": category.sort_order,
        "is_active": "on",
    }


def category_edited(w: World, response: HttpResponse) -> bool:
    return ViolationCategory.objects.get(pk=w["category"].pk).label_en.endswith("(edited)")


def noted(w: World, case: Complaint) -> bool:
    return Note.objects.filter(complaint=case, author=w.user).exists()


def messaged(w: World, case: Complaint) -> bool:
    outgoing = Message.Direction.TO_COMPLAINANT
    return Message.objects.filter(complaint=case, author=w.user, direction=outgoing).exists()


def conflicted(w: World, case: Complaint) -> bool:
    declared = ConflictDeclaration.objects.filter(complaint=case, member=w.user).exists()
    return declared and case.rapporteur_id != w.user.pk


def asked(w: World, response: HttpResponse) -> bool:
    bodies = [m.body for m in Message.objects.filter(complaint=w["A"], author=w.user)]
    return status_is("A", Status.AWAITING_COMPLAINANT)(w, response) and bodies == [
        "Which police station?"
    ]


REQUESTS: dict[str, Request] = {
    "admin index": Request(at("index")),
    "complaint list": queue(),
    **{f"queue {slug}": queue(slug) for slug in QUEUE_SLUGS},
    "case page of A": case_page("A"),
    "case page of U": case_page("U"),
    "R: received -> triage": move("R", Status.TRIAGE),
    "U: received -> triage": move("U", Status.TRIAGE),
    "A: triage -> awaiting": Request(
        at("case_move", "A", Status.AWAITING_COMPLAINANT.value),
        data=lambda w: {"reason": "Which police station?", "expected_status": "triage"},
        done=asked,
    ),
    "A: triage -> examination": move("A", Status.EXAMINATION),
    "E: examination -> awaiting": move(
        "E", Status.AWAITING_COMPLAINANT, reason="Was a lawyer present?"
    ),
    "W: awaiting -> examination": move("W", Status.EXAMINATION),
    "W: awaiting -> triage": move("W", Status.TRIAGE),
    "A: -> withdrawn (on request)": move(
        "A", Status.WITHDRAWN, reason="The complainant's letter of 2 May."
    ),
    "A: -> inadmissible, unproposed": move("A", Status.INADMISSIBLE, reason="Out."),
    "E: -> decided, unproposed": move("E", Status.DECIDED, reason="Found."),
    "D: appealed -> appeal decided": move("D", Status.APPEAL_DECIDED, reason="Upheld."),
    "start triage of every case": Request(
        at("complaints_complaint_changelist"), data=start_triage, found=moved
    ),
    "assign U": Request(
        at("case_assign", "U"),
        data=lambda w: {"rapporteur": w["rapporteur"].pk, "expected_rapporteur": ""},
        done=lambda w, response: w.case("U").rapporteur == w["rapporteur"],
    ),
    "note on A": write("A", "note", noted),
    "note on U": write("U", "note", noted),
    "message on A": write("A", "message", messaged),
    "message on U": write("U", "message", messaged),
    "conflict on A": write("A", "conflict", conflicted),
    "conflict on U": write("U", "conflict", conflicted),
    "link A to U": link("A", "U"),
    "link U to A": link("U", "A"),
    "propose: A inadmissible": Request(
        at("case_decision", "A"),
        data=lambda w: {
            "ground": "outside_mandate",
            "reasons": "Outside the mandate.",
            "expected_status": "triage",
            **CHECKS,
        },
        done=proposed_by_them("A"),
    ),
    "propose: E on the facts": Request(
        at("case_decision", "E"),
        data=lambda w: {
            "outcome": "found",
            "reasons": "The arrest was arbitrary.",
            "recommendations": "Release him.",
            "expected_status": "examination",
            **CHECKS,
        },
        done=proposed_by_them("E"),
    ),
    "adopt the proposal on P": Request(
        at("case_decision", "P"),
        data=lambda w: {"adopt": "1"},
        done=lambda w, response: (
            proposal_state("P", ProposalState.ADOPTED)(w, response)
            and w.case("P").status == Status.INADMISSIBLE
        ),
    ),
    "send back the proposal on P": Request(
        at("case_decision", "P"),
        data=lambda w: {"send_back": "1", "comment": "Ask about the dates first."},
        done=proposal_state("P", ProposalState.SENT_BACK),
    ),
    "adopt one's own proposal on C": Request(
        at("case_decision", "C"),
        data=lambda w: {"adopt": "1"},
        done=proposal_state("C", ProposalState.ADOPTED),
    ),
    "reveal who filed U": Request(
        at("complaints_complaint_reveal", "U"),
        data=lambda w: {"reason": "To arrange a safe call."},
        done=revealed("U"),
    ),
    "reveal who filed A": Request(
        at("complaints_complaint_reveal", "A"),
        data=lambda w: {"reason": "To arrange a safe call."},
        done=revealed("A"),
    ),
    "evidence file of A": Request(
        at("complaints_evidence_download", "file of A"),
        done=recorded(AccessAction.DOWNLOAD_EVIDENCE, "A"),
    ),
    "evidence file of U": Request(
        at("complaints_evidence_download", "file of U"),
        done=recorded(AccessAction.DOWNLOAD_EVIDENCE, "U"),
    ),
    "intake page": Request(at("intake")),
    "record a complaint on behalf": Request(
        at("intake"), data=lambda w: intake_data(intake_token(w)), done=recorded_on_behalf
    ),
    "access records": Request(at("monitoring_accessevent_changelist")),
    "staff changes": Request(at("monitoring_staffchange_changelist")),
    "confirm a staff change": Request(
        at("monitoring_staffchange_confirm", "change"), data=lambda w: {}, done=change_confirmed
    ),
    "staff accounts": Request(at("auth_user_changelist")),
    "give a colleague a case role": Request(
        at("auth_user_change", "newcomer"),
        data=account_data("newcomer", "Committee chair"),
        done=role_proposed,
    ),
    "give a colleague intake": Request(
        at("auth_user_change", "newcomer"),
        data=account_data("newcomer", "Intake officer"),
        done=lambda w, response: role_proposed(w, response, "Intake officer"),
    ),
    "give oneself a case role": Request(
        at("auth_user_change", "self"),
        data=account_data("self", "Committee chair"),
        done=lambda w, response: w["self"].groups.filter(name="Committee chair").exists(),
    ),
    "reset a case worker's password": Request(
        at("auth_user_password_change", "colleague"),
        data=lambda w: {
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
        done=lambda w, response: (
            waits_for_the_chair(w, StaffChangeKind.RESET_PASSWORD, "colleague")
            and w.users.objects.get(pk=w["colleague"].pk).check_password(PASSWORD)
        ),
    ),
    "authenticator apps": Request(at("otp_totp_totpdevice_changelist")),
    "remove a case worker's app": Request(
        at("otp_totp_totpdevice_delete", "app of rapporteur"),
        data=lambda w: {"post": "yes"},
        done=lambda w, response: (
            waits_for_the_chair(w, StaffChangeKind.REMOVE_DEVICE, "rapporteur")
            and TOTPDevice.objects.filter(user=w["rapporteur"]).exists()
        ),
    ),
    "remove a newcomer's app": Request(
        at("otp_totp_totpdevice_delete", "app of newcomer"),
        data=lambda w: {"post": "yes"},
        done=lambda w, response: (
            StaffChange.objects.filter(
                kind=StaffChangeKind.REMOVE_DEVICE,
                account=w["newcomer"],
                proposed_by=w.user,
                decision__outcome=StaffChangeOutcome.RECORDED,
            ).exists()
            and not TOTPDevice.objects.filter(user=w["newcomer"]).exists()
        ),
    ),
    "appeal list": Request(at("complaints_appeal_changelist")),
    # A judge sees only the appeals of panels they sit on: the table's judge sits on none.
    "appeal page of D": Request(at("complaints_appeal_change", "appeal of D")),
    "draw a panel for D": Request(
        at("appeal_propose", "appeal of D"),
        data=lambda w: {},
        done=lambda w, response: PanelDraw.objects.filter(appeal=w["appeal of D"]).exists(),
    ),
    "lodge an appeal page": Request(at("appeal_lodge")),
    "roster of judges": Request(at("monitoring_judgeprofile_changelist")),
    "export page": Request(at("complaints_complaint_export")),
    "statistics page": Request(at("statistics")),
    "export the case list": export("case_list"),
    "export with the facts": export("narrative"),
    "export with identities": export("identity"),
    "violation categories": Request(at("complaints_violationcategory_changelist")),
    "edit a violation category": Request(
        at("complaints_violationcategory_change", "category"),
        data=category_data,
        done=category_edited,
    ),
}


# --- the test ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _quick_receipt_hashing(monkeypatch):
    """Receipts hashed with Argon2id at its smallest cost: no test here looks one up, and each
    filing would otherwise take a tenth of a second."""
    monkeypatch.setattr(receipts, "ARGON2_MEMORY_KIB", 8)
    monkeypatch.setattr(receipts, "ARGON2_TIME_COST", 1)


@pytest.fixture
def world(django_user_model, now) -> World:
    world = World(django_user_model, now)
    for key in BUILDERS:  # all now, outside the rows' savepoints
        world[key]
    return world


@contextmanager
def undone() -> Iterator[None]:
    """Whatever a row's request changed is rolled back: every row starts from the same world."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def signed_in_as(w: World, actor: str) -> None:
    if actor != "anonymous":
        w.user = w[actor]
        w.client = client_of(w.user)
    w.built["self"] = w.user or w["newcomer"]


def shows_nothing_of_a_case(response: HttpResponse) -> bool:
    text = "" if response.streaming else response.content.decode()
    return MARKERS["narrative"] not in text and MARKERS["name"] not in text


def cell_holds(w: World, what: str, expected: str) -> None:
    """The row's request, made as the signed-in person, does what the cell says."""
    request = REQUESTS[what]
    send = request.prepare(w)
    w.before = {key: w.case(key).status for key in CASES}
    before = world_state()

    response = send()

    redirect = response.get("Location", "")
    signing_in = redirect.startswith(reverse("admin:login"))
    assert signing_in == (expected == "L"), redirect
    if expected in {"L", "-"}:
        assert response.status_code != 200 or request.data is not None
        assert shows_nothing_of_a_case(response)
        assert world_state() == before
    elif expected == "+" and request.data is not None:
        assert response.status_code in {200, 302}
        assert request.done(w, response)
    elif expected == "+" and request.done is not None:  # a download: recorded as an access
        assert request.done(w, response)
    elif expected == "+":
        assert response.status_code == 200
        assert world_state() == before
    elif expected in {"F", "S"}:
        text = response.content.decode()
        assert response.status_code == 200
        assert w[request.case].reference in text
        assert (MARKERS["narrative"] in text) == (expected == "F")
        assert MARKERS["name"] not in text
        assert world_state() == before
    else:
        assert request.found(w, response) == set(expected.strip("[]"))
        if request.data is None or expected == "[]":
            assert world_state() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_each_person_against_every_staff_page_action_and_move(world, actor, subtests):
    """One column of the table: each row a subtest, its changes rolled back after it."""
    signed_in_as(world, actor)

    for what, cells in table_rows(TABLE):
        with subtests.test(msg=what), undone():
            cell_holds(world, what, cells[actor])


def test_the_table_has_a_column_for_every_role_and_a_request_for_every_row():
    names = [name for name, _cells in table_rows(TABLE)]

    assert {role for role in ACTORS.values() if role} == set(ROLES)
    assert len(names) == len(set(names))
    assert set(names) <= set(REQUESTS)
