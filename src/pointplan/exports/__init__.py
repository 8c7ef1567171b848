"""What people take away from a plan: tables, maps and documents, all derived from plan.json."""

from pointplan.exports.geojson import plan_geojson, write_geojson
from pointplan.exports.tables import passengers_table, stops_table, trips_table
from pointplan.exports.workbook import write_workbook

__all__ = [
    "passengers_table",
    "plan_geojson",
    "stops_table",
    "trips_table",
    "write_geojson",
    "write_workbook",
]
