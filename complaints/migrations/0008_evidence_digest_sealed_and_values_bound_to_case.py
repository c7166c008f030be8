"""Evidence digests and sizes encrypted; every value of a case's rows bound to its complaint.

Before: an evidence row's SHA-256 and exact size were in clear (in the row and in its history
copies), and a victim's, message's or status change's ciphertext was bound to its own row only,
so that pointing the row at another complaint moved it into that case. After: both are sealed
with the field encryption, and each child row's values name their complaint's uid too.
"""

from django.db import migrations

import complaints.fields
from complaints import crypto
from complaints.fields import Sealed, field_context, has_case
from complaints.history import history_triggers_install

# The case's tables as they were at this migration (complaints.history.TRACKED_MODELS grows later).
TRACKED_MODELS = ["complainant", "complaint", "victim", "evidence", "message", "statuschange"]

NEWLY_SEALED = {"evidence": ["sha256", "size"]}


def _encrypted_names(model: type) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, complaints.fields.EncryptedTextField)
    ]


def _reseal(
    token: object, *, label: str, name: str, uid: object, case_uid: object, plain: bool
) -> str:
    """A value sealed under its case; `plain` values were stored in clear until now.

    Values already bound to their case (on PostgreSQL the triggers copy this migration's own
    updates into the history) are kept as they are.
    """
    bound = field_context(label, name, uid, case_uid)
    if not (isinstance(token, str) and token.startswith(f"{crypto.TEXT_PREFIX}:")):
        if not plain:
            raise ValueError(f"{label}.{name} of {uid} is not encrypted")
        return crypto.encrypt_text(str(token), context=bound)
    try:
        crypto.decrypt_text(token, context=bound)
    except crypto.DecryptionFailed:
        text = crypto.decrypt_text(token, context=field_context(label, name, uid))
        return crypto.encrypt_text(text, context=bound)
    return str(token)


def _case_models(apps: object) -> list[type]:
    found = [apps.get_model("complaints", name) for name in TRACKED_MODELS]
    return [model for model in found if has_case(model) and _encrypted_names(model)]


def rows_reseal(apps: object) -> None:
    for model in _case_models(apps):
        names = _encrypted_names(model)
        label, newly = model._meta.label_lower, NEWLY_SEALED.get(model._meta.model_name, [])
        rows = model.objects.values_list("pk", "uid", "complaint__uid", *names)
        for pk, uid, case_uid, *tokens in rows.iterator():
            sealed = {
                name: Sealed(
                    _reseal(
                        token, label=label, name=name, uid=uid, case_uid=case_uid, plain=name in newly
                    )
                )
                for name, token in zip(names, tokens, strict=True)
            }
            model.objects.filter(pk=pk).update(**sealed)


def _history_row_reseal(
    row: dict, *, model: type, names: list[str], case_uids: dict[int, object]
) -> None:
    label, newly = model._meta.label_lower, NEWLY_SEALED.get(model._meta.model_name, [])
    case_uid = case_uids.get(row.get("complaint_id"))
    for name in names:
        column = model._meta.get_field(name).column
        if row.get(column) is None:
            continue
        if case_uid is None:
            # The case is gone: nothing can bind this copy; drop what was in clear.
            if name in newly:
                row[column] = None
            continue
        row[column] = _reseal(
            row[column],
            label=label,
            name=name,
            uid=row["uid"],
            case_uid=case_uid,
            plain=name in newly,
        )


def history_reseal(apps: object) -> None:
    """The triggers' copies: the same conversion, so that no plain digest or size stays there."""
    CaseHistory = apps.get_model("complaints", "CaseHistory")
    Complaint = apps.get_model("complaints", "Complaint")
    case_uids = dict(Complaint.objects.values_list("pk", "uid"))
    for model in _case_models(apps):
        names = _encrypted_names(model)
        records = CaseHistory.objects.filter(table=model._meta.db_table).order_by("pk")
        for record in records.iterator():
            for row in (record.old, record.new):
                if row:
                    _history_row_reseal(row, model=model, names=names, case_uids=case_uids)
            record.save(update_fields=["old", "new"])


def forwards(apps: object, schema_editor: object) -> None:
    rows_reseal(apps)
    history_reseal(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_case_content_permission"),
    ]

    operations = [
        migrations.AlterField(
            model_name="evidence",
            name="sha256",
            field=complaints.fields.EncryptedTextField(verbose_name="SHA-256"),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="size",
            field=complaints.fields.EncryptedTextField(verbose_name="size in bytes"),
        ),
        # Irreversible on purpose: undoing it would write the digests back in clear.
        migrations.RunPython(forwards, elidable=False),
        # SQLite rebuilt the evidence table above, dropping its triggers; PostgreSQL needs nothing.
        migrations.RunPython(history_triggers_install, migrations.RunPython.noop),
    ]
