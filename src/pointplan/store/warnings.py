"""Early warnings in the database: raised from the indicators (again at a higher level when
they rise), acknowledged by the office that answers for the county, closed with what was
done; every step kept in the warning's trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.domain.warnings import WarningLevel
from pointplan.hr.warning import Warning
from pointplan.store import models
from pointplan.store.audit import audit
from pointplan.store.models import WarningState


class StepRefused(ValueError):
    """A step that may not follow the warning's state (acknowledging a closed warning)."""


def warning_id(county: str, week_start: dt.date) -> str:
    """The id of the warning of a county and week: `W-150121-20221121`."""
    return f"W-{county}-{week_start:%Y%m%d}"


def raise_warnings(
    session: Session, found: Sequence[Warning], actor: str
) -> list[models.WarningRecord]:
    """Record the warnings among `found` that raise a level: a new one is `raised`; one
    already recorded at a lower level is raised again at the new level (back to `raised`,
    even if it was closed) with its new indicators; one at the same or a higher level is
    left as it is. The records raised or raised again, in county order."""
    changed = []
    for warning in found:
        if warning.level is None:
            continue
        wid = warning_id(warning.area, warning.week_start)
        record = session.get(models.WarningRecord, wid)
        if record is not None and WarningLevel(record.level).rank >= warning.level.rank:
            continue
        indicators = asdict(warning.indicators)
        if record is None:
            record = models.WarningRecord(
                warning_id=wid,
                county=warning.area,
                week_start=warning.week_start,
                level=warning.level.value,
                indicators=indicators,
                reasons=list(warning.reasons),
                state=WarningState.RAISED.value,
            )
            session.add(record)
            note = "; ".join(warning.reasons)
        else:
            note = f"raised from {record.level} to {warning.level.value}: " + "; ".join(
                warning.reasons
            )
            record.level, record.indicators = warning.level.value, indicators
            record.reasons, record.state = list(warning.reasons), WarningState.RAISED.value
            record.updated_at = models.utc_now()
        session.flush()
        _step(session, record, "raised", note, actor)
        changed.append(record)
    if changed:
        audit(session, actor, "warnings.raise", f"{len(changed)} warnings")
    return changed


def move_warning(
    session: Session, record: models.WarningRecord, to: WarningState, note: str, actor: str
) -> None:
    """Acknowledge (from raised) or close (from raised or acknowledged) a warning, with the
    note; `StepRefused` when its state does not allow it."""
    allowed = {
        WarningState.ACKNOWLEDGED: (WarningState.RAISED,),
        WarningState.CLOSED: (WarningState.RAISED, WarningState.ACKNOWLEDGED),
    }[to]
    if WarningState(record.state) not in allowed:
        raise StepRefused(f"the warning is {record.state}: it cannot be {to.value}")
    record.state, record.updated_at = to.value, models.utc_now()
    _step(session, record, to.value, note, actor)
    audit(session, actor, f"warnings.{to.value}", record.warning_id)


def warnings_in(
    session: Session,
    area: str,
    week_start: dt.date | None = None,
    state: WarningState | None = None,
) -> list[models.WarningRecord]:
    """The recorded warnings of the counties in `area` ("" everywhere), of the week and in
    the state when given, by week then county."""
    query = select(models.WarningRecord).order_by(
        models.WarningRecord.week_start, models.WarningRecord.county
    )
    if area:
        query = query.where(models.WarningRecord.county.startswith(area))
    if week_start is not None:
        query = query.where(models.WarningRecord.week_start == week_start)
    if state is not None:
        query = query.where(models.WarningRecord.state == state.value)
    return list(session.scalars(query))


def trail(session: Session, warning_ids: Sequence[str]) -> dict[str, list[models.WarningStep]]:
    """Each warning's steps, oldest first."""
    steps: dict[str, list[models.WarningStep]] = {wid: [] for wid in warning_ids}
    if not warning_ids:
        return steps
    for step in session.scalars(
        select(models.WarningStep)
        .where(models.WarningStep.warning_id.in_(list(warning_ids)))
        .order_by(models.WarningStep.id)
    ):
        steps[step.warning_id].append(step)
    return steps


def _step(session: Session, record: models.WarningRecord, step: str, note: str, actor: str) -> None:
    session.add(
        models.WarningStep(
            warning_id=record.warning_id, step=step, level=record.level, note=note, actor=actor
        )
    )
