import uuid

from django.db import connection

from complaints.models import CaseHistory, Complaint, Status, Victim


def test_filing_records_the_insert_of_every_row_of_the_case(complainant_case):

    inserted = set(CaseHistory.objects.filter(operation="INSERT").values_list("table", flat=True))

    assert {
        "complaints_complaint",
        "complaints_complainant",
        "complaints_victim",
        "complaints_statuschange",
    } <= inserted
    # The row itself is the copy of what was inserted: the record keeps no second one.
    assert not CaseHistory.objects.filter(old__isnull=False).exists()
    assert not CaseHistory.objects.filter(new__isnull=False).exists()


def test_an_update_records_the_columns_it_changed_with_the_rows_identity(complainant_case):
    complaint, _receipt = complainant_case
    complaint.narrative = "A corrected account."
    # Only the column saved: a full save() writes every encrypted column anew (fresh nonces),
    # which the record would then hold as changed.
    complaint.save(update_fields=["narrative"])

    change = CaseHistory.objects.get(table="complaints_complaint", operation="UPDATE")

    assert set(change.old) == set(change.new) == {"id", "uid", "narrative"}
    assert uuid.UUID(change.old["uid"]) == complaint.uid
    assert change.old["narrative"].startswith("afr1:")  # encrypted fields stay encrypted here
    assert change.new["narrative"].startswith("afr1:")
    assert change.old["narrative"] != change.new["narrative"]


def test_an_update_that_changes_nothing_is_not_recorded(complainant_case):
    complaint, _receipt = complainant_case

    Complaint.objects.filter(pk=complaint.pk).update(status=complaint.status)

    assert not CaseHistory.objects.filter(operation="UPDATE").exists()


def test_a_bulk_update_is_recorded_with_the_old_and_new_values(complainant_case):
    complaint, _receipt = complainant_case

    Complaint.objects.filter(pk=complaint.pk).update(status=Status.CLOSED)

    change = CaseHistory.objects.filter(table="complaints_complaint", operation="UPDATE").get()
    assert change.row_id == complaint.pk
    assert (change.old["status"], change.new["status"]) == ("received", "closed")
    assert set(change.old) == {"id", "uid", "status"}  # what changed, and whose row


def test_raw_sql_and_deletes_are_recorded_too(complainant_case):
    complaint, _receipt = complainant_case
    victim = complaint.victims.get()

    with connection.cursor() as cursor:
        cursor.execute("UPDATE complaints_victim SET sex = 'female' WHERE id = %s", [victim.pk])
    Victim.objects.filter(pk=victim.pk).delete()

    operations = list(
        CaseHistory.objects.filter(table="complaints_victim", row_id=victim.pk).values_list(
            "operation", flat=True
        )
    )
    assert operations == ["INSERT", "UPDATE", "DELETE"]
    deleted = CaseHistory.objects.get(table="complaints_victim", operation="DELETE")
    assert deleted.old["sex"] == "female"  # a deleted row is kept whole: the table no longer has it
    assert deleted.old["complaint_id"] == complaint.pk


def test_the_newest_columns_are_recorded_when_they_change(complainant_case, django_user_model):
    complaint, _receipt = complainant_case
    member = django_user_model.objects.create_user(username="member")

    Complaint.objects.filter(pk=complaint.pk).update(rapporteur=member, due_at=None)

    change = CaseHistory.objects.get(table="complaints_complaint", operation="UPDATE")
    assert (change.old["rapporteur_id"], change.new["rapporteur_id"]) == (None, member.pk)
    assert change.old["due_at"] is not None
    assert change.new["due_at"] is None


def test_on_sqlite_each_trigger_names_every_column_of_its_table(db):
    from django.apps import apps

    from complaints.history import TRACKED_MODELS

    if connection.vendor != "sqlite":
        return  # PostgreSQL's triggers read whole rows (to_jsonb) and name no column
    with connection.cursor() as cursor:
        for name in TRACKED_MODELS:
            model = apps.get_model("complaints", name)
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [f"{model._meta.db_table}_history_update"],
            )
            (sql,) = cursor.fetchone()
            missing = [f.column for f in model._meta.concrete_fields if f'"{f.column}"' not in sql]
            assert not missing, (name, missing)
