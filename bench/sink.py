"""A loopback aiosmtpd sink in its own process, so it never shares a GIL with what it measures.

Run as ``python -m bench.sink --port P --delay S --log FILE``: every accepted message appends
``<unix time>\\t<spy message id or ->`` to ``FILE``. ``SinkProcess`` starts one and reads it back.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

_SPY_ID = re.compile(rb"^Message-ID:[^\r\n]*spy-(\d+)@", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts every message after ``delay`` seconds and logs when it was accepted."""

    def __init__(self, log, delay: float) -> None:
        self.log = log
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        match = _SPY_ID.search(envelope.content[:4096])
        key = match.group(1).decode() if match else "-"
        self.log.write(f"{time.time():.6f}\t{key}\n")
        self.log.flush()
        return "250 2.0.0 Ok: queued"


def serve(port: int, delay: float, log_path: str) -> None:
    from aiosmtpd.controller import Controller

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with open(log_path, "a", encoding="ascii") as log:
        controller = Controller(RecordingHandler(log, delay), hostname="127.0.0.1", port=port)
        controller.start()
        print("ready", flush=True)
        stop.wait()
        controller.stop()


class SinkProcess:
    """A sink subprocess on a free loopback port; ``records()`` is what it accepted so far."""

    def __init__(self, workdir: Path, *, delay: float = 0.0, name: str = "sink") -> None:
        self.port = free_port()
        self.delay = delay
        self.log_path = workdir / f"{name}-{self.port}.log"
        self.log_path.write_text("")
        self._proc: subprocess.Popen | None = None

    def start(self) -> SinkProcess:
        args = [sys.executable, "-m", "bench.sink", "--port", str(self.port)]
        args += ["--delay", str(self.delay), "--log", str(self.log_path)]
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)  # noqa: S603
        if self._proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")
        return self

    def reset(self) -> None:
        """Forget what was received (the sink keeps appending to the same, emptied file)."""
        self.log_path.write_text("")

    def records(self) -> list[tuple[float, str]]:
        rows = []
        for line in self.log_path.read_text(encoding="ascii").splitlines():
            stamp, _tab, key = line.partition("\t")
            if key:
                rows.append((float(stamp), key))
        return rows

    def count(self) -> int:
        return self.log_path.read_bytes().count(b"\n")

    def wait_for(self, expected: int, *, stall: float = 60.0) -> int:
        """Wait until ``expected`` messages arrived, or until none arrived for ``stall`` seconds
        (a stuck sender ends the wait, a slow but steady one does not). Returns the count."""
        count, last_progress = self.count(), time.monotonic()
        while count < expected and time.monotonic() - last_progress < stall:
            time.sleep(0.05)
            now = self.count()
            if now > count:
                count, last_progress = now, time.monotonic()
        return count

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None

    def __enter__(self) -> SinkProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    serve(args.port, args.delay, args.log)


if __name__ == "__main__":
    main()
