"""For gardien's own crash and concurrency tests only: stop a run at an exact moment.

Not a feature. ``gardien retention run`` and ``gardien request run`` ask this module for a
checkpoint (told each ``gardien.retention.executor.RunMoment`` of a retention run, each
``gardien.requests.moments.RequestMoment`` of a request run); with none of the variables
below set — always, outside gardien's tests — there is none, and nothing observes the run.

    GARDIEN_TEST_KILL_AT=<moment>:<n>    SIGKILL this process the n-th time <moment> is reached
    GARDIEN_TEST_PAUSE_AT=<moment>:<n>   the n-th time, create <dir>/paused-<pid> and wait until
    GARDIEN_TEST_SIGNAL_DIR=<dir>        <dir>/resume exists (at most PAUSE_LIMIT seconds)
    GARDIEN_TEST_MOMENTS=<file>          append every moment reached to <file>, one a line

Tests kill and synchronise at moments the run reports, never after a delay, so that their
outcome does not depend on the machine's speed (issue 9, "Done when").
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path

from gardien.errors import UsageError
from gardien.requests.moments import RequestMoment
from gardien.retention.executor import RunMoment

Checkpoint = Callable[[StrEnum], None]  # a RunMoment or a RequestMoment
_MOMENTS = {m.value for m in (*RunMoment, *RequestMoment)}

PAUSE_LIMIT = 300.0  # a test that died does not leave a run paused for ever
_POLL = 0.01


def _target(variable: str, value: str) -> tuple[str, int]:
    name, _, count = value.rpartition(":")
    try:
        if name not in _MOMENTS:
            raise ValueError(name)
        return name, int(count)
    except ValueError:
        known = ", ".join(sorted(_MOMENTS))
        raise UsageError(f"{variable}={value!r}: expected <moment>:<n>, moments: {known}") from None


def from_environment(environ: Mapping[str, str] = os.environ) -> Checkpoint | None:
    kill = environ.get("GARDIEN_TEST_KILL_AT")
    pause = environ.get("GARDIEN_TEST_PAUSE_AT")
    moments_file = environ.get("GARDIEN_TEST_MOMENTS")
    if not (kill or pause or moments_file):
        return None
    kill_at = _target("GARDIEN_TEST_KILL_AT", kill) if kill else None
    pause_at = _target("GARDIEN_TEST_PAUSE_AT", pause) if pause else None
    signals = Path(environ.get("GARDIEN_TEST_SIGNAL_DIR", "."))
    seen: Counter[str] = Counter()

    def checkpoint(moment: StrEnum) -> None:
        name = moment.value
        seen[name] += 1
        if moments_file:
            with open(moments_file, "a", encoding="utf-8") as log:
                log.write(f"{name}\n")
        if kill_at == (name, seen[name]):
            os.kill(os.getpid(), signal.SIGKILL)
        if pause_at == (name, seen[name]):
            (signals / f"paused-{os.getpid()}").write_text(name, encoding="utf-8")
            deadline = time.monotonic() + PAUSE_LIMIT
            while not (signals / "resume").exists() and time.monotonic() < deadline:
                time.sleep(_POLL)

    return checkpoint
