# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fixture of the module tests that run a module's main() in-process (runner.py)."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import client as sms_client
from ansible_collections.hwcloud.sms.plugins.module_utils import options


@pytest.fixture
def no_pauses(monkeypatch):
    """The waits poll without pausing: every pause of the module goes through its client's sleep. A test module
    uses it for all its tests with ``pytestmark = pytest.mark.usefixtures("no_pauses")``."""
    monkeypatch.setattr(options, "SmsClient", functools.partial(sms_client.SmsClient, sleep=lambda seconds: None))
