"""Plan jobs held by leases, on SQLite and PostgreSQL: two workers claiming at once get
different jobs; a lease renewed is kept, one that ran out is taken back (and after
`MAX_ATTEMPTS` claims the job fails); a stopping worker gives its jobs back; the queue's
figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from pointplan.store import models
from pointplan.store.database import Database
from pointplan.store.models import JobState
from pointplan.store.plans import (
    ATTEMPTS_REASON,
    MAX_ATTEMPTS,
    add_job,
    claim_queued,
    give_back,
    queue_state,
    renew_leases,
    take_back_expired,
)


def _jobs(db: Database, count: int) -> list[str]:
    with db.session() as session:
        return [
            add_job(session, "15", dt.date(2022, 11, 21), dt.date(2022, 11, 22), None, None,
                    5.0, "test").plan_id
            for _ in range(count)
        ]  # fmt: skip


def _expire(db: Database, plan_ids: list[str]) -> None:
    with db.session() as session:
        session.execute(
            update(models.PlanJob)
            .where(models.PlanJob.plan_id.in_(plan_ids))
            .values(lease_expires_at=models.utc_now() - dt.timedelta(seconds=1))
        )


def test_two_workers_get_different_jobs_and_keep_them_while_they_renew(db: Database) -> None:
    ids = _jobs(db, 3)
    with db.session() as session:
        first = [pid for pid, _ in claim_queued(session, 2, "a", 30)]
        second = [pid for pid, _ in claim_queued(session, 2, "b", 30)]
    assert sorted(first + second) == sorted(ids) and not set(first) & set(second)
    with db.session() as session:
        assert renew_leases(session, "a", first, 30) == set(first)
        assert renew_leases(session, "b", first, 30) == set()  # not b's
        assert take_back_expired(session) == (0, 0)
        state = queue_state(session)
    assert (state.queued, state.running) == (0, 3) and state.oldest_lease_seconds >= 0


def test_a_lapsed_lease_is_taken_back_and_a_job_claimed_too_often_fails(db: Database) -> None:
    (plan_id,) = _jobs(db, 1)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with db.session() as session:
            assert [pid for pid, _ in claim_queued(session, 1, f"w{attempt}", 30)] == [plan_id]
        _expire(db, [plan_id])
        with db.session() as session:
            assert renew_leases(session, f"w{attempt}", [plan_id], 30) == {plan_id}
        _expire(db, [plan_id])  # renewed, then it ran out again: the worker is gone
        with db.session() as session:
            taken = take_back_expired(session)
            job = session.get(models.PlanJob, plan_id)
            assert job is not None
            if attempt < MAX_ATTEMPTS:
                assert taken == (1, 0) and job.status == JobState.QUEUED and job.lease_owner == ""
            else:
                assert taken == (0, 1) and job.status == JobState.FAILED
                assert job.error == ATTEMPTS_REASON and job.attempts == MAX_ATTEMPTS


def test_a_stopping_worker_gives_its_jobs_back(db: Database) -> None:
    ids = _jobs(db, 2)
    with db.session() as session:
        claim_queued(session, 2, "a", 30)
        assert give_back(session, "b", ids) == 0
        assert give_back(session, "a", ids) == 2
        assert queue_state(session).queued == 2
        assert take_back_expired(session, every_running=True) == (0, 0)
        claim_queued(session, 2, "c", 30)
        assert take_back_expired(session, every_running=True) == (2, 0)  # a SQLite start
