"""The audit key: the secret the audit chain is signed with, kept outside the database.

Every audit event's ``hash`` is an HMAC-SHA256 under a key the database never holds, so whoever can
write the tables still cannot produce a history that verifies. The keys come from, in this order:

1. ``FACTDB_AUDIT_KEY``: one or more keys separated by commas, the last one signing;
2. the key file ``FACTDB_AUDIT_KEY_FILE`` (default ``instance/audit.key`` under the current folder),
   created by ``factdb db upgrade`` with owner-only permissions: one key per line, the last one
   signing, older ones kept so events signed before a rotation still verify.

A key is at least :data:`MIN_KEY_CHARS` characters (generated keys are 64 hex digits). Events record
the *key id* (:func:`key_id`), a fingerprint that names a key without revealing it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from factdb.errors import FactdbError

ENV_KEY = "FACTDB_AUDIT_KEY"
ENV_KEY_FILE = "FACTDB_AUDIT_KEY_FILE"
#: Where ``factdb db upgrade`` creates the key file when neither variable is set.
DEFAULT_KEY_FILE = Path("instance") / "audit.key"
#: Shortest key accepted: 32 characters of a generated key are 128 bits.
MIN_KEY_CHARS = 32
#: Bytes of randomness in a generated key (256 bits, printed as 64 hex digits).
KEY_BYTES = 32
#: Hex digits of a key id: enough to tell keys apart, far too few to help guess one.
KEY_ID_CHARS = 16
#: Owner read/write only: the key file is a secret.
KEY_FILE_MODE = 0o600


class AuditKeyError(FactdbError):
    """No usable audit key, or a key file that cannot be read or written."""

    http_status = 503


def key_id(secret: bytes) -> str:
    """The public fingerprint of a key (a domain-separated SHA-256 prefix)."""
    return hashlib.sha256(b"factdb audit key id\x00" + secret).hexdigest()[:KEY_ID_CHARS]


@dataclass(frozen=True)
class AuditKey:
    """One key and its id."""

    id: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never print the secret
        return f"AuditKey(id={self.id!r})"


@dataclass(frozen=True)
class Keyring:
    """The keys that verify the chain; the last one signs new events."""

    keys: tuple[AuditKey, ...]
    origin: str

    @property
    def signing(self) -> AuditKey:
        return self.keys[-1]

    def get(self, kid: str | None) -> AuditKey | None:
        """The key with id ``kid``, or None when this keyring does not hold it."""
        return next((k for k in self.keys if k.id == kid), None)

    @classmethod
    def from_secrets(cls, values: list[str], origin: str) -> Keyring:
        """A keyring of the given keys (oldest first); AuditKeyError if one is too short."""
        keys = []
        for n, value in enumerate(values, 1):
            value = value.strip()
            if len(value) < MIN_KEY_CHARS:
                raise AuditKeyError(
                    f"audit key {n} in {origin} is too short ({len(value)} characters, "
                    f"at least {MIN_KEY_CHARS}); generate one with `factdb audit new-key`"
                )
            secret = value.encode("utf-8")
            keys.append(AuditKey(key_id(secret), secret))
        if not keys:
            raise AuditKeyError(f"{origin} holds no audit key")
        return cls(tuple(keys), origin)


def new_secret() -> str:
    """A fresh random key, as 64 hex digits."""
    return secrets.token_hex(KEY_BYTES)


def key_file_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the key file is (it may not exist yet)."""
    env = os.environ if env is None else env
    configured = env.get(ENV_KEY_FILE)
    return Path(configured).expanduser() if configured else Path.cwd() / DEFAULT_KEY_FILE


def read_key_file(path: Path) -> Keyring:
    """The keys in ``path``: one per line, blank lines and ``#`` comments ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuditKeyError(f"the audit key file {path} cannot be read ({exc.strerror})") from None
    lines = [line.strip() for line in text.splitlines()]
    return Keyring.from_secrets([line for line in lines if line and not line.startswith("#")], str(path))


# Parsed keyrings by where they came from, so a busy server reads its key file once per change.
_CACHE: dict[tuple[str, str, int, int], Keyring] = {}


def load_keyring(env: Mapping[str, str] | None = None) -> Keyring | None:
    """The configured keyring, or None when there is no key anywhere.

    The key file is re-read when it changes, so a rotation reaches running servers.
    """
    env = os.environ if env is None else env
    value = env.get(ENV_KEY)
    if value:
        cache_key = ("env", value, 0, 0)
        if cache_key not in _CACHE:
            _CACHE.clear()
            _CACHE[cache_key] = Keyring.from_secrets(value.split(","), ENV_KEY)
        return _CACHE[cache_key]
    path = key_file_path(env)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditKeyError(f"the audit key file {path} cannot be read ({exc.strerror})") from None
    cache_key = ("file", str(path), stat.st_mtime_ns, stat.st_size)
    if cache_key not in _CACHE:
        _CACHE.clear()
        _CACHE[cache_key] = read_key_file(path)
    return _CACHE[cache_key]


def require_keyring(env: Mapping[str, str] | None = None) -> Keyring:
    """The configured keyring; AuditKeyError naming how to set one up if there is none."""
    keyring = load_keyring(env)
    if keyring is None:
        raise AuditKeyError(
            f"no audit key: set {ENV_KEY}, or run `factdb db upgrade` to create the key file "
            f"{key_file_path(env)} (or point {ENV_KEY_FILE} at yours)"
        )
    return keyring


_KEY_FILE_HEADER = (
    "# factdb audit keys: one per line, oldest first; the last line signs new events.\n"
    "# Keep this file secret and backed up apart from the database. Never delete a line:\n"
    "# events signed under an older key need it to verify.\n"
)


def create_key_file(path: Path) -> AuditKey:
    """Create the key file at ``path`` with one new key, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = new_secret()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    except FileExistsError:
        raise AuditKeyError(f"the audit key file {path} already exists") from None
    except OSError as exc:
        raise AuditKeyError(f"the audit key file {path} cannot be created ({exc.strerror})") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(_KEY_FILE_HEADER + secret + "\n")
    return AuditKey(key_id(secret.encode()), secret.encode())


def append_key(path: Path, secret: str) -> AuditKey:
    """Add ``secret`` as the new signing key at the end of the key file (older keys stay)."""
    read_key_file(path)  # refuse to extend a file that is not a keyring
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(secret + "\n")
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise AuditKeyError(f"the audit key file {path} cannot be written ({exc.strerror})") from None
    return AuditKey(key_id(secret.encode()), secret.encode())
