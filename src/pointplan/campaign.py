"""A national campaign: registrations read in chunks, planned area by area, the plan streamed out.

No process holds the nation. The driver reads the registrations a chunk at a time, validates
them (a duplicate id in a later chunk is refused as in one table) and writes each valid row,
with its row number, to the shard file of its area: the direction, the destination's
province and city, and the ISO week of its earliest date. A province's cities are packed
into areas of at most `AREA_LIMIT` registrations. Each area is planned on its own (on this
machine's processes or on a Dask cluster, `pointplan.cluster`): read from its shard files,
planned with its share of the time budget, its trips' ids prefixed with the area's code,
and its exports written to its own folder. The driver takes the areas' results in their
fixed order and appends them to the campaign's plan.json, trips.parquet and
passengers.parquet, so the campaign is the same on one process and on any cluster.

Trips never join two areas, so the campaign's lower bound is the sum of its areas' bounds:
a bound for planning each area apart, which is how a province's and a week's flows are
coordinated (the region sends each province its list). The folder `out` must be one that
every worker reads and writes (shared storage, on a cluster of several machines).
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pointplan.builder import build_problem, check_fleet_carries
from pointplan.domain.fleet import Fleet
from pointplan.domain.places import Point
from pointplan.domain.plan import Plan, Rejection, Summary
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Direction, Registration
from pointplan.domain.tables import passengers_table, trips_table
from pointplan.exports.outputs import write_outputs
from pointplan.io.aliases import with_column_names
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.registrations import RegistrationReader
from pointplan.io.tables import CHUNK_ROWS, ROW_INDEX, read_table_chunks
from pointplan.parallel import Workers, ordered_map
from pointplan.solve import solve
from pointplan.solvers.result import spending

AREA_LIMIT = 40_000
"""The most registrations an area is given (a province's cities are packed up to it), so
that an area is planned in well under a worker's memory."""
SECONDS_PER_THOUSAND = 0.5
"""The default search budget: solver seconds per 1,000 registrations, shared by the areas."""
SHARDS_FOLDER, AREAS_FOLDER = "shards", "areas"
PLAN_SECTIONS = ("trips", "unassigned", "date_suggestions", "advised")
"""The plan.json lists that the areas fill; `rejected` is the driver's."""

TRIP_SCHEMA = pa.schema(
    [("trip_id", pa.string()), ("date", pa.date32()), ("direction", pa.string()),
     ("departure", pa.string()), ("arrival", pa.string()), ("vehicle_type", pa.string()),
     ("capacity", pa.int64()), ("passengers", pa.int64()), ("load", pa.float64()),
     ("pickups", pa.int64()), ("dropoffs", pa.int64()), ("distance_km", pa.float64()),
     ("drivers", pa.int64()), ("cost", pa.float64()), ("leg", pa.string()),
     ("area", pa.string())]
)  # fmt: skip
PASSENGER_SCHEMA = pa.schema(
    [("registration_id", pa.string()), ("trip_id", pa.string()), ("date", pa.date32()),
     ("vehicle_type", pa.string()), ("people", pa.int64()), ("seats", pa.string()),
     ("pickup", pa.string()), ("point_id", pa.string()), ("boarding", pa.string()),
     ("dropoff", pa.string()), ("leg", pa.string()), ("itinerary", pa.string()),
     ("area", pa.string())]
)  # fmt: skip


class Shard(NamedTuple):
    """The shard file of registrations of one direction (`W` to work, `H` home), one
    destination city (its 4-digit code; `0000` without one) and one ISO week (`2023-W05`)."""

    letter: str
    city: str
    week: str

    @property
    def province(self) -> str:
        """The destination's province code."""
        return self.city[:2]

    @property
    def file_name(self) -> str:
        """The shard's file name under the shards folder."""
        return f"{self.letter}{self.city}-{self.week}.parquet"


@dataclass(frozen=True)
class Area:
    """Registrations planned together: one direction, one province's cities (all of them or a
    pack of them), one ISO week of earliest dates."""

    direction: Direction
    province: str
    week: str
    pack: int | None
    """The pack's number (1, 2, ...) when the province's cities make more than one area."""
    shard_files: tuple[str, ...]
    registrations: int

    @property
    def code(self) -> str:
        """`W44-2023W05` (to work, destination province 44, week 5 of 2023), `-2` etc. after
        it for a pack; trip ids start with it."""
        letter = "W" if self.direction is Direction.RETURN_TO_WORK else "H"
        suffix = f"-{self.pack}" if self.pack is not None else ""
        return f"{letter}{self.province}-{self.week.replace('-', '')}{suffix}"

    @property
    def folder(self) -> Path:
        """Where its exports go, under the campaign's folder."""
        name = self.province if self.pack is None else f"{self.province}-{self.pack}"
        return Path(AREAS_FOLDER) / self.direction.value / self.week / name


@dataclass(frozen=True)
class Split:
    """What reading the registrations gave: the areas, in order, and the rejected rows."""

    areas: tuple[Area, ...]
    rejected: tuple[Rejection, ...]


@dataclass(frozen=True)
class Settings:
    """What every area's planning shares (sent to each worker once)."""

    out: Path
    points: tuple[Point, ...]
    fleet: Fleet
    policy: Policy
    seed: int
    seconds_per_registration: float
    show_personal_data: bool
    pdf: bool


@dataclass(frozen=True)
class AreaResult:
    """One area's plan, as the driver merges it: its summary, and for the campaign's cost a
    person, the cost spent (trips and advice) and the people it was spent on."""

    area: Area
    summary: Summary
    spent: float
    people: int
    seconds: float
    peak_bytes: int
    """The peak resident memory, so far, of the process that planned it."""


@dataclass(frozen=True)
class Campaign:
    """The campaign's plan summary, its areas' results in order, its rejected rows, and where
    it was written."""

    summary: Summary
    areas: tuple[AreaResult, ...]
    rejected: tuple[Rejection, ...]
    folder: Path
    read_seconds: float
    """Wall time of reading, validating and sharding the registrations."""


def refuse_shared_fleet(fleet: Fleet, policy: Policy) -> None:
    """A campaign's areas share nothing, so what they would have to share is refused
    (`InputError`): a fleet with depots or with daily counts of road vehicles, and transfers
    (rail cars' counts and hubs serve several areas). Rail cars' counts without transfers
    are unused, so allowed."""
    counted = sorted(
        vt.name for vt in fleet.vehicle_types if vt.count is not None and not vt.is_rail
    )
    if fleet.depots or counted or policy.transfers:
        if policy.transfers:
            what, source = "transfers (hubs and rail serve several areas)", "policy"
        elif fleet.depots:
            what, source = "depots", "fleet"
        else:
            what, source = f"daily counts ({', '.join(counted)})", "fleet"
        raise InputError(
            [
                InputIssue(
                    source,
                    f"a campaign plans its areas apart, so it cannot have {what}: plan "
                    "them with `pointplan plan`, an area at a time",
                )
            ]
        )


def shard_of(registration: Registration) -> Shard:
    """The shard of a registration: its direction, destination city, ISO week of its earliest
    date."""
    city = (registration.destination.adcode or "").ljust(4, "0")[:4]
    year, week, _ = registration.earliest_date.isocalendar()
    letter = "W" if registration.direction is Direction.RETURN_TO_WORK else "H"
    return Shard(letter, city, f"{year}-W{week:02d}")


def split_registrations(
    source: Path,
    folder: Path,
    points: Sequence[Point] = (),
    chunk_rows: int = CHUNK_ROWS,
    on_chunk: Callable[[int], None] | None = None,
) -> Split:
    """Read and validate `source` a chunk at a time and write its valid rows to one shard
    file per (direction, destination city, week) under `folder`; the areas they make and
    the rejected rows. `on_chunk` is told the rows read so far."""
    folder.mkdir(parents=True, exist_ok=True)
    reader = RegistrationReader(points)
    writers: dict[Shard, pq.ParquetWriter] = {}
    counts: dict[Shard, int] = defaultdict(int)
    rejected: list[Rejection] = []
    rows = 0
    try:
        for chunk in read_table_chunks(source, chunk_rows):
            table = with_column_names(chunk)
            batch = reader.read(table)
            rejected.extend(batch.rejected)
            rows += batch.rows
            cells = {record.row: record.cells for record in table.records}
            columns = list(table.columns)
            grouped: dict[Shard, list[int]] = defaultdict(list)
            for registration in batch.registrations:
                assert registration.row is not None  # a table's registrations keep their rows
                grouped[shard_of(registration)].append(registration.row)
            schema = pa.schema(
                [(c, pa.string()) for c in columns] + [(ROW_INDEX, pa.int64())]
            )  # fmt: skip
            for key in sorted(grouped):
                numbers = grouped[key]
                data = {c: [cells[n].get(c, "") for n in numbers] for c in columns}
                data[ROW_INDEX] = numbers  # type: ignore[assignment]
                if key not in writers:
                    writers[key] = pq.ParquetWriter(folder / key.file_name, schema)
                writers[key].write_table(pa.table(data, schema=schema))
                counts[key] += len(numbers)
            if on_chunk is not None:
                on_chunk(rows)
    finally:
        for writer in writers.values():
            writer.close()
    return Split(_pack(counts), tuple(sorted(rejected, key=lambda r: r.row)))


def _pack(counts: Mapping[Shard, int]) -> tuple[Area, ...]:
    """Each (direction, province, week)'s cities, in code order, packed into areas of at most
    `AREA_LIMIT` registrations (a city larger than that is an area of its own)."""
    by_province: dict[tuple[str, str, str], list[tuple[Shard, int]]] = defaultdict(list)
    for shard, count in sorted(counts.items()):
        by_province[shard.letter, shard.province, shard.week].append((shard, count))
    areas = []
    for (letter, province, week), shards in sorted(by_province.items()):
        packs: list[list[tuple[Shard, int]]] = [[]]
        for shard, count in shards:
            if packs[-1] and sum(n for _, n in packs[-1]) + count > AREA_LIMIT:
                packs.append([])
            packs[-1].append((shard, count))
        direction = Direction.RETURN_TO_WORK if letter == "W" else Direction.RETURN_HOME
        for number, pack in enumerate(packs, start=1):
            areas.append(
                Area(
                    direction=direction,
                    province=province,
                    week=week,
                    pack=number if len(packs) > 1 else None,
                    shard_files=tuple(shard.file_name for shard, _ in pack),
                    registrations=sum(n for _, n in pack),
                )
            )
    return tuple(areas)


def plan_area(settings: Settings, area: Area) -> AreaResult:
    """Plan one area from its shard files and write its exports (plan.json, plan.xlsx,
    plan.geojson, map.html, vehicle pages, weekly tables, trips.parquet, passengers.parquet)
    to its folder; run on a worker, so it reads and writes only its own files."""
    started = time.perf_counter()
    shards = settings.out / SHARDS_FOLDER
    frame = pd.concat([pd.read_parquet(shards / name) for name in area.shard_files])
    frame = frame.set_index(ROW_INDEX).sort_index()
    problem = build_problem(
        frame, points=settings.points, fleet=settings.fleet, policy=settings.policy
    )
    plan = solve(
        problem,
        seed=settings.seed,
        time_limit=max(1.0, settings.seconds_per_registration * area.registrations),
        workers=1,
    )
    plan = with_trip_prefix(plan, area.code)
    folder = settings.out / area.folder
    write_outputs(
        plan,
        folder,
        settings.policy,
        settings.fleet,
        problem.registrations,
        show_personal_data=settings.show_personal_data,
        pdf=settings.pdf,
    )
    _write_parquet(trips_table(plan.trips), TRIP_SCHEMA, area.code, folder / "trips.parquet")
    _write_parquet(
        passengers_table(plan.trips), PASSENGER_SCHEMA, area.code, folder / "passengers.parquet"
    )
    spent, people = spending(
        problem, plan.summary.cost, plan.summary.served_passengers, plan.advised
    )
    return AreaResult(
        area=area,
        summary=plan.summary,
        spent=spent,
        people=people,
        seconds=time.perf_counter() - started,
        peak_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,  # Linux: KiB
    )


def with_trip_prefix(plan: Plan, prefix: str) -> Plan:
    """`plan` with every trip id (and every reference to one) prefixed `prefix-`."""

    def renamed(trip_id: str) -> str:
        return f"{prefix}-{trip_id}"

    return plan.model_copy(
        update={
            "trips": tuple(
                t.model_copy(update={"trip_id": renamed(t.trip_id)}) for t in plan.trips
            ),
            "date_suggestions": tuple(
                s.model_copy(update={"trip_id": renamed(s.trip_id)}) for s in plan.date_suggestions
            ),
        }
    )


def _arrow(frame: pd.DataFrame, schema: pa.Schema, area: str) -> pa.Table:
    """`frame` in `schema`: text columns as text (times in ISO form), with the area's code."""
    frame = frame.assign(area=area)
    data: dict[str, Any] = {}
    for field in schema:
        values = frame[field.name].tolist()
        if field.type == pa.string():
            values = [_text(v) for v in values]
        data[field.name] = values
    return pa.table(data, schema=schema)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _write_parquet(frame: pd.DataFrame, schema: pa.Schema, area: str, path: Path) -> None:
    pq.write_table(_arrow(frame, schema, area), path)


class _PlanWriter:
    """The campaign's plan.json, trips.parquet and passengers.parquet, written as the areas'
    plans come in: each list of plan.json goes to a file of its own, one element a line,
    and they are joined under the summary at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.parts = {name: folder / f".plan-{name}.part" for name in PLAN_SECTIONS}
        self.handles = {name: path.open("w", encoding="utf-8") for name, path in self.parts.items()}
        self.counts = dict.fromkeys(PLAN_SECTIONS, 0)
        self.trips = pq.ParquetWriter(folder / "trips.parquet", TRIP_SCHEMA)
        self.passengers = pq.ParquetWriter(folder / "passengers.parquet", PASSENGER_SCHEMA)

    def add(self, area_folder: Path) -> None:
        """Append one area's plan and tables."""
        plan = json.loads((area_folder / "plan.json").read_text(encoding="utf-8"))
        for name in PLAN_SECTIONS:
            for element in plan.get(name, ()):
                handle = self.handles[name]
                handle.write(",\n" if self.counts[name] else "\n")
                handle.write(json.dumps(element, ensure_ascii=False, separators=(",", ":")))
                self.counts[name] += 1
        self.trips.write_table(pq.read_table(area_folder / "trips.parquet", schema=TRIP_SCHEMA))
        self.passengers.write_table(
            pq.read_table(area_folder / "passengers.parquet", schema=PASSENGER_SCHEMA)
        )

    def finish(self, summary: Summary, rejected: Sequence[Rejection]) -> Path:
        """Join plan.json (summary first, then the lists; `rejected` last)."""
        for handle in self.handles.values():
            handle.close()
        path = self.folder / "plan.json"
        with path.open("w", encoding="utf-8") as out:
            out.write('{"summary":' + summary.model_dump_json())
            for name in PLAN_SECTIONS:
                out.write(f',\n"{name}":[')
                with self.parts[name].open(encoding="utf-8") as part:
                    shutil.copyfileobj(part, out)
                out.write("\n]" if self.counts[name] else "]")
            out.write(',\n"rejected":[')
            out.write(",".join(f"\n{r.model_dump_json()}" for r in rejected))
            out.write("\n]}\n" if rejected else "]}\n")
        return path

    def close(self) -> None:
        """Close the tables and remove the part files (after `finish`, or when the campaign
        fails)."""
        self.trips.close()
        self.passengers.close()
        for handle in self.handles.values():
            handle.close()
        for part in self.parts.values():
            part.unlink(missing_ok=True)


def merged_summary(
    results: Sequence[AreaResult], rejected: int, seed: int, seconds: float
) -> Summary:
    """The campaign's figures: its areas' summed, the cost a person over all areas."""

    def total(name: str) -> Any:
        return sum(getattr(r.summary, name) for r in results)

    people = sum(r.people for r in results)
    return Summary(
        registrations=total("registrations") + rejected,
        passengers=total("passengers"),
        served_passengers=total("served_passengers"),
        vehicles=total("vehicles"),
        vehicles_lower_bound=total("vehicles_lower_bound"),
        stops=total("stops"),
        distance_km=round(total("distance_km"), 1),
        cost=round(total("cost"), 2),
        solve_seconds=round(seconds, 1),
        served_registrations=total("served_registrations"),
        unassigned=total("unassigned"),
        rejected=rejected,
        solver=results[0].summary.solver if results else "",
        seed=seed,
        advised=total("advised"),
        legs=total("legs"),
        cost_per_person=round(sum(r.spent for r in results) / people, 2) if people else 0.0,
    )


def plan_campaign(
    source: Path,
    out: Path,
    *,
    points: Sequence[Point] = (),
    fleet: Fleet,
    policy: Policy,
    seed: int = 0,
    time_limit: float | None = None,
    workers: Workers = 1,
    show_personal_data: bool = False,
    pdf: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    on_progress: Callable[[str], None] | None = None,
) -> Campaign:
    """Plan the campaign of the registrations file `source` into `out` (see the module):
    areas planned on `workers` (processes of this machine, or a cluster's executor), the
    same campaign for any. `time_limit` is the search budget of the whole campaign in
    solver seconds (default `SECONDS_PER_THOUSAND` per 1,000 registrations), shared by the
    areas by their registrations. `on_progress` is told of each stage and area. The shard
    files, which hold the rows' personal data, are removed at the end."""
    refuse_shared_fleet(fleet, policy)
    check_fleet_carries(fleet, policy)
    say = on_progress or (lambda message: None)
    started = time.perf_counter()
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    shards = out / SHARDS_FOLDER
    shutil.rmtree(shards, ignore_errors=True)
    shutil.rmtree(out / AREAS_FOLDER, ignore_errors=True)
    try:
        split = split_registrations(
            source, shards, points, chunk_rows, lambda rows: say(f"read {rows:,} rows")
        )
        read_seconds = time.perf_counter() - started
        valid = sum(area.registrations for area in split.areas)
        budget = time_limit if time_limit is not None else SECONDS_PER_THOUSAND * valid / 1000
        settings = Settings(
            out=out,
            points=tuple(points),
            fleet=fleet,
            policy=policy,
            seed=seed,
            seconds_per_registration=budget / valid if valid else 0.0,
            show_personal_data=show_personal_data,
            pdf=pdf,
        )
        say(f"{valid:,} valid registrations in {len(split.areas)} areas")
        writer = _PlanWriter(out)
        results: list[AreaResult] = []
        try:
            for result in ordered_map(plan_area, settings, split.areas, workers):
                writer.add(out / result.area.folder)
                results.append(result)
                say(
                    f"area {result.area.code}: {result.summary.vehicles} vehicles (bound "
                    f"{result.summary.vehicles_lower_bound}), {len(results)} of "
                    f"{len(split.areas)}"
                )
            summary = merged_summary(
                results, len(split.rejected), seed, time.perf_counter() - started
            )
            writer.finish(summary, split.rejected)
        finally:
            writer.close()
        _write_area_index(out, results)
    finally:
        shutil.rmtree(shards, ignore_errors=True)
    return Campaign(summary, tuple(results), split.rejected, out, read_seconds)


def _write_area_index(out: Path, results: Sequence[AreaResult]) -> None:
    """areas.csv: each area's code, folder and figures."""
    rows = [
        {
            "area": r.area.code,
            "direction": r.area.direction.value,
            "province": r.area.province,
            "week": r.area.week,
            "folder": r.area.folder.as_posix(),
            "registrations": r.summary.registrations,
            "passengers": r.summary.passengers,
            "vehicles": r.summary.vehicles,
            "vehicles_lower_bound": r.summary.vehicles_lower_bound,
            "unassigned": r.summary.unassigned,
            "distance_km": r.summary.distance_km,
            "cost": r.summary.cost,
            "seconds": round(r.seconds, 1),
            "worker_peak_mb": round(r.peak_bytes / 2**20),
        }
        for r in results
    ]
    pd.DataFrame(rows).to_csv(out / "areas.csv", index=False)
