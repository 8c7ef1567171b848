"""The HTTP service: `create_app` builds the FastAPI application."""

from pointplan.api.app import create_app
from pointplan.api.settings import Settings

__all__ = ["Settings", "create_app"]
