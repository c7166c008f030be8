"""Sessions in the cache whose cookie ends with the browser, while the server keeps its timeouts.

Django makes a cookie persistent (Max-Age) as soon as a session has its own expiry, and the
filing and tracking timeouts are such expiries; a seized phone would then still hold the cookie
after the browser closed. Here the cookie always ends with the browser, and the cache entry still
expires after the session's idle timeout.
"""

from django.contrib.sessions.backends import cache


class SessionStore(cache.SessionStore):
    def get_expire_at_browser_close(self) -> bool:
        return True
