# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration fixtures: real ``ansible-playbook`` and ``ansible`` runs against the SMS emulator.

Each test gets its own emulator on a free port (the ``emulator`` fixture of tests/conftest.py); its journal
shows exactly which requests a run sent.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.harness import BIN, run_ansible


@pytest.fixture
def playbook(tmp_path):
    """Run tasks in a playbook on localhost: ``playbook(tasks, defaults=..., check=..., diff=..., env=...)``.

    ``defaults`` go into ``module_defaults`` for the collection's action group.
    Every task is run with ``ignore_errors`` so that one run can hold several
    cases; read each outcome from ``Run.results``.
    """
    def run(tasks, defaults=None, check=False, diff=False, env=None, args=(), ignore_errors=True):
        play = {"name": "test", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": []}
        if defaults is not None:
            play["module_defaults"] = {"group/hwcloud.sms.sms": defaults}
        for task in tasks:
            task = dict(task)
            if ignore_errors:
                task.setdefault("ignore_errors", True)
            play["tasks"].append(task)
        path = tmp_path / "playbook.yml"
        path.write_text(json.dumps([play], indent=1), encoding="utf-8")
        cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", str(path)]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        cmd.extend(args)
        return run_ansible(cmd, tmp_path, env)
    return run


@pytest.fixture
def adhoc(tmp_path):
    """Run ``ansible localhost -m hwcloud.sms.sms_task -a <args>``."""
    def run(module_args, env=None, args=(), module="hwcloud.sms.sms_task"):
        cmd = [str(BIN / "ansible"), "localhost", "-i", "localhost,", "-c", "local", "-m", module,
               "-a", module_args]
        cmd.extend(args)
        return run_ansible(cmd, tmp_path, env)
    return run
