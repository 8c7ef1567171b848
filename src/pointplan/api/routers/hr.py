"""Human resources' calls, all under `/v1/hr` (docs/hr.md, "In the service"): the services
(job postings, the ledger, coordination, receiving), the early warning and the weekly
reports, each in a module of its own."""

from __future__ import annotations

from fastapi import APIRouter

from pointplan.api.routers import hr_reports, hr_services, hr_warnings
from pointplan.api.schemas import error_responses

router = APIRouter(
    prefix="/v1/hr",
    tags=["human resources"],
    responses=error_responses(401, 403, 404, 409, 413, 415),
)
for module in (hr_services, hr_warnings, hr_reports):
    router.include_router(module.router)
