"""Signing in to the console with a token of the service, and who is signed in.

The token is kept in a cookie the page's scripts cannot read (HttpOnly), sent only to the
console (Path=/console) and only from its own pages (SameSite=Strict); each request finds
its caller through the same token check, cache and revocation as a bearer token. A form
posted from another site is refused by its Origin as well.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pointplan.api.auth import Principal, token_caller
from pointplan.api.console.pages import home_of, render

COOKIE = "pointplan_console"
COOKIE_PATH = "/console"
SESSION_SECONDS = 12 * 3600
"""A sign-in lasts a working day; the token itself may be revoked sooner, and is then
refused within the token cache's time."""

router = APIRouter()


class SignInNeeded(Exception):
    """The request has no valid console cookie: the answer sends the browser to sign in."""


async def console_caller(request: Request) -> Principal:
    """The caller signed in to the console; `SignInNeeded` without a valid token."""
    secret = request.cookies.get(COOKIE, "")
    if not secret:
        raise SignInNeeded
    try:
        return await token_caller(request, secret)
    except HTTPException:
        raise SignInNeeded from None


async def same_origin(request: Request) -> None:
    """403 for a form posted from a page of another host (belt and braces beside the
    SameSite cookie)."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a form from another site")


Visitor = Annotated[Principal, Depends(console_caller)]
Posted = Depends(same_origin)


def sign_in_redirect(request: Request) -> Response:
    """Where a request without a valid sign-in goes: the sign-in page (for an htmx request,
    a header that makes htmx load it)."""
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": "/console/sign-in"})
    return RedirectResponse("/console/sign-in", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return render(request, "sign_in.html.j2", error="")


@router.post("/sign-in", dependencies=[Posted])
async def sign_in(request: Request, token: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Checks the token and, when valid, keeps it in the console's cookie."""
    token = token.strip()
    try:
        caller = await token_caller(request, token) if token else None
    except HTTPException as refused:
        caller, reason = None, str(refused.detail)
    else:
        reason = "请输入令牌 Enter your token" if caller is None else ""
    if caller is None:
        return render(request, "sign_in.html.j2", status_code=401, error=reason)
    answer = RedirectResponse(home_of(caller), status_code=status.HTTP_303_SEE_OTHER)
    answer.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


@router.post("/sign-out", dependencies=[Posted])
def sign_out() -> Response:
    """Forgets the cookie."""
    answer = RedirectResponse("/console/sign-in", status_code=status.HTTP_303_SEE_OTHER)
    answer.delete_cookie(COOKIE, path=COOKIE_PATH)
    return answer
