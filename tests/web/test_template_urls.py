"""Templates build URLs through ``template_url_for``, which keeps each URL it built: the kept URL is the
one Flask's ``url_for`` gives, under any mount point, and options it does not key on are built anew."""

from __future__ import annotations

from flask import Flask, url_for

from factdb.web.access import template_url_for

CASES = [
    ("claims.index", {}),
    ("claims.index", {"assignee": "eddie", "sort": "status"}),
    ("static", {"filename": "factdb.css"}),
    ("claims.show", {"claim_id": 7}),
    ("claims.index", {"status": ["disputed", "false"]}),  # unhashable: built each time
]


def test_kept_urls_are_flasks_under_every_mount_point(app: Flask) -> None:
    for root in ("", "/factdb", "/other/place"):
        for _ in range(2):  # built, then kept
            with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
                for endpoint, values in CASES:
                    built = template_url_for(endpoint, **values)
                    assert built == url_for(endpoint, **values), (root, endpoint)
                    assert built.startswith(root + "/")
                external = template_url_for("claims.index", _external=True)
                assert external == url_for("claims.index", _external=True)
                assert external.startswith("http://") and external.endswith(root + "/")


def test_pages_draw_their_links_through_it(app: Flask) -> None:
    assert app.jinja_env.globals["url_for"] is template_url_for
