"""The API's reference page: the served OpenAPI document rendered on the server, no script, no
asset from elsewhere (the Content-Security-Policy stays as strict as for every other page)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return f"array of {name}" if "items" in schema else name
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if schema.get("enum"):
        kind += f" (one of {', '.join(str(v) for v in schema['enum'])})"
    return str(kind or "object")


@bp.route("/api/v1/docs")
def docs() -> str:
    """Each operation with its parameters, body and answers; each schema as its JSON."""
    spec: dict[str, Any] = current_app.extensions["factdb"]["api"].spec.to_dict()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                operations.append((method.upper(), path, item[method]))
    return render_template(
        "api/docs.html",
        spec=spec,
        operations=operations,
        schema_name=_schema_name,
        schemas={name: json.dumps(body, indent=2) for name, body in spec["components"]["schemas"].items()},
    )
