"""Security headers Django 5.2 does not set itself."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# No inline script or style anywhere, no framing, nothing from other origins.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with people's details must not linger in shared browser caches.
            response.setdefault("Cache-Control", "no-store")
        return response

    return middleware


_SUMMARY = b'class="nhsuk-error-summary"'


def error_titles(get_response: Callable[[HttpRequest], HttpResponse]):
    """ "Error: " before the title of a page that shows an error summary, as the NHS.UK
    pattern asks: the title is the first thing a screen reader says of a page.

    Read from the rendered page, so every form's summary (`includes/error_summary.html`,
    whatever its form is called in the view) counts once, with no view to remember it."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and _SUMMARY in response.content
        ):
            response.content = response.content.replace(b"<title>", b"<title>Error: ", 1)
            if response.has_header("Content-Length"):  # set by CommonMiddleware, below us
                response["Content-Length"] = str(len(response.content))
        return response

    return middleware
