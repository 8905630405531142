"""How long the proof of an objection to prospecting is kept (issue 10 §6).

The suppression list entry is what lets the controller show it honours an objection to direct
marketing (Art. 21(3)): the CNIL's référentiel on commercial management keeps the data needed
to take an objection into account *at least 3 years* from the objection. Kept less, a person
who objected could be prospected again within those years; kept for ever, it is data on a
person that no purpose needs any more (Art. 5(1)(e)). The registry declares the period
(``suppression_list: {for: P3Y}``); shorter than P3Y on any calendar day is refused.
"""

from __future__ import annotations

import datetime as dt

from gardien.registry.duration import Duration

MINIMUM = Duration(years=3)  # CNIL, référentiel « gestion commerciale » (2021)

# Every start day over four years (a leap day, every month end): a period written in days or
# months is shorter than P3Y if it ends earlier from any of them (P1095D does, from 2024-01-01).
_STARTS = [dt.date(2023, 1, 1) + dt.timedelta(days=n) for n in range(4 * 366)]


def shorter_than_minimum(duration: Duration) -> bool:
    return any(duration.add_to(start) < MINIMUM.add_to(start) for start in _STARTS)
