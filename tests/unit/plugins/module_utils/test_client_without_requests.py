# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Without ``requests`` (the modules' documented requirement, README "Requirements"), a module fails with Ansible's
message for a missing library, naming ``requests``, instead of a traceback, and sends nothing.

Run in a fresh interpreter in which ``import requests`` fails, so that the client module is imported as it would be
on a host without the library.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]

PROGRAM = """
import sys
sys.modules["requests"] = None  # import requests now raises ImportError
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from tests.module_args import patch_module_args
from ansible_collections.hwcloud.sms.plugins.modules import sms_task_info
with patch_module_args({"auth_token": "a-token-0123456789", "endpoint": "https://127.0.0.1:9", "max_retries": 0}):
    sms_task_info.main()
"""


def test_a_module_without_requests_fails_naming_the_missing_library():
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(ROOT / "build" / "collections"), str(ROOT)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python library (requests) on "), result["msg"]
    assert "Traceback" not in done.stderr
