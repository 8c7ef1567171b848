"""The FastAPI application: routers, the database, limits and error answers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from pointplan.api import console
from pointplan.api.batch_writer import BatchWriter
from pointplan.api.jobs import PlanRunner
from pointplan.api.routers import documents, health, hr, plans, points, registrations
from pointplan.api.settings import Settings, thresholds_of
from pointplan.api.trip_index import TripIndex
from pointplan.store.database import Database, migrate
from pointplan.store.lookup import hash_unhashed
from pointplan.store.registrations import WriteRules
from pointplan.store.reports import MatchingCache

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service, on the database of `settings` (migrated to the current schema on start)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sealer = settings.sealer()
        db = Database(settings.database_url)
        migrate(db.engine)
        with db.session() as session:
            hash_unhashed(session, sealer)  # rows stored before their lookup hashes were kept
        app.state.db = db
        app.state.settings = settings
        # read once: a bad thresholds file stops the start, saying why
        app.state.thresholds = thresholds_of(settings)
        app.state.sealer = sealer
        app.state.token_cache = {}
        app.state.trip_index = TripIndex()
        app.state.matching = MatchingCache()
        rules = WriteRules(max_window_days=settings.max_window_days)
        app.state.batch_writer = BatchWriter(db, settings.validation_processes, sealer, rules)
        await app.state.batch_writer.start()
        runner = app.state.runner = PlanRunner(
            db,
            settings.plan_workers,
            sealer,
            settings.plan_margin_seconds,
            lease_seconds=settings.plan_lease_seconds,
        )
        runner.recover()
        task = asyncio.create_task(runner.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            app.state.batch_writer.close()
            db.dispose()

    app = FastAPI(
        title="pointplan",
        summary="Point-to-point charter trips (点对点包车) for migrant workers: registrations "
        "in, plans out.",
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=EscapingJSONResponse,
        generate_unique_id_function=operation_id,
    )
    for module in (health, points, registrations, plans, documents, hr):
        app.include_router(module.router)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    console.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(JsonBodiesOnly)
    app.add_middleware(GuardedAnswers)
    return app


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI operation id: its function's name (`post_registrations`,
    `get_plan`), stable and readable for generated clients."""
    return route.name


class EscapingJSONResponse(JSONResponse):
    """JSON answers that never fail on text that is not valid Unicode (a lone surrogate
    stored before text was checked): such a character goes out as its JSON escape."""

    def render(self, content: object) -> bytes:
        """The content as UTF-8 JSON, lone surrogates written as \\uXXXX escapes."""
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8", "backslashreplace")


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    """422 naming each field and saying what is wrong, without echoing the value sent (it
    may be personal data, or a number JSON cannot carry back)."""
    assert isinstance(error, RequestValidationError)
    detail = [
        {"type": entry["type"], "loc": list(entry["loc"]), "msg": entry["msg"]}
        for entry in error.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": detail})


GUARD_HEADERS = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
)
"""Headers on every answer of the API: answers may carry personal data, which no cache may
keep, and no browser may read them as anything but what they say they are."""


class GuardedAnswers:
    """Adds `GUARD_HEADERS` to every answer."""

    def __init__(self, app: Callable[[Message, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [header for header in GUARD_HEADERS if header[0] not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, guarded)


FILE_UPLOAD_PATH = "/v1/registrations/validate"
FILE_MEDIA = (b"text/csv", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
"""The one call that takes a file (CSV or XLSX) as its body, and the files it takes."""
FORM_MEDIA = (b"application/x-www-form-urlencoded", b"multipart/form-data")
"""What the console's forms send (its pages are under `console.PREFIX`)."""


class JsonBodiesOnly:
    """Refuses with 415 a request that sends a body but does not say it is JSON (or, to
    `FILE_UPLOAD_PATH`, a CSV or XLSX file; to the console, a form)."""

    def __init__(self, app: Callable[[Message, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH"):
            headers = dict(scope["headers"])
            media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            sends_body = headers.get(b"content-length", b"0") != b"0" or (
                b"transfer-encoding" in headers
            )
            json_body = media == b"application/json" or media.endswith(b"+json")
            a_file = scope["path"] == FILE_UPLOAD_PATH and media in FILE_MEDIA
            a_form = scope["path"].startswith(console.PREFIX) and media in FORM_MEDIA
            if sends_body and not (json_body or a_file or a_form):
                await _answer(
                    send, 415, "the request body must be JSON (Content-Type: application/json)"
                )
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses a request body above `max_bytes` with 413, by its Content-Length or, without
    one, as soon as the bytes received pass the limit."""

    def __init__(
        self, app: Callable[[Message, Receive, Send], Awaitable[None]], max_bytes: int
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        received = 0
        tripped = False

        async def limited() -> Message:
            nonlocal received, tripped
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                tripped = True
                raise _BodyTooLarge
            return message

        async def unless_tripped(message: Message) -> None:
            if not tripped:  # the app's own answer to a body cut short is not sent
                await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, limited, unless_tripped)
        if tripped:
            await _too_large(send, self.max_bytes)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, max_bytes: int) -> None:
    await _answer(send, 413, f"the request body is larger than {max_bytes} bytes")


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
