from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_cache_control
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
