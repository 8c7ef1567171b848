"""What people take away from a plan: tables, maps and documents, all derived from plan.json."""

from pointplan.exports.classified import classified_list, write_classified_list
from pointplan.exports.geojson import plan_geojson, write_geojson
from pointplan.exports.outputs import write_outputs
from pointplan.exports.vehicle_html import write_vehicle_pages
from pointplan.exports.vehicle_page import vehicle_pages
from pointplan.exports.vehicle_pdf import write_vehicle_pdfs
from pointplan.exports.webmap import plan_map, write_map
from pointplan.exports.weekly import weekly_tables, write_weekly_report
from pointplan.exports.workbook import write_workbook

__all__ = [
    "classified_list",
    "plan_geojson",
    "plan_map",
    "vehicle_pages",
    "weekly_tables",
    "write_classified_list",
    "write_geojson",
    "write_map",
    "write_outputs",
    "write_vehicle_pages",
    "write_vehicle_pdfs",
    "write_weekly_report",
    "write_workbook",
]
