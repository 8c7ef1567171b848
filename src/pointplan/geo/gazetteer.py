"""Resolve administrative codes (adcodes) and place names of China to coordinates.

The table is the one the `cpca` package ships (`cpca/resources/adcodes.csv`): every
province, prefecture and county-level unit with its 12-digit code, name and coordinates
(WGS84 degrees of the unit's seat). A 12-digit code below county level resolves to its
county's seat. Names resolve when they identify one unit, alone (`土默特左旗`) or with any of
its parents before it (`呼和浩特市新城区`, `内蒙古 呼和浩特 新城区`); an ambiguous name is an
error that lists the candidates.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from pointplan.domain.places import Place
from pointplan.geo.distances import EARTH_MEAN_RADIUS_KM

_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省", "市", "盟")
_SEPARATORS = re.compile(r"[\s,，/·、\-]+")
_DIGITS = re.compile(r"^\d+$")


class PlaceNotFound(LookupError):
    """A code or name that names no unit, or more than one."""


@dataclass(frozen=True)
class AdminUnit:
    """An administrative unit: 12-digit code, name, seat coordinates."""

    code: str
    name: str
    lat: float
    lon: float

    @property
    def level(self) -> int:
        """1 province, 2 prefecture (league/city), 3 county (banner/district)."""
        if self.code[2:] == "0" * 10:
            return 1
        if self.code[4:] == "0" * 8:
            return 2
        return 3

    @property
    def short_code(self) -> str:
        """The code as people write it: 2, 4 or 6 digits."""
        return self.code[: 2 * self.level]


def _short_name(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class Gazetteer:
    """An in-memory index of administrative units by code and by name."""

    def __init__(self, units: list[AdminUnit]) -> None:
        self.by_code = {unit.code: unit for unit in units}
        self._counties: tuple[list[AdminUnit], np.ndarray] | None = None
        self._by_name: dict[str, list[AdminUnit]] = {}
        for unit in units:
            for name in {unit.name, _short_name(unit.name)}:
                self._by_name.setdefault(name, []).append(unit)

    @classmethod
    def from_csv(cls, path: Path) -> Gazetteer:
        """Load a table with columns adcode, name, longitude, latitude (rows lacking them skip)."""
        units = []
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if not row["longitude"] or not row["latitude"] or row["name"] == "市辖区":
                    continue
                code = row["adcode"].ljust(12, "0")
                units.append(
                    AdminUnit(code, row["name"], float(row["latitude"]), float(row["longitude"]))
                )
        return cls(units)

    def parents(self, unit: AdminUnit) -> list[AdminUnit]:
        """The unit's prefecture and province, where the table has them."""
        codes = [unit.code[:4].ljust(12, "0"), unit.code[:2].ljust(12, "0")]
        return [self.by_code[c] for c in codes if c != unit.code and c in self.by_code]

    def describe(self, unit: AdminUnit) -> str:
        """Full path and code, e.g. '内蒙古自治区 呼和浩特市 新城区 (150102)'."""
        names = [p.name for p in reversed(self.parents(unit))] + [unit.name]
        return f"{' '.join(names)} ({unit.short_code})"

    def nearest_county(self, lat: float, lon: float) -> tuple[AdminUnit, float]:
        """The county-level unit whose seat is nearest to (lat, lon), anywhere in the table,
        and how far its seat is (great-circle km)."""
        if self._counties is None:
            counties = [unit for unit in self.by_code.values() if unit.level == 3]
            radians = np.radians([[unit.lat, unit.lon] for unit in counties])
            self._counties = (counties, radians)
        counties, radians = self._counties
        lat_r, lon_r = np.radians(lat), np.radians(lon)
        half = (
            np.sin((radians[:, 0] - lat_r) / 2) ** 2
            + np.cos(lat_r) * np.cos(radians[:, 0]) * np.sin((radians[:, 1] - lon_r) / 2) ** 2
        )
        km = 2 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.sqrt(half))
        best = int(np.argmin(km))
        return counties[best], float(km[best])

    def unit_for_code(self, code: str) -> AdminUnit:
        """The unit of a 2-, 4-, 6- or 12-digit adcode; townships map to their county."""
        if not _DIGITS.match(code) or len(code) not in (2, 4, 6, 12):
            raise PlaceNotFound("not an adcode (2, 4, 6 or 12 digits)")
        full = code.ljust(12, "0")
        for candidate in (full, full[:6].ljust(12, "0")):
            if candidate in self.by_code:
                return self.by_code[candidate]
        raise PlaceNotFound("an adcode that is not in the table of administrative units")

    @lru_cache(maxsize=65536)  # noqa: B019 - the gazetteer lives as long as the process
    def unit_for_name(self, text: str) -> AdminUnit:
        """The one unit a name (optionally preceded by its parents' names) identifies."""
        compact = _SEPARATORS.sub("", text)
        if not compact:
            raise PlaceNotFound("empty place name")
        matches = []
        for end in range(len(compact)):
            name = compact[end:]
            for unit in self._by_name.get(name, ()):
                if self._prefix_is_parents(compact[:end], unit):
                    matches.append(unit)
            if matches:
                break  # the longest name that matches wins: '呼和浩特市' beats '市'
        unique = sorted(set(matches), key=lambda u: u.code)
        if not unique:
            raise PlaceNotFound("not a known place name")
        if len(unique) > 1:
            deepest = max(u.level for u in unique)
            unique = [u for u in unique if u.level == deepest]
        if len(unique) > 1:
            candidates = "; ".join(self.describe(u) for u in unique)
            raise PlaceNotFound(f"ambiguous: {candidates}; give the code or the league/city first")
        return unique[0]

    def _prefix_is_parents(self, prefix: str, unit: AdminUnit) -> bool:
        if not prefix:
            return True
        names = [n for p in self.parents(unit) for n in (p.name, _short_name(p.name))]
        remaining = prefix
        progress = True
        while remaining and progress:
            progress = False
            for name in sorted(names, key=len, reverse=True):
                if remaining.startswith(name):
                    remaining = remaining[len(name) :]
                    progress = True
                    break
        return not remaining

    def resolve(self, text: str) -> Place:
        """A place for an adcode or a name; raises `PlaceNotFound` with a readable message."""
        text = text.strip()
        unit = self.unit_for_code(text) if _DIGITS.match(text) else self.unit_for_name(text)
        return Place(label=self.label(unit), lat=unit.lat, lon=unit.lon, adcode=unit.short_code)

    def name_of(self, code: str, label: bool = False) -> str:
        """The name (with `label`, the short unambiguous label) of the unit of an adcode; the
        code itself when the table has none."""
        try:
            unit = self.unit_for_code(code)
        except PlaceNotFound:
            return code
        return self.label(unit) if label else unit.name

    def label(self, unit: AdminUnit) -> str:
        """A short unambiguous label: a county with its league or city ('呼和浩特市新城区')."""
        parents = self.parents(unit)
        if unit.level == 3 and parents:
            return parents[0].name + unit.name
        return unit.name


def _cpca_table() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package is not installed; pip install cpca")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer of the table shipped by `cpca` (loaded once per process)."""
    return Gazetteer.from_csv(_cpca_table())
