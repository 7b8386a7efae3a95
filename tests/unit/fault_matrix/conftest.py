# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What both fault matrices share: the fake clock every module run pauses on. Their table is made by
tests/unit/conftest.py."""

from __future__ import annotations

import threading
import time

import pytest


class FakeClock:
    """A clock that only the module's pauses move on. ``sleep`` sleeps nothing: it notes each pause (with how many
    requests the emulator had received by then) and moves the clock on by it, so that the waits are asserted at
    their documented full lengths and a wait_timeout passes in no time. A request takes no time on this clock."""

    def __init__(self):
        self.now = 0.0
        self.pauses = []  # (requests received before the pause, seconds), in order
        self.requests = lambda: 0

    def __call__(self):
        return self.now

    def watch(self, emulator):
        """Count the requests ``emulator`` receives, so that each pause can be placed among them."""
        self.requests = lambda: len(emulator.journal)

    def sleep(self, seconds):
        assert seconds >= 0, "a pause of %r seconds" % seconds
        self.pauses.append((self.requests(), seconds))
        self.now += seconds

    def between(self, before, again):
        """The pauses made after the journal entry ``before`` was received and before ``again`` was."""
        return [seconds for received, seconds in self.pauses if before["seq"] <= received < again["seq"]]


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch):
    """Every SmsClient of the module's run gets the fake clock's sleep and the fake clock (``clock=``: what the
    waits of a removal measure time by), wherever the module builds it; a real ``time.sleep`` on the test's thread
    fails the test (the emulator's own threads, which stand for the network, keep theirs)."""
    from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms_client  # importable once tests/conftest.py ran

    clock = FakeClock()
    built = []
    real_init = sms_client.SmsClient.__init__

    def init(client, *args, **kwargs):
        real_init(client, *args, **dict(kwargs, sleep=clock.sleep, clock=clock))
        built.append(client)

    monkeypatch.setattr(sms_client.SmsClient, "__init__", init)
    test_thread, real_sleep, slept = threading.get_ident(), time.sleep, []

    def guarded_sleep(seconds):
        if threading.get_ident() != test_thread:
            return real_sleep(seconds)
        slept.append(seconds)
        raise AssertionError("time.sleep(%r) during a module run: every pause must go to the fake clock" % seconds)

    monkeypatch.setattr(time, "sleep", guarded_sleep)
    yield clock
    assert not slept, "the module slept for real: %r" % slept
    assert built, "the module built no SmsClient: the fake clock was never used"
