"""Importing factdb sets nothing up: listeners and expensive defaults come from the code that needs them."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from factdb.db import make_session_factory
from factdb.services import audit, session_setup
from factdb.services.validation import refuse_unstorable_text

IMPORT_EVERYTHING = """
import importlib
import pkgutil
import factdb
for module in pkgutil.walk_packages(factdb.__path__, "factdb."):
    if not module.name.endswith("__main__"):  # that one runs the command
        importlib.import_module(module.name)
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from factdb.services import session_setup
listeners = [name for name, fn in session_setup.SESSION_LISTENERS if event.contains(Session, name, fn)]
print("listeners on Session:", listeners)
from factdb.services import editors
print("scrypt hashed:", editors._dummy_hash.cache_info().currsize)
"""


def test_importing_every_module_registers_no_listener_and_hashes_nothing() -> None:
    result = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "listeners on Session: []" in result.stdout
    assert "scrypt hashed: 0" in result.stdout


def test_factory_sessions_keep_the_chain_and_others_are_refused(engine: Engine) -> None:
    with make_session_factory(engine)() as kept:
        assert all(fn in getattr(kept.dispatch, name) for name, fn in session_setup.SESSION_LISTENERS)
        # Unstorable text is refused before the audit lock is taken for it.
        flush = list(kept.dispatch.before_flush)
        assert flush.index(refuse_unstorable_text) < flush.index(audit._lock_before_writing)
    with Session(engine) as bare, pytest.raises(RuntimeError, match="set_up_sessions"):
        audit.record_event(bare, None, "test.event", "test", None)
    assert not any(event.contains(Session, name, fn) for name, fn in session_setup.SESSION_LISTENERS)


def test_set_up_twice_registers_each_listener_once(engine: Engine) -> None:
    factory = sessionmaker(bind=engine)
    session_setup.set_up_sessions(factory)
    session_setup.set_up_sessions(factory)
    with factory() as session:
        assert list(session.dispatch.before_flush).count(refuse_unstorable_text) == 1


def test_every_new_factory_gets_the_listeners_even_when_ids_are_reused() -> None:
    # A collected factory's id() comes back for a new one; set-up must not mistake one for the other.
    engine = create_engine("sqlite://")
    for n in range(300):
        session = make_session_factory(engine)()
        assert audit._forget_lock_and_head in session.dispatch.after_transaction_end, n
        session.close()
        if n % 7 == 0:
            gc.collect()
    engine.dispose()
