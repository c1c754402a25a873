"""The ``factdb`` command. Each command is one unit of work over the same services as the web UI.

Errors meant for people (:class:`FactdbError`) print as one line on stderr with a non-zero exit.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import secrets
import signal
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from factdb.config import Settings
from factdb.db import database_problem, make_engine, make_session_factory
from factdb.enums import ClaimStatus, EditorRole, EvidenceStance, SpeakerKind, Stance, TokenScope
from factdb.errors import FactdbError, InputError, NotFoundError
from factdb.models import Claim, Speaker
from factdb.reports.claims import CLAIM_FORMATS
from factdb.services import claims as claim_service
from factdb.services import editors as editor_service
from factdb.services import speakers as speaker_service
from factdb.services import tokens as token_service
from factdb.services.articles import read_article
from factdb.services.audit import Actor
from factdb.services.claims import EvidenceInput
from factdb.services.ingest import (
    MATCH_CHUNK,
    IngestResult,
    derive_after_ingests,
    ingest_text,
    prepare_ingest,
)
from factdb.services.queries import ClaimFilter, channel_value, claims_query, sources_page
from factdb.services.scorecards import scorecard_of
from factdb.services.validation import (
    MAX_INT,
    check_text,
    check_url,
    id_in_range,
    parse_day,
    parse_id,
    parse_moment,
)

if TYPE_CHECKING:
    from factdb.web.server import ServeOptions

P = ParamSpec("P")
R = TypeVar("R")


class Context:
    """What every command needs: settings, an engine made on first use, and the acting editor."""

    def __init__(self, settings: Settings, editor: str | None) -> None:
        self.settings = settings
        self.editor_name = editor
        self._engine: Any = None
        #: Only `factdb db upgrade` may create a SQLite file; every other command needs one there.
        self.may_create = False

    @property
    def engine(self) -> Any:
        if self._engine is None:
            if not self.may_create:
                _refuse_missing_sqlite(self.settings.database_url)
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def close(self) -> None:
        """Return the engine's pooled connections (called when the command ends)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def unit_of_work(
        self, *, check_schema: bool = True, snapshot: bool = False
    ) -> Iterator[tuple[Session, Actor]]:
        """A session and the acting editor; commits if the block succeeds, rolls back otherwise.

        ``snapshot=True`` is for long reads that must see one consistent state without holding up
        writers (a deferred read in WAL on SQLite, REPEATABLE READ on PostgreSQL); it must not write.
        """
        from factdb.migrate import ensure_current

        if check_schema:
            ensure_current(self.engine)
        # Commands are short and one at a time: every one may write, so each takes the write lock.
        session = make_session_factory(self.engine, write=not snapshot)()
        if snapshot and self.engine.dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        try:
            actor = None if self.editor_name is None else editor_service.get_editor(session, self.editor_name)
            yield session, actor
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _refuse_missing_sqlite(url: str) -> None:
    """InputError when ``url`` names a SQLite file that is not there: opening it would create an
    empty database (and its folder), and a typo in a path would look like an empty archive."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database).expanduser()
    if not path.is_file():
        raise InputError(
            f"no database at {path}: run `factdb db upgrade` to create one there, "
            "or set FACTDB_DATABASE_URL to an existing database"
        )


pass_context = click.make_pass_decorator(Context)


if TYPE_CHECKING:
    _IntParam = click.ParamType[int]
else:  # generic only in newer click releases; setup.cfg allows click 8.1
    _IntParam = click.ParamType


#: What a row id given on the command line must be, for the message that refuses another value.
ID_EXPECTED = f"an id (a whole number from 1 to {MAX_INT:,})"

# A negative number where an id argument goes: click takes "-5" for an unknown option.
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+")


def _param_name(param: click.Parameter | None) -> str:
    """How a message names ``param``: an option by its flag (``--source``), an argument in words
    (``claim id`` for CLAIM_ID)."""
    if isinstance(param, click.Option):
        return param.opts[0]
    if param is not None and param.name:
        return param.name.replace("_", " ")
    return "the id"


class DatabaseId(_IntParam):
    """A row id given on the command line (argument or option): 1 to the largest the database holds.

    Anything else is refused by :func:`factdb.services.validation.parse_id` with an InputError, which
    the ``factdb`` group prints as one line naming the parameter, what was typed and what an id is
    (exit status 1, like every other bad input), not click's usage block.
    """

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and id_in_range(value):
            return value
        name = _param_name(param)
        number = parse_id(str(value), name, what=ID_EXPECTED)
        if number is None:
            raise InputError(f"{name} is empty: give {ID_EXPECTED}")
        return number


DB_ID = DatabaseId()


class FactdbCommand(click.Command):
    """A ``factdb`` command: a negative number given where an id argument goes is refused like any
    other bad id (click would call it an unknown option)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            ids = [p for p in self.params if isinstance(p, click.Argument) and isinstance(p.type, DatabaseId)]
            if ids and _NEGATIVE_NUMBER.fullmatch(error.option_name):
                DB_ID.convert(error.option_name, ids[0], ctx)  # raises InputError
            raise


class FactdbGroup(click.Group):
    """The ``factdb`` group: whatever a command meets on its way (bad input, a database it cannot
    reach or read) ends as one line on stderr naming the problem and the fix, and exit status 1.

    Its commands are :class:`FactdbCommand`, its subgroups FactdbGroups.
    """

    command_class = FactdbCommand
    group_class = type

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FactdbError as error:
            _fail(str(error), getattr(error, "changes", []))
        except (SQLAlchemyError, sqlite3.Error) as error:
            context = ctx.find_object(Context)
            url = context.settings.database_url if context is not None else Settings().database_url
            _fail(database_problem(error, url))


def _fail(message: str, details: list[str] | None = None) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    for line in details or []:
        click.echo(f"  {line}", err=True)
    sys.exit(1)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a FactdbError into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except FactdbError as error:
            _fail(str(error), getattr(error, "changes", []))

    return wrapper


def _parse_date(value: str | None, what: str) -> dt.datetime | None:
    return parse_moment(value, what)


@click.group(cls=FactdbGroup)
@click.option(
    "--editor",
    envvar="FACTDB_EDITOR",
    metavar="USERNAME",
    help="Act as this editor (recorded in the audit trail); default: the system.",
)
@click.version_option(package_name="factdb")
@click.pass_context
def main(ctx: click.Context, editor: str | None) -> None:
    """factdb: track claims, who made them, and how they fared.

    The database is FACTDB_DATABASE_URL (default: instance/factdb.sqlite3 here).
    """
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    ctx.obj = Context(settings, editor)
    ctx.call_on_close(ctx.obj.close)


# --- database ---------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create and migrate the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
@pass_context
@reports_errors
def db_upgrade(context: Context, revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest).

    Creates the audit key file (instance/audit.key, or FACTDB_AUDIT_KEY_FILE) if no audit key is set.
    """
    from factdb.migrate import current_revision, upgrade
    from factdb.services.audit_key import create_key_file, key_file_path, load_keyring

    context.may_create = True  # the one command that makes a new SQLite database
    if load_keyring() is None:
        key = create_key_file(key_file_path())
        click.echo(
            f"created the audit key file {key_file_path()} (key id {key.id}, readable by you only): "
            "back it up apart from the database",
            err=True,
        )
    upgrade(context.engine, revision)
    with context.engine.connect() as connection:
        click.echo(f"database is at revision {current_revision(connection)}")


@db.command("downgrade")
@click.argument("revision")
@click.option("--destroy-data", is_flag=True, help="Allow a downgrade that destroys rows (needs --backup).")
@click.option(
    "--backup",
    "backup_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A new file the database is copied to before a destructive downgrade.",
)
@pass_context
@reports_errors
def db_downgrade(context: Context, revision: str, destroy_data: bool, backup_path: Path | None) -> None:
    """Migrate the database down to REVISION ('base' removes every table).

    A downgrade that would destroy rows (dropped tables, or the audit chain's signatures) is refused
    unless given --destroy-data and --backup PATH; the backup is written first.
    """
    from factdb.migrate import current_revision, downgrade

    downgrade(context.engine, revision, destroy_data=destroy_data, backup_path=backup_path)
    with context.engine.connect() as connection:
        click.echo(f"database is at revision {current_revision(connection) or 'base'}")


@db.command("current")
@pass_context
@reports_errors
def db_current(context: Context) -> None:
    """Print the database's revision and whether it is the newest."""
    from factdb.migrate import current_revision, head_revision, is_known_revision

    with context.engine.connect() as connection:
        current = current_revision(connection)
    head = head_revision()
    state = "up to date" if current == head else "run `factdb db upgrade`"
    if current is not None and not is_known_revision(current):
        state = "a revision this version of factdb does not know: upgrade factdb"
    click.echo(f"{current or 'base'} (newest: {head}; {state})")


# --- ingest -----------------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", help="Title (default: the first line of the file).")
@click.option("--outlet", help="Who published it; unattributed statements become the outlet's claims.")
@click.option("--url", help="Where it was published.")
@click.option("--published", metavar="DATE", help="Publication date, e.g. 2025-03-15.")
@pass_context
def ingest(
    context: Context,
    paths: tuple[Path, ...],
    title: str | None,
    outlet: str | None,
    url: str | None,
    published: str | None,
) -> None:
    """Ingest article files: split, extract claims and speakers, store each file in its own transaction.

    Then merge suggestions and claim matching, for several files at a time (claims a run leaves
    unmatched, if it is stopped, are matched by `factdb claims match`).
    """
    try:
        published_at = _parse_date(published, "--published")
        url = check_url(url, "--url")
        check_text(title, "--title")
        check_text(outlet, "--outlet")
        from factdb.migrate import ensure_current

        ensure_current(context.engine)
    except FactdbError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    failed = stored = 0
    sentences = claims = 0
    many = len(paths) > 1
    # Stored but not yet matched: merge suggestions and matching follow for several files at once,
    # a short transaction per chunk (a matching pass per file paid its fixed cost once per article).
    pending: list[IngestResult] = []

    def derive_pending() -> None:
        try:
            with context.unit_of_work(check_schema=False) as (session, actor):
                derive_after_ingests(session, actor, pending, commit=session.commit)
        except FactdbError as error:
            # Stored all the same: `factdb claims match` matches what this left unmatched.
            click.echo(f"{chr(10) if many else ''}error: after storing: {error}", err=True)
        pending.clear()

    with click.progressbar(paths, label="ingesting", file=sys.stderr, hidden=not many) as bar:
        for path in bar:
            try:
                text = read_article(path, max_bytes=context.settings.max_ingest_bytes)
                # Extract between a short read and a short write: no lock is held while the engine works.
                with context.unit_of_work(check_schema=False, snapshot=True) as (session, _):
                    run = prepare_ingest(session, text)
                extraction = run(text)
                with context.unit_of_work(check_schema=False) as (session, actor):
                    result = ingest_text(
                        session,
                        actor,
                        text,
                        title=title or _first_line(text, path),
                        outlet=outlet,
                        url=url,
                        published_at=published_at,
                        extraction=extraction,
                        match=False,
                    )
                pending.append(result)
                if sum(len(one.claim_ids) for one in pending) >= MATCH_CHUNK or not many:
                    derive_pending()
                stored += 1
                sentences += result.sentence_count
                claims += result.claim_count
                if not many:
                    source = result.source
                    click.echo(
                        f"source #{source.id} {source.title!r}: {result.sentence_count} sentences, "
                        f"{result.claim_count} claims, {len(result.new_speakers)} new speakers"
                    )
            except FactdbError as error:
                failed += 1
                message = str(error)
                where = message if str(path) in message else f"{path}: {message}"
                # Start a fresh line so the message does not run into the progress bar.
                click.echo(f"{chr(10) if many else ''}error: {where}", err=True)
        if pending:
            derive_pending()
    click.echo(f"{stored} stored, {failed} failed ({sentences} sentences, {claims} claims)")
    if failed:
        sys.exit(1)


def _first_line(text: str, path: Path) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:300] or path.stem


# --- claims -----------------------------------------------------------------------------


@main.group()
def claims() -> None:
    """List and review claims."""


@claims.command("list")
@click.option("--status", type=click.Choice([s.value for s in ClaimStatus]), multiple=True)
@click.option("--speaker", metavar="ID|NAME", help="A speaker id or any of their aliases.")
@click.option("--source", "source_id", type=DB_ID, metavar="ID")
@click.option("--limit", type=click.IntRange(1, MAX_INT), default=50, show_default=True)
@pass_context
@reports_errors
def claims_list(
    context: Context, status: tuple[str, ...], speaker: str | None, source_id: int | None, limit: int
) -> None:
    """List claims, newest first."""
    with context.unit_of_work() as (session, _actor):
        speaker_id = speaker_service.resolve_speaker(session, speaker).id if speaker else None
        claim_filter = ClaimFilter(
            statuses=tuple(ClaimStatus(s) for s in status), speaker_id=speaker_id, source_id=source_id
        )
        stmt = claims_query(claim_filter).options(joinedload(Claim.speaker)).limit(limit)
        for claim in session.scalars(stmt):
            who = claim.speaker.name if claim.speaker else (claim.mention_text or "(publication)")
            click.echo(f"#{claim.id}\t{claim.status.value}\t{who}\t{claim.cue or '-'}\t{claim.content}")


def _as_of(value: str | None) -> dt.datetime | None:
    """``--as-of``: a date means the end of that day (UTC); a date and time is taken as given."""
    return parse_moment(value, "--as-of", end_of_day=True)


@claims.command("show")
@click.argument("claim_id", type=DB_ID)
@click.option("--as-of", "as_of", metavar="DATE", help="Show the status and history as they were then.")
@pass_context
@reports_errors
def claims_show(context: Context, claim_id: int, as_of: str | None) -> None:
    """Show one claim with its sentence and review history."""
    when = _as_of(as_of)
    with context.unit_of_work() as (session, _actor):
        claim = claim_service.get_claim(session, claim_id)
        who = claim.speaker.name if claim.speaker else (claim.mention_text or "(publication)")
        reviews = [r for r in claim.reviews if when is None or r.created_at <= when]
        click.echo(f"claim #{claim.id} (version {claim.version}) from source #{claim.source_id}")
        click.echo(f"speaker: {who}   mention: {claim.mention_text or '-'}   cue: {claim.cue or '-'}")
        if when is None:
            click.echo(f"stance:  {claim.stance.value}   status: {claim.status.value}")
        elif claim.created_at > when:
            click.echo(
                f"stance:  {claim.stance.value}   status as of {when:%Y-%m-%d %H:%M} UTC: not recorded yet"
            )
        else:
            then = reviews[-1].to_status if reviews else ClaimStatus.UNVERIFIED
            click.echo(
                f"stance:  {claim.stance.value}   status as of {when:%Y-%m-%d %H:%M} UTC: {then.value} "
                f"(now {claim.status.value})"
            )
        click.echo(f"content: {claim.content}")
        click.echo(f"sentence: {claim.sentence.text}")
        for review in reviews:
            editor = review.editor.username if review.editor else "system"
            change = (
                f"{review.from_status.value} → {review.to_status.value}"
                if review.from_status is not review.to_status
                else f"added to {review.to_status.value}"
            )
            click.echo(f"  {review.created_at:%Y-%m-%d %H:%M} {editor}: {change}: {review.rationale}")
            for item in review.evidence:
                click.echo(f"      evidence {item.stance.value}: {item.url}")
        if when is None:
            for item in claim_service.current_evidence(claim):
                click.echo(f"evidence for this verdict: {item.stance.value} {item.url}")


@claims.command("set-status")
@click.argument("claim_id", type=DB_ID)
@click.argument("status", type=click.Choice([s.value for s in ClaimStatus]))
@click.option("--rationale", default="", help="Why (required for every status but unverified).")
@pass_context
@reports_errors
def claims_set_status(context: Context, claim_id: int, status: str, rationale: str) -> None:
    """Set a claim's STATUS, with a rationale, recording a review."""
    with context.unit_of_work() as (session, actor):
        claim = claim_service.get_claim(session, claim_id)
        review = claim_service.change_status(session, actor, claim, ClaimStatus(status), rationale=rationale)
        click.echo(f"claim #{claim.id}: {review.from_status.value} → {review.to_status.value}")


#: Claims matched per transaction by ``factdb claims match``: each batch commits on its own, so an
#: interrupted run resumes where it stopped (claims with match keys are done). A claim's keys are
#: random hashes, so each batch's keys land all over the two key indexes and every commit rewrites
#: the index pages it touched: at a million claims, batches of 2,000 wrote ~20 GB through SQLite's WAL
#: per 50,000 claims and batches of 20,000 a sixth of that, twice as fast (README, "Backfill"). A
#: batch holds the write lock while it runs (SQLite: ~10-20 s for 20,000), under the busy timeout that
#: editors' saves wait out; on a busy desk, a smaller --batch keeps each wait short.
MATCH_BATCH = 20_000
#: The largest --batch: a pass holds its claims' rows, keys and candidates in memory.
MATCH_BATCH_MAX = 100_000


@claims.command("match")
@click.option(
    "--again",
    is_flag=True,
    help="Match again every claim that is in no cluster (after changing the matcher); "
    "editors' 'not the same' stays.",
)
@click.option(
    "--batch", type=click.IntRange(min=1, max=MATCH_BATCH_MAX), default=MATCH_BATCH, show_default=True
)
@pass_context
@reports_errors
def claims_match(context: Context, again: bool, batch: int) -> None:
    """Cluster the claims of an existing archive (resumable: stop it any time, run it again)."""
    from factdb.services import clusters as cluster_service

    if again:
        with context.unit_of_work() as (session, _):
            cluster_service.forget_keys_of_unclustered(session)
    with context.unit_of_work(snapshot=True) as (session, _):
        total = cluster_service.count_unmatched(session)
    joined = created = done = 0
    last_id = 0
    with click.progressbar(length=total, label="matching claims", file=sys.stderr, show_pos=True) as bar:
        while True:
            with context.unit_of_work() as (session, actor):
                ids = cluster_service.unmatched_claim_ids(session, last_id, batch)
                if not ids:
                    break
                result = cluster_service.match_claims(session, actor, ids)
            last_id = ids[-1]
            done += len(ids)
            joined += len(result.joins)
            created += result.new_clusters
            bar.update(len(ids))
    click.echo(f"matched {done} claims: {joined} joined clusters ({created} new clusters)")


@claims.command("add-evidence")
@click.argument("claim_id", type=DB_ID)
@click.argument("url")
@click.option(
    "--stance", type=click.Choice([s.value for s in EvidenceStance]), default="refutes", show_default=True
)
@click.option("--title", default="", help="What the link is, as the reports show it.")
@click.option("--note", default="", help="A note kept with the link.")
@click.option("--rationale", default="", help="A new rationale for the verdict (default: keep it).")
@pass_context
@reports_errors
def claims_add_evidence(
    context: Context, claim_id: int, url: str, stance: str, title: str, note: str, rationale: str
) -> None:
    """Add evidence at URL to the claim's current verdict (a new review entry; the status stays)."""
    with context.unit_of_work() as (session, actor):
        claim = claim_service.get_claim(session, claim_id)
        item = EvidenceInput(url, EvidenceStance(stance), title=title or None, note=note or None)
        evidence = claim_service.add_evidence(session, actor, claim, item, rationale=rationale)
        click.echo(f"claim #{claim.id} ({claim.status.value}): {evidence.stance.value} {evidence.url} added")


@claims.command("edit-attribution")
@click.argument("claim_id", type=DB_ID)
@click.option("--speaker", metavar="ID|NAME", help="Who said it: a speaker id or any of their aliases.")
@click.option("--start", "content_start", type=click.IntRange(min=0, max=MAX_INT), help="Start of the words.")
@click.option("--end", "content_end", type=click.IntRange(min=0, max=MAX_INT), help="End of the words.")
@click.option("--cue", help="The reporting words.")
@click.option("--stance", type=click.Choice([s.value for s in Stance]))
@click.option("--version", "expected_version", type=click.IntRange(min=1, max=MAX_INT),
              help="Refuse if the claim moved past this version (what you read).")  # fmt: skip
@pass_context
@reports_errors
def claims_edit_attribution(
    context: Context,
    claim_id: int,
    speaker: str | None,
    content_start: int | None,
    content_end: int | None,
    cue: str | None,
    stance: str | None,
    expected_version: int | None,
) -> None:
    """Correct who said claim CLAIM_ID, its words (character offsets in the source), cue or stance."""
    with context.unit_of_work() as (session, actor):
        claim = claim_service.get_claim(session, claim_id)
        claim_service.edit_attribution(
            session, actor, claim, expected_version=expected_version,
            speaker=speaker_service.resolve_speaker(session, speaker) if speaker else None,
            content_start=content_start, content_end=content_end, cue=cue,
            stance=Stance(stance) if stance else None,
        )  # fmt: skip
        click.echo(f"claim #{claim.id} (version {claim.version}): {claim.content}")


# --- sources ----------------------------------------------------------------------------


@main.group()
def sources() -> None:
    """List and show ingested articles."""


@sources.command("list")
@click.option("--limit", type=click.IntRange(min=1, max=10_000), default=50, show_default=True)
@click.option("--before", "before_id", type=DB_ID, metavar="ID", help="Older than this id.")
@pass_context
@reports_errors
def sources_list(context: Context, limit: int, before_id: int | None) -> None:
    """Sources, newest first, with their claim counts."""
    with context.unit_of_work() as (session, _actor):
        rows, _more = sources_page(session, before_id=before_id, size=limit)
        for source, count in rows:
            day = f"{source.published_at:%Y-%m-%d}" if source.published_at else "-"
            click.echo(f"#{source.id}\t{day}\t{source.outlet or '-'}\t{count} claims\t{source.title}")


@sources.command("show")
@click.argument("source_id", type=DB_ID)
@pass_context
@reports_errors
def sources_show(context: Context, source_id: int) -> None:
    """A source's details and its claims."""
    with context.unit_of_work() as (session, _actor):
        rows, _more = sources_page(session, before_id=source_id + 1, size=1)
        if not rows or rows[0][0].id != source_id:
            raise NotFoundError(f"no source #{source_id}")
        source, count = rows[0]
        click.echo(
            f"source #{source.id} {source.title!r} ({source.outlet or 'no outlet'}) {source.url or ''}"
        )
        click.echo(f"{count} claims")
        stmt = claims_query(ClaimFilter(source_id=source.id)).options(joinedload(Claim.speaker))
        for claim in session.scalars(stmt):
            who = claim.speaker.name if claim.speaker else (claim.mention_text or "(publication)")
            click.echo(f"#{claim.id}\t{claim.status.value}\t{who}\t{claim.content}")


# --- speakers ---------------------------------------------------------------------------


@main.group()
def speakers() -> None:
    """List, add, alias and merge speakers."""


@speakers.command("list")
@click.option("--needs-review", is_flag=True, help="Only speakers created automatically and not yet checked.")
@pass_context
@reports_errors
def speakers_list(context: Context, needs_review: bool) -> None:
    """List speakers with their claim counts."""
    with context.unit_of_work() as (session, _actor):
        counts = select(Claim.speaker_id, func.count().label("n")).group_by(Claim.speaker_id).subquery()
        stmt = (
            select(Speaker, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.speaker_id == Speaker.id)
            .order_by(Speaker.name)
        )
        if needs_review:
            stmt = stmt.where(Speaker.needs_review)
        for speaker, count in session.execute(stmt):
            flag = " (needs review)" if speaker.needs_review else ""
            role = f", {speaker.role}" if speaker.role else ""
            click.echo(f"#{speaker.id}\t{speaker.name}{role}\t{speaker.kind.value}\t{count} claims{flag}")


@speakers.command("show")
@click.argument("speaker")
@pass_context
@reports_errors
def speakers_show(context: Context, speaker: str) -> None:
    """A speaker (id or any alias): aliases, who they speak for, and their scorecard."""
    with context.unit_of_work() as (session, _actor):
        found = speaker_service.resolve_speaker(session, speaker)
        card = scorecard_of(session, found.id)
        click.echo(f"#{found.id} {found.name} ({found.kind.value}{', ' + found.role if found.role else ''})")
        if found.affiliation is not None:
            click.echo(f"speaks for: #{found.affiliation.id} {found.affiliation.name}")
        click.echo("aliases: " + ", ".join(sorted(a.alias for a in found.aliases)))
        if card is not None:
            counts = ", ".join(f"{status.value} {n}" for status, n in card.counts.items())
            click.echo(f"{card.claims} claims: {counts}")


@speakers.command("add")
@click.argument("name")
@click.option(
    "--kind", type=click.Choice([k.value for k in SpeakerKind]), default="person", show_default=True
)
@click.option("--role", help="Title or description, e.g. 'Kremlin spokesman'.")
@click.option("--affiliation", metavar="ID|NAME", help="The speaker this one speaks for.")
@click.option("--alias", "aliases", multiple=True, help="Another name for the speaker (repeatable).")
@pass_context
@reports_errors
def speakers_add(
    context: Context,
    name: str,
    kind: str,
    role: str | None,
    affiliation: str | None,
    aliases: tuple[str, ...],
) -> None:
    """Add a speaker NAME."""
    with context.unit_of_work() as (session, actor):
        body = speaker_service.resolve_speaker(session, affiliation) if affiliation else None
        speaker = speaker_service.create_speaker(
            session, actor, name=name, kind=SpeakerKind(kind), role=role, affiliation=body, aliases=aliases
        )
        click.echo(f"speaker #{speaker.id} {speaker.name}")


@speakers.command("alias")
@click.argument("speaker")
@click.argument("alias")
@pass_context
@reports_errors
def speakers_alias(context: Context, speaker: str, alias: str) -> None:
    """Record ALIAS as another name of SPEAKER (an id or a known name)."""
    with context.unit_of_work() as (session, actor):
        target = speaker_service.resolve_speaker(session, speaker)
        speaker_service.add_alias(session, actor, target, alias)
        click.echo(f"{alias!r} now names speaker #{target.id} {target.name}")


@speakers.command("merge")
@click.argument("source")
@click.argument("target")
@pass_context
@reports_errors
def speakers_merge(context: Context, source: str, target: str) -> None:
    """Merge speaker SOURCE into TARGET, keeping every claim and alias."""
    with context.unit_of_work() as (session, actor):
        old = speaker_service.resolve_speaker(session, source)
        new = speaker_service.resolve_speaker(session, target)
        name = old.name
        speaker_service.merge_speakers(session, actor, source=old, target=new)
        click.echo(f"merged {name!r} into speaker #{new.id} {new.name}")


@speakers.group("suggestions", invoke_without_command=True)
@click.pass_context
def speakers_suggestions(click_context: click.Context) -> None:
    """Suggested merges of speakers that may be one (lists the pending ones when given no command)."""
    if click_context.invoked_subcommand is None:
        click_context.invoke(suggestions_list)


@speakers_suggestions.command("list")
@click.option("--rejected", is_flag=True, help="The pairs editors judged 'not the same' instead.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@pass_context
@reports_errors
def suggestions_list(context: Context, rejected: bool, limit: int) -> None:
    """List suggested merges, the surest first: id, score, both speakers with their claims, the reason."""
    from factdb.enums import SuggestionStatus
    from factdb.services import speaker_suggestions as suggestion_service

    status = SuggestionStatus.REJECTED if rejected else SuggestionStatus.PENDING
    with context.unit_of_work() as (session, _actor):
        views = suggestion_service.list_suggestions(session, status, limit=limit)
        for view in views:
            s = view.suggestion
            click.echo(
                f"#{s.id}\t{s.score:.2f}\t#{s.speaker_id} {s.speaker.name} ({view.speaker_claims} claims)"
                f"\t#{s.other_id} {s.other.name} ({view.other_claims} claims)\t{s.reason}"
            )
        if not views:
            click.echo(f"no {status.value} suggestions")


@speakers_suggestions.command("accept")
@click.argument("suggestion_id", type=DB_ID)
@click.option("--keep", metavar="ID", type=DB_ID,
              help="The speaker to keep (default: the one with more claims).")  # fmt: skip
@pass_context
@reports_errors
def suggestions_accept(context: Context, suggestion_id: int, keep: int | None) -> None:
    """The two speakers are one: merge them (admins), keeping every claim and alias."""
    from factdb.services import speaker_suggestions as suggestion_service

    with context.unit_of_work() as (session, actor):
        suggestion = suggestion_service.get_suggestion(session, suggestion_id)
        names = (suggestion.speaker.name, suggestion.other.name)
        kept = suggestion_service.accept_suggestion(session, actor, suggestion, keep=keep)
        click.echo(f"merged {names[0]!r} and {names[1]!r} into speaker #{kept.id} {kept.name}")


@speakers_suggestions.command("reject")
@click.argument("suggestion_id", type=DB_ID)
@pass_context
@reports_errors
def suggestions_reject(context: Context, suggestion_id: int) -> None:
    """The two speakers are not the same: keep them apart; the pair is never proposed again."""
    from factdb.services import speaker_suggestions as suggestion_service

    with context.unit_of_work() as (session, actor):
        suggestion = suggestion_service.get_suggestion(session, suggestion_id)
        suggestion_service.reject_suggestion(session, actor, suggestion)
        click.echo(f"#{suggestion.speaker_id} {suggestion.speaker.name} and #{suggestion.other_id} "
                   f"{suggestion.other.name}: not the same (never proposed again)")  # fmt: skip


@speakers_suggestions.command("compute")
@pass_context
@reports_errors
def suggestions_compute(context: Context) -> None:
    """For an existing archive: refresh every name key and suggest merges between all speakers."""
    from factdb.services import speaker_suggestions as suggestion_service

    with context.unit_of_work() as (session, actor):
        total = session.scalar(select(func.count()).select_from(Speaker)) or 0
        with click.progressbar(length=total, label="speakers", file=sys.stderr) as bar:
            done = 0

            def advance(n: int) -> None:
                nonlocal done
                bar.update(n - done)
                done = n

            result = suggestion_service.compute_suggestions(session, actor, progress=advance)
    click.echo(
        f"{result.speakers} speakers, {result.keys_refreshed} name keys refreshed, "
        f"{result.suggested} new suggestions"
    )


# --- editors ----------------------------------------------------------------------------


@main.group()
def editors() -> None:
    """Manage editor accounts."""


@editors.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in EditorRole]), default="editor", show_default=True)
@click.option("--display-name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
@reports_errors
def editors_create(
    context: Context, username: str, role: str, display_name: str | None, password_stdin: bool
) -> None:
    """Create an editor account. The password is prompted for (or read from stdin), never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with context.unit_of_work() as (session, actor):
        editor = editor_service.create_editor(
            session,
            actor,
            username=username,
            password=password,
            role=EditorRole(role),
            display_name=display_name,
        )
        click.echo(f"editor {editor.username} ({editor.role.value}) created")


def _read_new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    return password


@editors.command("list")
@pass_context
@reports_errors
def editors_list(context: Context) -> None:
    """Every account: username, display name, role, active or deactivated."""
    with context.unit_of_work() as (session, _actor):
        for editor in editor_service.list_editors(session):
            state = "active" if editor.active else "deactivated"
            click.echo(f"{editor.username}\t{editor.display_name}\t{editor.role.value}\t{state}")


@editors.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@pass_context
@reports_errors
def editors_reset_password(context: Context, username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME (prompted, or read from stdin; never an argument)."""
    password = _read_new_password(password_stdin)
    with context.unit_of_work() as (session, actor):
        editor = editor_service.get_editor(session, username.strip().lower())
        editor_service.reset_password(session, actor, editor, password)
        click.echo(f"password of {editor.username} reset; their sessions have ended")


@editors.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in EditorRole]))
@pass_context
@reports_errors
def editors_set_role(context: Context, username: str, role: str) -> None:
    """Give USERNAME the ROLE viewer, editor or admin."""
    with context.unit_of_work() as (session, actor):
        editor = editor_service.get_editor(session, username.strip().lower())
        editor_service.update_editor(session, actor, editor, role=EditorRole(role))
        click.echo(f"{editor.username} is now {editor.role.value}")


@editors.command("deactivate")
@click.argument("username")
@click.option("--reactivate", is_flag=True, help="Let a deactivated editor log in again.")
@pass_context
@reports_errors
def editors_deactivate(context: Context, username: str, reactivate: bool) -> None:
    """Stop USERNAME from logging in (their record and history stay)."""
    with context.unit_of_work() as (session, actor):
        editor = editor_service.get_editor(session, username.strip().lower())
        editor_service.update_editor(session, actor, editor, active=reactivate)
        click.echo(f"{editor.username} {'reactivated' if reactivate else 'deactivated'}")


# --- API tokens ---------------------------------------------------------------------------


@main.group()
def tokens() -> None:
    """Make, list and revoke API tokens (the JSON API's credentials)."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What uses the token, e.g. 'partner feed'.")
@click.option("--scope", type=click.Choice([s.value for s in TokenScope]), default="read", show_default=True)
@pass_context
@reports_errors
def tokens_create(context: Context, username: str, name: str, scope: str) -> None:
    """Make an API token acting as USERNAME; prints its secret once (it is stored only hashed)."""
    with context.unit_of_work() as (session, actor):
        editor = editor_service.get_editor(session, username.strip().lower())
        token, secret = token_service.create_token(session, actor, editor, name=name, scope=TokenScope(scope))
        click.echo(f"{token.label}, {token.scope.value}, acting as {editor.username}:", err=True)
        click.echo(secret)


@tokens.command("list")
@click.argument("username", required=False)
@pass_context
@reports_errors
def tokens_list(context: Context, username: str | None) -> None:
    """Every token (or USERNAME's): id, name, editor, scope, first characters, last use, state."""
    with context.unit_of_work() as (session, _actor):
        editor = editor_service.get_editor(session, username.strip().lower()) if username else None
        for token in token_service.list_tokens(session, editor):
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "live"
            click.echo(
                f"#{token.id}\t{token.name}\t{token.editor.username}\t{token.scope.value}\t"
                f"{token.prefix}...\t{used}\t{state}"
            )


@tokens.command("revoke")
@click.argument("token_id", type=DB_ID)
@pass_context
@reports_errors
def tokens_revoke(context: Context, token_id: int) -> None:
    """Revoke token TOKEN_ID: the next request that presents it is refused."""
    with context.unit_of_work() as (session, actor):
        token = token_service.get_token(session, token_id)
        token_service.revoke_token(session, actor, token)
        click.echo(f"{token.label} revoked")


# --- audit and backup ----------------------------------------------------------------------


@main.group()
def audit() -> None:
    """Check the audit trail."""


#: Exit status of `audit verify` when nothing is wrong but signatures could not be checked (no key).
EXIT_UNCHECKED = 3


def _print_report(report: Any) -> None:
    """The human-readable verify report: what was checked, then every problem with what it hides."""
    first = f"#1..#{report.head_id}" if report.head_id else "none"
    click.echo(f"events: {report.events} ({first}), head {report.head_id or 0}:{report.head_hash}")
    for use in report.keys:
        missing = "" if use.available else "  (key not in the keyring: not checked)"
        click.echo(f"key {use.key_id}: signed {use.events} events, #{use.first_id}..#{use.last_id}{missing}")
    if report.legacy_events:
        click.echo(f"legacy: {report.legacy_events} events from before the chain was keyed (plain SHA-256)")
    if not report.key_checked:
        click.echo("NOT CHECKED: signatures (no audit key); links, rows and state were checked", err=True)
    click.echo(
        f"reviews: {report.reviews}, evidence: {report.evidence}, review follows: {report.follows}, "
        f"claims: {report.claims} "
        f"({report.claims_unchecked} from before recorded origins: status only)"
    )
    for problem in report.problems:
        click.echo(f"broken: {problem.where}: {problem.problem}; hides: {problem.hides}", err=True)
    for mismatch in report.state:
        since = f" (history: event #{mismatch.event_id})" if mismatch.event_id else ""
        click.echo(
            f"state: claim #{mismatch.claim_id}: {mismatch.field} is {mismatch.stored!r}, "
            f"its history says {mismatch.expected!r}{since}",
            err=True,
        )


@audit.command("verify")
@click.option(
    "--anchor", metavar="ID:HASH",
    help="An event id and hash printed by an earlier verify; fails if that event is gone or changed.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON (for monitoring).")
@click.option("--fix-state", is_flag=True, help="Restore claims that disagree with their history (admins).")
@click.option("--yes", is_flag=True, help="With --fix-state: do not ask for confirmation.")
@pass_context
@reports_errors
def audit_verify(context: Context, anchor: str | None, as_json: bool, fix_state: bool, yes: bool) -> None:
    """Check the audit chain, every review and evidence row, and every claim's state against its history.

    Reports every break with what it hides. Exit status 0: all verified; 1: something is wrong;
    3: nothing wrong found but the signatures were not checked (no audit key).
    """
    import json

    from factdb.models import AuditEvent
    from factdb.services import verify as verify_service
    from factdb.services.audit import lock_audit_chain

    # Checking alone reads one snapshot and lets writers go on; restoring holds the audit lock
    # from the check to the restore, so no change slips in between.
    with context.unit_of_work(snapshot=not fix_state) as (session, actor):
        if fix_state:
            lock_audit_chain(session)
        report = verify_service.verify(session)
        anchor_problem = None
        if anchor:
            anchor_id, _, anchor_hash = anchor.partition(":")
            if not anchor_id.strip() or len(anchor_hash) != 64:
                raise InputError(f"--anchor {anchor!r} is not ID:HASH as printed by factdb audit verify")
            event_id = parse_id(anchor_id, "--anchor's id", what=ID_EXPECTED)
            stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == event_id))
            if stored != anchor_hash:
                what = "is gone" if stored is None else "has a different hash now"
                anchor_problem = f"anchored event #{anchor_id} {what}"
        if as_json:
            click.echo(json.dumps({**report.to_dict(), "anchor_problem": anchor_problem}, default=str))
        else:
            _print_report(report)
            if anchor_problem:
                click.echo(f"broken: {anchor_problem}", err=True)
        restored: list[int] = []
        if fix_state and report.state:
            claims_out = sorted({m.claim_id for m in report.state})
            if not yes and not click.confirm(
                f"restore {len(claims_out)} claims from their history (an audited change)?", err=True
            ):
                raise InputError("nothing was restored")
            restored = verify_service.fix_state(session, actor, report)
            if not as_json:
                click.echo(f"restored from history: {', '.join(f'#{c}' for c in restored)}")
        broken = bool(report.problems or anchor_problem or (report.state and not restored))
        if broken:
            if not as_json:
                n = len(report.problems) + len({m.claim_id for m in report.state}) + bool(anchor_problem)
                click.echo(f"broken: {n} problems found", err=True)
            session.commit()  # keep the restores, if any
            sys.exit(1)
        if not report.complete:
            if not as_json:
                click.echo("unverified: no audit key, so the signatures were not checked", err=True)
            sys.exit(EXIT_UNCHECKED)
        if not as_json:
            click.echo(f"ok: {report.events} events, chain intact; every review, evidence and claim matches")
            if report.head_id is not None:
                click.echo(
                    f"head: {report.head_id}:{report.head_hash}  (keep this to check later with --anchor)"
                )


@audit.command("new-key")
def audit_new_key() -> None:
    """Print a fresh random audit key (64 hex digits), e.g. for FACTDB_AUDIT_KEY."""
    from factdb.services.audit_key import new_secret

    click.echo(new_secret())


@audit.command("rotate-key")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
@reports_errors
def audit_rotate_key(context: Context, yes: bool) -> None:
    """Start signing with a new audit key; the rotation is recorded (and proven by the old key) in the chain.

    With a key file the new key is appended to it (old keys stay: they verify older events). With
    FACTDB_AUDIT_KEY the new value is printed: set it for every factdb process before the next write.
    """
    from factdb.services.audit import record_key_rotation
    from factdb.services.audit_key import (
        ENV_KEY,
        Keyring,
        append_key,
        key_file_path,
        new_secret,
        require_keyring,
    )

    old = require_keyring()
    if not yes and not click.confirm(f"rotate the audit key {old.signing.id} (from {old.origin})?", err=True):
        raise InputError("nothing was changed")
    secret = new_secret()
    new = Keyring.from_secrets([k.secret.decode() for k in old.keys] + [secret], old.origin)
    with context.unit_of_work() as (session, actor):
        event = record_key_rotation(session, actor, old, new)
        if old.origin == ENV_KEY:
            click.echo(f"{ENV_KEY}={','.join(k.secret.decode() for k in new.keys)}")
            click.echo("set this for every factdb process before the next change is saved", err=True)
        else:
            append_key(key_file_path(), secret)
    click.echo(f"audit key rotated: {old.signing.id} -> {new.signing.id} (event #{event.id})", err=True)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
@reports_errors
def backup(context: Context, path: Path) -> None:
    """Make a consistent copy of the live database at PATH.

    SQLite: SQLite's online backup API (safe while the UI is serving). PostgreSQL: pg_dump's custom
    format; restore with `pg_restore --dbname NEWDB PATH`.
    """
    from factdb.backup import backup_database

    # A `kill` stops the copy between two steps and removes the partial file (SIGKILL cannot be
    # caught: the next backup to the same path removes what it left).
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        summary = backup_database(context.engine, path)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(summary)


def _exit_on_sigterm(signum: int, _frame: Any) -> NoReturn:
    click.echo("error: backup stopped by a signal; the partial file was removed", err=True)
    sys.exit(128 + signum)


# --- exports ----------------------------------------------------------------------------


@main.group()
def export() -> None:
    """Export claim reports, speaker scorecards and the audit trail."""


def _write_output(chunks: Iterator[str], output: Path | None) -> None:
    """Write to stdout, or to ``output`` through a temporary file renamed at the end (never half-written)."""
    if output is None:
        out = sys.stdout
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        partial.replace(output)
    except OSError as exc:
        raise InputError(f"{output}: cannot be written ({exc.strerror})") from None
    finally:
        partial.unlink(missing_ok=True)


def _day(value: str | None, what: str) -> dt.date | None:
    return parse_day(value, what)


@export.command("claims")
@click.option(
    "--status",
    type=click.Choice([*(s.value for s in ClaimStatus), "any"]),
    multiple=True,
    help="Repeatable; default disputed. 'any' for every status.",
)
@click.option("--speaker", metavar="ID|NAME", help="A speaker id or any of their aliases.")
@click.option("--with-affiliated", is_flag=True, help="Also the speakers who speak for --speaker.")
@click.option("--source", "source_id", type=DB_ID, metavar="ID")
@click.option("--outlet")
@click.option("--channel", help="The outlet that carried the speaker's words ('TASS quoted ...').")
@click.option("--stance", type=click.Choice([s.value for s in Stance]))
@click.option("--published-from", metavar="DATE")
@click.option("--published-to", metavar="DATE")
@click.option("--reviewed-from", metavar="DATE", help="Last review on or after this day.")
@click.option("--reviewed-to", metavar="DATE")
@click.option("--reviewed-by", metavar="USERNAME", help="Last reviewed by this editor.")
@click.option("--text", metavar="WORDS", help="Claim or sentence contains this text.")
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Each claim's status as it was then (from its reviews)."
)
@click.option(
    "--collapse",
    is_flag=True,
    help="One row per statement: a cluster as the first of its claims the filter matched (all listed).",
)
@click.option(
    "--sources-over",
    type=click.IntRange(0, 100_000),
    metavar="N",
    help="Only statements reported by more than N sources.",
)
@click.option("--format", "fmt", type=click.Choice(list(CLAIM_FORMATS)), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@click.option(
    "--bom", is_flag=True, help="Start CSV with a UTF-8 byte-order mark (for spreadsheet programs)."
)
@pass_context
@reports_errors
def export_claims(
    context: Context, status: tuple[str, ...], speaker: str | None, with_affiliated: bool,
    source_id: int | None, outlet: str | None, stance: str | None, published_from: str | None,
    published_to: str | None, reviewed_from: str | None, reviewed_to: str | None,
    reviewed_by: str | None, text: str | None, as_of: str | None, fmt: str, output: Path | None, bom: bool,
    channel: str | None = None, collapse: bool = False, sources_over: int | None = None,
) -> None:  # fmt: skip
    """Export the claims matching the filters (default: the disputed ones)."""
    from factdb.reports.claims import ReportOptions, claim_report

    statuses = () if "any" in status else tuple(ClaimStatus(s) for s in status or ("disputed",))
    settings = context.settings
    with context.unit_of_work() as (session, _actor):
        claim_filter = ClaimFilter(
            statuses=statuses,
            speaker_id=speaker_service.resolve_speaker(session, speaker).id if speaker else None,
            include_affiliated=with_affiliated,
            source_id=source_id,
            outlet=outlet,
            channel=channel_value(channel, "--channel"),
            stance=Stance(stance) if stance else None,
            published_from=_day(published_from, "--published-from"),
            published_to=_day(published_to, "--published-to"),
            reviewed_from=_day(reviewed_from, "--reviewed-from"),
            reviewed_to=_day(reviewed_to, "--reviewed-to"),
            editor_id=editor_service.get_editor(session, reviewed_by).id if reviewed_by else None,
            text=text,
            as_of=_as_of(as_of),
            collapse=collapse,
            sources_over=sources_over,
        )
        options = ReportOptions(settings.base_url, settings.org_name, settings.org_url, bom=bom)
        report = claim_report(session, claim_filter, fmt, options)
        if output is None:
            _write_output(report.chunks(), None)
            return
        with click.progressbar(length=report.count(), label=f"claims → {output}", file=sys.stderr) as bar:
            _write_output(report.chunks(progress=bar.update), output)


@export.command("scorecards")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--sort", type=click.Choice(["name", "claims", "disputed", "reviewed"]), default="claims")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@click.option("--bom", is_flag=True, help="Start CSV with a UTF-8 byte-order mark.")
@pass_context
@reports_errors
def export_scorecards(context: Context, fmt: str, sort: str, output: Path | None, bom: bool) -> None:
    """Export every speaker's scorecard: claims recorded, reviewed, per status, share disputed or false."""
    from factdb.reports.scorecards import scorecard_chunks

    with context.unit_of_work() as (session, _actor):
        _write_output(scorecard_chunks(session, fmt, sort=sort, bom=bom), output)


@export.command("audit")
@click.option("--from", "date_from", metavar="DATE", help="First day (UTC), included.")
@click.option("--to", "date_to", metavar="DATE", help="Last day (UTC), included.")
@click.option("--actor", metavar="USERNAME", help="Only this editor's changes ('system' for the CLI).")
@click.option("--action", help="Only this action (claim.status, speaker.merge, review, ...).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@click.option("--bom", is_flag=True, help="Start CSV with a UTF-8 byte-order mark.")
@pass_context
@reports_errors
def export_audit(
    context: Context, date_from: str | None, date_to: str | None, actor: str | None, action: str | None,
    fmt: str, output: Path | None, bom: bool,
) -> None:  # fmt: skip
    """Export every audit event and every review in a date range."""
    from factdb.reports.audit import AuditFilter, audit_chunks

    audit_filter = AuditFilter(_day(date_from, "--from"), _day(date_to, "--to"), actor, action)
    with context.unit_of_work() as (session, _actor):
        _write_output(audit_chunks(session, fmt, audit_filter, bom=bom), output)


# --- extraction ---------------------------------------------------------------------------


@main.command("extract")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the FORMAT.md output object.")
@click.option(
    "--model",
    "model_label",
    metavar="NAME[@VERSION]",
    help="Rules with this stored model ('active' for the active one); default the rules alone.",
)
@pass_context
@reports_errors
def extract_command(context: Context, path: Path, as_json: bool, model_label: str | None) -> None:
    """Show what the attribution engine finds in an article file (nothing is stored)."""
    import json

    from factdb.extract import extract
    from factdb.extract.output import to_document, to_text

    text = read_article(path, max_bytes=context.settings.max_ingest_bytes)
    if model_label is None:
        result = extract(text)
    else:
        from factdb.services import models as model_service

        with context.unit_of_work() as (session, _):
            run = model_service.extractor(session, None if model_label == "active" else model_label)
        result = run(text)
    if as_json:
        click.echo(json.dumps(to_document(result), ensure_ascii=False, indent=2))
    else:
        click.echo(to_text(text, result))


@main.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--unit",
    type=click.Choice(["span", "sentence"]),
    default="span",
    show_default=True,
    help="span: FORMAT.md's scoring; sentence: a unit per sentence an attribution covers (as stored).",
)
@click.option(
    "--speech-only",
    is_flag=True,
    help="Gold whose cue is no verb of saying, thinking or position is optional.",
)
@click.option(
    "--model",
    "model_label",
    metavar="NAME[@VERSION]",
    help="Also score the rules with this stored model ('active' for the active one), side by side.",
)
@click.option("--table", is_flag=True, help="Also print every figure (span and sentence level) as a table.")
@click.option("--verbose", "-v", is_flag=True, help="List every missed and extra attribution.")
@pass_context
@reports_errors
def eval_command(
    context: Context,
    gold: tuple[Path, ...],
    unit: str,
    speech_only: bool,
    model_label: str | None,
    table: bool,
    verbose: bool,
) -> None:
    """Score the attribution engine on gold files (JSON or JSONL, shared/examples/FORMAT.md)."""
    from factdb.extract import extract
    from factdb.extract.scoring import Tally, evaluate

    runs: list[tuple[str, Any]] = [("rules", extract)]
    if model_label is not None:
        from factdb.services import models as model_service

        with context.unit_of_work() as (session, _):
            runs.append(
                ("hybrid", model_service.extractor(session, None if model_label == "active" else model_label))
            )
    tallies: list[tuple[str, Tally]] = []
    documents = 0
    for name, run in runs:
        tally, documents = evaluate(gold, verbose=verbose, extractor=run, unit=unit, speech_only=speech_only)
        tallies.append((name, tally))
        if verbose:
            for line in [*tally.misses, *tally.extras]:
                click.echo(f"{name}: {line}" if len(runs) > 1 else line)
    click.echo(f"documents: {documents}; unit: {unit}{' (speech cues only)' if speech_only else ''}")
    for name, tally in tallies:
        scores = tally.scores()
        seg = scores["segmentation_f1"]
        if len(tallies) > 1:
            click.echo(f"== {name}")
        click.echo(f"segmentation F1: {'n/a (no gold sentences)' if seg is None else f'{seg:.3f}'}")
        for part in ("content", "attribution"):
            p, r, f = (scores[f"{part}_{m}"] or 0.0 for m in ("precision", "recall", "f1"))
            click.echo(f"{part:12} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
        click.echo(f"speaker accuracy on found content: {scores['speaker_accuracy'] or 0.0:.3f}")
        click.echo(
            f"claims {tally.claims} (content right {tally.found_claims}, "
            f"speaker right {tally.right_claims}); "
            f"gold {tally.gold_required} (found {tally.gold_found}, right {tally.gold_right})"
        )
    if table:
        from factdb.extract.scoring import score_table

        rows = [(name, score_table(gold, run)) for name, run in runs]
        click.echo("")
        click.echo("| figure | " + " | ".join(name for name, _ in rows) + " |")
        click.echo("|---|" + "---|" * len(rows))
        for figure in rows[0][1]:
            click.echo(f"| {figure} | " + " | ".join(f"{values[figure]:.3f}" for _, values in rows) + " |")


@main.command("eval-matching")
@click.option(
    "--gold",
    "gold_path",
    type=click.Path(path_type=Path),
    default=None,
    help="The gold pairs (default: tests/matching/gold_pairs.txt in this checkout).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 100),
    default=None,
    help="Similarity threshold (default: the matcher's).",
)
@click.option("--verbose", "-v", is_flag=True, help="List every pair the matcher got wrong.")
@reports_errors
def eval_matching(gold_path: Path | None, threshold: float | None, verbose: bool) -> None:
    """Score claim matching on the gold pairs: precision and recall of 'same statement'."""
    from factdb.matching import MATCH_THRESHOLD
    from factdb.matching.gold import DEFAULT_GOLD, evaluate, load_pairs

    pairs = load_pairs(gold_path or DEFAULT_GOLD)
    used = MATCH_THRESHOLD if threshold is None else threshold
    score = evaluate(pairs, used)
    if verbose:
        for pair, value, why in score.errors:
            label = "missed" if pair.same else f"false match ({pair.kind})"
            reason = f"vetoed: {why}" if why else f"similarity {value:.0f}"
            click.echo(f"{label}, {reason}: {pair.a.content!r} / {pair.b.content!r}")
    same = score.true_positive + score.false_negative
    click.echo(
        f"pairs: {score.pairs} ({same} same statement, {score.pairs - same} different); threshold {used:g}"
    )
    click.echo(f"precision {score.precision:.3f} (target 0.95)  recall {score.recall:.3f} (target 0.85)")
    click.echo(
        f"true matches {score.true_positive}, false matches {score.false_positive}, "
        f"missed {score.false_negative}"
    )


# --- learned models -----------------------------------------------------------------------


@main.group()
def model() -> None:
    """Train, list and activate the learned attribution tagger."""


@model.command("train")
@click.option("--name", default="tagger", show_default=True, help="Model name; each training adds a version.")
@click.option(
    "--gold", "gold", multiple=True, type=click.Path(path_type=Path), help="Gold file to learn from."
)
@click.option("--from-db", is_flag=True, help="Also learn from claims editors corrected or reviewed.")
@click.option(
    "--dev", "dev", multiple=True, type=click.Path(path_type=Path), help="Gold file to score it on."
)
@click.option("--activate", is_flag=True, help="Make the new version the active one.")
@pass_context
@reports_errors
def model_train(
    context: Context, name: str, gold: tuple[Path, ...], from_db: bool, dev: tuple[Path, ...], activate: bool
) -> None:
    """Train a CRF tagger and store it as the next version of NAME."""
    from factdb.services import models as model_service

    with context.unit_of_work() as (session, actor):
        stored = model_service.train_model(
            session, actor, name=name, gold=gold, from_db=from_db, dev=dev, activate=activate
        )
        label, training, scores = stored.label, stored.training, stored.dev_scores
        fingerprint, active = stored.fingerprint, stored.active
    click.echo(
        f"stored {label}{' (active)' if active else ''}: {training['sentences']} sentences "
        f"({training['gold_documents']} gold documents, {training['database_sentences']} from the database); "
        f"fingerprint {fingerprint[:12]}"
    )
    if scores:
        for key in scores["rules"]:
            click.echo(
                f"  {key:32} rules {scores['rules'][key] or 0:.3f}  hybrid {scores['hybrid'][key] or 0:.3f}"
            )


@model.command("list")
@pass_context
@reports_errors
def model_list(context: Context) -> None:
    """Every stored model version, newest first; * marks the active one."""
    from factdb.services import models as model_service

    with context.unit_of_work() as (session, _):
        rows = model_service.list_models(session)
        if not rows:
            click.echo("no models stored; ingest uses the rules alone")
        for row in rows:
            scores = (row.dev_scores or {}).get("hybrid") or {}
            dev = f" dev sentence F1 {scores['sentence_attribution_f1']:.3f}" if scores else ""
            click.echo(
                f"{'*' if row.active else ' '} {row.label:24} {row.created_at:%Y-%m-%d %H:%M} "
                f"{row.training.get('sentences', 0)} sentences, fingerprint {row.fingerprint[:12]}{dev}"
            )


@model.command("activate")
@click.argument("label", metavar="NAME[@VERSION]")
@pass_context
@reports_errors
def model_activate(context: Context, label: str) -> None:
    """Make a stored model (its latest version unless one is given) the one ingest uses."""
    from factdb.services import models as model_service

    with context.unit_of_work() as (session, actor):
        done = model_service.activate_model(session, actor, label).label
    click.echo(f"active model: {done}")


@model.command("deactivate")
@pass_context
@reports_errors
def model_deactivate(context: Context) -> None:
    """Go back to the rules alone."""
    from factdb.services import models as model_service

    with context.unit_of_work() as (session, actor):
        was = model_service.deactivate_models(session, actor)
        label = was.label if was else None
    click.echo(f"deactivated {label}; ingest uses the rules alone")


# --- serving ----------------------------------------------------------------------------


def _serve(options: ServeOptions) -> None:
    from factdb.web import create_app
    from factdb.web.server import serve as run_gunicorn

    if not os.environ.get("FACTDB_SECRET_KEY"):
        # Every worker must sign sessions with the same key, so pick one before forking.
        click.echo("warning: FACTDB_SECRET_KEY is not set; logins will not survive a restart", err=True)
        os.environ["FACTDB_SECRET_KEY"] = secrets.token_hex(32)

    try:
        import gunicorn  # noqa: F401 (only whether it is there)
    except ImportError:
        click.echo("warning: gunicorn is not installed; using Flask's development server", err=True)
        create_app().run(host=options.host or "127.0.0.1", port=options.port or 5000)
        return
    run_gunicorn(options, create_app)


@main.command()
@click.option("--host", help="Address to listen on  [default: 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), help="Port to listen on  [default: 5000]")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes  [default: 2]")
@click.option("--threads", type=click.IntRange(min=1), help="Threads per worker  [default: 8]")
@click.option(
    "--timeout",
    type=click.IntRange(min=3),
    help="Seconds a silent worker is given before it is restarted; downloads may run longer  [default: 30]",
)
@pass_context
@reports_errors
def serve(
    context: Context,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    timeout: int | None,
) -> None:
    """Serve the web UI with gunicorn (threaded workers; any gunicorn option via GUNICORN_CMD_ARGS)."""
    from factdb.migrate import ensure_current
    from factdb.services.audit_key import require_keyring
    from factdb.web.server import ServeOptions

    ensure_current(context.engine)
    require_keyring()  # every change is signed: refuse to serve one that could save nothing
    _serve(ServeOptions(host, port, workers, threads, timeout))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("instance/demo.sqlite3"),
    show_default=True,
    help="The SQLite file to (re)create.",
)
@click.option("--no-serve", is_flag=True, help="Set up the database and stop.")
@reports_errors
def demo(host: str, port: int, database: Path, no_serve: bool) -> None:
    """Create a fresh SQLite database with the sample article and a demo editor, then serve it."""
    from importlib.resources import files

    from factdb.migrate import upgrade
    from factdb.services.audit_key import create_key_file, key_file_path, load_keyring

    if load_keyring() is None:
        create_key_file(key_file_path())
        click.echo(f"created the audit key file {key_file_path()}", err=True)
    database = database.resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database.as_posix()}"
    engine = make_engine(url)
    upgrade(engine)
    password = secrets.token_urlsafe(9)
    text = files("factdb.data").joinpath("kursk-offensive.txt").read_text(encoding="utf-8")
    factory = make_session_factory(engine, write=True)
    with factory.begin() as session:
        editor_service.create_editor(
            session,
            None,
            username="demo",
            password=password,
            role=EditorRole.ADMIN,
            display_name="Demo Editor",
        )
        result = ingest_text(
            session,
            None,
            text,
            title=text.splitlines()[0].strip(),
            outlet="Sample Wire",
            published_at=dt.datetime(2025, 3, 15, tzinfo=dt.UTC),
        )
    engine.dispose()
    click.echo(f"demo database: {database}")
    click.echo(f"sample article: {result.sentence_count} sentences, {result.claim_count} claims")
    click.echo(f"open http://{host}:{port}/ and log in as  demo / {password}")
    if no_serve:
        return
    os.environ["FACTDB_DATABASE_URL"] = url
    # A throwaway demo needs no lasting key; set one so serving does not warn about it.
    os.environ.setdefault("FACTDB_SECRET_KEY", secrets.token_hex(32))
    from factdb.web.server import ServeOptions

    _serve(ServeOptions(host, port))
