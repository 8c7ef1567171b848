"""Human resources' calls (docs/hr.md, `/v1/hr/...`) on a database of their own, on SQLite and
PostgreSQL, so that every count is exact: job postings, the ledger and its push list, the
flows each office answers for, the receiving lists with the follow-up, the early warning with
its trail, and the weekly reports flowing from county to league to region with their deadline;
and the access matrix of every role and area on these calls.

Counts are made here from the registrations the tests send, not by the code under test.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from pointplan.api import Settings, create_app
from pointplan.domain.events import CHINA_TIME
from pointplan.io.errors import InputError
from pointplan.store.database import Database, migrate
from pointplan.store.tokens import add_token
from tests.api.conftest import (
    DATA_KEY,
    KUNDULUN,
    NAME,
    PHONE,
    QINGSHAN,
    TUZUOQI,
    XINCHENG,
    Service,
    event,
    postgres_database,
)

BEIJING_CHAOYANG = "110105"
WEEK = "2022-11-21"
TOKENS = {
    "admin": ("admin", ""),
    "planner-1501": ("planner", "1501"),
    "registrar-1501": ("registrar", "1501"),
    "viewer-1501": ("viewer", "1501"),
    "hr-15": ("hr", "15"),
    "hr-1501": ("hr", "1501"),
    "hr-1502": ("hr", "1502"),
    "hr-150121": ("hr", TUZUOQI),
    "hr-150102": ("hr", XINCHENG),
    "hr-150203": ("hr", KUNDULUN),
    "hr-150204": ("hr", QINGSHAN),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hr(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The service on an empty database of its own, with the tokens of `TOKENS`."""
    if request.param == "sqlite":
        urls: Any = _sqlite(tmp_path_factory)
    else:
        urls = postgres_database()
    with urls as url:
        db = Database(url)
        try:
            migrate(db.engine)
            with db.session() as session:
                tokens = {
                    who: add_token(session, who, role, area) for who, (role, area) in TOKENS.items()
                }
            app = create_app(Settings(database_url=url, data_keys=DATA_KEY, max_time_limit=5))
            with TestClient(app) as client:
                yield Service(url, client, tokens, db)
        finally:
            db.dispose()


class _sqlite:
    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.url = f"sqlite:///{factory.mktemp('hr') / 'pointplan.db'}"

    def __enter__(self) -> str:
        return self.url

    def __exit__(self, *_: object) -> None:
        return None


def returnee(rid: str, home: str = TUZUOQI, **overrides: Any) -> dict[str, Any]:
    """A return-home registration from Beijing to `home`, registered in the week."""
    item: dict[str, Any] = {
        "registration_id": rid,
        "direction": "return_home",
        "origin": BEIJING_CHAOYANG,
        "destination": home,
        "earliest_date": "2022-11-22",
        "latest_date": "2022-11-24",
        "party_size": 1,
        "name": NAME,
        "phone": PHONE,
        "registered_at": "2022-11-21",
        "return_reason": "voluntary",
    }
    item.update(overrides)
    return item


def worker(rid: str, origin: str, destination: str, day: str, **overrides: Any) -> dict[str, Any]:
    """A return-to-work registration travelling on `day`."""
    item: dict[str, Any] = {
        "registration_id": rid,
        "direction": "return_to_work",
        "origin": origin,
        "destination": destination,
        "earliest_date": day,
        "latest_date": day,
        "party_size": 1,
        "name": NAME,
        "phone": PHONE,
    }
    item.update(overrides)
    return item


def get(service: Service, path: str, who: str, **params: Any) -> httpx.Response:
    """GET `path` as `who`."""
    return service.client.get(path, params=params, headers=service.auth(who))


def post(service: Service, path: str, who: str, body: Any = None) -> httpx.Response:
    """POST `body` (JSON) to `path` as `who`."""
    return service.client.post(path, json=body, headers=service.auth(who))


# --- the access matrix ---------------------------------------------------------------------

HR_CALLS = ("jobs", "ledger", "coordination", "warnings", "report-150121", "report-1502")
# ok: 200; role: 403 for the role; area: 403, the area asked lies outside the token's.
#                        jobs    ledger  coord.  warnings rep-150121 rep-1502
HR_ACCESS: dict[str, tuple[str, ...]] = {
    "admin":          ("ok",   "ok",   "ok",   "ok",   "ok",   "ok"),
    "planner-1501":   ("role", "role", "role", "role", "role", "role"),
    "registrar-1501": ("role", "role", "role", "role", "role", "role"),
    "viewer-1501":    ("role", "role", "role", "role", "role", "role"),
    "hr-15":          ("ok",   "ok",   "ok",   "ok",   "ok",   "ok"),
    "hr-1501":        ("ok",   "ok",   "ok",   "ok",   "ok",   "area"),
    "hr-1502":        ("ok",   "ok",   "ok",   "ok",   "area", "ok"),
    "hr-150121":      ("ok",   "ok",   "ok",   "ok",   "ok",   "area"),
    "hr-150102":      ("ok",   "ok",   "ok",   "ok",   "area", "area"),
    "hr-150203":      ("ok",   "ok",   "ok",   "ok",   "area", "area"),
    "hr-150204":      ("ok",   "ok",   "ok",   "ok",   "area", "area"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "call", "expected"),
    [
        pytest.param(who, call, expected, id=f"{who}-{call}")
        for who, row in HR_ACCESS.items()
        for call, expected in zip(HR_CALLS, row, strict=True)
    ],
)
def test_access(hr: Service, who: str, call: str, expected: str) -> None:
    """Each token on each of human resources' calls gets the contract's answer."""
    path = {
        "jobs": "/v1/hr/jobs",
        "ledger": "/v1/hr/ledger",
        "coordination": "/v1/hr/coordination",
        "warnings": "/v1/hr/warnings",
        "report-150121": f"/v1/hr/reports/{WEEK}/{TUZUOQI}",
        "report-1502": f"/v1/hr/reports/{WEEK}/1502",
    }[call]
    response = get(hr, path, who)
    if expected == "ok":
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, response.text
        assert ("role" if expected == "role" else "outside") in response.json()["detail"]


def test_the_matrix_covers_every_token(hr: Service) -> None:
    assert set(HR_ACCESS) == set(hr.tokens)


def test_hr_records_the_follow_up_and_the_ledger_but_not_the_journey(hr: Service) -> None:
    """An hr token may record need_offered, need_served, quarantined...; never boarded or a
    health check (403); nor outside its area (404, as for an unknown id)."""
    hr.create(returnee("EV-1", needs="job"))
    offered = hr.post_event("EV-1", event("need_offered", need="job"), who="hr-150121")
    assert offered.status_code == 201, offered.text
    refused = hr.post_event("EV-1", event("health_checked"), who="hr-150121")
    assert refused.status_code == 403 and "hr role" in refused.json()["detail"]
    elsewhere = hr.post_event("EV-1", event("need_served", need="job"), who="hr-1502")
    assert elsewhere.status_code == 404
    assert hr.get_registration("EV-1", who="hr-150121").status_code == 403


# --- job postings and the ledger -----------------------------------------------------------


def posting(job_id: str, county: str = TUZUOQI, **overrides: Any) -> dict[str, Any]:
    """A posting body."""
    body: dict[str, Any] = {
        "job_id": job_id,
        "employer": "土左旗建筑公司",
        "county": county,
        "trade": "测试工种",
        "openings": 2,
        "wage": 5200,
        "max_km": 80,
    }
    body.update(overrides)
    return body


def test_postings_are_saved_by_id_in_the_area_and_checked(hr: Service) -> None:
    saved = post(hr, "/v1/hr/jobs", "hr-1501", [posting("J-1"), posting("J-2", XINCHENG)])
    assert saved.json() == {"created": 2, "updated": 0}, saved.text
    again = post(hr, "/v1/hr/jobs", "hr-1501", [posting("J-2", XINCHENG, openings=3)])
    assert again.json() == {"created": 0, "updated": 1}
    outside = post(hr, "/v1/hr/jobs", "hr-1501", [posting("J-3", KUNDULUN)])
    assert outside.status_code == 403 and "outside" in outside.json()["detail"]
    takeover = post(hr, "/v1/hr/jobs", "hr-1502", [posting("J-1", KUNDULUN)])
    assert takeover.status_code == 403  # J-1 is stored in Hohhot
    bad = post(hr, "/v1/hr/jobs", "admin", [posting("J-4", "150100"), posting("J-4")])
    assert bad.status_code == 422
    assert [e["loc"] for e in bad.json()["detail"]] == [
        ["body", "0", "county"],
        ["body", "1", "job_id"],
    ]
    listed = {p["job_id"]: p for p in get(hr, "/v1/hr/jobs", "hr-150102").json()["items"]}
    assert set(listed) == {"J-2"} and listed["J-2"]["openings"] == 3
    assert set(p["job_id"] for p in get(hr, "/v1/hr/jobs", "hr-1502").json()["items"]) == set()
    assert hr.client.delete("/v1/hr/jobs/J-2", headers=hr.auth("hr-1502")).status_code == 404
    assert hr.client.delete("/v1/hr/jobs/J-2", headers=hr.auth("hr-1501")).status_code == 204
    assert "J-2" not in {p["job_id"] for p in get(hr, "/v1/hr/jobs", "admin").json()["items"]}


def test_the_ledger_matches_within_trade_and_distance_and_follows_the_steps(
    hr: Service,
) -> None:
    """Three job seekers of the test's trade at home in Tumed Left Banner, one with another
    trade, one in Baotou (180 km away): the posting of two openings within 80 km takes two
    of the three, the nearest first by id; steps move the states."""
    trade = "台账工种"  # no other test's posting takes it
    hr.create(
        returnee("LG-1", needs="job;rights", trade=trade, party_size=2),
        returnee("LG-2", needs="job", trade=trade),
        returnee("LG-3", needs="job", trade=trade),
        returnee("LG-4", needs="job;training", trade="餐饮"),
        returnee("LG-5", home=KUNDULUN, needs="job", trade=trade),
    )
    post(hr, "/v1/hr/jobs", "admin", [posting("J-LG", openings=2, trade=trade)])
    body = get(hr, "/v1/hr/ledger", "hr-150121").json()
    mine = {
        (i["registration_id"], i["need"]): i
        for i in body["items"]
        if i["registration_id"].startswith("LG-")
    }
    assert set(mine) == {
        ("LG-1", "job"), ("LG-1", "rights"), ("LG-2", "job"), ("LG-3", "job"),
        ("LG-4", "job"), ("LG-4", "training"),
    }  # fmt: skip
    offered = {rid for (rid, need), i in mine.items() if i["job_id"] == "J-LG"}
    assert len(offered) == 2 and offered <= {"LG-1", "LG-2", "LG-3"}
    assert all(mine[rid, "job"]["state"] == "offered" for rid in offered)
    assert mine["LG-4", "training"]["office"].startswith("职业培训")
    push = [p for p in body["push_list"] if p["job_id"] == "J-LG"]
    assert {p["registration_id"] for p in push} == offered
    assert all(p["name"] == NAME and p["phone"] == PHONE for p in push)  # hr sees them
    assert all(p["km"] <= 80 for p in push)
    unmatched = {u["registration_id"] for u in body["unmatched"]}
    assert {"LG-1", "LG-2", "LG-3"} - offered <= unmatched and "LG-4" in unmatched
    assert "LG-5" not in {i["registration_id"] for i in body["items"]}  # Baotou's
    served = hr.post_event("LG-1", event("need_served", need="rights"), who="hr-150121")
    assert served.status_code == 201, served.text
    again = get(hr, "/v1/hr/ledger", "hr-1501").json()
    rights = next(
        i for i in again["items"] if i["registration_id"] == "LG-1" and i["need"] == "rights"
    )
    assert rights["state"] == "served" and rights["steps"][0].endswith("need_served")
    baotou = get(hr, "/v1/hr/ledger", "hr-1502").json()
    assert {
        i["registration_id"] for i in baotou["items"] if i["registration_id"].startswith("LG-")
    } == {"LG-5"}
    jobs = {p["job_id"]: p for p in get(hr, "/v1/hr/jobs", "hr-150121").json()["items"]}
    assert (jobs["J-LG"]["matched"], jobs["J-LG"]["left"]) == (2, 0)


# --- coordination ----------------------------------------------------------------------------


def test_each_office_gets_the_flows_it_answers_for(hr: Service) -> None:
    """Inside the county (the county's), Hohhot to Baotou (the league's: between leagues
    is the home county's league), to Beijing (the region's, on its coordination list)."""
    day = "2022-12-05"
    hr.create(
        worker("CO-1", TUZUOQI, TUZUOQI, day, party_size=3),
        worker("CO-2", TUZUOQI, KUNDULUN, day, employer="包钢"),
        worker("CO-3", TUZUOQI, BEIJING_CHAOYANG, day, employer="北京建工"),
    )

    def flows(who: str) -> set[tuple[str, str, str]]:
        body = get(hr, "/v1/hr/coordination", who).json()
        return {
            (f["origin_adcode"], f["destination_adcode"], f["level"])
            for f in body["flows"]
            if f["direction"] == "return_to_work" and f["first_date"] == "2022-12-05"
        }

    assert flows("hr-150121") == {(TUZUOQI, TUZUOQI, "county")}
    assert flows("hr-1501") == {(TUZUOQI, TUZUOQI, "county"), (TUZUOQI, KUNDULUN, "league")}
    assert flows("hr-1502") == set()  # Baotou receives, Hohhot answers
    assert (TUZUOQI, BEIJING_CHAOYANG, "region") in flows("hr-15")
    league_only = get(hr, "/v1/hr/coordination", "hr-1501", level="league").json()["flows"]
    assert {f["level"] for f in league_only} <= {"league"}
    region = get(hr, "/v1/hr/coordination", "hr-15").json()
    listed = [r for r in region["coordination_lists"] if r["employer"] == "北京建工"]
    assert [(r["other_province_adcode"], r["people"]) for r in listed] == [("11", 1)]
    assert get(hr, "/v1/hr/coordination", "hr-1501").json()["coordination_lists"] == []


# --- the early warning -------------------------------------------------------------------------


def test_warnings_are_raised_raised_again_acknowledged_and_closed_with_their_trail(
    hr: Service,
) -> None:
    """Layoffs at home in Xincheng district in the week: 10 people of 21 returnees reach the
    shipped yellow (10; under the orange share of 0.5), 20 the orange (20): raised, then
    raised again; evaluating again raises nothing."""
    hr.create(returnee("WV-1", home=XINCHENG, party_size=11))
    hr.create(
        *(
            returnee(f"WA-{n}", home=XINCHENG, return_reason="layoff", party_size=2)
            for n in range(5)
        )
    )
    first = post(hr, "/v1/hr/warnings/evaluate", "hr-1501", {"week_start": WEEK})
    assert first.status_code == 200, first.text
    raised = {w["county"]: w for w in first.json()["raised"]}
    assert raised[XINCHENG]["level"] == "yellow"
    assert raised[XINCHENG]["indicators"]["involuntary_people"] == 10
    wid = raised[XINCHENG]["warning_id"]
    assert wid == f"W-{XINCHENG}-20221121"
    assert (
        post(hr, "/v1/hr/warnings/evaluate", "hr-1501", {"week_start": WEEK}).json()["raised"] == []
    )
    hr.create(
        *(
            returnee(f"WB-{n}", home=XINCHENG, return_reason="unpaid_wages", party_size=2)
            for n in range(5)
        )
    )
    again = post(hr, "/v1/hr/warnings/evaluate", "hr-150102", {"week_start": WEEK}).json()
    assert [(w["warning_id"], w["level"]) for w in again["raised"]] == [(wid, "orange")]
    assert again["counties"] == 1  # the caller's county only
    outsider = post(hr, f"/v1/hr/warnings/{wid}/acknowledge", "hr-1502", {"note": "x"})
    assert outsider.status_code == 404
    acknowledged = post(hr, f"/v1/hr/warnings/{wid}/acknowledge", "hr-150102", {"note": "已核实"})
    assert acknowledged.json()["state"] == "acknowledged", acknowledged.text
    assert post(hr, f"/v1/hr/warnings/{wid}/acknowledge", "hr-150102", {}).status_code == 409
    closed = post(hr, f"/v1/hr/warnings/{wid}/close", "hr-1501", {"note": "已推送岗位"}).json()
    assert closed["state"] == "closed"
    assert [(s["step"], s["level"], s["actor"]) for s in closed["trail"]] == [
        ("raised", "yellow", "hr-1501"),
        ("raised", "orange", "hr-150102"),
        ("acknowledged", "orange", "hr-150102"),
        ("closed", "orange", "hr-1501"),
    ]
    assert closed["trail"][1]["note"].startswith("raised from yellow to orange")
    assert closed["trail"][0]["at"].endswith("+08:00")
    assert post(hr, f"/v1/hr/warnings/{wid}/close", "hr-1501", {}).status_code == 409
    listed = get(hr, "/v1/hr/warnings", "hr-1501", week_start=WEEK, state="closed").json()
    assert [w["warning_id"] for w in listed["items"]] == [wid]
    assert get(hr, "/v1/hr/warnings", "hr-1502").json()["items"] == []
    strict = {"weeks_before": 4, "levels": [{"level": "red", "involuntary_people": 5}]}
    red = post(
        hr, "/v1/hr/warnings/evaluate", "hr-150102", {"week_start": WEEK, "thresholds": strict}
    )
    assert [(w["level"], w["state"]) for w in red.json()["raised"]] == [("red", "raised")]
    assert (
        post(hr, "/v1/hr/warnings/evaluate", "hr-1501", {"week_start": "2022-11-22"}).status_code
        == 422
    )


# --- weekly reports that flow ----------------------------------------------------------------


def _column(table: dict[str, Any], english: str) -> str:
    """The header of `table`'s column whose English part ends with `english`."""
    (name,) = [str(c) for c in table["columns"] if str(c).endswith(english)]
    return name


def test_reports_flow_from_county_to_league_to_region(hr: Service) -> None:
    """Qingshan's returnees (registered in the week, 3 of them involuntary) make the
    county's return-home row; its submission (late: the deadline of 2022 has passed) makes
    Baotou's, which lists the other counties as missing; reopened by Baotou, submitted again;
    Baotou's submission makes the region's."""
    hr.create(
        returnee("RP-1", home=QINGSHAN, party_size=2, return_reason="layoff", needs="job"),
        returnee("RP-2", home=QINGSHAN, return_reason="stoppage", needs="training"),
        returnee("RP-3", home=QINGSHAN),
    )
    path = f"/v1/hr/reports/{WEEK}/{QINGSHAN}"
    county = get(hr, path, "hr-150204").json()
    home = county["tables"]["return_home"]
    (row,) = home["rows"]
    assert row[_column(home, "registered (this week)")] == 4
    assert row[_column(home, "layoff")] == 2 and row[_column(home, "stoppage")] == 1
    assert row[_column(home, "job needs")] == 2 and row[_column(home, "training needs")] == 1
    assert (county["standing"], county["submitted"], county["level"]) == (
        "missing",
        False,
        "county",
    )
    assert county["deadline"] == "2022-11-28T10:00:00+08:00"
    assert post(hr, f"{path}/submit", "hr-1502").status_code == 403  # the county submits
    submitted = post(hr, f"{path}/submit", "hr-150204")
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["standing"], submitted.json()["submitted"]) == ("late", True)
    assert post(hr, f"{path}/submit", "hr-150204").status_code == 409
    hr.create(returnee("RP-4", home=QINGSHAN, party_size=5))  # after the submission
    frozen = get(hr, path, "hr-1502").json()["tables"]["return_home"]["rows"][0]
    assert frozen[_column(home, "registered (this week)")] == 4  # as submitted

    league = get(hr, f"/v1/hr/reports/{WEEK}/1502", "hr-1502").json()
    assert QINGSHAN in league["late"] and QINGSHAN not in league["missing"]
    assert len(league["missing"]) == len(league["reporting"]) - 1
    lhome = league["tables"]["return_home"]
    assert lhome["total"][_column(home, "registered (this week)")] == 4
    others = [r for r in lhome["rows"] if r[_column(home, "adcode")] != QINGSHAN]
    assert all(r[_column(home, "registered (this week)")] is None for r in others)

    reason = {"reason": "RP-4 was registered late"}
    assert post(hr, f"{path}/reopen", "hr-150204", reason).status_code == 403  # not its own
    assert post(hr, f"{path}/reopen", "hr-15", reason).status_code == 403  # Baotou's to reopen
    reopened = post(hr, f"{path}/reopen", "hr-1502", reason)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["trail"][0]["reopen_reason"] == reason["reason"]
    assert post(hr, f"{path}/reopen", "hr-1502", reason).status_code == 409
    assert QINGSHAN in get(hr, f"/v1/hr/reports/{WEEK}/1502", "hr-1502").json()["missing"]
    resubmitted = post(hr, f"{path}/submit", "hr-150204").json()
    assert (
        resubmitted["tables"]["return_home"]["rows"][0][_column(home, "registered (this week)")]
        == 9
    )
    assert len(resubmitted["trail"]) == 2

    assert post(hr, f"/v1/hr/reports/{WEEK}/1502/submit", "hr-1502").status_code == 200
    region = get(hr, f"/v1/hr/reports/{WEEK}/15", "hr-15").json()
    assert "1502" in region["late"] and region["level"] == "region"
    rhome = region["tables"]["return_home"]
    assert rhome["total"][_column(home, "registered (this week)")] == 9
    assert rhome["total"][_column(home, "layoff")] == 2

    workbook = get(hr, f"/v1/hr/reports/{WEEK}/1502/weekly_return_home.xlsx", "hr-1502")
    assert workbook.status_code == 200
    (sheet,) = pd.read_excel(io.BytesIO(workbook.content), sheet_name=None).values()
    assert list(sheet.columns) == lhome["columns"]
    assert sheet.iloc[-1][_column(home, "registered (this week)")] == 9  # the total, last
    assert get(hr, f"/v1/hr/reports/{WEEK}/1502/other.xlsx", "hr-1502").status_code == 422


def test_a_report_of_this_week_is_pending_then_on_time(hr: Service) -> None:
    today = dt.datetime.now(CHINA_TIME).date()
    monday = today - dt.timedelta(days=today.weekday())
    path = f"/v1/hr/reports/{monday}/{XINCHENG}"
    assert get(hr, path, "hr-150102").json()["standing"] == "pending"
    assert post(hr, f"{path}/submit", "hr-150102").json()["standing"] == "on_time"
    league = get(hr, f"/v1/hr/reports/{monday}/1501", "hr-1501").json()
    standing = {r["area"]: r["standing"] for r in league["reporting"]}
    assert standing[XINCHENG] == "on_time" and standing[TUZUOQI] == "pending"
    assert league["missing"] == [] and league["late"] == []


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/v1/hr/reports/2022-11-22/{XINCHENG}", "week_start"),  # a Tuesday
        (f"/v1/hr/reports/{WEEK}/110105", "area"),  # outside the region
        (f"/v1/hr/reports/{WEEK}/159999", "area"),  # no such county
    ],
)
def test_a_report_of_no_week_or_no_area_is_422(hr: Service, path: str, field: str) -> None:
    response = get(hr, path, "admin")
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field


# --- the receiving side ----------------------------------------------------------------------


def test_the_receiving_county_lists_its_arrivals_and_their_follow_up(hr: Service) -> None:
    """A plan under `arrival_measure: quarantine` carries two parties from Tumed Left Banner
    to Kundulun; Kundulun's hr gets both with the measure, and the follow-up it records
    after the handover."""
    day = "2022-12-12"
    hr.create(
        worker("RC-1", TUZUOQI, KUNDULUN, day, party_size=2),
        worker("RC-2", TUZUOQI, KUNDULUN, day),
    )
    plan_id, plan = hr.solved(
        "1501", "2022-12-12", "2022-12-12", policy={"arrival_measure": "quarantine"}
    )
    carried = {rid for t in plan["trips"] for s in t["stops"] for rid in s["registrations"]}
    assert {"RC-1", "RC-2"} <= carried
    for kind in ("boarded", "handed_over"):
        assert hr.post_event("RC-1", event(kind), who="admin").status_code == 201
    assert hr.post_event("RC-1", event("quarantined"), who="hr-150203").status_code == 201
    answer = get(hr, "/v1/hr/receiving", "hr-150203", plan_id=plan_id)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["arrival_measure"] == "quarantine"
    rows = {r["登记编号 registration_id"]: r for r in body["items"]}
    assert set(rows) == {"RC-1", "RC-2"}
    assert rows["RC-1"]["跟踪 follow-up"].startswith("quarantined ")
    assert rows["RC-2"]["跟踪 follow-up"] == ""
    assert all(r["到达后措施 measure"] == "集中隔离 quarantine" for r in rows.values())
    assert rows["RC-1"]["姓名 name"] == NAME
    assert get(hr, "/v1/hr/receiving", "hr-150121", plan_id=plan_id).json()["items"] == []
    assert get(hr, "/v1/hr/receiving", "hr-1502", plan_id="no-such").status_code == 404


def test_a_leagues_report_holds_its_people_whose_county_is_not_known(hr: Service) -> None:
    """Returnees registered with Ordos (1506) as home and no county are in no county's
    report: the league's report has a row of them from the data, in its total."""
    hr.create(
        returnee("UN-1", home="1506", party_size=2, return_reason="layoff"),
        returnee("UN-2", home="150602", party_size=1),
    )
    league = get(hr, f"/v1/hr/reports/{WEEK}/1506", "hr-15").json()
    home = league["tables"]["return_home"]
    code, registered = _column(home, "adcode"), _column(home, "registered (this week)")
    (unplaced,) = [row for row in home["rows"] if row[code] == "1506"]
    assert unplaced[registered] == 2 and unplaced[_column(home, "layoff")] == 2
    assert "county not given" in unplaced[_column(home, "name")]
    assert home["total"][registered] == 2  # 150602 has not submitted: its 1 is not in yet
    assert [r[code] for r in league["tables"]["return_to_work"]["rows"]] == [
        a["area"] for a in league["reporting"]
    ]  # no unknown county in the return-to-work table: no row for it


def test_a_bad_thresholds_file_stops_the_start_naming_the_key(tmp_path: Any) -> None:
    bad = tmp_path / "thresholds.yaml"
    bad.write_text("levels:\n  - level: purple\n    involuntary_people: 3\n", encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", data_keys=DATA_KEY,
        thresholds_file=str(bad),
    )  # fmt: skip
    with pytest.raises(InputError, match=r"levels\[0\]\.level"), TestClient(create_app(settings)):
        pass


@pytest.mark.parametrize("who", ["planner-1501", "registrar-1501", "viewer-1501"])
def test_every_hr_call_refuses_the_other_roles(hr: Service, who: str) -> None:
    """Every route under /v1/hr of the OpenAPI document answers 403 naming the role to a
    planner, a registrar and a viewer, whatever the method (with a valid body)."""
    schema = hr.client.get("/openapi.json").json()
    calls = [
        (method, path)
        for path, operations in schema["paths"].items()
        if path.startswith("/v1/hr/")
        for method in operations
    ]
    assert len(calls) == 14
    filled = {
        "{week_start}": WEEK, "{area}": TUZUOQI, "{name}": "weekly_return_home.xlsx",
        "{job_id}": "J-1", "{warning_id}": f"W-{TUZUOQI}-20221121",
    }  # fmt: skip
    for method, path in calls:
        for key, value in filled.items():
            path = path.replace(key, value)
        bodies: dict[str, Any] = {
            "/v1/hr/jobs": [], "/v1/hr/warnings/evaluate": {"week_start": WEEK},
            "reopen": {"reason": "x"}, "acknowledge": {}, "close": {},
        }  # fmt: skip
        body = next((b for end, b in bodies.items() if path.endswith(end)), None)
        body = body if method == "post" else None
        response = hr.client.request(method, path, json=body, headers=hr.auth(who))
        assert response.status_code == 403, (method, path, response.text)
        assert "role" in response.json()["detail"]


def test_reads_of_names_and_phones_are_audited(hr: Service) -> None:
    from sqlalchemy import select

    from pointplan.store import models

    get(hr, "/v1/hr/ledger", "hr-150102")
    with hr.db.session() as session:
        actions = session.scalars(
            select(models.AuditEntry.action).where(models.AuditEntry.actor == "hr-150102")
        ).all()
    assert "hr.ledger.read" in actions
