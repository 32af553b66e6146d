"""``python -m bench.logical_decoding``: the capture triggers against logical decoding
(``bench/scenarios/logical_decoding.py``), on a scratch database of the server named by
``SPY_LOGICAL_DATABASE_URL``, which must run with ``wal_level = logical``. A side measurement for
docs/performance.md; it writes no file. A throw-away server on this machine, as root::

    D=/tmp/spy-logical PG=/usr/lib/postgresql/15/bin
    install -d -o postgres $D && su postgres -c "$PG/initdb -D $D/data -A trust -U postgres"
    printf "port = 5499\\nwal_level = logical\\nunix_socket_directories = '$D'\\n" \\
        >> $D/data/postgresql.conf
    su postgres -c "$PG/pg_ctl -D $D/data -l $D/log start"
    SPY_LOGICAL_DATABASE_URL=postgresql://postgres@127.0.0.1:5499/postgres \\
        python -m bench.logical_decoding
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from bench import run


def main() -> int:
    url = os.environ.get("SPY_LOGICAL_DATABASE_URL")
    if not url:
        raise SystemExit(__doc__)
    workdir = Path(tempfile.mkdtemp(prefix="spy-bench-decoding-"))
    try:
        with run.scratch_postgres(url) as scratch:
            part = run.suite(
                run.child_env(workdir),
                url=scratch,
                scenarios=["logical_decoding"],
                workdir=workdir,
                scale=1.0,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(part["details"]["logical_decoding"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
