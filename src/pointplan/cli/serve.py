"""`pointplan serve`: run the HTTP service with uvicorn."""

from __future__ import annotations

import argparse
from typing import Any

from pointplan.cli.common import EXIT_OK


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `serve` to `commands`."""
    serve = commands.add_parser(
        "serve",
        help="run the HTTP service",
        description="Serve the HTTP API (OpenAPI document at /openapi.json, docs at /docs). "
        "Settings come from POINTPLAN_* environment variables; --db overrides "
        "POINTPLAN_DATABASE_URL.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--db", metavar="URL", help="SQLAlchemy database URL (default: a SQLite file)"
    )
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Serve until stopped."""
    import uvicorn  # the service's imports are paid only by `serve`

    from pointplan.api import Settings, create_app
    from pointplan.api.settings import thresholds_of

    settings = Settings(database_url=args.db) if args.db else Settings()
    thresholds_of(settings)  # a bad thresholds file: exit 2 naming the key, before starting
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return EXIT_OK
