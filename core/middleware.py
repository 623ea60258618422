"""Security headers Django 5.2 does not set by itself, and the upload size gate."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (no inline script or style anywhere) and
    a permissions policy that switches off browser features Concord never uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class UploadSizeLimitMiddleware:
    """Refuse an upload larger than anything Concord accepts (an import or a
    piece of evidence) from its declared length, before anything reads its body
    (CSRF checks and form parsing would read it all first). Listed before
    CsrfViewMiddleware. Each form still checks its own, smaller limit and says so
    on the form; this gate only stops what no form would take."""

    OVERHEAD = 1024 * 1024  # the form's other fields and multipart boundaries

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = max(settings.IMPORT_MAX_BYTES, getattr(settings, "EVIDENCE_MAX_BYTES", 0))
            if length > limit + self.OVERHEAD:
                message = f"The file is larger than {limit / (1024 * 1024):g} MB, the most Concord accepts."
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": message, "code": "too_large", "errors": {"file": [message]}}, status=400
                    )
                return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
