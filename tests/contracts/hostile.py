"""A loopback HTTP server that misbehaves on purpose, below what an ASGI app can do.

:class:`HostileServer` speaks raw HTTP/1.1 on 127.0.0.1 from an asyncio loop in a thread of its
own, so a behaviour can do what no well-behaved framework lets it: announce 50 MB, stream a
chunked body forever, send headers and then nothing, close or reset the connection, or take the
mock's real answer and corrupt its bytes. Each behaviour answers every request the same way;
every connection is closed after one answer (``Connection: close``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import struct
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Behaviour = Callable[["Request", asyncio.StreamWriter], Awaitable[None]]

CHUNK = b"x" * 65536


@dataclass(slots=True)
class Request:
    """What the client sent: request line, headers (lower-case names) and body."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass(slots=True)
class Answer:
    """A status, headers and body to write as they are."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class HostileServer:
    """Serve *behaviour* on 127.0.0.1 (a free port) until the ``with`` block ends."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.url = ""
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def __enter__(self) -> HostileServer:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        port = started.result(timeout=10)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> int:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            request = await _read_request(reader)
            self.requests += 1
            await self.behaviour(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client hung up (it stopped reading at its limit, say)
        except asyncio.CancelledError:
            pass  # the server is stopping: this connection ends here
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> Request:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    line, *lines = head.split("\r\n")
    method, target, _ = line.split(" ", 2)
    headers = [
        (name.strip().lower(), value.strip())
        for name, value in (h.split(":", 1) for h in lines if ":" in h)
    ]
    length = int(dict(headers).get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return Request(method, target, headers, body)


# -- writing answers ---------------------------------------------------------------------------


def head(status: int, headers: list[tuple[str, str]]) -> bytes:
    """The status line and headers, ``Connection: close`` added."""
    lines = [f"HTTP/1.1 {status} X", *(f"{k}: {v}" for k, v in headers), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def send(writer: asyncio.StreamWriter, answer: Answer) -> None:
    """Write *answer* with a Content-Length."""
    headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
    writer.write(head(answer.status, headers) + answer.body)
    await writer.drain()


async def forever() -> None:
    """Wait until the server stops (the task is cancelled)."""
    await asyncio.Event().wait()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (RST) instead of an orderly close."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


# -- the mock's real answer, to corrupt --------------------------------------------------------


async def asgi(app: Any, request: Request) -> Answer:
    """*request* answered by the ASGI *app*, in this loop, whole."""
    path, _, query = request.target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
    }
    answer = Answer(500)
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            await forever()
        received = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send_(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = [
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in message.get("headers", [])
                if k.lower() not in (b"content-length", b"connection")
            ]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(scope, receive, send_)
    return answer


def corrupting(app: Any, corrupt: Callable[[Answer], Answer]) -> Behaviour:
    """A behaviour answering what *app* answers, passed through *corrupt*."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        await send(writer, corrupt(await asgi(app, request)))

    return behaviour


# -- the behaviours ----------------------------------------------------------------------------

JSON = ("Content-Type", "application/json")
FIFTY_MB = 50 * 1024 * 1024


async def huge(request: Request, writer: asyncio.StreamWriter) -> None:
    """50 MB of body, announced by its Content-Length."""
    writer.write(head(200, [JSON, ("Content-Length", str(FIFTY_MB))]))
    await _stream(writer, FIFTY_MB)


async def huge_unannounced(request: Request, writer: asyncio.StreamWriter) -> None:
    """50 MB of body with no length: it ends when the connection does (HTTP/1.1 §6.3)."""
    writer.write(head(200, [JSON]))
    await _stream(writer, FIFTY_MB)


async def endless(request: Request, writer: asyncio.StreamWriter) -> None:
    """A chunked body that never ends."""
    writer.write(head(200, [JSON, ("Transfer-Encoding", "chunked")]))
    chunk = b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK)
    while True:
        writer.write(chunk)
        await writer.drain()


def gzip_bomb() -> Behaviour:
    """50 KB on the wire that decompress to 50 MB (compressed once, here, not per request)."""
    body = gzip.compress(b" " * FIFTY_MB, compresslevel=9)
    headers = [JSON, ("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))]

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, headers) + body)
        await writer.drain()

    return behaviour


async def bad_gzip(request: Request, writer: asyncio.StreamWriter) -> None:
    """A body said to be gzip that is not."""
    await send(writer, Answer(200, [JSON, ("Content-Encoding", "gzip")], b'{"object":"list"}'))


async def no_answer(request: Request, writer: asyncio.StreamWriter) -> None:
    """The request is read, and nothing ever comes back."""
    await forever()


async def body_never_comes(request: Request, writer: asyncio.StreamWriter) -> None:
    """Headers announcing 100 bytes, then nothing."""
    writer.write(head(200, [JSON, ("Content-Length", "100")]))
    await writer.drain()
    await forever()


async def trickle(request: Request, writer: asyncio.StreamWriter) -> None:
    """A chunked body, one byte every 50 ms: every read comes in time, the body never does."""
    writer.write(head(200, [JSON, ("Transfer-Encoding", "chunked")]))
    while True:
        writer.write(b"1\r\n \r\n")
        await writer.drain()
        await asyncio.sleep(0.05)


async def closed(request: Request, writer: asyncio.StreamWriter) -> None:
    """The connection closed without an answer."""


async def reset_connection(request: Request, writer: asyncio.StreamWriter) -> None:
    """The connection reset (TCP RST) without an answer."""
    reset(writer)


async def cut_short(request: Request, writer: asyncio.StreamWriter) -> None:
    """1,000 bytes announced, 16 sent, then the connection closed."""
    writer.write(head(200, [JSON, ("Content-Length", "1000")]) + b'{"object":"list"')
    await writer.drain()


async def not_http(request: Request, writer: asyncio.StreamWriter) -> None:
    """Another protocol on the port: an SSH banner, with a NUL and an escape sequence."""
    writer.write(b"SSH-2.0-OpenSSH_9.6\x00\x1b[2J\r\n")
    await writer.drain()


async def garbled_status_line(request: Request, writer: asyncio.StreamWriter) -> None:
    """A status line no HTTP client can parse ("2OO" with letters O), control characters in it."""
    writer.write(b"HTTP/1.1 2OO OK\x00\x1b[2J\r\nContent-Length: 2\r\n\r\n{}")
    await writer.drain()


async def _stream(writer: asyncio.StreamWriter, size: int) -> None:
    sent = 0
    while sent < size:
        writer.write(CHUNK)
        await writer.drain()
        sent += len(CHUNK)


def to_schemathesis(app: Any, behaviour: Behaviour) -> Behaviour:
    """*behaviour* for Schemathesis's test requests only; the mock's answer to everything else.

    Schemathesis then meets the hostility after cartkit's own first request was answered. Its
    two capability probes (``X-Schemathesis-Probe``) are answered too: it reads those without
    any limit, outside the transport cartkit bounds.
    """

    async def dispatch(request: Request, writer: asyncio.StreamWriter) -> None:
        headers = dict(request.headers)
        ours = headers.get("user-agent", "").startswith("schemathesis")
        if ours and "x-schemathesis-probe" not in headers:
            await behaviour(request, writer)
        else:
            await send(writer, await asgi(app, request))

    return dispatch


# -- corruptions of the mock's answers (for :func:`corrupting`) ---------------------------------


def html(answer: Answer) -> Answer:
    """A 200 answered with a proxy's HTML page."""
    if answer.status != 200:
        return answer
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    return Answer(200, [("Content-Type", "text/html")], page)


def invalid_utf8(answer: Answer) -> Answer:
    """The first cart id with a byte that is no UTF-8 (0xff) in it."""
    answer.body = answer.body.replace(b'"cart_', b'"\xffcart_', 1)
    return answer


def control_characters(answer: Answer) -> Answer:
    """The first cart id with raw control characters in it: NUL, an ANSI colour, a bell."""
    answer.body = answer.body.replace(b'"cart_', b'"\x00\x1b[31m\x07cart_', 1)
    return answer


def duplicate_keys(answer: Answer) -> Answer:
    """A list with ``data`` twice: first empty, then the carts (readers disagree which wins)."""
    if answer.body.startswith(b'{"object":"list",'):
        answer.body = b'{"data":[],' + answer.body[1:]
    return answer
