"""ledger.xlsx: the return-home services ledger (台账), the job matches and the push lists.

Sheets: `台账 ledger` (every need of every returnee with needs: home county, why they came
back, trade, the need, its state, the office it goes to and, for an offered job, the posting
and its distance), `岗位 postings` (each posting with its openings, how many were matched and
how many are left), `推送清单 push list` (the offers to push, by home county: who, with name
and phone to call, and which posting), `转办 routed` (training, business start-up and rights
requests by office and home county), `未匹配 unmatched` (seekers left without an offer, and
why). Names and phones are masked unless `show_personal_data`; id numbers never appear.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pointplan.domain.events import StatusEvent
from pointplan.domain.jobs import JobPosting
from pointplan.domain.registration import Need, Registration
from pointplan.exports.people import PersonalData
from pointplan.exports.sheets import write_tables
from pointplan.hr.ledger import fills, ledger, push_list
from pointplan.hr.matching import Matching

REASONS = {
    "voluntary": "自愿 voluntary",
    "stoppage": "停工停产 stoppage",
    "layoff": "裁员 layoff",
    "unpaid_wages": "欠薪 unpaid wages",
    "other": "其他 other",
    "": "",
}
NEEDS = {
    Need.JOB: "就业 job",
    Need.TRAINING: "培训 training",
    Need.BUSINESS: "创业 business",
    Need.RIGHTS: "维权 rights",
}
STATES = {"open": "待办 open", "offered": "已推送 offered", "served": "已办结 served"}


def write_ledger(
    path: Path,
    registrations: Sequence[Registration],
    jobs: Sequence[JobPosting],
    matching: Matching,
    show_personal_data: bool = False,
    events: Sequence[StatusEvent] = (),
) -> Path:
    """Write ledger.xlsx (see the module; `events`: the ledger's steps among others); the
    same input gives the same file."""
    people = PersonalData(registrations, show_personal_data)
    entries = ledger(registrations, matching, events)
    book = pd.DataFrame(
        [
            {
                "旗县代码 home county": e.home_county,
                "家乡 home": e.home,
                "登记编号 registration_id": e.registration_id,
                "返乡原因 return reason": REASONS[e.return_reason],
                "非自愿 involuntary": "是 yes" if e.involuntary else "",
                "工种 trade": e.trade,
                "需求 need": NEEDS[e.need],
                "状态 state": STATES[e.state],
                "承办 office": e.office,
                "岗位 job_id": e.job_id,
                "距离 km": e.km,
                "经办记录 steps": "; ".join(e.steps),
            }
            for e in entries
        ]
    )
    filled = pd.DataFrame(
        [
            {
                "岗位 job_id": f.job.job_id,
                "用人单位 employer": f.job.employer,
                "旗县代码 county": f.job.county,
                "工种 trade": f.job.trade or "不限 any",
                "月工资 wage": f.job.wage,
                "最远 max km": f.job.max_km,
                "岗位数 openings": f.job.openings,
                "已匹配 matched": f.matched,
                "剩余 left": f.left,
            }
            for f in fills(jobs, matching)
        ]
    )
    push = pd.DataFrame(
        [
            {
                "旗县代码 home county": offer.home_county,
                "家乡 home": offer.home,
                "登记编号 registration_id": offer.registration_id,
                "姓名 name": people.fields(offer.registration_id)["name"],
                "电话 phone": people.fields(offer.registration_id)["phone"],
                "工种 trade": offer.trade,
                "岗位 job_id": offer.job.job_id,
                "用人单位 employer": offer.job.employer,
                "岗位旗县 job county": offer.job.county,
                "月工资 wage": offer.job.wage,
                "距离 km": offer.km,
            }
            for offer in push_list(entries, jobs, matching)
        ]
    )
    routed = book[book["需求 need"] != NEEDS[Need.JOB]].sort_values(
        ["承办 office", "旗县代码 home county", "登记编号 registration_id"], kind="stable"
    )
    unmatched = pd.DataFrame(
        [{"登记编号 registration_id": rid, "原因 reason": why} for rid, why in matching.unmatched]
    )
    return write_tables(
        path,
        {
            "台账 ledger": book,
            "岗位 postings": filled,
            "推送清单 push list": push,
            "转办 routed": routed,
            "未匹配 unmatched": unmatched,
        },
    )
