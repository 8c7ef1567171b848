"""The receiving side's lists: everyone the plan carries listed once, at the county and the
employer that receive them, with the trip's arrival and handover; personal data masked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pointplan.cli import main
from pointplan.domain import Place, Plan, Policy, Registration
from pointplan.exports.receiving import arrivals, write_receiving
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solve import solve
from tests.conftest import BAOTOU, BEIJING, HOHHOT, TUZUOQI

DAY = dt.date(2022, 11, 21)


def worker(rid: str, home: Place, work: Place, employer: str | None, size: int = 1) -> Registration:
    return Registration(
        registration_id=rid, direction="return_to_work", origin=home, destination=work,
        pickup=home, dropoff=work, earliest_date=DAY, latest_date=DAY, party_size=size,
        employer=employer, name="张三丰", phone="13800138000",
    )  # fmt: skip


Week = tuple[list[Registration], Plan]


@pytest.fixture(scope="module")
def week() -> Week:
    regs = [
        worker(f"B{k}", TUZUOQI, BAOTOU, "包钢" if k % 2 else None, 1 + k % 3) for k in range(12)
    ]
    regs += [worker(f"P{k}", HOHHOT, BEIJING, "北京工地") for k in range(5)]
    plan = solve(Problem(tuple(regs), default_fleet(), Policy()), time_limit=1, workers=1)
    return regs, plan


def test_everyone_carried_is_listed_once_where_they_are_received(week: Week) -> None:
    regs, plan = week
    table = arrivals(regs, plan)
    carried = {rid for t in plan.trips for rid in t.registration_ids()}
    assert sorted(table["登记编号 registration_id"]) == sorted(carried)
    by_id = {r.registration_id: r for r in regs}
    for _, row in table.iterrows():
        registration = by_id[row["登记编号 registration_id"]]
        assert row["接收旗县代码 receiving county"] == (registration.destination.adcode or "")[:6]
        trip = next(t for t in plan.trips if t.trip_id == row["车次 trip"])
        (stop,) = [
            s
            for s in trip.stops
            if s.kind == "dropoff" and registration.registration_id in s.registrations
        ]
        assert stop.arrival is not None
        assert row["到达 arrival"] == stop.arrival.strftime("%Y-%m-%d %H:%M")
        assert row["交接点 handover at"] == stop.place
        assert "*" in row["姓名 name"] and "*" in row["电话 phone"]
    people = table.groupby("接收旗县代码 receiving county")["人数 people"].sum().to_dict()
    assert people == {"150203": sum(r.party_size for r in regs if r.destination == BAOTOU),
                      "110105": 5}  # fmt: skip


def test_the_workbook_sums_by_county_and_lists_by_employer(week: Week, tmp_path: Path) -> None:
    regs, plan = week
    write_receiving(tmp_path / "receiving.xlsx", regs, plan, show_personal_data=True)
    summary = pd.read_excel(tmp_path / "receiving.xlsx", sheet_name="到达汇总 by county",
                            dtype={"接收旗县代码 receiving county": str})  # fmt: skip
    counties = summary["接收旗县代码 receiving county"]
    assert dict(zip(counties, summary["人数 people"], strict=True)) == {
        "110105": 5, "150203": sum(r.party_size for r in regs if r.destination == BAOTOU),
    }  # fmt: skip
    employers = pd.read_excel(tmp_path / "receiving.xlsx", sheet_name="用人单位 by employer")
    assert len(employers) == sum(1 for r in regs if r.employer)
    assert (employers["姓名 name"] == "张三丰").all()  # shown when asked


def _write_inputs(week: Week, folder: Path) -> None:
    """The week's registrations.csv and plan.json in `folder`, as the command reads them."""
    regs, plan = week
    rows = [
        {"registration_id": r.registration_id, "direction": "return_to_work",
         "origin": r.origin.adcode, "destination": r.destination.adcode,
         "earliest_date": DAY.isoformat(), "latest_date": DAY.isoformat(),
         "party_size": r.party_size, "employer": r.employer or ""}
        for r in regs
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(folder / "registrations.csv", index=False)
    (folder / "plan.json").write_text(plan.to_json(), encoding="utf-8")


def test_the_command_writes_the_lists(week: Week, tmp_path: Path) -> None:
    plan = week[1]
    _write_inputs(week, tmp_path)
    args = ["report", "receiving", str(tmp_path / "registrations.csv"), "--plan",
            str(tmp_path / "plan.json"), "--out", str(tmp_path / "out")]  # fmt: skip
    assert main(args) == 0
    book = openpyxl.load_workbook(tmp_path / "out" / "receiving.xlsx", read_only=True)
    assert book.sheetnames == ["到达汇总 by county", "到达名单 arrivals", "用人单位 by employer"]
    book.close()
    assert json.loads(plan.to_json())["trips"]


def test_a_returnees_former_employer_receives_nobody() -> None:
    returnee = Registration(
        registration_id="H1", direction="return_home", origin=BAOTOU, destination=TUZUOQI,
        pickup=BAOTOU, dropoff=TUZUOQI, earliest_date=DAY, latest_date=DAY, employer="包钢",
    )  # fmt: skip
    plan = solve(Problem((returnee,), default_fleet(), Policy()), time_limit=1, workers=1)
    (row,) = arrivals([returnee], plan).to_dict("records")
    assert row["用人单位 employer"] == "" and row["方向 direction"] == "返乡 return home"
    assert row["接收旗县代码 receiving county"] == "150121"


def test_the_policy_asks_for_quarantine_and_the_list_follows_each_person_until_cleared(
    week: Week, tmp_path: Path
) -> None:
    """`arrival_measure: quarantine`: every arrival carries the measure; the list to house
    holds everyone carried, each at the step its latest follow-up event gives."""
    from pointplan.domain.events import EventKind, StatusEvent
    from pointplan.exports.receiving import housing

    regs, plan = week
    carried = sorted({rid for t in plan.trips for rid in t.registration_ids()})
    first, second, third = carried[:3]
    when = dt.datetime(2022, 11, 21, 20)

    def step(rid: str, kind: EventKind, hours: int) -> StatusEvent:
        return StatusEvent(registration_id=rid, event=kind, time=when + dt.timedelta(hours=hours))

    events = [
        step(first, EventKind.QUARANTINED, 0),
        step(first, EventKind.CLEARED, 48),
        step(second, EventKind.QUARANTINED, 1),
    ]
    table = arrivals(regs, plan, events=events, measure="quarantine")
    assert set(table["到达后措施 measure"]) == {"集中隔离 quarantine"}
    housed = housing(table)
    states = dict(zip(housed["登记编号 registration_id"], housed["状态 state"], strict=True))
    assert len(states) == len(carried)
    assert states[first] == "已解除 cleared" and states[second] == "集中隔离中 in quarantine"
    assert states[third] == "待安置 to be housed"
    assert housing(arrivals(regs, plan)).empty  # no measure: nobody to house
    write_receiving(tmp_path / "r.xlsx", regs, plan, events=events, measure="quarantine")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert book.sheetnames[-1] == "待安置 to be housed"
    book.close()


def test_the_command_takes_the_policy_and_the_events(week: Week, tmp_path: Path) -> None:
    plan = week[1]
    _write_inputs(week, tmp_path)
    (tmp_path / "policy.yaml").write_text("arrival_measure: monitoring\n", encoding="utf-8")
    rid = next(iter(plan.trips[0].registration_ids()))
    (tmp_path / "events.csv").write_text(
        "registration_id,event,time\n"
        f"{rid},boarded,2022-11-21 08:00\n{rid},handed_over,2022-11-21 12:00\n"
        f"{rid},monitored,2022-11-21 13:00\n",
        encoding="utf-8",
    )
    args = ["report", "receiving", str(tmp_path / "registrations.csv"), "--plan",
            str(tmp_path / "plan.json"), "--policy", str(tmp_path / "policy.yaml"),
            "--events", str(tmp_path / "events.csv"), "--out", str(tmp_path / "out")]  # fmt: skip
    assert main(args) == 0
    housed = pd.read_excel(tmp_path / "out" / "receiving.xlsx", sheet_name="待安置 to be housed")
    states = dict(zip(housed["登记编号 registration_id"], housed["状态 state"], strict=True))
    assert states[rid] == "健康监测中 in monitoring"
    assert set(housed["到达后措施 measure"]) == {"居家健康监测 monitoring"}
