"""The errors a TextNLP server answers, as exceptions.

Every error of both servers is OpenAI's envelope, ``{"error": {"message", "type", "param",
"code"}}``; it is raised as a :class:`TextNLPError` (a subclass by status) carrying those fields.
"""

from __future__ import annotations

import json
from typing import Any


class TextNLPError(Exception):
    """An error answer of a TextNLP server, with the envelope's fields."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        #: The answer's parsed body (the envelope), or its text when it was not JSON.
        self.body = body

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"{self.status}{code}: {self.message}"


class BadRequestError(TextNLPError):
    """400: the request is invalid (``param`` names the field when there is one)."""


class AuthenticationError(TextNLPError):
    """401: no API key, or a wrong one."""


class PermissionDeniedError(TextNLPError):
    """403: the key lacks the scope or role the route needs."""


class NotFoundError(TextNLPError):
    """404: no such job, dataset, template, …"""


class ConflictError(TextNLPError):
    """409: the resource is not in a state that allows this (a job still running, …)."""


class PayloadTooLargeError(TextNLPError):
    """413: the body is over the server's limit."""


class UnprocessableEntityError(TextNLPError):
    """422: the request is well formed but cannot be carried out."""


class RateLimitError(TextNLPError):
    """429: too many requests, or a spent budget (``code`` ``insufficient_quota``)."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (``Retry-After``), when it said."""
        return getattr(self, "_retry_after", None)


class ServerError(TextNLPError):
    """5xx: the server (or a provider behind the edge) failed, or is draining."""


class RouteNotServedError(NotFoundError):
    """The server has no such route: the method belongs to the other half (edge or appliance)."""

    def __init__(self, method: str, route: str, server: str, served_by: tuple[str, ...], cause: TextNLPError):
        halves = " and the ".join(served_by)
        super().__init__(
            f"{method}() ({route}) is not served by {server}: only the {halves} serves it",
            status=cause.status,
            type=cause.type,
            code=cause.code,
            param=cause.param,
            request_id=cause.request_id,
            body=cause.body,
        )
        #: The client method's dotted name (``admin.limits.get_tenant``).
        self.method = method
        #: The server's base URL.
        self.server = server
        #: The halves whose documents define the route.
        self.served_by = served_by


_BY_STATUS: dict[int, type[TextNLPError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_from_envelope(status: int, body: Any, *, request_id: str | None = None, retry_after: str | None = None) -> TextNLPError:
    """The exception for an answer's status and parsed body (an envelope, or anything else)."""
    envelope = body.get("error") if isinstance(body, dict) else None
    if isinstance(envelope, dict) and isinstance(envelope.get("message"), str):
        message = envelope["message"]
        fields = {k: envelope.get(k) for k in ("type", "code", "param")}
    else:
        message = body if isinstance(body, str) and body else f"HTTP {status}"
        fields = {}
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else TextNLPError)
    error = cls(message, status=status, request_id=request_id, body=body, **fields)
    if retry_after is not None:
        try:
            error._retry_after = float(retry_after)  # type: ignore[attr-defined]
        except ValueError:
            pass
    return error


def error_from_response(status: int, content: bytes, headers: Any) -> TextNLPError:
    """The exception for an error answer: its body parsed as the envelope when it is one."""
    text = content.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text
    return error_from_envelope(
        status,
        body,
        request_id=headers.get("x-request-id"),
        retry_after=headers.get("retry-after"),
    )
