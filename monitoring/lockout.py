"""django-axes, set up to lock a username and to keep no address and no browser details.

Camps, offices and phone networks share addresses, so failed sign-ins are counted per username
only (AXES_LOCKOUT_PARAMETERS in settings). Axes would store the client's address and user agent
with each failure; these two hooks make sure neither ever reaches the database or the logs.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.http import HttpRequest

# What axes records as every client's address. A constant, never the real address; and not None:
# NULLs never collide in axes' unique index (username, address, browser), so two failures at the
# same moment could create two rows for one username, and its get_or_create would then fail on
# every later failure, which would stop them being counted.
NO_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder stored in place of an address, not a bind


def no_client_address(request: HttpRequest) -> str:
    """Axes' client-address hook (AXES_CLIENT_IP_CALLABLE): we never look at the address."""
    return NO_ADDRESS


class StaffLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, keeping only what a username lockout needs."""

    def user_login_failed(
        self, sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        if request is not None:
            request.axes_user_agent = ""
            request.axes_http_accept = ""
        super().user_login_failed(sender, credentials, request, **kwargs)
