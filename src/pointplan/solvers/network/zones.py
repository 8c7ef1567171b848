"""Zones: the places one vehicle can serve together, as the network model sees them.

The trip builder shares a vehicle between pickups (and drop-offs) within the policy's radii,
so the model must not price each point alone: it prices vehicles between zones. A point's
zone is its urban area when it lies in a city district (adcode digits 5-6 below 21: the
districts of a prefecture-level city share a zone, e.g. 150102 and 150105 are both Hohhot's
"1501") and its county otherwise; a place without an adcode is its own zone. Hubs and
stations are zones of their own kind, so a feeder from a league seat's bus station to the
hub beside it is an arc, not a loop."""

from __future__ import annotations

from pointplan.domain.places import Place, Point, PointKind

Zone = tuple[str, str]
"""What kind of place (stop, hub, station) and the area code or label."""
FIRST_COUNTY = 21
"""County-level codes 21 and above are counties, banners and county-level cities; below are
city districts."""


def zone_of(place: Place) -> Zone:
    """The zone of `place` (see the module)."""
    kind = place.kind.value if isinstance(place, Point) else PointKind.STOP.value
    code = place.adcode or ""
    if len(code) >= 6 and code[:6].isdigit():
        area = code[:4] if int(code[4:6]) < FIRST_COUNTY else code[:6]
    elif len(code) == 4 and code.isdigit():
        area = code
    else:
        area = f"{place.label}@{place.lat:.3f},{place.lon:.3f}"
    return kind, area
