"""Realistic synthetic demand: an Inner Mongolia week of return-to-work and return-home trips.

Real county codes and coordinates come from the gazetteer. Origins are Inner Mongolia's 103
county-level units; destinations are the region's employment centres (about three quarters of
flows) and cities of the neighbouring provinces, chosen by a gravity model. Parties of 1-4,
date windows of 0-3 days, valid (synthetic) resident ids and phones, the richer record
(registration time, employer, trade; return reasons and needs of returnees), and a points
file of county bus stations and employer gates (kind `stop`), gathering hubs at the league
seats and reception hubs at the work cities (kind `hub`), and railway stations at the league
seats and the cities outside the region (kind `station`). Hubs and stations lie a few km from
the seat's coordinates in the place table, drawn at random: approximations, not the real
stations. Same size and seed, same files; the network points come from a stream of their own,
so the registrations and stops of a seed are those it gave before there were any.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

import pandas as pd

from pointplan.domain.personal import resident_id_check_char
from pointplan.domain.places import Location
from pointplan.geo.distances import geodesic_km
from pointplan.geo.gazetteer import AdminUnit, Gazetteer, default_gazetteer
from pointplan.io.registrations import COLUMNS

INSIDE_CENTRES = {  # adcode: attractiveness
    "150102": 3,
    "150103": 2,
    "150104": 2,
    "150105": 4,  # 呼和浩特
    "150202": 2,
    "150203": 4,
    "150204": 3,  # 包头
    "150602": 4,
    "150603": 2,  # 鄂尔多斯
    "150302": 2,
    "150402": 2,
    "150502": 2,
    "150702": 1,
    "150802": 1,
    "150902": 1,
    "152502": 1,
}
OUTSIDE_CENTRES = {
    "110105": 4,
    "110115": 3,  # 北京
    "120116": 3,  # 天津
    "130203": 2,
    "130702": 1,  # 河北
    "210102": 2,
    "210211": 2,  # 辽宁
    "140105": 2,
    "140202": 1,  # 山西
    "610116": 1,
    "610802": 2,  # 陕西
    "640104": 2,  # 宁夏
}
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红玲芬燕鹏辉斌宇浩凯健"
    "俊帆帅旭宁龙林欣瑶博文巴特尔其其格乌云苏和娜仁图雅"
)

TRADES = ("建筑", "餐饮", "家政", "制造", "物流", "采矿", "商贸", "养殖")
RETURN_REASONS = {"voluntary": 70, "stoppage": 10, "layoff": 8, "unpaid_wages": 4, "other": 8}
NEEDS = {"job": 0.35, "training": 0.15, "business": 0.05}


@dataclass(frozen=True)
class SyntheticWeek:
    """Registrations and points of one synthetic week, as tables in the interchange format."""

    registrations: pd.DataFrame
    points: pd.DataFrame


def jittered(rng: random.Random, unit: AdminUnit, km: float) -> tuple[float, float]:
    """A point 0.2 to 1 times `km` from the unit's seat, in a random direction."""
    angle = rng.uniform(0, 2 * math.pi)
    distance = rng.uniform(0.2, 1.0) * km
    lat = unit.lat + distance / 111.0 * math.sin(angle)
    lon = unit.lon + distance / (111.0 * math.cos(math.radians(unit.lat))) * math.cos(angle)
    return round(lat, 6), round(lon, 6)


def make_week(
    size: int,
    seed: int = 0,
    week_start: dt.date = dt.date(2022, 11, 21),
    gazetteer: Gazetteer | None = None,
) -> SyntheticWeek:
    """A week of `size` registrations (ids R000001...) and its points file."""
    gaz = gazetteer or default_gazetteer()
    rng = random.Random(seed)
    # The richer record draws from its own stream, so that it leaves the travel data of a
    # seed as it was before the record had those columns.
    record_rng = random.Random(f"{seed}-record")
    counties = sorted(
        (u for u in gaz.by_code.values() if u.code[:2] == "15" and u.level == 3),
        key=lambda u: u.code,
    )
    county_weight = [rng.uniform(0.3, 3.0) for _ in counties]
    inside = [(gaz.unit_for_code(c), w) for c, w in INSIDE_CENTRES.items() if _has(gaz, c)]
    outside = [(gaz.unit_for_code(c), w) for c, w in OUTSIDE_CENTRES.items() if _has(gaz, c)]

    points: list[dict[str, object]] = []
    station: dict[str, str] = {}
    for unit in counties + [u for u, _ in outside]:
        lat, lon = jittered(rng, unit, 2.0)
        point_id = f"BS-{unit.short_code}"
        station[unit.code] = point_id
        points.append(
            {
                "point_id": point_id,
                "name": f"{gaz.label(unit)}汽车站",
                "lat": lat,
                "lon": lon,
                "adcode": unit.short_code,
                "kind": "stop",
            }
        )
    gates: dict[str, list[str]] = {}
    for unit, weight in inside + outside:
        gates[unit.code] = []
        for number in range(1, 2 + min(weight, 3)):
            lat, lon = jittered(rng, unit, 8.0)
            point_id = f"EG-{unit.short_code}-{number}"
            gates[unit.code].append(point_id)
            points.append(
                {
                    "point_id": point_id,
                    "name": f"{gaz.label(unit)}用工企业{number}号门",
                    "lat": lat,
                    "lon": lon,
                    "adcode": unit.short_code,
                    "kind": "stop",
                }
            )
    points += _network_points(random.Random(f"{seed}-network"), gaz, inside, outside)

    # Workers of one county mostly go to the same few employers (recruited together).
    usual = {u.code: [_destination(rng, u, inside, outside) for _ in range(3)] for u in counties}
    rows = []
    for index in range(1, size + 1):
        home = rng.choices(counties, county_weight)[0]
        if rng.random() < 0.7:
            work = rng.choices(usual[home.code], (5, 3, 2))[0]
        else:
            work = _destination(rng, home, inside, outside)
        direction = "return_to_work" if rng.random() < 0.6 else "return_home"
        earliest = week_start + dt.timedelta(days=rng.choices(range(7), (4, 3, 2, 2, 2, 1, 1))[0])
        origin, destination = (home, work) if direction == "return_to_work" else (work, home)
        row = journey_row(rng, gaz, f"R{index:06d}", direction, home, origin, destination, earliest)
        if rng.random() < 0.1 and origin.level == 3:  # some systems send coordinates
            row["origin"] = ""
            row["origin_lat"], row["origin_lon"] = jittered(rng, origin, 6.0)
        if direction == "return_to_work":
            if rng.random() < 0.4:
                row["pickup_point"] = station[home.code]
            if rng.random() < 0.8:
                row["dropoff_point"] = gates[work.code][int(home.code[4:6]) % len(gates[work.code])]
        else:
            if rng.random() < 0.5:
                row["pickup_point"] = gates[work.code][int(home.code[4:6]) % len(gates[work.code])]
            if rng.random() < 0.8:
                row["dropoff_point"] = station[home.code]
        row.update(richer_record(record_rng, gaz, work, earliest, direction))
        rows.append(row)
    registrations = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    return SyntheticWeek(registrations, pd.DataFrame(points))


def _network_points(
    rng: random.Random,
    gaz: Gazetteer,
    inside: list[tuple[AdminUnit, int]],
    outside: list[tuple[AdminUnit, int]],
) -> list[dict[str, object]]:
    """Gathering hubs and railway stations at Inner Mongolia's league seats, reception hubs
    at the work cities, and stations at the cities outside the region (see the module)."""
    leagues = sorted(
        (u for u in gaz.by_code.values() if u.code[:2] == "15" and u.level == 2),
        key=lambda u: u.code,
    )
    places: list[tuple[str, AdminUnit, str, str]] = []
    for league in leagues:
        places.append(("GH", league, "集中转运点", "hub"))
        places.append(("RS", league, "火车站", "station"))
    for unit, _ in inside + outside:
        places.append(("RH", unit, "接收点", "hub"))
    for unit, _ in outside:
        places.append(("RS", unit, "火车站", "station"))
    points = []
    for prefix, unit, suffix, kind in places:
        lat, lon = jittered(rng, unit, 4.0)
        points.append(
            {
                "point_id": f"{prefix}-{unit.short_code}",
                "name": f"{gaz.label(unit)}{suffix}",
                "lat": lat,
                "lon": lon,
                "adcode": unit.short_code,
                "kind": kind,
            }
        )
    return points


def make_jobs(seed: int = 0, gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """A jobs file (docs/hr.md) of postings in about 40% of Inner Mongolia's counties: one to
    three each, for a trade of `TRADES` or any (one in five), 1-15 openings, 3,000-9,000 yuan
    a month, for seekers within 50, 100 or 200 km."""
    gaz = gazetteer or default_gazetteer()
    rng = random.Random(f"{seed}-jobs")
    counties = sorted(
        (u for u in gaz.by_code.values() if u.code[:2] == "15" and u.level == 3),
        key=lambda u: u.code,
    )
    rows = []
    for unit in counties:
        if rng.random() >= 0.4:
            continue
        for number in range(1, rng.randint(1, 3) + 1):
            rows.append(
                {
                    "job_id": f"J{unit.short_code}-{number}",
                    "employer": f"{gaz.label(unit)}用工单位{number}号",
                    "county": unit.short_code,
                    "trade": "" if rng.random() < 0.2 else rng.choice(TRADES),
                    "openings": rng.randint(1, 15),
                    "wage": 100 * rng.randint(30, 90),
                    "max_km": rng.choice((50, 100, 200)),
                }
            )
    return pd.DataFrame(rows, columns=["job_id", "employer", "county", "trade", "openings",
                                       "wage", "max_km"])  # fmt: skip


def journey_row(
    rng: random.Random,
    gaz: Gazetteer,
    registration_id: str,
    direction: str,
    home: AdminUnit,
    origin: AdminUnit,
    destination: AdminUnit,
    earliest: dt.date,
) -> dict[str, object]:
    """A registration's journey and person (window of 0-3 days, party of 1-4, a name, a
    resident id of `home`, a phone), without pickup and drop-off points (empty)."""
    window = rng.choices((0, 1, 2, 3), (40, 30, 20, 10))[0]
    return {
        "registration_id": registration_id,
        "direction": direction,
        "origin": written_place(rng, gaz, origin),
        "destination": written_place(rng, gaz, destination),
        "earliest_date": earliest.isoformat(),
        "latest_date": (earliest + dt.timedelta(days=window)).isoformat(),
        "party_size": rng.choices((1, 2, 3, 4), (60, 25, 10, 5))[0],
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
        "id_number": resident_id(rng, home),
        "phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "pickup_point": "",
        "dropoff_point": "",
    }


def richer_record(
    rng: random.Random, gaz: Gazetteer, work: AdminUnit, earliest: dt.date, direction: str
) -> dict[str, str]:
    """The richer record of one registration: registered 1-10 days before its window, an
    employer at its place of work, a trade; for a returnee, why and what it needs."""
    registered = dt.datetime.combine(earliest, dt.time(8)) - dt.timedelta(
        days=rng.randint(1, 10), minutes=rng.randrange(12 * 60)
    )
    record = {
        "registered_at": registered.strftime("%Y-%m-%d %H:%M"),
        "employer": f"{gaz.label(work)}用工企业{rng.randint(1, 3)}号",
        "trade": rng.choice(TRADES),
    }
    if direction == "return_home":
        reason = rng.choices(list(RETURN_REASONS), list(RETURN_REASONS.values()))[0]
        needs = [need for need, share in NEEDS.items() if rng.random() < share]
        if reason == "unpaid_wages" or (reason != "voluntary" and rng.random() < 0.1):
            needs.append("rights")
        record |= {"return_reason": reason, "needs": ";".join(needs)}
    return record


def _has(gaz: Gazetteer, code: str) -> bool:
    return code.ljust(12, "0") in gaz.by_code


def _destination(
    rng: random.Random,
    home: AdminUnit,
    inside: list[tuple[AdminUnit, int]],
    outside: list[tuple[AdminUnit, int]],
) -> AdminUnit:
    if rng.random() < 0.25:
        return rng.choices([u for u, _ in outside], [w for _, w in outside])[0]
    weights = [w * math.exp(-geodesic_km(_loc(home), _loc(u)) / 300.0) for u, w in inside]
    return rng.choices([u for u, _ in inside], weights)[0]


def _loc(unit: AdminUnit) -> Location:
    return Location(lat=unit.lat, lon=unit.lon)


def written_place(rng: random.Random, gaz: Gazetteer, unit: AdminUnit) -> str:
    """A place as registration systems write it: a code, a 12-digit code or a name."""
    roll = rng.random()
    if roll < 0.6:
        return unit.short_code
    if roll < 0.75:
        return unit.code
    return gaz.label(unit)


def resident_id(rng: random.Random, home: AdminUnit) -> str:
    """A valid (synthetic) resident id of someone born in `home` in 1965-2002."""
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(365 * 38))
    first17 = f"{home.short_code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)
