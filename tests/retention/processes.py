"""``gardien retention run`` in processes of its own, for the kill and concurrency trials.

``forked`` runs the CLI in a child forked from the test process: a real process, killed by a
real SIGKILL, but one that does not pay the interpreter's and the imports' start-up again
(about a second each, more on a busy machine), which is what keeps 20+ trials per database
inside the suite's time. ``spawned`` starts ``python -m gardien`` from scratch, as cron or a
shell would. Both take the test hook's variables (``gardien.cli.test_hook``): the run is
killed or paused at a moment it reports, never after a delay.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gardien.cli.app import main as gardien_main  # imported once, here: children inherit it

LIMIT = 300.0  # seconds: a run that takes longer has hung (never reached on a healthy run)


def _code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


@dataclass
class Forked:
    pid: int
    log: Path
    returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = _code(status)
        return self.returncode

    def wait(self) -> int:
        """The exit code, or minus the signal that ended the process (-9 for SIGKILL)."""
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = _code(status)
        return self.returncode

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def forked(argv: Sequence[str], env: Mapping[str, str], log: Path) -> Forked:
    """Run ``gardien <argv>`` in a forked child with ``env`` added to its environment.

    The caller must hold no open database connection (dispose engines first): a child must
    never share a socket with its parent.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return Forked(pid, log)
    code = 70
    try:  # the child: never returns into pytest
        os.environ.update(env)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 (the child's own stdout)
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        sys.argv = ["gardien", *argv]
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            gardien_main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def spawned(argv: Sequence[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m gardien <argv>`` as a new interpreter."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gardien", *argv],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(path: Path, *processes: subprocess.Popen[bytes] | Forked) -> None:
    """Until ``path`` exists (a run reports it reached a moment); fail if a run ended first."""
    deadline = time.monotonic() + LIMIT
    while not path.exists():
        for process in processes:
            if (ended := process.poll()) is not None:
                raise AssertionError(f"a run ended (status {ended}) before {path.name} appeared")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear in {LIMIT:.0f} s")
        time.sleep(0.01)


Process = subprocess.Popen[bytes] | Forked


def first_to_end(*processes: Process) -> Process:
    """The first of ``processes`` to end."""
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                return process
        time.sleep(0.01)
    raise AssertionError(f"no run ended in {LIMIT:.0f} s")


def wait_for_moment(moments: Path, moment: str, process: Process) -> None:
    """Until the run writes ``moment`` in its moments file (``GARDIEN_TEST_MOMENTS``)."""
    deadline = time.monotonic() + LIMIT
    while not (moments.exists() and moment in moments.read_text().split()):
        if process.poll() is not None:
            raise AssertionError(f"the run ended ({process.poll()}) before {moment}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the run did not reach {moment} in {LIMIT:.0f} s")
        time.sleep(0.01)
