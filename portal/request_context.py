"""Where a request comes from, for the audit log, without passing the request into services."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def get_client_ip(request) -> str | None:
    # Behind the production proxy REMOTE_ADDR is the proxy; gunicorn is told to trust it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1"):
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class ClientIpMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(get_client_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
