from django.utils.translation import gettext_lazy as _


class ComplaintError(Exception):
    """A domain error whose message is safe and translated for the person who caused it."""

    default_message = _("This action could not be completed.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message


class TransitionRefused(ComplaintError):
    default_message = _("This change of status is not allowed.")


class EvidenceRefused(ComplaintError):
    default_message = _("This file cannot be accepted.")
