"""Child processes of the benchmark: the real ``spy worker`` and django-post-office's command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size (``VmHWM``) of a running process, in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def product_env(base: dict[str, str]) -> dict[str, str]:
    """The environment of a product process: the product's settings, not the benchmark's."""
    env = dict(base)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


class WorkerProcess:
    """``spy worker`` as operators run it (product settings, default poll and batch size)."""

    def __init__(self, *, workdir: Path, name: str) -> None:
        self.log_path = workdir / f"{name}.log"
        self._proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def start(self) -> WorkerProcess:
        spy = Path(sys.executable).with_name("spy")
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(  # noqa: S603
                [str(spy), "worker"], env=product_env(dict(os.environ)), stdout=log, stderr=log
            )
        return self

    def check_alive(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"spy worker exited with {self._proc.returncode}:\n{tail}")

    def peak_rss_mb(self) -> float:
        self.check_alive()
        return peak_rss_mb(self.pid)

    def stop(self) -> None:
        """SIGTERM: the worker finishes its current step and exits."""
        if self._proc is None:
            return
        self._proc.send_signal(signal.SIGTERM)
        try:
            self._proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def __enter__(self) -> WorkerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def post_office_send(*, workdir: Path, smtp_port: int, threads: int) -> float:
    """Run ``send_queued_mail`` (django-post-office) until its queue is empty; returns the peak
    RSS in MiB of that process (from ``wait4``)."""
    env = dict(os.environ, BENCH_SMTP_PORT=str(smtp_port), BENCH_PO_THREADS=str(threads))
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    command = [sys.executable, "-m", "django", "send_queued_mail", "--processes", "1"]
    command += ["--lockfile", str(workdir / "post_office")]
    with open(workdir / "post_office.log", "ab") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = (workdir / "post_office.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"send_queued_mail exited with {proc.returncode}:\n{tail}")
    return usage.ru_maxrss / 1024
