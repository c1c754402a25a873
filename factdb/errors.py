"""The errors factdb reports to people. Each message names the problem in plain words.

The CLI prints ``str(error)`` as one line and exits non-zero; the web UI shows it
with the status code in ``http_status``. Anything else escaping is a bug.
"""

from __future__ import annotations

from typing import Any


class FactdbError(Exception):
    """Base of every error meant for the user."""

    http_status = 400


class InputError(FactdbError):
    """Input that cannot be used: an empty, binary, oversized or undecodable file, a bad value."""


class NotFoundError(FactdbError):
    """An id or name that matches nothing."""

    http_status = 404


class PermissionDeniedError(FactdbError):
    """The acting editor's role does not allow the change."""

    http_status = 403


class DuplicateSourceError(FactdbError):
    """The same text was ingested before; names the existing source."""

    http_status = 409

    def __init__(self, source_id: int, title: str) -> None:
        super().__init__(f"this text was already ingested as source #{source_id} ({title!r})")
        self.source_id = source_id


class TooManyAttemptsError(FactdbError):
    """Too many failed logins for an account or from an address; ``retry_after`` is in seconds."""

    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DatabaseBusyError(FactdbError):
    """Another writer held the database's write lock past the busy timeout (SQLite's "database is
    locked"): nothing of this unit of work was written; trying again shortly will likely succeed."""

    http_status = 503
    #: Seconds to wait before trying again (the web answer's ``Retry-After``).
    retry_after = 5

    def __init__(self, what: str = "the database") -> None:
        super().__init__(f"{what} is busy (another writer held it too long): try again")


class ConflictError(FactdbError):
    """Someone else changed the record after the editor loaded it; nothing was overwritten."""

    http_status = 409

    def __init__(
        self, message: str, changes: list[str] | None = None, details: list[Any] | None = None
    ) -> None:
        super().__init__(message)
        #: One line in words per change made since the editor's version.
        self.changes = changes or []
        #: The same changes as ``factdb.services.history.EventInWords`` (field by field), for the web UI.
        self.details = details or []


class SchemaNotCurrentError(FactdbError):
    """The database schema is not at the revision this code needs."""

    http_status = 503
