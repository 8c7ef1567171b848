"""Who is calling: bearer tokens with a role and an area, and the checks the routers use.

Roles (interchange.md): `admin` everything; `planner` plans and registrations touching its
area; `registrar` writes and reads registrations whose origin or destination lies in its
area; `viewer` reads plans of its area, personal data masked; `hr` makes human resources'
calls for its area and records the follow-up and the ledger's steps. An area is an adcode prefix;
every role but admin needs one (a token made without one, before that was the rule, opens
nothing).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from pointplan.store.database import Database
from pointplan.store.registrations import covers
from pointplan.store.tokens import find_token, token_hash

TOKEN_CACHE_SIZE = 10_000

_bearer = HTTPBearer(auto_error=False, description="a token from `pointplan token add`")


@dataclass(frozen=True)
class Principal:
    """The caller: the token's name, role and area."""

    name: str
    role: str
    area: str

    @property
    def scope(self) -> str:
        """The adcode prefix the caller may act in ("" is everywhere: always for admins)."""
        return "" if self.role == "admin" else self.area

    @property
    def sees_personal_data(self) -> bool:
        """Whether names, id numbers and phones are shown to this caller unmasked."""
        return self.role != "viewer"

    def require(self, *roles: str) -> None:
        """403 unless the caller has one of `roles` (admin always has)."""
        if self.role != "admin" and self.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"the {self.role} role may not do this")

    def reaches(self, *adcodes: str | None) -> bool:
        """Whether one of `adcodes` lies in the caller's area."""
        return any(covers(self.scope, adcode) for adcode in adcodes)

    def meets(self, area: str) -> bool:
        """Whether `area` (an adcode prefix) and the caller's area hold one another."""
        return covers(self.scope, area) or covers(area, self.scope)

    def require_area(self, *adcodes: str | None) -> None:
        """403 unless one of `adcodes` lies in the caller's area."""
        if not self.reaches(*adcodes):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"outside your area {self.area}")


async def database(request: Request) -> Database:
    """The app's database. (Dependencies are `async` where they do no I/O: FastAPI sends a
    plain function to a thread, and each hop to a thread and back costs a read latency.)"""
    return database_of(request)


def database_of(request: Request) -> Database:
    """The app's database, for a handler that is not given it as a dependency."""
    db: Database = request.app.state.db
    return db


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller of this request; 401 without a valid bearer token. A token seen in the
    last `token_cache_seconds` (a setting, 30 by default) is answered from memory, on the
    event loop; only an unknown one costs a database query, in a thread."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a bearer token is required")
    return await token_caller(request, credentials.credentials)


async def token_caller(request: Request, secret: str) -> Principal:
    """The caller holding the token `secret` (sent as a bearer token, or the console's
    cookie); 401 when it is not a valid token."""
    cache: dict[str, tuple[float, Principal]] = request.app.state.token_cache
    key = token_hash(secret)
    now = time.monotonic()
    cached = cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    caller = await run_in_threadpool(_look_up, database_of(request), secret)
    if caller is None:
        raise _unauthorized("the token is not valid")
    if caller.role != "admin" and not caller.area:
        raise _unauthorized(
            f"a {caller.role} token needs an area; make a new one with `pointplan token add --area`"
        )
    if len(cache) > TOKEN_CACHE_SIZE:
        cache.clear()
    cache[key] = (now + request.app.state.settings.token_cache_seconds, caller)
    return caller


def _look_up(db: Database, secret: str) -> Principal | None:
    with db.session() as session:
        token = find_token(session, secret)
        return None if token is None else Principal(token.name, token.role, token.area)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


Caller = Annotated[Principal, Depends(principal)]
DB = Annotated[Database, Depends(database)]
