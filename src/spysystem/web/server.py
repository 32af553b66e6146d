"""The production WSGI server used by ``spy web`` and ``spy demo`` (waitress)."""

from __future__ import annotations

import contextlib
import sys


def serve_web(*, host: str, port: int, threads: int, banner: str) -> int:
    """Serve the WSGI app with waitress; a port already in use is a clear error, not a trace."""
    from waitress import create_server

    from spysystem.wsgi import application

    try:
        server = create_server(application, host=host, port=port, threads=threads)
    except OSError:
        print(f"erro: a porta {port} já está em uso; use --port.", file=sys.stderr)
        return 2
    print(banner, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0
