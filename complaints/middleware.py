from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.datastructures import MultiValueDict

# Same-origin only, no inline code: a page can load nothing from anyone else.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Bootstrap draws its checkboxes and arrows as data: SVGs
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


# Every powerful browser feature switched off: no page here needs any of them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "storage-access",
        "usb",
        "web-share",
        "window-management",
        "xr-spatial-tracking",
    ]
)


class PublicPageHeadersMiddleware:
    """No page may be kept by a browser or proxy cache, nor load anything from another origin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            # Static files are the same for everyone and may be cached; pages never.
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class _TailRecorder:
    """A request stream that remembers the last bytes read from it."""

    def __init__(self, stream: object) -> None:
        self.stream = stream
        self.tail = b""

    def read(self, *args: object) -> bytes:
        return self._keep(self.stream.read(*args))

    def readline(self, *args: object) -> bytes:
        return self._keep(self.stream.readline(*args))

    def _keep(self, data: bytes) -> bytes:
        self.tail = (self.tail + data)[-256:]
        return data


class MalformedBodyMiddleware:
    """Answer 400 to form bodies Django would misread, before anything acts on them.

    - A form body in another charset than UTF-8: Django refuses it only when the form is first
      read, and then again inside its own error pages, which ends in a bare server error.
    - A urlencoded body that is not valid UTF-8: Django would read it as Latin-1.
    - A multipart body without its closing boundary (cut off, or with a boundary that never
      appears): Django's parser keeps whatever it read, so half a message would be saved.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            refusal = self._refusal(request)
            if refusal:
                return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        charset = request.content_params.get("charset")
        if charset and charset.lower() != "utf-8":  # the only one Django reads; even "utf8" fails
            return _bad_request(request)
        if request.content_type != "multipart/form-data":
            try:
                request.body.decode()  # Django would fall back to Latin-1 and garble the text
            except UnicodeDecodeError:
                return _bad_request(request)
            return None
        boundary = request.content_params.get("boundary", "")
        recorder = _TailRecorder(request._stream)
        request._stream = recorder
        try:
            request.POST  # noqa: B018 - parse now, while the recorder watches the stream
        except (ValueError, OSError):
            return _bad_request(request)
        if f"--{boundary}--".encode() not in recorder.tail:
            request._post, request._files = QueryDict(), MultiValueDict()  # read nothing
            return _bad_request(request)
        return None


def _bad_request(request: HttpRequest) -> HttpResponse:
    return render(request, "400.html", status=400)


def language_cookie_set(response: HttpResponse, code: str) -> None:
    """Remember a chosen language as Django's own switch does: a cookie that ends with the
    browser session (settings.LANGUAGE_COOKIE_AGE is None), never an identifier."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageLinkMiddleware:
    """`?lang=rw` opens any page in that language and remembers the choice, so that a page can
    be linked in a given language (a leaflet, a message from a trusted organisation). A code
    the site does not offer is ignored: the page keeps the visitor's own language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get("lang", "")
        chosen = code if code in dict(settings.LANGUAGES) else None
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen:
            language_cookie_set(response, chosen)
        return response


class CompressionMiddleware(GZipMiddleware):
    """Compress pages, except one that shows a secret the visitor must not lose to BREACH.

    BREACH guesses a secret in a compressed page from the page's size, when the attacker can put
    text of their choosing into the same page and watch the sizes go by. Here: the CSRF token is
    masked anew in every response (Django), Django's gzip adds random padding ("Heal the
    BREACH"), no public page reflects a query string, the receipt page, which holds the one
    secret that opens a complaint, is never compressed (`uncompressed()`), and neither are the
    staff's pages (the admin's search box is echoed into them) nor error pages.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        public = getattr(request.resolver_match, "app_name", None) == "complaints"
        # Only the public pages: the staff's admin echoes its search box into its pages.
        if getattr(response, "uncompressed", False) or not public:
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)


def uncompressed(response: HttpResponse) -> HttpResponse:
    response.uncompressed = True
    return response
