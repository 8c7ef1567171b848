"""Job matching, the ledger and the jobs file: every match within its posting's limits, the
flow's optimum checked by a second solver, the ledger's counts made again from the inputs."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pointplan.cli import main
from pointplan.domain import Registration
from pointplan.domain.jobs import JobPosting
from pointplan.domain.places import Place
from pointplan.domain.registration import Direction, Need
from pointplan.geo.distances import geodesic_km
from pointplan.geo.gazetteer import default_gazetteer
from pointplan.hr.ledger import fills, ledger
from pointplan.hr.matching import NO_POSTING, TAKEN, Matching, Seeker, match_jobs, seekers
from pointplan.io import read_points, read_registrations
from pointplan.io.errors import InputError
from pointplan.io.jobs import read_jobs
from pointplan.solvers.ortools_adapter import FlowArc, min_cost_flow
from tests.conftest import BAOTOU, BEIJING, HAILAR, HOHHOT, SAMPLE, TUZUOQI

DAY = dt.date(2022, 11, 21)


def returnee(
    rid: str, home: Place, trade: str, needs: tuple[Need, ...] = (Need.JOB,)
) -> Registration:
    return Registration(
        registration_id=rid, direction=Direction.RETURN_HOME, origin=BEIJING, destination=home,
        pickup=BEIJING, dropoff=home, earliest_date=DAY, latest_date=DAY, trade=trade,
        needs=needs, return_reason="layoff",
    )  # fmt: skip


def job(job_id: str, county: str, trade: str, openings: int, max_km: float = 100) -> JobPosting:
    return JobPosting(job_id=job_id, employer=f"E{job_id}", county=county, trade=trade,
                      openings=openings, wage=5000, max_km=max_km)  # fmt: skip


def test_the_nearer_seeker_gets_the_one_opening_and_limits_hold() -> None:
    regs = [
        returnee("A", HOHHOT, "建筑"),  # in the posting's county
        returnee("B", TUZUOQI, "建筑"),  # 40 km away: the opening is taken
        returnee("C", HOHHOT, "餐饮"),  # another trade
        returnee("D", HAILAR, "建筑"),  # too far
        returnee("E", BAOTOU, "建筑"),  # any trade, in Baotou
    ]
    jobs = [job("J1", "150102", "建筑", 1), job("J2", "150203", "", 1, max_km=20)]
    matching = match_jobs(seekers(regs), jobs)
    assert {(m.registration_id, m.job_id) for m in matching.matches} == {("A", "J1"), ("E", "J2")}
    assert dict(matching.unmatched) == {"B": TAKEN, "C": NO_POSTING, "D": NO_POSTING}


def _check_limits(found: list[Seeker], jobs: tuple[JobPosting, ...], matching: Matching) -> None:
    gaz = default_gazetteer()
    by_id = {s.registration_id: s for s in found}
    postings = {j.job_id: j for j in jobs}
    taken = Counter(m.job_id for m in matching.matches)
    assert all(taken[j] <= postings[j].openings for j in taken)
    assert len({m.registration_id for m in matching.matches}) == len(matching.matches)
    for m in matching.matches:
        seeker, posting = by_id[m.registration_id], postings[m.job_id]
        seat = gaz.unit_for_code(posting.county)
        assert (
            geodesic_km(seeker.home, Place(label="", lat=seat.lat, lon=seat.lon)) <= posting.max_km
        )
        assert posting.trade in ("", seeker.trade)


def _second_solve(found: list[Seeker], jobs: tuple[JobPosting, ...]) -> tuple[int, int]:
    """(matches, total tenths of a km) of the best matching, by OR-Tools' min-cost flow with
    a reward per match larger than any distance: another solver, another formulation."""
    from pointplan.hr.matching import _seat, eligible_km

    gaz = default_gazetteer()
    n, m = len(found), len(jobs)
    source, sink = 0, 1 + n + m
    reward = 10**7
    arcs = [FlowArc(source, 1 + i, 1, 0) for i in range(n)]
    arcs.append(FlowArc(source, sink, n, 0))  # a seeker may stay unmatched
    for i, seeker in enumerate(found):
        for k, posting in enumerate(jobs):
            seat = _seat(posting.county, gaz)
            km = eligible_km(seeker, posting, seat) if seat is not None else None
            if km is not None:
                arcs.append(FlowArc(1 + i, 1 + n + k, 1, round(10 * km) - reward))
    arcs += [FlowArc(1 + n + k, sink, posting.openings, 0) for k, posting in enumerate(jobs)]
    supplies = [0] * (sink + 1)
    supplies[source], supplies[sink] = n, -n
    flows = min_cost_flow(supplies, arcs)
    matched = [(a, f) for a, f in zip(arcs, flows, strict=True) if f and a.cost < 0]
    return len(matched), sum(a.cost + reward for a, _ in matched)


@pytest.fixture(scope="module")
def sample() -> tuple[list[Registration], tuple[JobPosting, ...]]:
    points = read_points(SAMPLE / "points.csv")
    regs = list(read_registrations(SAMPLE / "registrations.csv", points=points).registrations)
    return regs, read_jobs(SAMPLE / "jobs.csv")


def test_the_sample_weeks_matching_keeps_every_limit_and_is_the_optimum(
    sample: tuple[list[Registration], tuple[JobPosting, ...]],
) -> None:
    regs, jobs = sample
    found = seekers(regs)
    matching = match_jobs(found, jobs)
    assert len(found) == sum(
        1 for r in regs if r.direction is Direction.RETURN_HOME and Need.JOB in r.needs
    )
    _check_limits(found, jobs, matching)
    count, tenths = _second_solve(found, jobs)
    assert len(matching.matches) == count
    # The same least distance, within the rounding of each match's km to 0.1 km.
    assert abs(sum(10 * m.km for m in matching.matches) - tenths) <= 0.5 * count + 1e-6
    assert matching == match_jobs(found, jobs)  # the same input, the same matches


def test_the_ledger_counts_every_need_and_offers_only_matches(
    sample: tuple[list[Registration], tuple[JobPosting, ...]],
) -> None:
    regs, jobs = sample
    matching = match_jobs(seekers(regs), jobs)
    entries = ledger(regs, matching)
    expected = Counter(
        need.value for r in regs if r.direction is Direction.RETURN_HOME for need in set(r.needs)
    )
    assert Counter(e.need.value for e in entries) == expected
    offered = {e.registration_id for e in entries if e.state == "offered"}
    assert offered == {m.registration_id for m in matching.matches}
    assert all(e.state == "open" for e in entries if e.need is not Need.JOB)
    assert sum(f.matched for f in fills(jobs, matching)) == len(matching.matches)


def test_a_bad_jobs_file_names_each_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    pd.DataFrame(
        [
            {"job_id": "J1", "employer": "E", "county": "150102", "openings": 2, "wage": 5000},
            {"job_id": "J1", "employer": "E", "county": "150102", "openings": 2, "wage": 5000},
            {"job_id": "J2", "employer": "E", "county": "999999", "openings": 2, "wage": 5000},
            {"job_id": "J3", "employer": "E", "county": "150102", "openings": 0, "wage": 5000},
        ]
    ).to_csv(path, index=False)
    with pytest.raises(InputError) as raised:
        read_jobs(path)
    text = str(raised.value)
    assert "row 3" in text and "duplicate job_id" in text
    assert "row 4" in text and "county" in text
    assert "row 5" in text and "openings" in text


def test_the_command_writes_the_ledger_with_names_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "ledger", str(SAMPLE / "registrations.csv"), "--points",
            str(SAMPLE / "points.csv"), "--jobs", str(SAMPLE / "jobs.csv"), "--out",
            str(tmp_path)]  # fmt: skip
    assert main(args) == 0
    assert "matched to" in capsys.readouterr().out
    book = openpyxl.load_workbook(tmp_path / "ledger.xlsx", read_only=True)
    assert book.sheetnames == [
        "台账 ledger", "岗位 postings", "推送清单 push list", "转办 routed", "未匹配 unmatched",
    ]  # fmt: skip
    rows = list(book["推送清单 push list"].iter_rows(values_only=True))
    names = [row[3] for row in rows[1:] if row[3]]
    assert names and all("*" in name for name in names)
    book.close()
    bad = tmp_path / "bad.csv"
    bad.write_text("job_id,employer\nJ1,E\n", encoding="utf-8")
    assert main([*args[:5], "--jobs", str(bad), "--out", str(tmp_path)]) == 2
