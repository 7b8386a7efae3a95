# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module failing on an API error returns the traceback of that error in ``exception`` (shown at -vvv), as
Ansible's own modules do (SmsModule.fail_api). ansible-core 2.19 and later include it when the controller asks
for error tracebacks (``_ansible_tracebacks_for``); earlier releases return whatever the module gives."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from ansible_collections.hwcloud.sms.plugins.modules import sms_task_info
from tests.conftest import TOKEN
from tests.module_args import patch_module_args

TRACEBACKS_ON_REQUEST = tuple(int(part) for part in ANSIBLE_VERSION.split(".")[:2]) >= (2, 19)


@pytest.fixture
def tracebacks_asked_for(monkeypatch):
    """Module arguments asking for error tracebacks; ansible-core 2.19+ reads them once per process, so that
    reading is forgotten for the time of the test."""
    if not TRACEBACKS_ON_REQUEST:
        return {}
    from ansible.module_utils._internal import _traceback  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(_traceback, "_module_tracebacks_enabled_events", None)
    return {"_ansible_tracebacks_for": ["error"]}


def test_an_api_failure_returns_its_traceback(emulator, tracebacks_asked_for):
    task = emulator.add_task(name="web-01")
    emulator.inject_forbidden(method="GET", path="/v3/tasks/" + task["id"])
    out = io.StringIO()
    args = dict(tracebacks_asked_for, task_id=task["id"], endpoint=emulator.url, auth_token=TOKEN, max_retries=0)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task_info.main()
    result = json.loads(out.getvalue())
    assert result["failed"] is True and "SMS.9004" in result["msg"]
    assert result["exception"].startswith("Traceback (most recent call last):")
    assert "SmsApiError" in result["exception"]
