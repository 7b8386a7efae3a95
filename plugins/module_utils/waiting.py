# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting for the service: the one loop that looks, pauses and looks again."""

import time

POLL_FIRST = 0.5
POLL_FACTOR = 1.5
POLL_MAX = 5.0


def wait_until(condition, timeout, sleep=time.sleep, clock=time.monotonic):
    """Call ``condition()`` at once, then after growing pauses (0.5 s, times 1.5, at most 5 s), until it returns
    true. Returns False when ``timeout`` seconds pass first.

    Most deletions are over by the first look, so that look costs no pause. ``sleep`` is the client's, so that
    a test can shorten every pause in one place.
    """
    deadline = clock() + timeout
    interval = POLL_FIRST
    while True:
        if condition():
            return True
        remaining = deadline - clock()
        if remaining <= 0:
            return False
        sleep(min(interval, remaining))
        interval = min(interval * POLL_FACTOR, POLL_MAX)
