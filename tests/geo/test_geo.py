"""Geography: adcodes and names resolve to real coordinates; distances behind one interface."""

from __future__ import annotations

import pytest

from pointplan.domain import Location
from pointplan.geo import (
    DistanceModel,
    GeodesicDistances,
    PlaceNotFound,
    RoadNetworkDistances,
    default_gazetteer,
)


@pytest.mark.parametrize(
    ("text", "adcode", "label"),
    [
        ("150102", "150102", "呼和浩特市新城区"),
        ("150102000000", "150102", "呼和浩特市新城区"),
        ("150121101000", "150121", "呼和浩特市土默特左旗"),  # a township: its county's seat
        ("呼和浩特市新城区", "150102", "呼和浩特市新城区"),
        ("呼和浩特 新城区", "150102", "呼和浩特市新城区"),
        ("内蒙古自治区呼和浩特市新城区", "150102", "呼和浩特市新城区"),
        ("土默特左旗", "150121", "呼和浩特市土默特左旗"),
        ("锡林郭勒盟", "1525", "锡林郭勒盟"),
        ("1501", "1501", "呼和浩特市"),
        ("15", "15", "内蒙古自治区"),
        ("北京朝阳区", "110105", "北京市朝阳区"),
    ],
)
def test_codes_and_names_resolve(text: str, adcode: str, label: str) -> None:
    """Codes of 2-12 digits and names with or without their parents resolve to one unit."""
    place = default_gazetteer().resolve(text)
    assert (place.adcode, place.label) == (adcode, label)


def test_coordinates_are_the_real_county_seat() -> None:
    """土默特左旗 lies west of Hohhot, at about 40.73 N 111.16 E."""
    place = default_gazetteer().resolve("150121")
    assert place.lat == pytest.approx(40.73, abs=0.05)
    assert place.lon == pytest.approx(111.16, abs=0.05)


def test_ambiguous_name_lists_candidates() -> None:
    """新城区 exists in Hohhot and Xi'an: the error names both with their codes."""
    with pytest.raises(PlaceNotFound) as error:
        default_gazetteer().resolve("新城区")
    assert "150102" in str(error.value) and "610102" in str(error.value)
    assert "呼和浩特市" in str(error.value)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("火星", "not a known place name"),
        ("999999", "not in the table"),
        ("15010", "not an adcode"),
        ("呼和浩特市雁塔区", "not a known place name"),
    ],
)
def test_unknown_places_are_errors(text: str, why: str) -> None:
    """Unknown names, unknown codes, malformed codes and wrong parents all fail clearly,
    saying why without repeating the text (it may be someone's home address)."""
    with pytest.raises(PlaceNotFound, match=why) as error:
        default_gazetteer().resolve(text)
    assert text not in str(error.value)


def test_every_inner_mongolia_county_has_coordinates() -> None:
    """The table covers all 103 county-level units of Inner Mongolia."""
    units = [
        u for u in default_gazetteer().by_code.values() if u.code.startswith("15") and u.level == 3
    ]
    assert len(units) == 103
    assert all(37 < u.lat < 54 and 97 < u.lon < 127 for u in units)


HOHHOT = Location(lat=40.842356, lon=111.749995)
BAOTOU = Location(lat=40.621157, lon=109.953504)


def test_geodesic_distance_and_road_factor() -> None:
    """Hohhot-Baotou is about 153 km as the crow flies; road km applies the factor."""
    model = GeodesicDistances(road_factor=1.3)
    assert isinstance(model, DistanceModel)
    assert model.straight_km(HOHHOT, BAOTOU) == pytest.approx(153.5, abs=2)
    assert model.road_km(HOHHOT, BAOTOU) == pytest.approx(1.3 * model.straight_km(HOHHOT, BAOTOU))
    assert model.road_km(HOHHOT, HOHHOT) == 0


def test_road_factor_below_one_is_refused() -> None:
    """A road can't be shorter than the straight line."""
    with pytest.raises(ValueError, match="at least 1"):
        GeodesicDistances(road_factor=0.9)


def test_road_network_shortest_path() -> None:
    """Road km follow the graph's shortest path; a disconnected place is unreachable."""
    mid = Location(lat=40.75, lon=110.8)
    far = Location(lat=45.0, lon=120.0)
    network = RoadNetworkDistances(
        nodes={"hohhot": HOHHOT, "mid": mid, "baotou": BAOTOU, "far": far},
        edges=[("hohhot", "mid", 80.0), ("mid", "baotou", 90.0), ("hohhot", "baotou", 400.0)],
        access_factor=1.0,
    )
    assert isinstance(network, DistanceModel)
    assert network.road_km(HOHHOT, BAOTOU) == pytest.approx(170.0)
    assert network.road_km(HOHHOT, far) == float("inf")


def test_road_network_rejects_bad_edges() -> None:
    """An edge to an unknown node or of negative length is refused."""
    with pytest.raises(ValueError, match="no location"):
        RoadNetworkDistances({"a": HOHHOT}, [("a", "b", 1.0)])
    with pytest.raises(ValueError, match="negative"):
        RoadNetworkDistances({"a": HOHHOT, "b": BAOTOU}, [("a", "b", -1.0)])
