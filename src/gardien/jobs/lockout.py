"""How failed back-office sign-ins slow, then lock, an account (issue 9 §3; R-SEC, ANSSI's
guidance on authentication: bound the guesses on a password, not only per address).

Before, a script rotating addresses tried 4 passwords a second on the DPO's account without
limit. Now failures in a row are counted on the account, in the store: from the fifth each one
makes the account wait (1, 2, 4, 8, 16 seconds), and the tenth locks it for 15 minutes, each
further failure for twice as long, up to a day. A success resets the count; an administrator
can unlock (``gardien user unlock``). A locked account answers exactly as a wrong password
does, so a lock tells nobody that the name is a staff account.
"""

from __future__ import annotations

from datetime import timedelta

SLOW_AFTER = 5
"""Failures in a row from which each one makes the account wait before the next try."""
LOCK_AFTER = 10
"""Failures in a row that lock the account (``LOCK``, doubling for each further one)."""
LOCK = timedelta(minutes=15)
MAX_LOCK = timedelta(days=1)


def wait_after(failures: int) -> timedelta | None:
    """How long the account refuses any password after its ``failures``-th failure in a row."""
    if failures < SLOW_AFTER:
        return None
    if failures < LOCK_AFTER:
        return timedelta(seconds=float(2 ** (failures - SLOW_AFTER)))
    doubled: timedelta = LOCK * (2 ** min(failures - LOCK_AFTER, 16))
    return min(doubled, MAX_LOCK)


def is_lock(failures: int) -> bool:
    """Whether this failure locks the account (audited), rather than slowing it."""
    return failures >= LOCK_AFTER
