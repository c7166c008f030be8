"""Giving case content to an account, or resetting one that has it, takes two people."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from monitoring.models import (
    PendingPassword,
    StaffChange,
    StaffChangeDecision,
    StaffChangeKind,
    StaffChangeOutcome,
)
from monitoring.staff_changes import StaffChangeRefused, staff_change_decide, staff_change_request
from tests.monitoring.staff import (
    PASSWORD,
    code_for,
    enter_password,
    sign_in,
    user_form_data,
    wrong_code,
)

NEW_PASSWORD = "a brand new passphrase 77"


def _member(django_user_model, username: str, *roles: str):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def _signed_in(user) -> Client:
    client = Client()
    sign_in(client, user, TOTPDevice.objects.create(user=user, name="Phone", confirmed=True))
    return client


@pytest.fixture
def administrator(django_user_model):
    return _member(django_user_model, "adm", "Administrator")


@pytest.fixture
def administrator_client(administrator):
    return _signed_in(administrator)


@pytest.fixture
def chair(django_user_model):
    return _member(django_user_model, "chair", "Committee chair")


@pytest.fixture
def chair_client(chair):
    return _signed_in(chair)


@pytest.fixture
def person(django_user_model):
    """A new colleague, with no role yet."""
    return _member(django_user_model, "newperson")


def roles_post(client: Client, account, *roles: str):
    data = {
        **user_form_data(client, account),
        "groups": list(Group.objects.filter(name__in=roles).values_list("pk", flat=True)),
        "is_staff": "on",
        "is_active": "on",
    }
    return client.post(reverse("admin:auth_user_change", args=[account.pk]), data, follow=True)


def decide(client: Client, change: StaffChange, verb: str = "confirm", *, code: str = ""):
    url = reverse(f"admin:monitoring_staffchange_{verb}", args=[change.pk])
    return client.post(url, {"code": code} if code else {}, follow=True)


def app_of(account) -> TOTPDevice:
    """The account's own authenticator app, as its holder set it up."""
    return TOTPDevice.objects.create(user=account, name="Phone", confirmed=True)


def roles_of(account) -> set[str]:
    return set(account.groups.values_list("name", flat=True))


def test_an_administrator_giving_the_chairs_role_only_proposes_it(
    administrator_client, administrator, person
):
    page = roles_post(administrator_client, person, "Committee chair", "Appeal registrar")

    assert roles_of(person) == {"Appeal registrar"}
    change = StaffChange.objects.get()
    assert (change.kind, change.account, change.group.name, change.proposed_by) == (
        StaffChangeKind.GRANT_ROLE,
        person,
        "Committee chair",
        administrator,
    )
    assert not StaffChangeDecision.objects.exists()
    assert "awaits confirmation by the Committee chair" in page.content.decode()


def test_the_chair_confirming_applies_the_role_and_records_who_decided(
    administrator_client, chair_client, chair, person
):
    app = app_of(person)
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()

    decide(chair_client, change, code=code_for(app))

    assert roles_of(person) == {"Rapporteur"}
    decision = StaffChangeDecision.objects.get()
    assert (decision.change, decision.outcome, decision.by) == (
        change,
        StaffChangeOutcome.CONFIRMED,
        chair,
    )


def test_the_chair_refusing_applies_nothing_and_records_the_refusal(
    administrator_client, chair_client, person
):
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()

    decide(chair_client, change, "refuse")

    assert roles_of(person) == set()
    assert StaffChangeDecision.objects.get().outcome == StaffChangeOutcome.REFUSED


def test_a_change_decided_once_cannot_be_decided_again(administrator_client, chair_client, person):
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()
    decide(chair_client, change, "refuse")

    page = decide(chair_client, change)

    assert roles_of(person) == set()
    assert StaffChangeDecision.objects.count() == 1
    assert "already been decided" in page.content.decode()


def test_nobody_confirms_their_own_proposal(django_user_model, person):
    both = _member(django_user_model, "both", "Administrator", "Committee chair")
    client = _signed_in(both)
    roles_post(client, person, "Rapporteur")
    change = StaffChange.objects.get()

    page = decide(client, change)

    assert roles_of(person) == set()
    assert not StaffChangeDecision.objects.exists()
    assert "other than the proposer" in page.content.decode()


def test_nobody_confirms_a_change_to_their_own_account(administrator, chair, now):
    change = staff_change_request(
        kind=StaffChangeKind.REMOVE_DEVICE, account=chair, by=administrator, now=now
    )

    with pytest.raises(StaffChangeRefused):
        staff_change_decide(change=change, by=chair, confirm=True, now=now)

    assert not StaffChangeDecision.objects.exists()


def test_a_role_that_sees_no_case_content_is_given_at_once(administrator_client, person):
    roles_post(administrator_client, person, "Appeal registrar", "Data officer")

    assert roles_of(person) == {"Appeal registrar", "Data officer"}
    assert not StaffChange.objects.exists()


def test_the_intake_role_takes_a_second_person_it_hears_receipts(administrator_client, person):
    roles_post(administrator_client, person, "Intake officer")

    assert roles_of(person) == set()
    assert StaffChange.objects.get().group.name == "Intake officer"


def test_a_new_role_is_sensitive_by_its_permissions_not_its_name(administrator_client, person):
    vice = Group.objects.create(name="Vice-chair")
    vice.permissions.add(Permission.objects.get(codename="reveal_identity"))

    roles_post(administrator_client, person, "Vice-chair")

    assert roles_of(person) == set()
    assert StaffChange.objects.get().group == vice


def test_taking_a_sensitive_role_away_is_immediate(administrator_client, django_user_model):
    rapporteur = _member(django_user_model, "rap", "Rapporteur", "Intake officer")

    roles_post(administrator_client, rapporteur, "Intake officer")

    assert roles_of(rapporteur) == {"Intake officer"}
    change = StaffChange.objects.select_related("decision").get()
    assert (change.kind, change.group.name, change.decision.outcome) == (
        StaffChangeKind.REMOVE_ROLE,
        "Rapporteur",
        StaffChangeOutcome.RECORDED,
    )


def test_a_superusers_grant_applies_at_once_and_is_recorded(person, superuser_with_device):
    client = Client()
    sign_in(client, superuser_with_device, TOTPDevice.objects.get(user=superuser_with_device))

    roles_post(client, person, "Committee chair")

    assert roles_of(person) == {"Committee chair"}
    decision = StaffChangeDecision.objects.select_related("change").get()
    assert (decision.outcome, decision.by, decision.change.proposed_by) == (
        StaffChangeOutcome.APPLIED_DIRECTLY,
        superuser_with_device,
        superuser_with_device,
    )


def password_post(client: Client, account):
    url = reverse("admin:auth_user_password_change", args=[account.pk])
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    return client.post(url, data, follow=True)


def test_resetting_the_chairs_password_waits_for_a_second_person(
    administrator_client, chair, django_user_model
):
    page = password_post(administrator_client, chair)

    chair.refresh_from_db()
    assert chair.check_password(PASSWORD)
    change = StaffChange.objects.get()
    assert (change.kind, change.account) == (StaffChangeKind.RESET_PASSWORD, chair)
    assert NEW_PASSWORD not in PendingPassword.objects.get().password_hash
    assert "awaits confirmation" in page.content.decode()

    vice_chair = _member(django_user_model, "vice", "Committee chair")
    decide(_signed_in(vice_chair), change)

    chair.refresh_from_db()
    assert chair.check_password(NEW_PASSWORD)
    assert not PendingPassword.objects.exists()  # the proposed hash does not outlive the decision
    assert StaffChangeDecision.objects.get().by == vice_chair


def test_a_refused_password_leaves_no_trace_of_its_hash(
    administrator_client, chair, django_user_model
):
    password_post(administrator_client, chair)
    vice_chair = _member(django_user_model, "vice", "Committee chair")

    decide(_signed_in(vice_chair), StaffChange.objects.get(), "refuse")

    chair.refresh_from_db()
    assert chair.check_password(PASSWORD)
    assert not PendingPassword.objects.exists()


def test_the_password_of_an_account_without_case_content_is_reset_at_once(
    administrator_client, django_user_model
):
    registrar = _member(django_user_model, "registrar", "Appeal registrar")

    password_post(administrator_client, registrar)

    registrar.refresh_from_db()
    assert registrar.check_password(NEW_PASSWORD)
    change = StaffChange.objects.select_related("decision").get()
    assert (change.kind, change.proposed_by.username, change.decision.outcome) == (
        StaffChangeKind.RESET_PASSWORD,
        "adm",
        StaffChangeOutcome.RECORDED,
    )
    assert not PendingPassword.objects.exists()


def test_removing_a_rapporteurs_app_waits_for_the_chair(
    administrator_client, chair_client, rapporteur, rapporteur_device
):
    url = reverse("admin:otp_totp_totpdevice_delete", args=[rapporteur_device.pk])

    page = administrator_client.post(url, {"post": "yes"}, follow=True)

    assert TOTPDevice.objects.filter(pk=rapporteur_device.pk).exists()
    change = StaffChange.objects.get()
    assert (change.kind, change.account) == (StaffChangeKind.REMOVE_DEVICE, rapporteur)
    assert "awaits confirmation" in page.content.decode()

    decide(chair_client, change)

    assert not TOTPDevice.objects.filter(user=rapporteur).exists()


def test_removing_apps_in_bulk_spares_sensitive_accounts_until_confirmed(
    administrator_client, rapporteur, rapporteur_device, django_user_model
):
    registrar = _member(django_user_model, "registrar", "Appeal registrar")
    registrar_device = TOTPDevice.objects.create(user=registrar, name="Phone", confirmed=True)
    data = {
        "action": "delete_selected",
        "_selected_action": [rapporteur_device.pk, registrar_device.pk],
        "post": "yes",
    }

    administrator_client.post(reverse("admin:otp_totp_totpdevice_changelist"), data)

    assert TOTPDevice.objects.filter(pk=rapporteur_device.pk).exists()
    assert not TOTPDevice.objects.filter(pk=registrar_device.pk).exists()
    assert StaffChange.objects.get(decision__isnull=True).account == rapporteur
    assert (
        StaffChange.objects.get(decision__outcome=StaffChangeOutcome.RECORDED).account == registrar
    )


def test_the_chair_sees_what_awaits_confirmation(administrator_client, chair_client, person):
    roles_post(administrator_client, person, "Rapporteur")

    index = chair_client.get(reverse("admin:index")).content.decode()
    listing = chair_client.get(
        reverse("admin:monitoring_staffchange_changelist"), {"decision": "pending"}
    )

    assert "1 staff account change awaits your confirmation" in index
    assert list(listing.context["cl"].result_list) == [StaffChange.objects.get()]


def test_the_administrator_sees_the_outcome_of_their_proposal(
    administrator_client, chair_client, person
):
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()
    decide(chair_client, change, "refuse")

    url = reverse("admin:monitoring_staffchange_change", args=[change.pk])
    page = administrator_client.get(url)

    assert page.status_code == 200
    assert "Refused" in page.content.decode()
    assert "Confirm and apply" not in page.content.decode()


def test_an_administrator_or_outsider_cannot_reach_the_confirm_view(
    administrator_client, person, outsider
):
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()
    outsider_client = Client()
    outsider_client.force_login(outsider)

    refused = decide(administrator_client, change)
    outside = outsider_client.post(
        reverse("admin:monitoring_staffchange_confirm", args=[change.pk])
    )

    assert refused.status_code == 403
    assert outside.status_code == 302
    assert outside.url.startswith(reverse("admin:login"))
    assert roles_of(person) == set()
    assert not StaffChangeDecision.objects.exists()


def test_confirming_takes_a_post(administrator_client, chair_client, person):
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()

    page = chair_client.get(reverse("admin:monitoring_staffchange_confirm", args=[change.pk]))

    assert page.status_code == 405
    assert roles_of(person) == set()


@pytest.fixture
def decided(administrator, chair, person, now):
    change = staff_change_request(
        kind=StaffChangeKind.GRANT_ROLE,
        account=person,
        group=Group.objects.get(name="Rapporteur"),
        by=administrator,
        now=now,
    )
    return staff_change_decide(change=change, by=chair, confirm=False, now=now)


@pytest.mark.parametrize("table", ["monitoring_staffchange", "monitoring_staffchangedecision"])
def test_staff_change_records_cannot_be_rewritten(decided, table):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET at = at")  # noqa: S608 (a fixed table name)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite refuses UPDATE only (Django's test flush deletes rows there)",
)
@pytest.mark.parametrize("table", ["monitoring_staffchange", "monitoring_staffchangedecision"])
def test_staff_change_records_cannot_be_deleted_on_postgresql(decided, table):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a fixed table name)


def test_switching_off_the_chairs_password_sign_in_is_immediate(administrator_client, chair):
    url = reverse("admin:auth_user_password_change", args=[chair.pk])

    administrator_client.post(url, {"usable_password": "false", "unset-password": "1"})

    chair.refresh_from_db()
    assert not chair.has_usable_password()
    change = StaffChange.objects.get()
    assert (change.kind, change.decision.outcome) == (
        StaffChangeKind.RESET_PASSWORD,
        StaffChangeOutcome.RECORDED,
    )


def test_the_chair_is_offered_confirm_and_refuse_on_a_waiting_change(
    administrator_client, chair_client, person
):
    app_of(person)
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()

    page = chair_client.get(reverse("admin:monitoring_staffchange_change", args=[change.pk]))

    html = page.content.decode()
    assert reverse("admin:monitoring_staffchange_confirm", args=[change.pk]) in html
    assert reverse("admin:monitoring_staffchange_refuse", args=[change.pk]) in html


def test_a_confirmation_without_the_csrf_token_is_refused(
    administrator_client, chair_client, person
):
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = chair_client.cookies  # the chair's signed-in session, without the form

    page = strict.post(reverse("admin:monitoring_staffchange_confirm", args=[change.pk]))

    assert page.status_code == 403
    assert roles_of(person) == set()
    assert not StaffChangeDecision.objects.exists()


def test_a_superusers_password_reset_applies_at_once_and_is_recorded(superuser_with_device, chair):
    client = Client()
    sign_in(client, superuser_with_device, TOTPDevice.objects.get(user=superuser_with_device))

    password_post(client, chair)

    chair.refresh_from_db()
    assert chair.check_password(NEW_PASSWORD)
    assert StaffChangeDecision.objects.get().outcome == StaffChangeOutcome.APPLIED_DIRECTLY
    assert not PendingPassword.objects.exists()


def test_a_change_holds_at_most_one_decision(decided, chair):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffChangeDecision.objects.create(
            change=decided.change, outcome=StaffChangeOutcome.CONFIRMED, by=chair
        )


def _enrol_as(username: str, password: str) -> TOTPDevice:
    """Sign in with a password to an account that has no app, and set up one's own app on it."""
    client = Client()
    assert enter_password(client, username, password).url == reverse("admin:login_enrol")
    client.get(reverse("admin:login_enrol"))
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    answer = client.post(reverse("admin:login_enrol"), {"otp_token": code_for(device)})
    assert answer.url == reverse("admin:index")
    device.refresh_from_db()
    return device


def test_stripping_resetting_and_giving_back_a_role_is_recorded_and_needs_the_holders_code(
    administrator_client, chair_client, django_user_model
):
    bob = _member(django_user_model, "bob", "Rapporteur")
    bobs_phone = app_of(bob)
    roles_post(administrator_client, bob)  # 1. the role taken away, at once
    password_post(administrator_client, bob)  # 2. bob holds nothing sensitive: reset at once
    device_url = reverse("admin:otp_totp_totpdevice_delete", args=[bobs_phone.pk])
    administrator_client.post(device_url, {"post": "yes"})  # 3. his app removed, at once
    roles_post(administrator_client, bob, "Rapporteur")  # 4. the role asked for again
    intruders_app = _enrol_as("bob", NEW_PASSWORD)  # 5. the Administrator's own app on bob
    grant = StaffChange.objects.get(kind=StaffChangeKind.GRANT_ROLE)

    page = chair_client.get(reverse("admin:monitoring_staffchange_change", args=[grant.pk]))
    missing = decide(chair_client, grant)
    bobs_code = decide(chair_client, grant, code=code_for(bobs_phone))  # from his real phone

    recorded = StaffChange.objects.order_by("at", "pk")
    assert [(c.kind, c.proposed_by.username, c.username) for c in recorded] == [
        (StaffChangeKind.REMOVE_ROLE, "adm", "bob"),
        (StaffChangeKind.RESET_PASSWORD, "adm", "bob"),
        (StaffChangeKind.REMOVE_DEVICE, "adm", "bob"),
        (StaffChangeKind.GRANT_ROLE, "adm", "bob"),
    ]
    assert StaffChangeDecision.objects.filter(outcome=StaffChangeOutcome.RECORDED).count() == 3
    html = page.content.decode()
    assert "Its password was reset by adm" in html
    assert "Its authenticator app was removed by adm" in html
    assert "The authenticator app it has now was set up on" in html
    for answer in (missing, bobs_code):
        assert "That is not the code this account" in answer.content.decode()
    assert roles_of(bob) == set()
    assert not hasattr(StaffChange.objects.get(pk=grant.pk), "decision")
    assert TOTPDevice.objects.get(user=bob) == intruders_app


def test_a_role_is_given_when_the_chair_types_the_code_the_holders_app_shows(
    administrator_client, chair_client, person
):
    app = app_of(person)
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()

    wrong = decide(chair_client, change, code=wrong_code(app))
    assert roles_of(person) == set()
    assert "nothing was confirmed" in wrong.content.decode()

    app.refresh_from_db()
    app.throttle_reset()  # a wrong code makes the app wait a second before the next try
    decide(chair_client, change, code=code_for(app))
    assert roles_of(person) == {"Rapporteur"}
    assert StaffChangeDecision.objects.get().outcome == StaffChangeOutcome.CONFIRMED


def test_an_account_without_an_app_cannot_be_given_a_sensitive_role(
    administrator_client, chair_client, person
):
    roles_post(administrator_client, person, "Rapporteur")
    change = StaffChange.objects.get()

    page = chair_client.get(reverse("admin:monitoring_staffchange_change", args=[change.pk]))
    answer = decide(chair_client, change, code="123456")

    assert "ask them to sign in once and set up their app first" in page.content.decode()
    assert "ask them to sign in once and set up their app first" in answer.content.decode()
    assert roles_of(person) == set()
    assert not StaffChangeDecision.objects.exists()


def rename_post(client: Client, account, username: str):
    data = {
        **user_form_data(client, account),
        "username": username,
        "groups": list(account.groups.values_list("pk", flat=True)),
        "is_staff": "on",
        "is_active": "on",
    }
    return client.post(reverse("admin:auth_user_change", args=[account.pk]), data)


def test_an_account_with_a_waiting_change_cannot_be_renamed(
    administrator_client, django_user_model
):
    alice = _member(django_user_model, "alice")
    puppet = _member(django_user_model, "puppet")
    roles_post(administrator_client, puppet, "Rapporteur")

    moved = rename_post(administrator_client, alice, "alice.old")
    refused = rename_post(administrator_client, puppet, "alice")

    assert moved.status_code == 302
    assert refused.status_code == 200
    assert "cannot be renamed until the chair has decided" in refused.content.decode()
    puppet.refresh_from_db()
    assert puppet.username == "puppet"
    rename = StaffChange.objects.get(kind=StaffChangeKind.RENAME)
    assert (rename.account, rename.username, rename.renamed_to, rename.decision.outcome) == (
        alice,
        "alice",
        "alice.old",
        StaffChangeOutcome.RECORDED,
    )


def test_the_confirmation_page_shows_the_account_as_asked_and_its_recent_changes(
    administrator_client, chair_client, django_user_model
):
    puppet = _member(django_user_model, "puppet", "Intake officer")
    rename_post(administrator_client, puppet, "alice")
    puppet.refresh_from_db()
    roles_post(administrator_client, puppet)  # Intake officer taken away
    roles_post(administrator_client, puppet, "Rapporteur")
    change = StaffChange.objects.get(kind=StaffChangeKind.GRANT_ROLE)

    page = chair_client.get(reverse("admin:monitoring_staffchange_change", args=[change.pk]))

    html = page.content.decode()
    assert change.username == "alice"
    assert change.account_joined == puppet.date_joined
    assert "<strong>alice</strong>" in html
    assert "Last signed in" in html
    assert "Never" in html
    assert "It was renamed from “puppet” to “alice” by adm" in html
    history = list(page.context["history"])
    assert [(c.kind, c.proposed_by.username) for c in history] == [
        (StaffChangeKind.GRANT_ROLE, "adm"),
        (StaffChangeKind.REMOVE_ROLE, "adm"),
        (StaffChangeKind.RENAME, "adm"),
    ]
    assert "Role removed" in html
    assert "Intake officer" in html


def test_an_administrator_cannot_change_when_an_account_was_created(administrator_client, person):
    joined = person.date_joined
    data = {**user_form_data(administrator_client, person), "is_staff": "on", "is_active": "on"}
    data |= {"date_joined_0": "2001-01-01", "date_joined_1": "10:00:00"}

    administrator_client.post(reverse("admin:auth_user_change", args=[person.pk]), data)

    person.refresh_from_db()
    assert person.date_joined == joined
