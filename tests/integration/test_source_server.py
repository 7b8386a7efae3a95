# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``sms_source_server``: the records migrated servers leave behind, removed with the guarantees of ``sms_task``.

Every case is a real ``ansible-playbook`` (or ``ansible``) run against the emulator; what was sent is read from
its journal.
"""

from __future__ import annotations

from tests.integration.harness import token_defaults


def source_server(**params):
    return {"name": params.pop("_name", "sms_source_server"), "hwcloud.sms.sms_source_server": dict(params, state="absent")}


def sent(emulator):
    return [(entry["method"], entry["path"]) for entry in emulator.journal]


def changes(emulator):
    return [(method, path) for method, path in sent(emulator) if method != "GET"]


def test_check_mode_reads_only_then_deletes_then_only_reads(emulator, playbook):
    kept = emulator.add_source(name="keep-me")
    source = emulator.add_source(name="web-01")
    task = emulator.add_task(name="web-01-migration", source_id=source["id"])
    defaults = token_defaults(emulator)

    preview = playbook([source_server(source_server_id=source["id"])], defaults=defaults, check=True, diff=True)
    assert preview.status() == "changed", preview.result()
    assert preview.result()["source_servers"][0]["result"] == "would_delete"
    assert preview.result()["diff"]["after"]["source_servers"] == [{"id": source["id"], "state": "absent"}]
    assert changes(emulator) == [] and source["id"] in emulator.sources

    emulator.journal.clear()
    real = playbook([source_server(source_server_id=source["id"])], defaults=defaults)
    entry = real.result()["source_servers"][0]
    assert real.status() == "changed" and entry["result"] == "deleted", real.result()
    assert changes(emulator) == [("DELETE", "/v3/sources/%s" % source["id"])]
    assert entry["left_behind"]["target_server_vm_id"] == task["target_server"]["vm_id"]
    assert "snapshots" in real.result()["reminder"]
    assert real.result()["source_server"]["id"] == source["id"]
    # nothing outside the request: the other record and the task itself remain
    assert source["id"] not in emulator.sources and kept["id"] in emulator.sources and task["id"] in emulator.tasks

    emulator.journal.clear()
    again = playbook([source_server(source_server_id=source["id"])], defaults=defaults)
    assert again.status() == "ok" and again.result()["source_servers"][0]["result"] == "absent"
    assert {method for method, _path in sent(emulator)} == {"GET"}
