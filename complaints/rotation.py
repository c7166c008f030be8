"""Re-encrypting everything under the active key, so that an old key can be removed."""

import uuid

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction

from complaints import crypto
from complaints.evidence import evidence_file_context
from complaints.fields import CASE_FIELD, EncryptedTextField, Sealed, field_context, has_case
from complaints.models import CaseHistory, Complaint, Evidence


def encrypted_models() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if names:
            found.append((model, names))
    return found


def _stale(row: models.Model, names: list[str], active: str) -> bool:
    return any(
        isinstance(row.__dict__[name], Sealed) and crypto.text_key_id(row.__dict__[name]) != active
        for name in names
    )


def _locked(model: type[models.Model]) -> models.QuerySet:
    if not has_case(model):
        return model.objects.select_for_update()
    # Child rows' values are bound to their complaint's uid: load it with them, lock only them.
    return model.objects.select_related(CASE_FIELD).select_for_update(of=("self",))


def records_reencrypt(*, batch_size: int = 500) -> int:
    """Re-encrypt every encrypted field not under the active key; returns rows rewritten."""
    active = crypto.keyring().active_id
    rewritten = 0
    for model, names in encrypted_models():
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                batch = _locked(model).filter(pk__in=pks[start : start + batch_size])
                for row in batch:
                    if _stale(row, names, active):
                        for name in names:
                            getattr(row, name)  # decrypt now, under whichever key sealed it
                        row.save(update_fields=names)
                        rewritten += 1
    return rewritten


def history_reencrypt() -> int:
    """Re-encrypt the copies of encrypted fields that the history triggers keep; returns rows.

    Without this, every CaseHistory row would keep its values under the key they had when it
    was written, and the old key would go on opening them after it was "removed".
    """
    active = crypto.keyring().active_id
    tracked = {model._meta.db_table: model for model, _names in encrypted_models()}
    case_uids = dict(Complaint.objects.values_list("pk", "uid"))
    rewritten = 0
    for record in CaseHistory.objects.filter(table__in=tracked).order_by("pk").iterator():
        model = tracked[record.table]
        changed = [
            _reencrypt_row(model, row, active, case_uids) for row in (record.old, record.new) if row
        ]
        if any(changed):
            record.save(update_fields=["old", "new"])
            rewritten += 1
    return rewritten


def _reencrypt_row(
    model: type[models.Model], row: dict, active: str, case_uids: dict[int, uuid.UUID]
) -> bool:
    # A copy names its complaint by id, as the row did then; a copy of a row of a case
    # deleted since cannot be bound to it and is left as it is.
    case_uid = case_uids.get(row.get(f"{CASE_FIELD}_id")) if has_case(model) else None
    if has_case(model) and case_uid is None:
        return False
    changed = False
    for field in model._meta.concrete_fields:
        token = row.get(field.column)
        if (
            isinstance(field, EncryptedTextField)
            and isinstance(token, str)
            and token.startswith(f"{crypto.TEXT_PREFIX}:")
            and crypto.text_key_id(token) != active
        ):
            context = field_context(model._meta.label_lower, field.name, row["uid"], case_uid)
            row[field.column] = crypto.encrypt_text(
                crypto.decrypt_text(token, context=context), context=context
            )
            changed = True
    return changed


def evidence_files_reencrypt() -> int:
    """Re-encrypt evidence files not under the active key; returns files rewritten."""
    active = crypto.keyring().active_id
    rewritten = 0
    for evidence in Evidence.objects.order_by("pk").iterator():
        with evidence.file.open("rb") as handle:
            blob = handle.read()
        if crypto.bytes_key_id(blob) == active:
            continue
        context = evidence_file_context(evidence.uid)
        sealed = crypto.encrypt_bytes(crypto.decrypt_bytes(blob, context=context), context=context)
        new_path = default_storage.save(f"evidence/{uuid.uuid4().hex}", ContentFile(sealed))
        old_path = evidence.file.name
        with transaction.atomic():
            Evidence.objects.filter(pk=evidence.pk).update(file=new_path)
            transaction.on_commit(lambda path=old_path: default_storage.delete(path))
        rewritten += 1
    return rewritten
