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
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]

PROGRAM = """
import sys
sys.modules["requests"] = None  # import requests now raises ImportError
from ansible_collections.hwcloud.sms.plugins.modules import sms_task_info
sms_task_info.main()  # AnsibleModule reads its arguments from the file named by sys.argv[1], as on a managed host
"""


def test_a_module_without_requests_fails_naming_the_missing_library(tmp_path):
    arguments = tmp_path / "args.json"
    arguments.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"auth_token": "a-token-0123456789", "endpoint": "https://127.0.0.1:9",
                                                             "max_retries": 0}}), encoding="utf-8")
    path = os.pathsep.join([str(ROOT / "build" / "collections"), str(ROOT)])
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(arguments)], capture_output=True, text=True, timeout=120,
                          check=False, env=dict(os.environ, PYTHONPATH=path))
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python library (requests) on "), result["msg"]
    assert "Traceback" not in done.stderr
