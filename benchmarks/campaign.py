"""National campaign benchmark: `pointplan campaign` on one process, the pool and a local cluster.

The registrations come from `pointplan sample --national` (Parquet, made once per size and
seed under benchmarks/data/). Each mode runs in a fresh process, so that the driver's peak
memory is its own; the workers' peak is the most any worker process held (areas.csv's
`worker_peak_mb`). Results go to benchmarks/RESULTS.md ("National campaign") and stdout.

    python -m benchmarks.campaign --size 200000 --modes one pool cluster
    python -m benchmarks.campaign --size 2000000 --modes cluster

`--modes ray` plans the areas on a local Ray cluster instead (needs `pip install ray`), for
the comparison of engines in docs/campaign.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.results import machine_line, replace_section

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
MODES = ("one", "pool", "cluster", "ray")
HEADING = "## National campaign: one process, the pool and a local Dask cluster"


def national_files(size: int, seed: int) -> tuple[Path, Path]:
    """The campaign's registrations (Parquet) and points, written once."""
    folder = DATA / f"national-{size}-{seed}"
    registrations, points = folder / "registrations.parquet", folder / "points.csv"
    if not registrations.exists():
        from pointplan.national import national_points, write_registrations

        folder.mkdir(parents=True, exist_ok=True)
        national_points(seed).to_csv(points, index=False)
        write_registrations(folder / "partial.parquet", size, seed)
        (folder / "partial.parquet").rename(registrations)
    return registrations, points


def run_one(mode: str, size: int, seed: int, out: Path) -> dict[str, Any]:
    """Plan the campaign in this process in `mode`; its figures."""
    from pointplan.campaign import plan_campaign
    from pointplan.cluster import open_cluster
    from pointplan.domain import Policy
    from pointplan.io import read_points
    from pointplan.io.config import default_fleet

    registrations, points_file = national_files(size, seed)
    points = read_points(points_file)
    started = time.perf_counter()
    arguments: dict[str, Any] = {
        "points": points, "fleet": default_fleet(), "policy": Policy(), "seed": seed,
    }  # fmt: skip
    if mode == "cluster":
        with open_cluster("local", workers=2) as executor:
            campaign = plan_campaign(registrations, out, workers=executor, **arguments)
    elif mode == "ray":  # for the comparison of docs/campaign.md; needs `pip install ray`
        import ray

        from benchmarks.engines import RayExecutor

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        campaign = plan_campaign(registrations, out, workers=RayExecutor(), **arguments)
        ray.shutdown()
    else:
        workers = 1 if mode == "one" else 2
        campaign = plan_campaign(registrations, out, workers=workers, **arguments)
    wall = time.perf_counter() - started
    s = campaign.summary
    return {
        "mode": mode,
        "size": size,
        "areas": len(campaign.areas),
        "wall_s": round(wall, 1),
        "read_s": round(campaign.read_seconds, 1),
        "vehicles": s.vehicles,
        "bound": s.vehicles_lower_bound,
        "gap": (s.vehicles - s.vehicles_lower_bound) / s.vehicles_lower_bound,
        "people": s.passengers,
        "served": s.served_passengers,
        "unassigned": s.unassigned,
        "rejected": s.rejected,
        "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "worker_peak_mb": max(r.peak_bytes for r in campaign.areas) // 2**20,
        "largest_area": max(r.area.registrations for r in campaign.areas),
    }


def main() -> None:
    """Run the modes asked for, each in its own process, and record them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES[:3]))
    parser.add_argument("--run", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=Path("/tmp/pointplan-campaign"))
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run, args.size, args.seed, args.out / args.run)))
        return
    national_files(args.size, args.seed)
    rows = []
    for mode in args.modes:
        command = [
            *(sys.executable, "-m", "benchmarks.campaign", "--run", mode),
            *("--size", str(args.size), "--seed", str(args.seed), "--out", str(args.out)),
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    record(rows)


def record(rows: list[dict[str, Any]]) -> None:
    """Add the rows to RESULTS.md's campaign table (rows of other sizes stay)."""
    from benchmarks.results import RESULTS

    text = RESULTS.read_text(encoding="utf-8")
    kept = []
    if HEADING in text:
        section = text[text.index(HEADING) :].split("\n## ", 1)[0]
        measured = {(r["mode"], r["size"]) for r in rows}
        for line in section.splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            size = cells[1].replace(",", "") if len(cells) > 1 else ""
            if line.startswith("| ") and size.isdigit() and (cells[0], int(size)) not in measured:
                kept.append(line)
    lines = [
        HEADING,
        "",
        machine_line(),
        "Command: `python -m benchmarks.campaign --size N --modes ...` (each mode in a fresh "
        "process; default fleet and policy, budget 0.5 solver s per 1,000 registrations).",
        "",
        "| mode | registrations | areas | largest area | wall s | reading s | vehicles | bound "
        "| gap | people | unassigned | driver peak MB | worker peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *kept,
        *(
            f"| {r['mode']} | {r['size']:,} | {r['areas']} | {r['largest_area']:,} | "
            f"{r['wall_s']:,} | {r['read_s']:,} | {r['vehicles']:,} | {r['bound']:,} | "
            f"{r['gap']:.2%} | {r['people']:,} | {r['unassigned']:,} | "
            f"{r['driver_peak_mb']:,} | {r['worker_peak_mb']:,} |"
            for r in rows
        ),
        "",
    ]
    replace_section(HEADING, "\n".join(lines))


if __name__ == "__main__":
    main()
