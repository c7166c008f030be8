from django.db import connection

from complaints.models import CaseHistory, Complaint, Status, Victim


def test_filing_records_the_insert_of_every_row_of_the_case(complainant_case):
    complaint, _receipt = complainant_case

    inserted = set(CaseHistory.objects.filter(operation="INSERT").values_list("table", flat=True))

    assert {
        "complaints_complaint",
        "complaints_complainant",
        "complaints_victim",
        "complaints_statuschange",
    } <= inserted
    row = CaseHistory.objects.get(table="complaints_complaint", row_id=complaint.pk)
    assert row.new["reference"] == complaint.reference
    assert row.new["narrative"].startswith("afr1:")  # encrypted fields stay encrypted here


def test_a_bulk_update_is_recorded_with_the_old_and_new_values(complainant_case):
    complaint, _receipt = complainant_case

    Complaint.objects.filter(pk=complaint.pk).update(status=Status.CLOSED)

    change = CaseHistory.objects.filter(table="complaints_complaint", operation="UPDATE").get()
    assert change.row_id == complaint.pk
    assert (change.old["status"], change.new["status"]) == ("received", "closed")


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
