"""The console: pages in the browser for the staff who run the week, served by the service
under /console and made on the API's own calls, so that a page shows and allows exactly what
the caller's role and area allow through the API (docs/console.md)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from pointplan.api.console import plans, registrations, reports, scenarios, session
from pointplan.api.console.pages import home_of, message_of, render
from pointplan.api.console.session import SignInNeeded, Visitor, console_caller
from pointplan.fonts import font_path

PREFIX = "/console"

router = APIRouter(prefix=PREFIX, include_in_schema=False)
for module in (session, registrations, plans, scenarios, reports):
    router.include_router(module.router)


@router.get("")
def console_home(caller: Visitor) -> Response:
    """The first page of the caller's menu."""
    return RedirectResponse(home_of(caller), status_code=303)


@router.get("/font.ttf")
def font() -> Response:
    """The shipped Chinese font, for a machine that has none (kept by the browser a day)."""
    return Response(
        font_path().read_bytes(),
        media_type="font/ttf",
        headers={"cache-control": "public, max-age=86400"},
    )


def install(app: FastAPI) -> None:
    """Serve the console on `app`: its pages, its static files, and its answers to a refusal
    (a page saying why, or the sign-in page) instead of the API's JSON."""
    app.include_router(router)
    app.mount(
        f"{PREFIX}/static",
        StaticFiles(packages=[("pointplan.api.console", "static")]),
        name="console-static",
    )
    api_invalid = app.exception_handlers[RequestValidationError]

    async def on_refusal(request: Request, error: Exception) -> Response:
        if not _in_console(request):
            return await http_exception_handler(request, error)  # type: ignore[arg-type]
        assert isinstance(error, HTTPException)
        return await _refusal_page(request, error.status_code, message_of(error.detail))

    async def on_invalid(request: Request, error: Exception) -> Response:
        if not _in_console(request):
            answer = api_invalid(request, error)
            assert not isinstance(answer, Response), "the API's handler is async"
            return await answer
        assert isinstance(error, RequestValidationError)
        return await _refusal_page(request, 422, message_of(list(error.errors())))

    async def on_sign_in_needed(request: Request, error: Exception) -> Response:
        return session.sign_in_redirect(request)

    app.add_exception_handler(HTTPException, on_refusal)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(SignInNeeded, on_sign_in_needed)


def _in_console(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(f"{PREFIX}/")


async def _refusal_page(request: Request, status_code: int, message: str) -> Response:
    """Why a console request was refused: a page with the menu (an htmx request gets the
    message alone, shown where its answer goes)."""
    try:
        caller = await console_caller(request)
    except SignInNeeded:
        caller = None
    if request.headers.get("hx-request"):
        return render(request, "refusal.html.j2", caller, status_code=200, message=message)
    return render(request, "refused_page.html.j2", caller, status_code=status_code, message=message)
