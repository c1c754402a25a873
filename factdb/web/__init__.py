"""The editors' web UI: ``create_app()`` builds it; blueprints stay thin over the services."""

from factdb.web.app import create_app

__all__ = ["create_app"]
