# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An API failure reported while no exception is being handled (SmsModule.fail_api called outside an ``except``)
has no traceback of its own to give: its ``exception`` is left to Ansible, as for Ansible's own modules (the call
stack from ansible-core 2.19 on, when the controller asks for tracebacks of errors; nothing before), and is never
the text Python gives for "no exception" (``NoneType: None``).
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.common import SmsApiError, SmsModule
from tests.conftest import TOKEN
from tests.module_args import patch_module_args

try:  # ansible-core 2.19 and newer: the controller tells the module which tracebacks it wants
    from ansible.module_utils._internal import _traceback
except ImportError:
    _traceback = None


def test_a_failure_reported_outside_an_exception_handler_carries_no_empty_traceback(monkeypatch):
    args = dict(endpoint="https://sms.cn-north-4.myhuaweicloud.com", auth_token=TOKEN)
    if _traceback is not None:
        # what the controller sends when tracebacks of errors are wanted; the module reads it again
        args["_ansible_tracebacks_for"] = ["error"]
        monkeypatch.setattr(_traceback, "_module_tracebacks_enabled_events", None)
        monkeypatch.setattr(_traceback, "_is_traceback_enabled",
                            _traceback._is_module_traceback_enabled)  # pylint: disable=protected-access
    error = SmsApiError("read SMS task t-1", status=403, error_code="SMS.9004", error_msg="Not allowed.")
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        sms = SmsModule({})
        with pytest.raises(SystemExit):
            sms.fail_api(error)
    result = json.loads(out.getvalue())
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to read SMS task t-1: SMS.9004 Not allowed. (HTTP 403"), result["msg"]
    assert result["error"]["error_code"] == "SMS.9004"
    assert "NoneType" not in result.get("exception", "")
    if _traceback is not None:
        assert result["exception"].startswith("Traceback (most recent call last):"), result["exception"]
