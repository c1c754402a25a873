"""Serving the web UI with gunicorn, so that slow or idle clients cannot stop it.

The worker model is gunicorn's threaded worker (``gthread``): each worker process serves requests
on a pool of threads, and connections that have sent nothing wait in the worker's poller, not in a
thread. So a few idle or half-open connections tie up at most a few threads (not whole workers, as
the ``sync`` worker's were), and since the worker's heartbeat comes from its main loop rather than
from the request, a download that takes longer than ``--timeout`` to stream to a slow reader runs to
its end instead of being killed mid-body.

Settings are applied in this order, later ones winning: factdb's defaults below, then
``GUNICORN_CMD_ARGS`` (any gunicorn option), then the options given to ``factdb serve``.

gunicorn 25.1 and later open a control socket for ``gunicornc`` at one fixed path per user
(``$XDG_RUNTIME_DIR/gunicorn.ctl`` or ``~/.gunicorn/gunicorn.ctl``), so two servers on one machine
would take each other's socket. factdb opens none unless ``GUNICORN_CMD_ARGS`` names one with
``--control-socket PATH`` (one path per instance).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

from flask import Flask

#: Worker processes: each holds its own database connections.
DEFAULT_WORKERS = 2
#: Threads per worker: how many requests (downloads included) one worker serves at once.
DEFAULT_THREADS = 8
#: Seconds a worker may stay silent before gunicorn restarts it (not a limit on a response's length
#: under the threaded worker; see the module docstring).
DEFAULT_TIMEOUT = 30
#: The shortest timeout ``factdb serve`` accepts. A threaded worker's heartbeat comes from its main
#: loop, which wakes once a second and (gunicorn 27) lingers up to 2 s closing an HTTP/1.0
#: connection; a shorter timeout would have healthy workers killed.
MIN_TIMEOUT = 3
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


@dataclass(frozen=True)
class ServeOptions:
    """What ``factdb serve`` was given; None means "not given" (a default or GUNICORN_CMD_ARGS decides)."""

    host: str | None = None
    port: int | None = None
    workers: int | None = None
    threads: int | None = None
    timeout: int | None = None

    def bind(self) -> str | None:
        """``host:port`` when either was given, else None."""
        if self.host is None and self.port is None:
            return None
        return f"{self.host or DEFAULT_HOST}:{self.port or DEFAULT_PORT}"

    def url(self) -> str:
        """Where the UI will be (for messages)."""
        return f"http://{self.host or DEFAULT_HOST}:{self.port or DEFAULT_PORT}/"


def factdb_defaults() -> dict[str, Any]:
    """The gunicorn settings factdb starts from."""
    return {
        "bind": f"{DEFAULT_HOST}:{DEFAULT_PORT}",
        "workers": DEFAULT_WORKERS,
        "worker_class": "gthread",
        "threads": DEFAULT_THREADS,
        "timeout": DEFAULT_TIMEOUT,
        "accesslog": "-",
        "control_socket_disable": True,
    }


def explicit_settings(options: ServeOptions) -> dict[str, Any]:
    """The gunicorn settings ``factdb serve``'s own options ask for."""
    given = {
        "bind": options.bind(),
        "workers": options.workers,
        "threads": options.threads,
        "timeout": options.timeout,
    }
    return {key: value for key, value in given.items() if value is not None}


def serve(options: ServeOptions, make_app: Any) -> None:
    """Run gunicorn with ``make_app()`` as the application (built in each worker after the fork)."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self) -> None:
            known = self.cfg.settings
            for key, value in factdb_defaults().items():
                if key in known:  # control_socket_disable exists from gunicorn 25.1 on
                    self.cfg.set(key, value)
            from_env = self.cfg.parser().parse_args(self.cfg.get_cmd_args_from_env())
            for key, value in vars(from_env).items():
                if value is not None and key != "args":
                    self.cfg.set(key.lower(), value)
            if getattr(from_env, "control_socket", None) and "control_socket_disable" in known:
                self.cfg.set("control_socket_disable", False)  # a socket path asked for: open it
            for key, value in explicit_settings(options).items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            app: Flask = make_app()
            # The app, its routes, mappers and compiled templates live as long as the worker: frozen
            # out of the garbage collector, whose full collections would otherwise walk them all again.
            gc.freeze()
            return app

    _Server().run()
