"""Reading what a server answers, whatever it sends: within a size and a time limit, as strict JSON.

A real vendor, a proxy or a broken back end may answer anything: a body of gigabytes, a chunked
body that never ends, headers and then silence. Every answer the kit reads is therefore read
here, for its own requests (:func:`receive`, over :mod:`httpx`) as for Schemathesis's
(:func:`bound`, over :mod:`requests`):

- at most :attr:`Limits.max_body` bytes of (decoded) body, or the request fails with
  :class:`BodyTooLarge` ("body larger than 10 MiB") without reading the rest;
- at most :attr:`Limits.timeout` seconds of waiting for any one read, and as long again for the
  whole body, so a body trickled a byte at a time cannot hold a run either;
- after :data:`GIVE_UP_AFTER` requests in a row that timed out or went over the size limit (each
  costs the full limit), the server is given up on: further requests fail at once with
  :class:`GaveUp`, and the checks that needed them are skipped, naming why. Schemathesis's
  requests are counted apart from the kit's, so a server that stops answering its generated
  inputs still gets the semantic checks.

:func:`json_body` decodes a body the way the contract requires it, rather than the way a lenient
parser guesses at it: UTF-8 only (RFC 8259 §8.1), no raw control characters in strings, and no
key twice in one object. RFC 8259 §4 only says names SHOULD be unique, but also that readers then
disagree on which value wins, so two clients of such an answer may see two different lists:
cartkit counts an ambiguous answer as a broken contract.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

import httpx
import requests
from requests.adapters import HTTPAdapter
from schemathesis.transport.requests import REQUESTS_TRANSPORT, RequestsTransport
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

__all__ = [
    "DEFAULT_MAX_BODY_MB",
    "GIVE_UP_AFTER",
    "BodyTooLarge",
    "Breaker",
    "GaveUp",
    "Limits",
    "NotJSON",
    "bound",
    "json_body",
    "receive",
]

DEFAULT_MAX_BODY_MB = 10.0
"""The default of ``--max-body-mb``: the mock's largest page is well under 1 MiB."""

GIVE_UP_AFTER = 3
"""Requests in a row that may time out or go over the size limit before the server is given up on."""

_MIB = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of one answer the kit reads, and how long it waits for it."""

    max_body_mb: float = DEFAULT_MAX_BODY_MB
    timeout: float = 10.0

    @property
    def max_body(self) -> int:
        """The limit in bytes."""
        return int(self.max_body_mb * _MIB)

    def too_large(self, detail: str) -> str:
        """The message of an answer over the limit."""
        return f"body larger than {self.max_body_mb:g} MiB (--max-body-mb): {detail}"

    def too_slow(self, detail: str) -> str:
        """The message of an answer that did not come in time."""
        return f"{detail} within {self.timeout:g}s (--timeout)"


class BodyTooLarge(httpx.TransportError):
    """The answer's body went over :attr:`Limits.max_body`; the rest was not read."""


class GaveUp(httpx.TransportError):
    """Not sent: the server has not answered the last requests (see :class:`Breaker`)."""


class NotJSON(ValueError):
    """A body that is not the strict JSON a contract requires (the message says why)."""


class Breaker:
    """Counts requests in a row that timed out or went over the size limit; after
    :data:`GIVE_UP_AFTER` of them, :attr:`reason` says why no more are worth sending.

    Only those failures count: each costs a full timeout or a full body, while a refused or
    closed connection fails at once and is reported by the check that met it.
    """

    def __init__(self, limit: int = GIVE_UP_AFTER) -> None:
        self.limit = limit
        self._streak: list[str] = []
        self._lock = threading.Lock()

    @property
    def reason(self) -> str | None:
        """Why the server was given up on, or ``None`` while it is still worth asking."""
        with self._lock:
            if len(self._streak) < self.limit:
                return None
            return (
                f"not sent: the server's last {len(self._streak)} answers never came whole "
                f"(the last: {self._streak[-1]})"
            )

    def record(self, problem: str | None) -> None:
        """One more answer: a costly failure (*problem*), or ``None`` for one read whole."""
        with self._lock:
            if problem is None:
                self._streak.clear()
            elif len(self._streak) < self.limit:
                self._streak.append(problem)


# -- the kit's own requests (httpx) ------------------------------------------------------------


def receive(
    client: httpx.Client, request: httpx.Request, limits: Limits, breaker: Breaker
) -> httpx.Response:
    """Send *request* and read its answer within *limits*.

    Raises:
        GaveUp: the breaker is open; nothing was sent.
        BodyTooLarge: the body went over the size limit.
        httpx.ReadTimeout: no answer, or no whole body, in time (the message names the limit).
        httpx.TransportError: the connection failed, was closed or reset.
    """
    if (reason := breaker.reason) is not None:
        raise GaveUp(reason, request=request)
    started = time.monotonic()
    try:
        response = client.send(request, stream=True)
    except (httpx.ReadTimeout, httpx.WriteTimeout):
        _late(limits.too_slow("no answer"), request, breaker)
    try:
        _read(response, limits, started)
    except httpx.ReadTimeout:
        _late(limits.too_slow("the body did not come whole"), request, breaker)
    except BodyTooLarge as exc:
        breaker.record(str(exc))
        raise
    except httpx.DecodingError as exc:  # the server's fault, as a transport error is
        message = f"body not decodable as its Content-Encoding says: {exc}"
        raise httpx.RemoteProtocolError(message, request=request) from None
    finally:
        response.close()
    breaker.record(None)
    return response


def _late(message: str, request: httpx.Request, breaker: Breaker) -> NoReturn:
    breaker.record(message)
    raise httpx.ReadTimeout(message, request=request) from None


def _read(response: httpx.Response, limits: Limits, started: float) -> None:
    """What :meth:`httpx.Response.read` does, within *limits*: decoded bytes are counted, so a
    small compressed body cannot expand past the limit either."""
    request = response.request
    declared = _declared(response.headers.get("content-length"))
    if declared is not None and declared > limits.max_body:
        raise BodyTooLarge(limits.too_large(f"Content-Length {declared:,} bytes"), request=request)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # as it comes: a chunk size would wait to fill it
        size += len(chunk)
        if size > limits.max_body:
            raise BodyTooLarge(
                limits.too_large(f"more than {limits.max_body:,} bytes and still coming"),
                request=request,
            )
        if time.monotonic() - started > limits.timeout:
            raise httpx.ReadTimeout("", request=request)
        chunks.append(chunk)
    response._content = b"".join(chunks)  # as Response.read() leaves it


def _declared(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # a malformed length is the HTTP client's to refuse


# -- Schemathesis's requests (requests) --------------------------------------------------------


# The same for requests, in the shapes Schemathesis reads a network error in: a connection error
# wraps an exception, and a read timeout's message ends in "read timeout=N)".


class BodyTooLargeError(requests.exceptions.ConnectionError):
    """:class:`BodyTooLarge`, for :mod:`requests`."""

    def __init__(self, message: str, request: requests.PreparedRequest) -> None:
        super().__init__(OSError(message), request=request)


class GaveUpError(requests.exceptions.ConnectionError):
    """:class:`GaveUp`, for :mod:`requests`."""

    def __init__(self, message: str, request: requests.PreparedRequest) -> None:
        super().__init__(OSError(message), request=request)


def _read_timeout(
    message: str, request: requests.PreparedRequest, timeout: float
) -> requests.exceptions.ReadTimeout:
    inner = OSError(f"{message} (read timeout={timeout:g})")
    return requests.exceptions.ReadTimeout(inner, request=request)


class _BoundedAdapter(HTTPAdapter):
    """A :mod:`requests` adapter that reads every answer whole, within the limits, before
    :mod:`requests` (or Schemathesis) looks at it."""

    def __init__(self, limits: Limits, breaker: Breaker) -> None:
        super().__init__()
        self.limits = limits
        self.breaker = breaker

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        if (reason := self.breaker.reason) is not None:
            raise GaveUpError(reason, request=request)
        started = time.monotonic()
        try:
            response = super().send(request, stream=True, **kwargs)
        except requests.exceptions.Timeout as exc:
            self._timed_out(exc, request, "no answer")
        try:
            content = b"".join(self._chunks(response, started))
        except requests.exceptions.Timeout as exc:
            response.close()
            self._timed_out(exc, request, "the body did not come whole")
        except BodyTooLargeError as exc:
            response.close()
            self.breaker.record(str(exc))
            raise
        except BaseException:
            response.close()
            raise
        response._content = content  # as Response.content leaves it
        response._content_consumed = True
        self.breaker.record(None)
        return response

    def _timed_out(self, exc: Exception, request: requests.PreparedRequest, what: str) -> NoReturn:
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            raise exc
        message = self.limits.too_slow(what)
        self.breaker.record(message)
        raise _read_timeout(message, request, self.limits.timeout) from None

    def _chunks(self, response: requests.Response, started: float) -> Iterator[bytes]:
        limits, request = self.limits, response.request
        declared = _declared(response.headers.get("content-length"))
        if declared is not None and declared > limits.max_body:
            detail = f"Content-Length {declared:,} bytes"
            raise BodyTooLargeError(limits.too_large(detail), request)
        size = 0
        try:
            # One read at a time, as it comes (stream() would wait to fill each chunk).
            while chunk := response.raw.read1(_CHUNK, decode_content=True):
                size += len(chunk)
                if size > limits.max_body:
                    detail = f"more than {limits.max_body:,} bytes and still coming"
                    raise BodyTooLargeError(limits.too_large(detail), request)
                if time.monotonic() - started > limits.timeout:
                    raise requests.exceptions.ReadTimeout(request=request)
                yield chunk
        except ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc, request=request) from None
        except ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc, request=request) from None
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc, request=request) from None


class _BoundedTransport(RequestsTransport):  # type: ignore[misc]
    """Schemathesis's own transport, sending through a :class:`_BoundedAdapter`."""

    def __init__(self, adapter: _BoundedAdapter) -> None:
        super().__init__()
        self._copy_serializers_from(REQUESTS_TRANSPORT)
        self.adapter = adapter

    def send(self, case: Any, *, session: requests.Session | None = None, **kwargs: Any) -> Any:
        own = session is None
        if session is None:
            session = requests.Session()
            session.headers.clear()  # as Schemathesis's own session: no default headers
        for prefix in ("http://", "https://"):
            if session.adapters.get(prefix) is not self.adapter:
                session.mount(prefix, self.adapter)
        try:
            return super().send(case, session=session, **kwargs)
        finally:
            if own:
                session.close()


def bound(schema: Any, limits: Limits, breaker: Breaker) -> None:
    """Make a Schemathesis *schema* (run against a URL) read every answer within *limits*.

    Schemathesis reads a body whole, with no size limit, and an endless one forever. Its
    transport is a property of the schema's class, so the schema becomes an instance of a
    subclass whose transport sends through a :class:`_BoundedAdapter`; requests, their
    encoding and Schemathesis's handling of network errors are otherwise its own.
    """
    transport = _BoundedTransport(_BoundedAdapter(limits, breaker))
    schema.__class__ = _bounded_class(type(schema))
    schema._cartkit_transport = transport


_BOUNDED: dict[type, type] = {}


def _bounded_class(cls: type) -> type:
    if getattr(cls, "_cartkit_bounded", False):
        return cls
    if cls not in _BOUNDED:
        inherited = cls.transport  # type: ignore[attr-defined]

        def transport(self: Any) -> Any:
            own = self.__dict__.get("_cartkit_transport")
            if own is None or self.app is not None:
                return inherited.__get__(self, type(self))
            return own

        bounded = type(
            cls.__name__,
            (cls,),
            {"transport": property(transport), "_cartkit_bounded": True, "__module__": __name__},
        )
        _BOUNDED[cls] = bounded
    return _BOUNDED[cls]


# -- decoding ----------------------------------------------------------------------------------


def json_body(response: httpx.Response) -> Any:
    """The JSON of *response*'s body, decoded strictly.

    Raises:
        NotJSON: not UTF-8, not JSON (a raw control character in a string, say), or a key twice
            in one object; the message says which, and where.
    """
    content = response.content
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotJSON(
            f"body is not UTF-8 (RFC 8259 §8.1): byte 0x{content[exc.start]:02x} at offset "
            f"{exc.start}"
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_unique)
    except RecursionError:
        raise NotJSON("body is JSON nested too deep to read") from None
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Invalid control character"):
            raise NotJSON(
                f"body is not JSON: raw control character {text[exc.pos]!r} at offset {exc.pos} "
                "(a JSON string must escape U+0000 to U+001F)"
            ) from None
        media = response.headers.get("content-type", "no Content-Type")
        raise NotJSON(f"body is not JSON ({media}): {exc}") from None


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise NotJSON(
                f"body is ambiguous JSON: key {key!r} twice in one object (RFC 8259 §4: readers "
                "disagree on which value wins)"
            )
        out[key] = value
    return out
