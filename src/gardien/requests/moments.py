"""The moments of a request run (``gardien request run``), in order, as its checkpoint is
told of them.

Like a retention run's ``RunMoment``: the checkpoint observes, it never steers. gardien's crash
tests kill or pause a run at one of these (``gardien.cli.test_hook``), never after a delay; the
run confirms its lock at ``REQUEST_STARTING``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class RequestMoment(StrEnum):
    WAITING = "requests.waiting"  # another request run holds the lock; this one waits
    LOCKED = "requests.locked"  # the run's lock is held, nothing read yet
    STARTED = "requests.started"  # the batch is in progress: started now, or found so and resumed
    REQUEST_STARTING = "request.starting"  # between two requests: the next one is not begun
    EXECUTION_OPENED = "execution.opened"  # an erasure's steps are journaled, nothing erased yet
    SYSTEM_STARTING = "execution.system"  # between two systems of one execution
    CHUNK_APPLIED = "chunk.applied"  # a chunk committed in its system; the journal does not know
    CHUNK_JOURNALED = "chunk.journaled"  # the journal has the chunk
    REQUEST_DONE = "request.done"  # carried out; its answer queued, not yet written
    ANSWERS_WRITTEN = "requests.answered"  # a batch of answers (and packages) written
    CLOSING = "requests.closing"  # every request carried out and answered; the lock still held


Observer = Callable[[RequestMoment], None]
