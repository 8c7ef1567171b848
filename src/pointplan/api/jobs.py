"""Plans as background jobs: each is solved in its own process, never on the request loop.

`PlanRunner` runs beside the app (or alone, as `pointplan worker`): it claims queued jobs (at
most `plan_workers` at once) with a lease, starts a process for each, renews the leases while
they run, and kills one when its plan is cancelled (by any service process), when its lease
was taken back, or when it runs past its wall-clock limit (its search time, the solver's own
wall guard beyond it, and a margin for reading and writing), so that one stuck job never
holds the queue. A process that dies leaves its job failed with the reason. Any number of
runners may share one PostgreSQL database: a job whose runner died is queued again once its
lease runs out and another runner solves it (`MAX_ATTEMPTS` claims at most); a runner that
stops gives its jobs back. On SQLite (one process per database) a starting runner queues
again every job left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy.orm import Session

from pointplan.api.processes import worker_context
from pointplan.builder import build_problem
from pointplan.domain.fleet import Fleet
from pointplan.domain.plan import Plan
from pointplan.domain.policy import Policy
from pointplan.replan import Base, replan
from pointplan.scenarios import widen_windows
from pointplan.solve import solve
from pointplan.solvers.budget import wall_guard_seconds
from pointplan.stop import Progress
from pointplan.store import models
from pointplan.store.answers import carry_answers, with_answers
from pointplan.store.database import Database
from pointplan.store.models import JobState
from pointplan.store.plans import (
    claim_queued,
    finish,
    give_back,
    mark_planned,
    plan_input,
    renew_leases,
    take_back_expired,
)
from pointplan.store.points import load_points
from pointplan.store.sealing import Sealer

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
SOLVER_NICENESS = 10


@dataclass(frozen=True)
class _Running:
    process: BaseProcess
    deadline: float  # time.monotonic() past which the job is stopped
    limit: float  # its wall-clock limit, s


def wall_limit(time_limit: float, margin: float) -> float:
    """The wall-clock seconds a plan job may run: 3 x time_limit + 30 s (the rate of the
    solver's own guard) plus `margin`, a backstop against a stuck job."""
    return wall_guard_seconds(time_limit) + margin


class PlanRunner:
    """Starts, watches and cancels the plan processes of one service."""

    def __init__(
        self,
        db: Database,
        workers: int,
        sealer: Sealer,
        margin_seconds: float = 60.0,
        solver_workers: int = 1,
        lease_seconds: float = 30.0,
    ) -> None:
        self.db = db
        self.workers = workers
        self.sealer = sealer
        self.margin_seconds = margin_seconds
        self.solver_workers = solver_workers
        self.lease_seconds = lease_seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.running: dict[str, _Running] = {}
        self._starting: set[str] = set()  # claimed, their process not started yet
        self._lock = threading.Lock()  # DELETE cancels from a request thread
        self._wake = asyncio.Event()
        self._context = worker_context()

    def recover(self) -> None:
        """Queue again the jobs a stopped runner left running: on SQLite all of them (one
        process per database), elsewhere those whose lease ran out."""
        one_process = self.db.url.startswith("sqlite")
        with self.db.session() as session:
            queued, failed = take_back_expired(session, every_running=one_process)
        if queued or failed:
            log.warning(
                "%d plan(s) left running by a stopped worker queued again, %d failed",
                queued,
                failed,
            )

    def wake(self) -> None:
        """Look for queued jobs now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Start queued jobs and reap finished processes until cancelled."""
        stop = threading.Event()
        keeper = threading.Thread(
            target=self._keep_leases, args=(stop,), name="plan-leases", daemon=True
        )
        keeper.start()  # on its own thread: starting a solver process blocks this loop
        try:
            while True:
                self._reap()
                self._start_queued()
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
        finally:
            stop.set()
            keeper.join(timeout=10)
            self._give_back_all()

    def cancel(self, plan_id: str, reason: str = "") -> bool:
        """Stop a job's process, if it has one, and mark it cancelled (or failed, with a
        reason, when the service itself stops); False when it had finished already."""
        with self._lock:
            running = self.running.pop(plan_id, None)
        if running is not None:
            running.process.kill()
            running.process.join(timeout=5)
        with self.db.session() as session:
            state = JobState.FAILED if reason else JobState.CANCELLED
            return finish(session, plan_id, state, None, reason)

    def _give_back_all(self) -> None:
        """Stop every local process and queue its job again, for another runner."""
        with self._lock:
            running, self.running = self.running, {}
        for item in running.values():
            item.process.kill()
            item.process.join(timeout=5)
        with self.db.session() as session:
            given = give_back(session, self.owner, list(running))
        if given:
            log.warning("stopping: %d plan(s) given back to the queue", given)

    def _keep_leases(self, stop: threading.Event) -> None:
        """Every third of a lease until `stop`: renew this runner's leases, stop the
        processes of jobs it no longer holds (cancelled, or taken back), and queue again the
        jobs of runners whose leases ran out."""
        while not stop.wait(self.lease_seconds / 3):
            try:
                self._renew()
            except Exception:  # a database that does not answer now may answer next time
                log.exception("renewing the plan leases failed")

    def _renew(self) -> None:
        with self._lock:
            mine = list(self.running)
            starting = set(self._starting)
        with self.db.session() as session:
            held = renew_leases(session, self.owner, set(mine) | starting, self.lease_seconds)
            queued, failed = take_back_expired(session)
        if queued or failed:
            log.warning("%d plan(s) of a stopped worker queued again, %d failed", queued, failed)
        for plan_id in sorted(set(mine) - held):
            with self._lock:
                running = self.running.pop(plan_id, None)
            if running is not None and running.process.is_alive():
                running.process.kill()
                running.process.join(timeout=5)
                log.warning(
                    "plan %s is no longer this worker's (cancelled, or taken back): its "
                    "solver was stopped",
                    plan_id,
                )

    def _start_queued(self) -> None:
        free = self.workers - len(self.running)
        if free <= 0:
            return
        with self.db.session() as session:
            claimed = claim_queued(session, free, self.owner, self.lease_seconds)
        with self._lock:  # renewed while their processes start (seconds on a busy machine)
            self._starting.update(plan_id for plan_id, _ in claimed)
        for plan_id, time_limit in claimed:
            process = self._context.Process(
                target=solve_job,
                args=(self.db.url, plan_id, self.solver_workers, self.sealer.keys),
                name=f"plan-{plan_id[:8]}",
                daemon=True,
            )
            process.start()
            limit = wall_limit(time_limit, self.margin_seconds)
            with self._lock:
                self.running[plan_id] = _Running(process, time.monotonic() + limit, limit)
                self._starting.discard(plan_id)

    def _reap(self) -> None:
        now = time.monotonic()
        for plan_id, running in list(self.running.items()):
            if running.deadline < now and running.process.is_alive():
                log.warning("plan %s ran past its limit of %.0f s: stopped", plan_id, running.limit)
                self.cancel(
                    plan_id,
                    f"the plan ran past its wall-clock limit of {running.limit:.0f} s (its "
                    "time limit, the solver's guard and the margin) and was stopped",
                )
        with self._lock:
            ended = [(i, r.process) for i, r in self.running.items() if not r.process.is_alive()]
            for plan_id, _ in ended:
                del self.running[plan_id]
        for plan_id, process in ended:
            process.join()
            if process.exitcode != 0:
                with self.db.session() as session:
                    finish(
                        session,
                        plan_id,
                        JobState.FAILED,
                        None,
                        f"the solver process stopped (exit code {process.exitcode})",
                    )


def final_progress(progress: dict[str, Any] | None, plan: Plan) -> dict[str, Any]:
    """A done plan's progress: every part searched, its vehicles and bound (also when no part
    needed a search, so none was reported)."""
    parts = (progress or {}).get("parts_total", 0)
    return {
        "parts_done": parts,
        "parts_total": parts,
        "vehicles": plan.summary.vehicles,
        "lower_bound": plan.summary.vehicles_lower_bound,
    }


def _base_of(session: Session, job: models.PlanJob) -> Base | None:
    """The base plan of a job planned from one, its published trips frozen."""
    if not job.base_plan_id:
        return None
    stored = session.get(models.PlanJob, job.base_plan_id)
    if stored is None or stored.result is None:
        raise ValueError(f"base plan {job.base_plan_id} has no plan")
    return Base(  # its published trips on the vehicles transport swapped them to
        plan=with_answers(session, stored, Plan.from_json(stored.result)),
        name=stored.plan_id,
        frozen_through=stored.published_through,
    )


def solve_job(database_url: str, plan_id: str, solver_workers: int, keys: tuple[str, ...]) -> None:
    """Solve one claimed job in this process and store the result (or the failure). The
    process runs at a lower priority than the service, so requests are answered first.
    `keys` open the personal data the registrations are stored with."""
    if hasattr(os, "nice"):
        os.nice(SOLVER_NICENESS)
    db = Database(database_url)
    try:
        with db.session() as session:
            job = session.get(models.PlanJob, plan_id)
            if job is None or job.status != JobState.RUNNING:
                return
            base = _base_of(session, job)
            on_published = (
                {rid for t in base.plan.trips if base.is_frozen(t) for rid in t.registration_ids()}
                if base
                else set()
            )
            planned = plan_input(session, job, Sealer(keys), on_published)
            if base:
                base = replace(base, riding=planned.riding)
            points = load_points(session)
            fleet = Fleet.model_validate(job.fleet) if job.fleet else None
            policy = Policy.model_validate(job.policy or {})
            time_limit = job.time_limit
            what_if, widen_days = bool(job.scenario), job.date_flexibility_days
        # Stored registrations were valid when they came in; a row that no longer is (its
        # pickup point was removed, say) is listed in the plan's `rejected`.
        problem = build_problem(
            planned.table,
            held=planned.held,
            points=points,
            fleet=fleet,
            policy=policy,
            keep_going=True,
            dates=(job.date_from, job.date_to),
        )
        if widen_days:
            widened = widen_windows(problem.registrations, widen_days, (job.date_from, job.date_to))
            problem = problem.with_registrations(widened)

        def report(progress: Progress) -> None:
            with db.session() as session:
                stored = session.get(models.PlanJob, plan_id)
                if stored is not None:
                    stored.progress = {
                        "parts_done": progress.parts_done,
                        "parts_total": progress.parts_total,
                        "vehicles": progress.vehicles,
                        "lower_bound": progress.lower_bound,
                    }

        planner = solve if base is None else partial(replan, base=base)
        plan = planner(problem, time_limit=time_limit, workers=solver_workers, on_progress=report)
        with db.session() as session:
            # plan.json without its indent: half the size, stored and served as it is
            if finish(session, plan_id, JobState.DONE, plan.to_json(indent=None)):
                stored = session.get(models.PlanJob, plan_id)
                assert stored is not None
                stored.progress = final_progress(stored.progress, plan)
                if base is not None and base.frozen_through is not None:
                    # the base's published trips are this plan's too
                    stored.published_through = base.frozen_through
                    stored.published_by = f"plan {base.name}"
                    stored.published_at = models.utc_now()
                    carry_answers(session, base.name, plan_id, plan)
                if not what_if:  # a scenario's plan changes no registration
                    mark_planned(session, plan_id, plan, stored.created_by)
    except Exception as error:  # the job fails with the reason; the service goes on
        log.exception("plan %s failed", plan_id)
        with db.session() as session:
            finish(session, plan_id, JobState.FAILED, None, f"{type(error).__name__}: {error}")
    finally:
        db.dispose()
