"""A synthetic national campaign: every mainland province sending and receiving, in chunks.

Origins are the nation's county-level units (of the 31 mainland provinces), each with a
random weight; destinations are one employment centre per prefecture-level city (its
lowest-coded county-level unit), weighted by a random size, four times for a provincial
capital and three times on the coast, and by a gravity term that keeps most flows near home
while a share goes far (the coast draws from everywhere). Each county's workers mostly go to
three usual centres. Rows are made a chunk at a time (`chunks`), so that two million
registrations never sit in memory at once; the points file has a bus station in every
county and two employer gates at every centre. Same size and seed, same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import numpy as np
import pandas as pd

from pointplan.geo.gazetteer import AdminUnit, Gazetteer, default_gazetteer
from pointplan.io.registrations import COLUMNS
from pointplan.synthetic import jittered, journey_row, richer_record

MAINLAND_EXCLUDED = ("71", "81", "82")  # Taiwan, Hong Kong, Macao: no campaign registrations
COAST = ("11", "12", "31", "32", "33", "35", "37", "44")  # the provinces that draw workers
GATES_PER_CENTRE = 2
CHUNK = 100_000


@dataclass(frozen=True)
class Geography:
    """The campaign's counties, centres, weights and each county's destination table."""

    counties: tuple[AdminUnit, ...]
    county_weights: tuple[float, ...]
    centres: tuple[AdminUnit, ...]
    destination_weights: np.ndarray  # counties x centres, cumulative along each row
    usual: tuple[tuple[int, int, int], ...]  # three usual centres of each county


def geography(seed: int, gazetteer: Gazetteer | None = None) -> Geography:
    """The counties, centres and weights of the campaign of `seed`."""
    gaz = gazetteer or default_gazetteer()
    rng = random.Random(f"{seed}-national")
    units = sorted(
        (u for u in gaz.by_code.values() if u.code[:2] not in MAINLAND_EXCLUDED),
        key=lambda u: u.code,
    )
    counties = tuple(u for u in units if u.level == 3)
    first_child: dict[str, AdminUnit] = {}
    for county in counties:
        first_child.setdefault(county.code[:4], county)
    centres = tuple(first_child[code] for code in sorted(first_child))
    county_weights = tuple(rng.uniform(0.3, 3.0) for _ in counties)
    size = np.array(
        [
            rng.lognormvariate(0, 0.6)
            * (4 if c.code[2:4] == "01" else 1)
            * (3 if c.code[:2] in COAST else 1)
            for c in centres
        ]
    )
    km = _distances_km(counties, centres)
    gravity = size * (0.15 + np.exp(-km / 300.0))
    cumulative = np.cumsum(gravity, axis=1)
    usual = tuple(tuple(_draw(rng, row) for _ in range(3)) for row in cumulative)
    return Geography(counties, county_weights, centres, cumulative, usual)  # type: ignore[arg-type]


def _distances_km(a: tuple[AdminUnit, ...], b: tuple[AdminUnit, ...]) -> np.ndarray:
    """Great-circle km between every unit of `a` and every unit of `b` (a haversine)."""
    lat1 = np.radians([u.lat for u in a])[:, None]
    lon1 = np.radians([u.lon for u in a])[:, None]
    lat2 = np.radians([u.lat for u in b])[None, :]
    lon2 = np.radians([u.lon for u in b])[None, :]
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    result: np.ndarray = 2 * 6371.0 * np.arcsin(np.sqrt(h))
    return result


def _draw(rng: random.Random, cumulative: np.ndarray) -> int:
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))


def national_points(seed: int, gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """The points file: a bus station in every county, gates at every centre (kind `stop`)."""
    gaz = gazetteer or default_gazetteer()
    world = geography(seed, gaz)
    rng = random.Random(f"{seed}-national-points")
    rows = []
    for unit in world.counties:
        lat, lon = jittered(rng, unit, 2.0)
        rows.append(_point(f"BS-{unit.short_code}", f"{gaz.label(unit)}汽车站", lat, lon, unit))
    for unit in world.centres:
        for number in range(1, GATES_PER_CENTRE + 1):
            lat, lon = jittered(rng, unit, 8.0)
            name = f"{gaz.label(unit)}用工企业{number}号门"
            rows.append(_point(_gate(unit, number), name, lat, lon, unit))
    return pd.DataFrame(rows)


def _point(point_id: str, name: str, lat: float, lon: float, unit: AdminUnit) -> dict[str, object]:
    return {"point_id": point_id, "name": name, "lat": lat, "lon": lon,
            "adcode": unit.short_code, "kind": "stop"}  # fmt: skip


def _gate(unit: AdminUnit, number: int) -> str:
    return f"EG-{unit.short_code}-{number}"


def chunks(
    size: int,
    seed: int = 0,
    week_start: dt.date = dt.date(2023, 1, 30),
    chunk: int = CHUNK,
    gazetteer: Gazetteer | None = None,
) -> Iterator[pd.DataFrame]:
    """The campaign's `size` registrations (ids N0000001...), `chunk` rows at a time, in the
    columns of the interchange format."""
    gaz = gazetteer or default_gazetteer()
    world = geography(seed, gaz)
    rng = random.Random(seed)
    record_rng = random.Random(f"{seed}-record")
    county_cumulative = list(accumulate(world.county_weights))
    days = list(accumulate((4, 3, 2, 2, 2, 1, 1)))
    rows: list[dict[str, object]] = []
    for index in range(1, size + 1):
        home_index = rng.choices(range(len(world.counties)), cum_weights=county_cumulative)[0]
        home = world.counties[home_index]
        if rng.random() < 0.7:
            work_index = rng.choices(world.usual[home_index], (5, 3, 2))[0]
        else:
            work_index = _draw(rng, world.destination_weights[home_index])
        work = world.centres[work_index]
        direction = "return_to_work" if rng.random() < 0.6 else "return_home"
        earliest = week_start + dt.timedelta(days=rng.choices(range(7), cum_weights=days)[0])
        origin, destination = (home, work) if direction == "return_to_work" else (work, home)
        gate = _gate(work, 1 + int(home.code[4:6]) % GATES_PER_CENTRE)
        station = f"BS-{home.short_code}"
        to_work = direction == "return_to_work"
        row = journey_row(rng, gaz, f"N{index:07d}", direction, home, origin, destination, earliest)
        if rng.random() < 0.5:
            row["pickup_point"] = station if to_work else gate
        if rng.random() < 0.8:
            row["dropoff_point"] = gate if to_work else station
        row.update(richer_record(record_rng, gaz, work, earliest, direction))
        rows.append(row)
        if len(rows) == chunk or index == size:
            yield pd.DataFrame(rows).reindex(columns=list(COLUMNS))
            rows = []


def write_registrations(path: Path, size: int, seed: int = 0) -> None:
    """Write the campaign's `size` registrations to `path`, a chunk at a time: Parquet (every
    column text) for a `.parquet` name, else CSV."""
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([(column, pa.string()) for column in COLUMNS])
        with pq.ParquetWriter(path, schema) as writer:
            for frame in chunks(size, seed):
                text = frame.astype(str).where(frame.notna(), "")
                writer.write_table(pa.Table.from_pandas(text, schema=schema, preserve_index=False))
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        for number, frame in enumerate(chunks(size, seed)):
            frame.to_csv(handle, index=False, header=number == 0)
