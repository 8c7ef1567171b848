"""Bearer tokens: made once, stored only as their SHA-256, looked up by it, listed and
revoked by name."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.store import models
from pointplan.store.audit import audit

ROLES = ("admin", "planner", "registrar", "viewer", "hr")
TOKEN_CACHE_SECONDS = 30.0
"""How long the service trusts a valid token without asking the database again (so how long
a revoked token may still open it)."""
ACTOR = "command line"
"""Who token changes are recorded as in the audit trail (they are made on the server's own
machine, not over HTTP)."""
_AREA = re.compile(r"^(\d{2}|\d{4}|\d{6})?$")


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_role_and_area(role: str, area: str) -> None:
    """Raise `ValueError` saying why, when `role` is not a role or `area` not an adcode prefix
    of 2, 4 or 6 digits ("" is everywhere, for admins only)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not _AREA.match(area):
        raise ValueError(f"area must be an adcode prefix of 2, 4 or 6 digits, not {area!r}")
    if role != "admin" and not area:
        raise ValueError(f"a {role} token needs an area (--area), an adcode prefix")


def add_token(session: Session, name: str, role: str, area: str = "") -> str:
    """Make a token for `name` with `role` in `area`; returns the token, which is not kept."""
    check_role_and_area(role, area)
    token = "pp_" + secrets.token_urlsafe(32)
    session.add(models.Token(name=name, role=role, area=area, token_hash=token_hash(token)))
    audit(session, ACTOR, "tokens.add", f"{name} {role} {area or 'everywhere'}")
    return token


def find_token(session: Session, token: str) -> models.Token | None:
    """The live token record of `token`, if there is one."""
    return session.scalar(
        select(models.Token).where(
            models.Token.token_hash == token_hash(token), models.Token.revoked_at.is_(None)
        )
    )


def list_tokens(session: Session) -> list[models.Token]:
    """Every token record, live and revoked, oldest first."""
    return list(session.scalars(select(models.Token).order_by(models.Token.id)))


def revoke_tokens(session: Session, name: str) -> int:
    """Revoke every live token of `name`; how many there were."""
    live = session.scalars(
        select(models.Token).where(models.Token.name == name, models.Token.revoked_at.is_(None))
    ).all()
    for token in live:
        token.revoked_at = models.utc_now()
    if live:
        audit(session, ACTOR, "tokens.revoke", f"{name} ({len(live)})")
    return len(live)
