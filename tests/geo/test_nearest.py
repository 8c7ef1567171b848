"""The nearest pickup point: the great-circle shortcut gives the geodesic search's answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pointplan.domain.places import Place, Point
from pointplan.geo.distances import geodesic_km, nearest_within


@given(
    origin=st.tuples(st.floats(38, 50), st.floats(97, 126)),
    others=st.lists(st.tuples(st.floats(-0.6, 0.6), st.floats(-0.6, 0.6)), max_size=12),
    radius=st.floats(1, 80),
)
def test_nearest_within_agrees_with_measuring_every_geodesic(
    origin: tuple[float, float], others: list[tuple[float, float]], radius: float
) -> None:
    """The great-circle shortcut finds the same nearest point as the plain geodesic search."""
    here = Place(label="o", lat=origin[0], lon=origin[1])
    points = [
        Point(point_id=f"P{i}", label="p", lat=origin[0] + dlat, lon=origin[1] + dlon)
        for i, (dlat, dlon) in enumerate(others)
    ]
    within = [(geodesic_km(here, p), p.point_id, p) for p in points]
    within = [entry for entry in within if entry[0] <= radius]
    expected = min(within, key=lambda entry: entry[:2])[2] if within else None
    assert nearest_within(here, points, radius, key=lambda p: p.point_id) == expected
