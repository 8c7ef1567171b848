"""map.html: an interactive map of a plan (folium / Leaflet) in one file.

Trips are lines through their stops, one colour and one switchable layer per travel date (the
first date is shown, the others are ticked on in the layer list), drawn by leg: a direct trip
as a thin line, a trunk thick (thick and dashed by rail), a feeder dashed, a distribution leg
dotted; pickup points are circles sized by the people boarding there over the whole plan;
drop-offs are small dark circles; the hubs and stations where people change vehicles are
orange circles sized by the people changing.
Leaflet's script and styles are written into the file, so the map works with no connection;
only the background tiles (OpenStreetMap by default) need one. The shipped font, cut down to
the characters of the map, is embedded too, so Chinese place names render.
"""

from __future__ import annotations

import base64
import itertools
import math
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path

import folium
from branca.element import Element

from pointplan.domain.plan import Plan, Trip
from pointplan.fonts import FONT_FAMILY, write_font_subset

DATE_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f",
)  # fmt: skip
PICKUP_COLOUR, DROPOFF_COLOUR, HUB_COLOUR = "#08519c", "#333333", "#ff7f0e"
LEG_STYLES = {  # weight, dashes (None: a solid line)
    "direct": (2, None),
    "feeder": (2, "6 4"),
    "trunk": (5, None),
    "distribution": (2, "1 5"),
    "rail": (6, "12 6"),  # a trunk by rail
}


@dataclass
class _Place:
    name: str
    lat: float
    lon: float
    people: int = 0
    trips: set[str] = field(default_factory=set)


def plan_map(plan: Plan, tiles: str | None = "OpenStreetMap") -> folium.Map:
    """The plan on a map (see the module's description). `tiles=None` draws no background."""
    web_map = _drawn(plan, tiles)
    root = web_map.get_root()
    root.header.add_child(folium.Element(_font_style(root.render())))  # type: ignore[attr-defined]
    return web_map


def _drawn(plan: Plan, tiles: str | None, attribution: str | None = None) -> folium.Map:
    """The map without its font (which is cut down to the rendered page's characters)."""
    stops = [(s.lat, s.lon) for trip in plan.trips for s in trip.stops]
    web_map = folium.Map(tiles=tiles, attr=attribution, prefer_canvas=True, control_scale=True)
    _inline_leaflet(web_map)
    if stops:
        lats, lons = zip(*stops, strict=True)
        web_map.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    dates = sorted({trip.date for trip in plan.trips})
    for index, date in enumerate(dates):
        colour = DATE_COLOURS[index % len(DATE_COLOURS)]
        trips = [trip for trip in plan.trips if trip.date == date]
        layer = folium.FeatureGroup(
            name=f'<span style="color:{colour}">━━</span> {date.isoformat()} ({len(trips)} trips)',
            show=index == 0,
        )
        for trip in trips:
            weight, dashes = LEG_STYLES["rail" if trip.mode == "rail" else trip.leg]
            folium.PolyLine(  # type: ignore[no-untyped-call]
                [(s.lat, s.lon) for s in trip.stops],
                color=colour,
                weight=weight,
                dash_array=dashes,
                opacity=0.7,
                tooltip=_trip_label(trip),
            ).add_to(layer)
        layer.add_to(web_map)
    pickups, dropoffs = _places(plan)
    _place_layer(pickups, "● 上车点 pickups (size: people)", PICKUP_COLOUR, True).add_to(web_map)
    _place_layer(dropoffs, "● 下车点 drop-offs", DROPOFF_COLOUR, False).add_to(web_map)
    hubs = _hubs(plan)
    if hubs:
        _place_layer(hubs, "● 换乘点 hubs (people change vehicles)", HUB_COLOUR, True).add_to(
            web_map
        )
    folium.LayerControl(collapsed=False).add_to(web_map)
    root = web_map.get_root()
    root.html.add_child(folium.Element(_legend(plan)))  # type: ignore[attr-defined]
    _number_elements(root, itertools.count())
    return web_map


def _number_elements(element: Element, counter: Iterator[int]) -> None:
    """Give every element a sequential id instead of folium's random one, so that the same
    plan gives the same file."""
    element._id = f"{next(counter):06d}"
    for child in element._children.values():
        _number_elements(child, counter)


def _tooltip_text(text: str) -> str:
    """Text for a folium tooltip: HTML-escaped, and with the characters that would end or
    interpolate the JavaScript template literal folium writes it into (` $ \\) as entities."""
    return escape(text).translate({ord("`"): "&#96;", ord("$"): "&#36;", ord("\\"): "&#92;"})


def write_map(
    plan: Plan, path: Path, tiles: str | None = "OpenStreetMap", attribution: str | None = None
) -> Path:
    """Write the plan's map to `path` as one HTML file (rendered once: folium's rendering is
    most of the time a large plan's map takes). `tiles` is a tile provider's name or a URL
    template (`attribution` then says whose tiles they are); None draws no background."""
    page = _drawn(plan, tiles, attribution).get_root().render()
    head_ends = page.index("</head>")
    page = page[:head_ends] + _font_style(page) + page[head_ends:]
    path.write_text(page, encoding="utf-8")
    return path


def _trip_label(trip: Trip) -> str:
    leg = "" if trip.leg == "direct" else f"{trip.leg} · "
    if trip.mode == "rail":
        leg += f"rail, train {trip.train} ({trip.train_cars} cars) · "
    return _tooltip_text(
        f"{trip.trip_id} · {leg}{trip.date.isoformat()} · {trip.vehicle_type} · "
        f"{trip.passengers}/{trip.capacity} people · {trip.distance_km:,.0f} km"
    )


def _hubs(plan: Plan) -> list[_Place]:
    """The places where people change vehicles, sized by the people changing there."""
    found: dict[tuple[str, float, float], _Place] = {}
    for rid, legs in sorted(plan.itineraries().items()):
        for before, after in itertools.pairwise(legs):
            (stop,) = [s for s in after.stops if s.kind == "pickup" and rid in s.registrations]
            key = (stop.place, round(stop.lat, 5), round(stop.lon, 5))
            place = found.setdefault(key, _Place(stop.place, stop.lat, stop.lon))
            place.people += after.people_by_registration()[rid]
            place.trips.update((before.trip_id, after.trip_id))
    return [found[key] for key in sorted(found)]


def _places(plan: Plan) -> tuple[list[_Place], list[_Place]]:
    found: dict[tuple[str, str, float, float], _Place] = {}
    for trip in plan.trips:
        seated = trip.people_by_registration()
        for stop in trip.stops:
            key = (stop.kind, stop.place, round(stop.lat, 5), round(stop.lon, 5))
            place = found.setdefault(key, _Place(stop.place, stop.lat, stop.lon))
            place.people += sum(seated.get(rid, 0) for rid in stop.registrations)
            place.trips.add(trip.trip_id)
    pickups = [place for (kind, *_), place in found.items() if kind == "pickup"]
    dropoffs = [place for (kind, *_), place in found.items() if kind == "dropoff"]
    return pickups, dropoffs


def _place_layer(places: list[_Place], name: str, colour: str, sized: bool) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name=f'<span style="color:{colour}">{name}</span>')
    # Largest first, so small circles stay on top and clickable.
    for place in sorted(places, key=lambda p: (-p.people, p.name)):
        folium.CircleMarker(
            (place.lat, place.lon),
            radius=3 + 1.5 * math.sqrt(place.people) if sized else 3,
            color=colour,
            weight=1,
            fill=True,
            fill_opacity=0.45 if sized else 0.9,
            tooltip=_tooltip_text(
                f"{place.name}: {place.people} people on {len(place.trips)} trips"
            ),
        ).add_to(layer)
    return layer


def _legend(plan: Plan) -> str:
    summary = plan.summary
    return (
        '<div style="position:fixed;bottom:28px;right:10px;z-index:1000;background:white;'
        'padding:8px 10px;border:1px solid #999;border-radius:4px;font:13px sans-serif;">'
        f"<b>pointplan</b> · {summary.vehicles} trips · {summary.served_passengers} people"
        "<br>Lines: trips, one colour per date (tick dates in the list above)"
        "<br>Blue circles: pickup points, area = people boarding"
        "<br>Dark dots: drop-off points · hover for details"
        + (
            "<br>Thick: trunk legs · dashed: feeders · dotted: distribution (receiving side)"
            + ("<br>Thick and dashed: trunk legs by rail" if _any_rail(plan) else "")
            + "<br>Orange circles: hubs and stations where people change vehicles"
            if summary.legs
            else ""
        )
        + "</div>"
    )


def _any_rail(plan: Plan) -> bool:
    return any(trip.mode == "rail" for trip in plan.trips)


def _font_style(page: str) -> str:
    """A style rule using the shipped font, embedded and cut down to the page's characters
    (folium writes labels into its script as \\uXXXX escapes, so those count too)."""
    escaped = "".join(chr(int(code, 16)) for code in re.findall(r"\\u([0-9a-fA-F]{4})", page))
    with tempfile.TemporaryDirectory() as folder:
        font = write_font_subset([page, escaped], Path(folder) / "font.ttf").read_bytes()
    payload = base64.b64encode(font).decode("ascii")
    return (
        f'<style>@font-face{{font-family:"{FONT_FAMILY}";'
        f'src:url(data:font/ttf;base64,{payload}) format("truetype");}}'
        f'.leaflet-container,.leaflet-control-layers{{font-family:"{FONT_FAMILY}",sans-serif;}}'
        "</style>"
    )


def _inline_leaflet(web_map: folium.Map) -> None:
    """Put Leaflet itself into the page instead of links to a CDN."""
    folder = resources.files("pointplan") / "data/leaflet"

    def data_uri(name: str, mime: str) -> str:
        payload = base64.b64encode((folder / name).read_bytes()).decode("ascii")
        return f"data:{mime};base64,{payload}"

    web_map.default_js = [("leaflet", data_uri("leaflet.js", "text/javascript"))]
    web_map.default_css = [("leaflet_css", data_uri("leaflet.css", "text/css"))]
