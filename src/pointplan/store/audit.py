"""The audit trail: who wrote what, and when (全程可追溯)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pointplan.store import models


def audit(session: Session, actor: str, action: str, target: str) -> None:
    """Record who wrote what, now."""
    session.add(models.AuditEntry(actor=actor, action=action, target=target[:200]))
