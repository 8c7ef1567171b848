"""How the console's pages are made: the templates, the menu each role sees, and the answer
to a call the API refused (its message on the page, never a traceback)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from pointplan.api.auth import Principal
from pointplan.domain.events import CHINA_TIME

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("pointplan.api.console", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)

CONTENT_SECURITY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'self'; base-uri 'none'"
)
"""The console's pages load nothing from another host: scripts, styles and pictures come
from the service itself (the map's own document widens `img-src` to a tile server, when one
is configured)."""

DOCUMENT_SECURITY = (
    "default-src 'none'; style-src 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
"""A plan's HTML documents shown in the console's frames (a trip's 一车一方案): no script, nothing
from another host, framed only by the console."""


def map_security(tile_url: str | None) -> str:
    """The policy of the map's document: Leaflet and its data are written into the page
    (inline, and as data: URLs, as folium writes them); pictures only from the service, or
    from the tile server's origin when one is configured."""
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url)
        tiles = f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'unsafe-inline' data:; style-src 'unsafe-inline' data:; "
        f"font-src data:; img-src 'self' data:{tiles}; frame-ancestors 'self'; base-uri 'none'; "
        "form-action 'none'"
    )


@dataclass(frozen=True)
class MenuItem:
    """One entry of the menu: its path, its label and the roles that see it."""

    path: str
    label: str
    roles: frozenset[str]


MENU = (
    MenuItem("/console/registrations", "登记 Registrations", frozenset({"registrar", "planner"})),
    MenuItem("/console/plans", "方案 Plans", frozenset({"planner", "viewer", "registrar"})),
    MenuItem("/console/scenarios", "比较 Scenarios", frozenset({"planner"})),
    MenuItem("/console/reports", "报表 Reports", frozenset({"hr"})),
)
"""The console's pages, in the menu's order (admins see every one)."""

ROLE_NAMES = {
    "admin": "管理员 admin",
    "planner": "调度 planner",
    "registrar": "登记员 registrar",
    "viewer": "查看 viewer",
    "hr": "人社 human resources",
}


def menu_for(caller: Principal) -> list[MenuItem]:
    """The menu entries `caller`'s role sees."""
    return [item for item in MENU if caller.role == "admin" or caller.role in item.roles]


def home_of(caller: Principal) -> str:
    """The page a caller lands on after signing in: the first of its menu."""
    items = menu_for(caller)
    return items[0].path if items else "/console/sign-in"


def render(
    request: Request,
    template: str,
    caller: Principal | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page rendered with the caller, the menu and `context`; for an htmx request, the
    page's main part alone (every template extends `layout`), so that each page works
    with and without scripts."""
    fragment = bool(request.headers.get("hx-request")) and not request.headers.get("hx-boosted")
    page = _ENVIRONMENT.get_template(template).render(
        layout="fragment.html.j2" if fragment else "base.html.j2",
        caller=caller,
        role_name=ROLE_NAMES.get(caller.role, caller.role) if caller else "",
        menu=menu_for(caller) if caller else [],
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    response.headers["content-security-policy"] = CONTENT_SECURITY
    return response


def message_of(detail: Any) -> str:
    """An API error's detail as one line to read: a 422's fields and reasons joined."""
    if isinstance(detail, list):
        return _joined([entry for entry in detail if isinstance(entry, dict)], from_part=1)
    return str(detail)


def problems_of(invalid: ValidationError) -> str:
    """A form's problems as one line, each naming its field (never the value sent)."""
    return _joined(list(invalid.errors()), from_part=0)


def _joined(errors: list[Any], from_part: int) -> str:
    """`errors` (pydantic's) as "field: reason; …", the field's path from `from_part` on (1
    leaves out FastAPI's "body" or "query")."""
    return "; ".join(
        f"{'.'.join(str(p) for p in error.get('loc', [])[from_part:]) or 'body'}: "
        f"{error.get('msg')}"
        for error in errors
    )


def china_now() -> dt.datetime:
    """The time now in Beijing time, to the minute (the default of an event's time)."""
    return dt.datetime.now(CHINA_TIME).replace(second=0, microsecond=0)


def _money(value: float) -> str:
    return f"¥{value:,.0f}"


def _time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


_ENVIRONMENT.filters["money"] = _money
_ENVIRONMENT.filters["china_time"] = _time
