"""A text field stored encrypted, bound to its model, field and row, and to its case.

The row is identified by the model's `uid` (a random UUID set when the object is created, so it
is known before the first INSERT). A row that belongs to a case (it has a `complaint` foreign
key: victims, evidence, messages, status changes) is bound to its complaint's `uid` too, so that
pointing a row at another complaint with SQL makes its values unreadable instead of moving them
into that case. Values are encrypted in `pre_save`, which `save()` and
`bulk_create()` both call; `QuerySet.update()` does not, so it is refused rather than allowed to
write plaintext. Values read from the database stay sealed until the attribute is first read.
Encrypted fields cannot be filtered on: keep anything that must be queried in a plain field.
"""

import uuid

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model

from complaints import crypto

CASE_FIELD = "complaint"


def has_case(model: type[Model]) -> bool:
    """Whether a model's rows belong to a complaint, so that their values are bound to it."""
    try:
        return model._meta.get_field(CASE_FIELD).many_to_one
    except FieldDoesNotExist:
        return False


def field_context(label: str, field: str, uid: object, case_uid: object = None) -> str:
    """What a value is bound to; the history copies and key rotation rebuild it the same way."""
    row = f"{label}.{field}:{uuid.UUID(str(uid))}"
    return row if case_uid is None else f"{row}@complaint:{uuid.UUID(str(case_uid))}"


class Sealed(str):
    """A ciphertext as read from or written to the database; never shown as the plaintext."""

    __slots__ = ()


class _EncryptedAttribute:
    def __init__(self, field: "EncryptedTextField") -> None:
        self.field = field

    def __get__(self, instance: Model | None, owner: type) -> object:
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, Sealed):
            value = crypto.decrypt_text(value, context=self.field.context(instance))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Model, value: object) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with AES-GCM, bound to its row"

    def contribute_to_class(self, cls: type[Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _EncryptedAttribute(self))

    def context(self, instance: Model) -> str:
        case_uid = getattr(instance, CASE_FIELD).uid if has_case(type(instance)) else None
        return field_context(instance._meta.label_lower, self.name, instance.uid, case_uid)

    def from_db_value(self, value: str | None, expression: object, connection: object) -> object:
        return None if value is None else Sealed(value)

    def pre_save(self, model_instance: Model, add: bool) -> Sealed | None:
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        return Sealed(crypto.encrypt_text(str(value), context=self.context(model_instance)))

    def get_db_prep_save(self, value: object, connection: object) -> str | None:
        if value is not None and not isinstance(value, Sealed):
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: change it with save(), "
                "never QuerySet.update()."
            )
        return None if value is None else str(value)

    def get_prep_value(self, value: object) -> None:
        # Only lookups come here (saving goes through get_db_prep_save). Each value is sealed
        # with a nonce of its own, so not even a ciphertext finds a row: only `= None` passes.
        if value is not None:
            raise TypeError(f"{self.model.__name__}.{self.name} is encrypted and not queryable.")
