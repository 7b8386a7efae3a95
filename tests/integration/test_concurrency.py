# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Twenty forks deleting twenty tasks at once, and a bulk run over a hundred, under random throttling and 503s."""

from __future__ import annotations

import json
import random

from tests.integration.harness import BIN, TOKEN, run_ansible, sms_task

UNAVAILABLE = {"error_code": "APIGW.0201", "error_msg": "Backend unavailable", "request_id": None}


def deleted_once(emu, ids):
    """Every task gone, and exactly one DELETE (or one batch) carried it out."""
    assert not set(ids) & set(emu.tasks)
    carried_out = {}
    for entry in emu.journal:
        if entry["status"] != 200:
            continue
        if entry["method"] == "DELETE":
            carried_out[entry["task_id"]] = carried_out.get(entry["task_id"], 0) + 1
        elif entry["path"] == "/v3/tasks/delete":
            for task_id in entry["body"]["ids"]:
                carried_out[task_id] = carried_out.get(task_id, 0) + 1
    assert carried_out == dict.fromkeys(ids, 1)


def test_twenty_forks_under_faults(emulator, tmp_path):
    ids = [emulator.add_task(name="fork-%02d" % number)["id"] for number in range(20)]
    bystander = emulator.add_task(name="bystander")["id"]
    chance = random.Random(20)  # faults at random places in the run, the same places every time
    for after in sorted(chance.sample(range(40), 8)):
        emulator.inject_throttle(retry_after="1", after=after)
    for after in sorted(chance.sample(range(40), 8)):
        emulator.inject(status=503, body=UNAVAILABLE, after=after)
    hosts = {"host%02d" % number: {"task_id": task_id} for number, task_id in enumerate(ids)}
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts, "vars": {"ansible_connection": "local"}}}), encoding="utf-8")
    play = [{"name": "forks", "hosts": "all", "gather_facts": False,
             "module_defaults": {"group/hwcloud.sms.sms": {"endpoint": emulator.url, "auth_token": TOKEN,
                                                           "max_retries": 8}},
             "tasks": [sms_task(task_id="{{ task_id }}", state="absent")]}]
    playbook = tmp_path / "forks.yml"
    playbook.write_text(json.dumps(play), encoding="utf-8")
    run = run_ansible([str(BIN / "ansible-playbook"), "-i", str(inventory), "-f", "20", str(playbook)], tmp_path)
    assert run.rc == 0, run.stdout[-3000:]
    assert len(run.results) == 20
    for item in run.results:
        assert item["status"] == "changed"
        assert item["result"]["task"]["id"] == hosts[item["host"]]["task_id"]
        assert item["result"]["msg"].endswith(" deleted")
    assert sum(1 for entry in emulator.journal if entry["fault"]) == 16  # every fault was met and survived
    deleted_once(emulator, ids)
    assert bystander in emulator.tasks


def test_bulk_run_over_a_hundred_under_faults(emulator, playbook):
    ids = [emulator.add_task(name="bulk-%03d" % number)["id"] for number in range(120)]
    bystanders = [emulator.add_task(name="keep-%d" % number)["id"] for number in range(5)]
    emulator.inject_throttle(times=3, retry_after="1")
    emulator.inject(method="GET", status=503, body=UNAVAILABLE, times=2)
    defaults = {"endpoint": emulator.url, "auth_token": TOKEN}
    run = playbook([sms_task(task_ids=ids, state="absent", max_retries=6)], defaults=defaults)
    result = run.result()
    assert run.status() == "changed", result.get("msg")
    assert {entry["result"] for entry in result["tasks"]} == {"deleted"}
    assert sum(1 for entry in emulator.journal if entry["fault"]) == 5
    deleted_once(emulator, ids)
    assert sorted(emulator.tasks) == sorted(bystanders)
