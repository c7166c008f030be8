"""Sessions in the cache whose cookie ends with the browser, while the server keeps its timeouts.

Django makes a cookie persistent (Max-Age) as soon as a session has its own expiry, and the
filing and tracking timeouts are such expiries; a seized phone would then still hold the cookie
after the browser closed. Here the cookie always ends with the browser, and the cache entry still
expires after the session's idle timeout.

Django's cache sessions also read an unreachable cache as an empty session: a filing would start
again from nothing and a receipt page would send its reader home. Here an unreachable cache is an
outage (complaints/outage.py answers 503, and the draft is still there when the cache is back).
"""

from django.contrib.sessions.backends import cache

from complaints.outage import CACHE_OUTAGE, CacheUnavailable


class SessionStore(cache.SessionStore):
    # Set once a view has written the session itself and its answer must reach the person even
    # if the cache fails before Django's middleware writes it again (the receipt, views._submit).
    written_by_view = False

    def get_expire_at_browser_close(self) -> bool:
        return True

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create)
        except CACHE_OUTAGE:
            if not self.written_by_view:
                raise

    def load(self) -> dict:
        try:
            data = self._cache.get(self.cache_key)
        except CACHE_OUTAGE as error:
            raise CacheUnavailable("the session cache did not answer") from error
        except Exception:  # as Django does: a key the cache refuses reads as no session
            data = None
        if data is None:
            self._session_key = None
            return {}
        return data


def session_abandon(request: object) -> None:
    """After the cache failed mid-request: answer without saving the session or sending one."""
    request.session = SessionStore()
