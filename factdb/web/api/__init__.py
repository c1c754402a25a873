"""The JSON API under ``/api/v1/``: flask-smorest over the same services as the web UI.

Why flask-smorest: it is an extension (``Api.init_app``) that attaches to factdb's own app factory
and plain Flask blueprints, unlike APIFlask, which replaces the Flask class and with it the HTML
pages' error handling; its marshmallow schemas generate the OpenAPI 3.1 document (via apispec) and
check every request before a view runs. The web UI keeps WTForms; the two never share a request.

Tokens authorize the API (``factdb.web.api.auth``); cookies never do, and CSRF (a defence for
cookie-borne requests) does not apply here. Each token's requests are counted by Flask-Limiter in a
store every gunicorn worker shares (``factdb.web.api.ratelimit``). Errors are RFC 9457 problem
details (``factdb.web.api.problems``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_smorest import Api
from flask_wtf import CSRFProtect
from werkzeug.wrappers import Response

from factdb import __version__
from factdb.config import Settings
from factdb.web.api import ratelimit
from factdb.web.api.auth import PageSessionInterface, rate_key
from factdb.web.api.problems import API_PREFIX, PROBLEM_TYPE, ProblemSchema, is_api_request

DESCRIPTION = """\
Claims, speakers, sources and verdicts of a factdb archive.

Every request needs an API token (`Authorization: Bearer fdb_...`), made on the web UI's Tokens page
or with `factdb tokens create`. A token acts as its editor: a **read** token reads; a **write** token
may also ingest, set statuses and edit attributions if its editor's role allows. Lists page with a
cursor: follow `next` until it is null. Errors are problem details (RFC 9457); 429 carries
`Retry-After`.
"""


class FactdbApi(Api):  # flask-smorest has no type hints: Api is Any here
    """flask-smorest's Api with factdb's errors: problem details, documented and produced in one shape."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

    def _register_error_handlers(self) -> None:
        # The app's own handlers answer API paths with problem details (see factdb.web.app).
        pass

    def _register_responses(self) -> None:
        saved = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_TYPE  # error responses are problem details
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = saved


def init_api(app: Flask, settings: Settings, csrf: CSRFProtect) -> None:
    """Attach the API, its OpenAPI document and its rate limit to ``app`` (whose CSRF check is ``csrf``)."""
    from factdb.web.api import docs, views

    app.config.update(
        API_TITLE="factdb",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "security": [{"token": []}],
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        },
    )
    app.session_interface = PageSessionInterface()
    api = FactdbApi(app)
    storage = settings.api_rate_storage or ratelimit.default_storage_uri(settings.database_url)
    limiter_options: dict[str, Any] = {
        "key_func": rate_key,
        "storage_uri": storage,
        "headers_enabled": True,  # X-RateLimit-* on every answer, Retry-After on a 429
        "strategy": "fixed-window",
        "default_limits": [],
    }
    limiter = Limiter(app=app, **limiter_options)
    for blueprint in views.BLUEPRINTS:
        # Token requests carry no cookie-bound form, so CSRF does not apply to them.
        csrf.exempt(blueprint)
        limiter.limit(settings.api_rate_limit)(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)

    @app.after_request
    def _no_store(response: Response) -> Response:
        # What a token reads is that editor's view of the archive: no shared cache keeps it.
        if is_api_request():
            response.headers["Cache-Control"] = "no-store"
        return response

    app.extensions["factdb"]["api"] = api
