"""The Appeal Body's admin pages, signed in for real: what each person reaches of an appeal, and
the path from a lodged appeal to a recorded decision through the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.evidence import evidence_clean
from complaints.models import AppealResult, Evidence, Status
from complaints.services import appeal_lodge, evidence_add
from monitoring.appeals.models import DeclarationState, PanelDraw, Seat, Vote, VoteChoice
from monitoring.appeals.services import declaration_make, judgment_record, panel_seat, vote_cast
from monitoring.cases.models import Note
from monitoring.models import AccessEvent
from tests.filing import MARKERS, submit_directly
from tests.monitoring.appeal_body import GROUNDS, decide, decided_case, judge
from tests.monitoring.cast import client_of, member
from tests.testdata import minimal_pdf

NOTE = "Zxqnote: the chair thinks the witness is unreliable."
OPINION = "Zxqopinion: the second letter changes everything."


@pytest.fixture
def registrar(django_user_model):
    return member(django_user_model, "registrar", "Appeal registrar")


@pytest.fixture
def judges(django_user_model):
    return [
        judge(django_user_model, "judge_rw", "RW", "rw en"),
        judge(django_user_model, "judge_fr", "FR", "fr en"),
        judge(django_user_model, "judge_ke", "KE", "en sw"),
        judge(django_user_model, "judge_ug", "UG", "en"),
    ]


@pytest.fixture
def case(member_rapporteur, chair, now):
    """An appealed case with a note of the Committee's, a file of the complaint's and a file sent
    with the appeal."""
    complaint = decided_case(rapporteur=member_rapporteur, chair=chair, now=now)
    Note.objects.create(complaint=complaint, author=chair, body=NOTE, at=now)

    def clean() -> object:
        return evidence_clean(SimpleUploadedFile("a.pdf", minimal_pdf(), "application/pdf"))

    evidence_add(complaint=complaint, clean=clean(), description="Before.", now=now)
    appeal = appeal_lodge(
        complaint=complaint,
        grounds=GROUNDS,
        now=now,
        evidence=clean(),
        evidence_description="The second letter.",
    )
    complaint.refresh_from_db()
    return complaint, appeal


def page(client, appeal):
    return client.get(reverse("admin:complaints_appeal_change", args=[appeal.pk]))


def seated(appeal, registrar, now, users, *, declared=()):
    panel_seat(appeal=appeal, judges=users, by=registrar, now=now)
    for user in declared:
        declaration_make(appeal=appeal, judge=user, recuse=False, reason="", now=now)


def shows_the_file(text: str) -> bool:
    return GROUNDS in text or MARKERS["narrative"] in text or "The arrest was arbitrary." in text


# --- who reaches what ----------------------------------------------------------------------------


def test_a_judge_sees_only_the_declaration_until_they_declare_then_the_whole_file(
    case, judges, registrar, now
):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3])
    client = client_of(judges[0])

    before = page(client, appeal).content.decode()
    client.post(reverse("admin:appeal_declare", args=[appeal.pk]), {"declaration": "no_conflict"})
    after = page(client, appeal).content.decode()

    assert "Your declaration" in before
    assert not shows_the_file(before)
    assert GROUNDS in after
    assert MARKERS["narrative"] in after
    assert "The arrest was arbitrary." in after  # the first-instance reasons
    assert "Admissibility checklist" in after
    assert "The second letter." in after  # the file sent with the appeal
    assert NOTE not in after  # never the Committee's internal notes
    assert MARKERS["name"] not in after  # identity only through the recorded reveal


def test_a_judge_downloads_the_files_once_declared_and_each_download_is_recorded(
    case, judges, registrar, now
):
    complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=judges[1:3])
    undeclared, declared = client_of(judges[0]), client_of(judges[1])
    files = list(Evidence.objects.filter(complaint=complaint).order_by("pk"))

    for item in files:
        url = reverse("admin:complaints_evidence_download", args=[item.pk])
        assert undeclared.get(url).status_code == 404
        assert declared.get(url).status_code == 200

    assert AccessEvent.objects.filter(actor=judges[1]).count() == len(files) == 2


def test_a_judge_reveals_identity_only_once_declared_and_it_is_recorded(
    case, judges, registrar, now
):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=[judges[1]])
    url = reverse("admin:appeal_reveal", args=[appeal.pk])

    refused = client_of(judges[0]).post(url, {"reason": "To write to them."})
    shown = client_of(judges[1]).post(url, {"reason": "To write to them."})

    assert refused.status_code == 403
    assert MARKERS["name"] in shown.content.decode()
    assert list(AccessEvent.objects.values_list("actor__username", flat=True)) == ["judge_fr"]


def test_a_judge_of_another_panel_reaches_nothing_of_the_appeal(
    case, judges, registrar, now, member_rapporteur, chair
):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=judges[:3])
    other_complaint = decided_case(rapporteur=member_rapporteur, chair=chair, now=now)
    other = appeal_lodge(complaint=other_complaint, grounds="Other grounds.", now=now)
    panel_seat(appeal=other, judges=[judges[3], judges[1], judges[2]], by=registrar, now=now)
    outsider = client_of(judges[3])

    listing = outsider.get(reverse("admin:complaints_appeal_changelist")).content.decode()

    assert page(outsider, appeal).status_code == 404
    assert appeal.complaint.reference not in listing
    assert other_complaint.reference in listing
    for name in ["appeal_vote", "appeal_declare", "appeal_reveal"]:
        response = outsider.post(reverse(f"admin:{name}", args=[appeal.pk]), {"choice": "uphold"})
        assert response.status_code == 404
    assert not Vote.objects.exists()


def test_first_instance_members_cannot_see_or_change_the_appeal(
    case, judges, registrar, now, member_rapporteur, chair
):
    complaint, appeal = case
    seated(appeal, registrar, now, judges[:3])

    for user in (chair, member_rapporteur):
        client = client_of(user)
        assert page(client, appeal).status_code == 403
        assert client.get(reverse("admin:complaints_appeal_changelist")).status_code == 403
        assert client.post(reverse("admin:appeal_propose", args=[appeal.pk])).status_code == 403
        case_page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
        text = case_page.content.decode()
        assert GROUNDS not in text
        assert "The second letter." not in text  # the file sent with the appeal
        sent_with_appeal = Evidence.objects.get(appeal=appeal)
        download = reverse("admin:complaints_evidence_download", args=[sent_with_appeal.pk])
        assert client.get(download).status_code == 404
    assert PanelDraw.objects.count() == 0


def test_the_registrar_sees_the_allocation_never_the_file_or_the_votes(
    case, judges, registrar, now
):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=judges[:3])
    vote_cast(appeal=appeal, judge=judges[0], choice="overturn", opinion=OPINION, now=now)
    client = client_of(registrar)

    text = page(client, appeal).content.decode()

    assert "judge_rw" in text
    assert "Votes in, round 1: 1 of 3." in text
    assert not shows_the_file(text)
    assert OPINION not in text
    assert "Overturn it" not in text
    reveal = client.get(reverse("admin:appeal_reveal", args=[appeal.pk]))
    assert reveal.status_code == 403
    download = reverse(
        "admin:complaints_evidence_download", args=[Evidence.objects.get(appeal=appeal).pk]
    )
    assert client.get(download).status_code == 404


def test_an_outsider_and_a_signed_out_visitor_reach_no_appeal_page(case, client, outsider):
    _complaint, appeal = case
    from django_otp.plugins.otp_totp.models import TOTPDevice

    outsider.is_staff = True
    outsider.save()
    TOTPDevice.objects.create(user=outsider, name="Phone", confirmed=True)
    from tests.monitoring.staff import PASSWORD

    outsider.set_password(PASSWORD)
    outsider.save()
    signed_in = client_of(outsider)

    anonymous = page(client, appeal)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))
    assert page(signed_in, appeal).status_code == 403
    lodge = reverse("admin:appeal_lodge")
    assert signed_in.post(lodge, {"reference": appeal.complaint.reference}).status_code == 403


# --- the path through the pages ------------------------------------------------------------------


def test_draw_seat_declare_vote_and_decide_through_the_pages(case, judges, registrar, now):
    complaint, appeal = case
    registry = client_of(registrar)

    registry.post(reverse("admin:appeal_propose", args=[appeal.pk]))
    draw = PanelDraw.objects.get()
    proposal = page(registry, appeal).content.decode()
    assert "Seat the judges drawn" in proposal
    registry.post(
        reverse("admin:appeal_seat", args=[appeal.pk]),
        {"draw": str(draw.uid), "judges": draw.panel},
    )
    seats = list(Seat.objects.filter(appeal=appeal))
    assert sorted(s.judge_id for s in seats) == sorted(draw.panel)
    assert all(s.draw_id == draw.pk for s in seats)

    members = {user.pk: user for user in judges}
    clients = {pk: client_of(members[pk]) for pk in draw.panel}
    for client in clients.values():
        client.post(
            reverse("admin:appeal_declare", args=[appeal.pk]), {"declaration": "no_conflict"}
        )
    presiding = Seat.objects.get(appeal=appeal, presiding=True).judge_id
    for pk, client in clients.items():
        choice = (
            "uphold" if pk == presiding or pk == min(set(draw.panel) - {presiding}) else "remit"
        )
        client.post(
            reverse("admin:appeal_vote", args=[appeal.pk]),
            {"choice": choice, "opinion": OPINION if choice == "remit" else ""},
        )
    judgment_page = page(clients[presiding], appeal).content.decode()
    assert "Record the panel's decision" in judgment_page
    response = clients[presiding].post(
        reverse("admin:appeal_judgment", args=[appeal.pk]),
        {"choice": "uphold", "reasons": "The Committee read both letters."},
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert appeal.judgment.result == AppealResult.UPHELD
    assert [o.text for o in appeal.judgment.opinions.all()] == [OPINION]


def test_a_second_vote_and_a_judgment_by_a_member_who_does_not_preside_are_refused(
    case, judges, registrar, now
):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=judges[:3])
    presiding = Seat.objects.get(appeal=appeal, presiding=True).judge
    member_ = next(u for u in judges[:3] if u != presiding)
    client = client_of(member_)
    client.post(reverse("admin:appeal_vote", args=[appeal.pk]), {"choice": "uphold"})

    again = client.post(
        reverse("admin:appeal_vote", args=[appeal.pk]), {"choice": "overturn"}, follow=True
    )
    judgment = client.post(
        reverse("admin:appeal_judgment", args=[appeal.pk]),
        {"choice": "uphold", "reasons": "Mine."},
    )

    assert "You have already voted. A vote is cast once." in again.content.decode()
    assert list(Vote.objects.values_list("choice", flat=True)) == [VoteChoice.UPHOLD]
    assert judgment.status_code == 400
    assert "The presiding judge does this." in judgment.content.decode()


def test_a_hand_picked_panel_that_breaks_a_rule_is_refused_by_name_and_nothing_is_seated(
    case, registrar, django_user_model, now
):
    _complaint, appeal = case
    two_french = [judge(django_user_model, f"judge_f{i}", "FR", "en") for i in (1, 2)]
    third = judge(django_user_model, "judge_ke", "KE", "en")

    response = client_of(registrar).post(
        reverse("admin:appeal_seat", args=[appeal.pk]),
        {"judges": [u.pk for u in [*two_french, third]]},
    )

    assert response.status_code == 400
    assert "No two members share a nationality." in response.content.decode()
    assert not Seat.objects.exists()


def test_a_recusal_through_the_page_reopens_the_seat_for_the_registrar(
    case, judges, registrar, now
):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3])
    client = client_of(judges[0])

    empty = client.post(
        reverse("admin:appeal_declare", args=[appeal.pk]), {"declaration": "recuse"}
    )
    client.post(
        reverse("admin:appeal_declare", args=[appeal.pk]),
        {"declaration": "recuse", "reason": "I know the family."},
    )

    assert empty.status_code == 400
    assert "Please say why you recuse yourself." in empty.content.decode()
    assert Seat.objects.get(judge=judges[0]).declaration == DeclarationState.RECUSED
    assert "Draw judges for the open seats" in page(client_of(registrar), appeal).content.decode()
    assert page(client, appeal).status_code == 404  # the appeal is no longer theirs to see


def test_staff_lodge_an_appeal_with_the_complainants_receipt(
    member_rapporteur, chair, django_user_model, now
):
    submission = submit_directly(now=now)
    complaint = decide(submission.complaint, rapporteur=member_rapporteur, chair=chair, now=now)
    other = decided_case(rapporteur=member_rapporteur, chair=chair, now=now)
    intake = member(django_user_model, "intake", "Intake officer")
    client = client_of(intake)
    url = reverse("admin:appeal_lodge")
    spaced = " ".join(submission.receipt[i : i + 4] for i in range(0, 16, 4))

    by_reference = client.post(url, {"receipt": other.reference, "grounds": "Wrong."})
    wrong = client.post(url, {"receipt": "1234 5678 9012 3456", "grounds": "Wrong."})
    empty = client.post(url, {"receipt": spaced, "grounds": " "})
    lodged = client.post(url, {"receipt": spaced, "grounds": "Wrong."})

    # Without the complainant's receipt, nobody lodges their one appeal for them.
    for refused in (by_reference, wrong):
        assert refused.status_code == 400
        assert "This receipt opens no complaint. Check each digit." in refused.content.decode()
    assert not other.appeals.exists()
    assert empty.status_code == 400
    assert lodged.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.APPEALED
    appeal = complaint.appeals.get()
    assert (appeal.grounds, appeal.recorded_by) == ("Wrong.", intake)
    again = client.post(url, {"receipt": spaced, "grounds": "Again."})
    assert "This complaint has no decision that can be appealed now." in again.content.decode()


def test_the_index_gives_each_role_its_appeal_queues(case, judges, registrar, now):
    _complaint, appeal = case

    registry = client_of(registrar).get(reverse("admin:index")).content.decode()
    seated(appeal, registrar, now, judges[:3])
    judge_index = client_of(judges[0]).get(reverse("admin:index")).content.decode()

    assert "Appeals whose panel has seats to fill" in registry
    assert "Appeals awaiting your declaration" not in registry
    assert "Appeals awaiting your declaration" in judge_index
    assert "Appeals whose panel has seats to fill" not in judge_index


def test_the_appeal_list_and_page_read_in_a_fixed_number_of_queries(
    case, judges, registrar, now, member_rapporteur, chair, django_assert_max_num_queries
):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=judges[:3])
    for _ in range(5):
        other = decided_case(rapporteur=member_rapporteur, chair=chair, now=now)
        lodged = appeal_lodge(complaint=other, grounds="More.", now=now)
        panel_seat(appeal=lodged, judges=judges[:3], by=registrar, now=now)
    registry, reader = client_of(registrar), client_of(judges[0])

    with django_assert_max_num_queries(20):
        assert registry.get(reverse("admin:complaints_appeal_changelist")).status_code == 200
    with django_assert_max_num_queries(30):
        assert page(reader, appeal).status_code == 200


def profile_post(client, profile, **changes):
    data = {
        "nationalities": [str(c) for c in profile.nationalities],
        "languages": profile.languages,
        "active": "on",
        **changes,
    }
    url = reverse("admin:monitoring_judgeprofile_change", args=[profile.pk])
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def test_the_two_co_presidents_are_one_national_of_the_respondent_state_and_one_not(
    judges, django_user_model
):
    client = client_of(member(django_user_model, "adm", "Administrator"))
    rwandan, french, kenyan, ugandan = (user.judge_profile for user in judges)

    first = profile_post(client, rwandan, co_president="on")
    second_rwandan = profile_post(client, french, nationalities=["FR", "RW"], co_president="on")
    second = profile_post(client, kenyan, co_president="on")
    third = profile_post(client, ugandan, co_president="on")

    assert first.status_code == 302
    assert "one national of RW and one who is not" in second_rwandan.content.decode()
    assert second.status_code == 302
    assert "The Appeal Body has two co-presidents already." in third.content.decode()
    assert sorted(p.user.username for p in type(rwandan).objects.filter(co_president=True)) == [
        "judge_ke",
        "judge_rw",
    ]


def test_an_appeal_past_its_time_is_flagged_and_queued_as_overdue(
    member_rapporteur, chair, judges, registrar, now
):
    from datetime import timedelta

    long_ago = now - timedelta(days=100)
    complaint = decided_case(rapporteur=member_rapporteur, chair=chair, now=long_ago)
    appeal_lodge(complaint=complaint, grounds="Late.", now=long_ago + timedelta(days=1))
    client = client_of(registrar)

    listing = client.get(reverse("admin:complaints_appeal_changelist")).content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    queue = client.get(reverse("admin:complaints_appeal_changelist") + "?queue=overdue")

    assert listing.count('<strong class="overdue">overdue</strong>') == 2  # the step and the appeal
    assert '<span class="queue-count queue-alert">1</span> Appeals overdue' in index
    assert complaint.reference in queue.content.decode()


def test_the_registry_cannot_designate_co_presidents_nor_change_a_sitting_judges_nationality(
    case, judges, registrar, now
):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3])
    client = client_of(registrar)
    sitting, free = judges[1].judge_profile, judges[3].judge_profile

    renamed = profile_post(client, sitting, nationalities=["FR", "RW"])
    designated = profile_post(client, free, co_president="on")

    assert "sits on a panel still hearing an appeal" in renamed.content.decode()
    sitting.refresh_from_db()
    free.refresh_from_db()
    assert [str(c) for c in sitting.nationalities] == ["FR"]
    assert designated.status_code == 302  # saved, the co-presidency left as it was
    assert not free.co_president


def test_a_judge_reaches_the_file_only_while_hearing_the_appeal(case, judges, registrar, now):
    complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=judges[:3])
    for user in judges[:3]:
        vote_cast(appeal=appeal, judge=user, choice="remit", opinion="", now=now)
    presiding = Seat.objects.get(appeal=appeal, presiding=True).judge
    judgment_record(appeal=appeal, by=presiding, choice="remit", reasons="Look again.", now=now)
    client = client_of(judges[0])
    files = Evidence.objects.filter(complaint=complaint)

    text = page(client, appeal).content.decode()
    downloads = [
        client.get(reverse("admin:complaints_evidence_download", args=[f.pk])).status_code
        for f in files
    ]
    reveal = client.post(reverse("admin:appeal_reveal", args=[appeal.pk]), {"reason": "Later."})

    assert "Look again." in text  # the decision, which the complainant reads too
    assert GROUNDS not in text
    assert MARKERS["narrative"] not in text
    assert downloads == [404, 404]
    assert reveal.status_code == 403
    assert not AccessEvent.objects.exists()


def test_the_registry_frees_the_seat_of_a_judge_who_does_not_declare(case, judges, registrar, now):
    _complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=[judges[0]])
    client = client_of(registrar)
    waiting = Seat.objects.get(appeal=appeal, judge=judges[1])
    declared = Seat.objects.get(appeal=appeal, judge=judges[0])

    empty = client.post(reverse("admin:appeal_vacate", args=[appeal.pk, waiting.uid]), {})
    freed = client.post(
        reverse("admin:appeal_vacate", args=[appeal.pk, waiting.uid]),
        {"reason": "No declaration in three weeks."},
    )
    refused = client.post(
        reverse("admin:appeal_vacate", args=[appeal.pk, declared.uid]),
        {"reason": "Busy."},
        follow=True,
    )

    assert empty.status_code == 400
    assert freed.status_code == 302
    waiting.refresh_from_db()
    assert waiting.declaration == DeclarationState.VACATED
    assert waiting.recusal_reason == "No declaration in three weeks."
    assert "only they can leave the panel, by recusing" in refused.content.decode()
    assert Seat.objects.get(pk=declared.pk).declaration == DeclarationState.NO_CONFLICT
    again = panel_seat_refusal(appeal, registrar, now, judges[1])
    assert again == "judge_fr was removed from this panel and cannot sit on it again."


def panel_seat_refusal(appeal, registrar, now, user) -> str:
    from tests.monitoring.writes import refusal

    return refusal(lambda: panel_seat(appeal=appeal, judges=[user], by=registrar, now=now))


def test_a_page_address_with_a_digit_that_is_not_ascii_is_not_found(case, registrar):
    client = client_of(registrar)

    response = client.get("/staff/complaints/appeal/%C2%B2/change/")
    case_page = client.get("/staff/complaints/complaint/%C2%B2/change/")

    assert response.status_code == 404
    assert case_page.status_code in {302, 403, 404}


def test_the_committee_reads_why_the_appeal_body_sent_a_case_back(
    case, judges, registrar, now, chair
):
    complaint, appeal = case
    seated(appeal, registrar, now, judges[:3], declared=judges[:3])
    for user in judges[:3]:
        vote_cast(appeal=appeal, judge=user, choice="remit", opinion=OPINION, now=now)
    presiding = Seat.objects.get(appeal=appeal, presiding=True).judge
    judgment_record(
        appeal=appeal, by=presiding, choice="remit", reasons="Read the second letter.", now=now
    )

    text = (
        client_of(chair)
        .get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
        .content.decode()
    )

    assert "Sent back to the Committee to examine again" in text
    assert "Read the second letter." in text
    assert GROUNDS not in text
    assert "judge_" not in text
