"""What the generated operations run on: requests over httpx, JSON to and from the generated
dataclasses, server-sent events, and errors raised from the envelope."""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
import types
import typing
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import quote

import httpx

from .errors import RouteNotServedError, TextNLPError, error_from_envelope, error_from_response


@dataclasses.dataclass(frozen=True)
class Operation:
    """One operation of the API, as the generator read it from the servers' documents."""

    #: The client method's dotted name (``jobs.create``).
    name: str
    method: str
    #: OpenAPI's path, ``{name}`` for its parameters.
    path: str
    #: The halves that serve it: ``("appliance", "edge")``, or one of them.
    servers: tuple[str, ...]
    #: How it answers: ``json``, ``empty`` (204), ``events`` (SSE), ``text`` or ``bytes``.
    kind: str
    #: The type of the JSON answer, or of each event.
    result: Any = None
    #: The content type of a raw body (JSONL, CSV), when it takes one.
    content_type: str | None = None


class Schema:
    """Base of the generated dataclasses: to and from their JSON form."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (optional fields left unset are left out)."""
        return to_json(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        """An instance from its JSON object (unknown fields are ignored)."""
        return from_json(cls, data)


_hints: dict[type, dict[str, Any]] = {}


def _field_types(cls: type) -> dict[str, Any]:
    hints = _hints.get(cls)
    if hints is None:
        # Resolved in the module's namespace alone: a field named `list` or `type` must not
        # shadow the builtin in another field's annotation.
        hints = typing.get_type_hints(cls, globalns=vars(sys.modules[cls.__module__]), localns={})
        _hints[cls] = hints
    return hints


def _fits(cls: type, value: dict[str, Any]) -> bool:
    """Whether a JSON object can be `cls`: its required fields are there, its tags match."""
    hints = _field_types(cls)
    for f in dataclasses.fields(cls):
        key = f.metadata.get("json", f.name)
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if key not in value:
            if required:
                return False
            continue
        hint = hints[f.name]
        if get_origin(hint) is Literal and value[key] not in get_args(hint):
            return False
    return True


def from_json(hint: Any, value: Any) -> Any:
    """`value` (parsed JSON) as the type `hint` says: dataclasses built, the rest as it is."""
    if value is None or hint is Any:
        return value
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        members = [m for m in get_args(hint) if m is not type(None)]
        if len(members) == 1:
            return from_json(members[0], value)
        if isinstance(value, dict):
            for member in members:
                if dataclasses.is_dataclass(member) and _fits(member, value):
                    return from_json(member, value)
        for member in members:
            container = get_origin(member)
            if (container is dict and isinstance(value, dict)) or (container is list and isinstance(value, list)):
                return from_json(member, value)
        return value
    if origin is list and isinstance(value, list):
        (item,) = get_args(hint) or (Any,)
        return [from_json(item, v) for v in value]
    if origin is dict and isinstance(value, dict):
        args = get_args(hint)
        return {k: from_json(args[1] if len(args) == 2 else Any, v) for k, v in value.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict):
        hints = _field_types(hint)
        fields = dataclasses.fields(hint)
        named = {f.metadata.get("json", f.name) for f in fields if not f.metadata.get("extra")}
        values: dict[str, Any] = {}
        for f in fields:
            if f.metadata.get("extra"):
                # An open object: the keys beyond the named ones, typed as its values are.
                (value_type,) = get_args(hints[f.name])[1:] or (Any,)
                values[f.name] = {k: from_json(value_type, v) for k, v in value.items() if k not in named}
            else:
                values[f.name] = from_json(hints[f.name], value.get(f.metadata.get("json", f.name)))
        return hint(**values)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def to_json(value: Any) -> Any:
    """`value` as JSON: dataclasses as objects under their JSON names, optional unset fields left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.metadata.get("extra"):
                out.update(to_json(item))
                continue
            if item is None and f.default is None:
                continue
            out[f.metadata.get("json", f.name)] = to_json(item)
        return out
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _operation(name: str) -> Operation:
    from ._generated import OPERATIONS  # the generated module imports this one

    return OPERATIONS[name]


class _Request:
    """The parts of one call, ready for httpx."""

    def __init__(
        self,
        transport: _Transport,
        op: Operation,
        path: dict[str, Any] | None,
        query: dict[str, Any] | None,
        body: dict[str, Any] | None,
        content: Any,
    ) -> None:
        url = op.path
        for key, value in (path or {}).items():
            url = url.replace("{" + key + "}", quote(str(value), safe=""))
        self.method = op.method
        self.url = transport.base_url + url
        headers = dict(transport.headers)
        #: What httpx's `request` / `stream` take besides the method and URL.
        self.kwargs: dict[str, Any] = {
            "params": {k: _query_value(v) for k, v in (query or {}).items() if v is not None},
            "headers": headers,
        }
        if body is not None:
            self.kwargs["json"] = {k: to_json(v) for k, v in body.items() if v is not None}
        elif content is not None:
            headers["content-type"] = op.content_type or "application/octet-stream"
            self.kwargs["content"] = content.encode("utf-8") if isinstance(content, str) else content


class _Transport:
    """What sync and async transports share: the server, the credentials, the error mapping."""

    def __init__(self, base_url: str, api_key: str | None, headers: dict[str, str] | None, http: Any) -> None:
        #: The httpx client (sync or async) the requests go through.
        self.http = http
        root = base_url.rstrip("/")
        # The API's root, as the TS SDK takes it; `/v1` (OpenAI's base URL) is accepted too.
        self.base_url = root[: -len("/v1")] if root.endswith("/v1") else root
        self.api_key = api_key
        self.headers = {"accept": "application/json, text/event-stream, */*", **(headers or {})}
        if api_key:
            self.headers["authorization"] = f"Bearer {api_key}"

    def prepare(self, name: str, path: Any, query: Any, body: Any, content: Any) -> tuple[Operation, _Request]:
        op = _operation(name)
        return op, _Request(self, op, path, query, body, content)

    def error(self, op: Operation, status: int, content: bytes, headers: Any) -> TextNLPError:
        error = error_from_response(status, content, headers)
        if status == 404 and error.code == "route_not_found":
            return RouteNotServedError(op.name, f"{op.method} {op.path}", self.base_url, op.servers, error)
        return error

    @staticmethod
    def result(op: Operation, response: httpx.Response) -> Any:
        if op.kind == "empty" or response.status_code == 204:
            return None
        if op.kind == "text":
            return response.text
        if op.kind == "bytes":
            return response.content
        return from_json(op.result, response.json())

    @staticmethod
    def event(op: Operation, data: str) -> Any:
        parsed = json.loads(data)
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            # An error after the stream's 200: the envelope as an event.
            raise error_from_envelope(500, parsed)
        return from_json(op.result, parsed)


class _SseParser:
    """Server-sent events' `data` payloads, from text as it arrives."""

    def __init__(self) -> None:
        self._buffer = ""
        self._data: list[str] = []

    def feed(self, text: str) -> list[str]:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        payloads: list[str] = []
        for raw in lines:
            line = raw[:-1] if raw.endswith("\r") else raw
            if line == "":
                if self._data:
                    payloads.append("\n".join(self._data))
                    self._data = []
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                if name == "data":
                    self._data.append(value[1:] if value.startswith(" ") else value)
        return payloads

    def end(self) -> list[str]:
        return self.feed("\n\n")


#: No read timeout on event streams: a job may go quiet for longer than a call may take.
_STREAM_TIMEOUT = httpx.Timeout(30.0, read=None)


class _Stream:
    """One event stream's decoding: text in, the operation's events out, until `[DONE]`."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.parser = _SseParser()
        self.done = False

    def feed(self, text: str | None) -> list[Any]:
        """The events completed by `text` (`None`: the body ended)."""
        events = []
        for data in self.parser.feed(text) if text is not None else self.parser.end():
            if data == "[DONE]" or self.done:
                self.done = True
                break
            events.append(_Transport.event(self.op, data))
        return events


class SyncTransport(_Transport):
    """Requests over an `httpx.Client`."""

    http: httpx.Client

    def send(self, name: str, path=None, query=None, body=None, content=None) -> Any:
        op, req = self.prepare(name, path, query, body, content)
        response = self.http.request(req.method, req.url, **req.kwargs)
        if not response.is_success:
            raise self.error(op, response.status_code, response.content, response.headers)
        return self.result(op, response)

    def stream(self, name: str, path=None, query=None, body=None, content=None) -> Iterator[Any]:
        op, req = self.prepare(name, path, query, body, content)
        with self.http.stream(req.method, req.url, timeout=_STREAM_TIMEOUT, **req.kwargs) as response:
            if not response.is_success:
                raise self.error(op, response.status_code, response.read(), response.headers)
            stream = _Stream(op)
            # The end of the body (None) completes an event left without its blank line.
            for text in itertools.chain(response.iter_text(), [None]):
                yield from stream.feed(text)
                if stream.done:
                    return

    def close(self) -> None:
        self.http.close()


class AsyncTransport(_Transport):
    """Requests over an `httpx.AsyncClient`."""

    http: httpx.AsyncClient

    async def send(self, name: str, path=None, query=None, body=None, content=None) -> Any:
        op, req = self.prepare(name, path, query, body, content)
        response = await self.http.request(req.method, req.url, **req.kwargs)
        if not response.is_success:
            raise self.error(op, response.status_code, response.content, response.headers)
        return self.result(op, response)

    async def stream(self, name: str, path=None, query=None, body=None, content=None) -> AsyncIterator[Any]:
        op, req = self.prepare(name, path, query, body, content)
        async with self.http.stream(req.method, req.url, timeout=_STREAM_TIMEOUT, **req.kwargs) as response:
            if not response.is_success:
                raise self.error(op, response.status_code, await response.aread(), response.headers)
            stream = _Stream(op)
            async for text in response.aiter_text():
                for event in stream.feed(text):
                    yield event
                if stream.done:
                    return
            for event in stream.feed(None):
                yield event

    async def aclose(self) -> None:
        await self.http.aclose()


class SyncResource:
    """Base of the generated sync resources: each method names its operation and its arguments."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def _call(self, name: str, *, path=None, query=None, body=None, content=None) -> Any:
        return self._transport.send(name, path, query, body, content)

    def _events(self, name: str, *, path=None, query=None, body=None, content=None) -> Iterator[Any]:
        return self._transport.stream(name, path, query, body, content)


class AsyncResource:
    """Base of the generated async resources."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def _call(self, name: str, *, path=None, query=None, body=None, content=None) -> Any:
        return await self._transport.send(name, path, query, body, content)

    def _events(self, name: str, *, path=None, query=None, body=None, content=None) -> AsyncIterator[Any]:
        return self._transport.stream(name, path, query, body, content)


__all__ = [
    "AsyncResource",
    "AsyncTransport",
    "Operation",
    "Schema",
    "SyncResource",
    "SyncTransport",
    "from_json",
    "to_json",
]
