"""The claims list."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required
from sqlalchemy.orm import joinedload

from factdb.models import Claim
from factdb.services.queries import ClaimFilter, claims_query
from factdb.web.app import db_session

bp = Blueprint("claims", __name__)

PAGE_SIZE = 50


@bp.route("/")
@login_required
def index() -> str:
    """The newest claims with their speakers and statuses."""
    stmt = (
        claims_query(ClaimFilter())
        .options(joinedload(Claim.speaker), joinedload(Claim.source))
        .limit(PAGE_SIZE)
    )
    claims = db_session().scalars(stmt).all()
    return render_template("claims/list.html", claims=claims)
