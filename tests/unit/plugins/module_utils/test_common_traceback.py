# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module failing on an API error returns the traceback of that error in ``exception`` (shown at -vvv), as
Ansible's own modules do (SmsModule.fail_api).

Before ansible-core 2.19 a module's result carries what the module gives, at any verbosity. From 2.19 on,
ansible-core itself decides, from what the controller asks for, whether a traceback is returned at all.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from ansible_collections.hwcloud.sms.plugins.modules import sms_task_info
from tests.conftest import TOKEN
from tests.module_args import patch_module_args

RESULT_CARRIES_THE_MODULES_TRACEBACK = tuple(int(part) for part in ANSIBLE_VERSION.split(".")[:2]) < (2, 19)


def test_an_api_failure_returns_its_traceback(emulator):
    task = emulator.add_task(name="web-01")
    emulator.inject_forbidden(method="GET", path="/v3/tasks/" + task["id"])
    out = io.StringIO()
    args = dict(task_id=task["id"], endpoint=emulator.url, auth_token=TOKEN, max_retries=0)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task_info.main()
    result = json.loads(out.getvalue())
    assert result["failed"] is True and "SMS.9004" in result["msg"]
    if RESULT_CARRIES_THE_MODULES_TRACEBACK:
        assert result["exception"].startswith("Traceback (most recent call last):")
        assert "SmsApiError" in result["exception"]
