"""The deadline of every case still with the Committee, from its status history."""

from django.db import migrations

from complaints.deadlines import DeadlineRules, Step, deadline

WITH_THE_COMMITTEE = ["received", "triage", "awaiting_complainant", "examination"]


def deadlines_compute(apps: object, schema_editor: object) -> None:
    complaint_model = apps.get_model("complaints", "Complaint")
    change_model = apps.get_model("complaints", "StatusChange")
    rules = DeadlineRules.from_settings()
    batch = []
    cases = complaint_model.objects.filter(status__in=WITH_THE_COMMITTEE).only(
        "pk", "immediate_danger"
    )
    for complaint in cases.iterator(chunk_size=2000):
        history = change_model.objects.filter(complaint_id=complaint.pk).order_by("at", "pk")
        steps = [Step(status=s, at=at) for s, at in history.values_list("to_status", "at")]
        complaint.due_at = deadline(steps, danger=complaint.immediate_danger, rules=rules).due_at
        batch.append(complaint)
        if len(batch) == 2000:
            complaint_model.objects.bulk_update(batch, ["due_at"])
            batch = []
    complaint_model.objects.bulk_update(batch, ["due_at"])


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_case_rapporteur_deadline_and_unread")]

    operations = [migrations.RunPython(deadlines_compute, migrations.RunPython.noop)]
