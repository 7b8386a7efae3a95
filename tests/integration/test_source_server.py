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
    assert preview.result()["diff"]["after"] == {"id": source["id"], "state": "absent"}
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


def busy_source(emulator, name):
    source = emulator.add_source(name=name)
    task = emulator.add_task(name=name + "-migration", source_id=source["id"], source_state="replicate", connected=True,
                             state="RUNNING")
    return source, task


def test_a_busy_source_without_force_is_refused_and_the_rest_of_the_request_is_not_lost(emulator, playbook):
    busy, busy_task = busy_source(emulator, "db-01")
    idle = [emulator.add_source(name="web-%02d" % number)["id"] for number in range(4)]
    ids = [busy["id"]] + idle
    defaults = token_defaults(emulator)

    preview = playbook([source_server(source_server_ids=ids)], defaults=defaults, check=True)
    results = {entry["id"]: entry for entry in preview.result()["source_servers"]}
    assert preview.status() == "failed" and results[busy["id"]]["result"] == "would_be_refused"
    assert "replicate" in results[busy["id"]]["msg"] and "force" in results[busy["id"]]["msg"]
    assert all(results[source_id]["result"] == "would_delete" for source_id in idle)
    assert changes(emulator) == []

    run = playbook([source_server(source_server_ids=ids)], defaults=defaults)
    results = {entry["id"]: entry for entry in run.result()["source_servers"]}
    assert run.status() == "failed" and run.result()["changed"] is True
    assert results[busy["id"]]["result"] == "refused", results[busy["id"]]
    assert results[busy["id"]]["error"]["status"] == 400
    assert all(results[source_id]["result"] == "deleted" for source_id in idle)
    assert "Could not delete 1 of 5 SMS source servers" in run.result()["msg"]
    # the service decided: the busy record was asked for on its own, and neither it nor its task was touched
    assert ("DELETE", "/v3/sources/%s" % busy["id"]) in changes(emulator)
    assert not any("/v3/tasks" in path for _method, path in changes(emulator))
    assert busy["id"] in emulator.sources and busy_task["id"] in emulator.tasks
    assert not any(source_id in emulator.sources for source_id in idle)


def test_force_stops_and_deletes_the_task_then_the_record(emulator, playbook):
    busy, busy_task = busy_source(emulator, "db-02")
    other_task = emulator.add_task(name="unrelated", source_state="replicate", connected=True, state="RUNNING")
    defaults = token_defaults(emulator)

    preview = playbook([source_server(name="db-02", force=True)], defaults=defaults, check=True)
    entry = preview.result()["source_servers"][0]
    assert preview.status() == "changed" and entry["result"] == "would_delete_tasks_and_delete", entry
    assert entry["task_ids"] == [busy_task["id"]] and changes(emulator) == []

    emulator.journal.clear()
    run = playbook([source_server(name="db-02", force=True)], defaults=defaults)
    entry = run.result()["source_servers"][0]
    assert run.status() == "changed" and entry["result"] == "deleted_with_tasks", run.result()
    assert [task["result"] for task in entry["tasks"]] == ["stopped_and_deleted"]
    order = changes(emulator)
    assert order[0] == ("POST", "/v3/tasks/%s/action" % busy_task["id"])
    task_deletion = order.index(("DELETE", "/v3/tasks/%s" % busy_task["id"])) if ("DELETE", "/v3/tasks/%s" % busy_task["id"]) in order \
        else order.index(("POST", "/v3/tasks/delete"))
    assert task_deletion < order.index(("DELETE", "/v3/sources/%s" % busy["id"])) == len(order) - 1
    assert busy_task["id"] not in emulator.tasks and busy["id"] not in emulator.sources
    assert other_task["id"] in emulator.tasks  # nothing outside the request


def test_bulk_of_120_uses_three_batches_and_attributes_every_outcome(emulator, playbook):
    ids = [emulator.add_source(name="wave-%03d" % number)["id"] for number in range(118)]
    busy, _task = busy_source(emulator, "wave-busy")
    outsider = emulator.add_source(name="not-in-the-wave")
    requested = ids + [busy["id"], "0b6e2f57-3c4d-4e8a-9f10-000000000000"]
    run = playbook([source_server(source_server_ids=requested)], defaults=token_defaults(emulator))
    entries = run.result()["source_servers"]
    assert [entry["id"] for entry in entries] == requested
    results = [entry["result"] for entry in entries]
    assert results[:118] == ["deleted"] * 118 and results[118] == "refused" and results[119] == "absent", results[115:]
    batches = [path for method, path in changes(emulator) if method == "POST"]
    assert set(batches) == {"/v3/sources/delete"} and len(batches) <= 3
    assert outsider["id"] in emulator.sources and busy["id"] in emulator.sources


def test_names_ids_and_empty_lists(emulator, playbook, adhoc):
    first = emulator.add_source(name="twin")
    second = emulator.add_source(name="twin")
    emulator.add_source(name="twin-2")
    run = playbook([source_server(name="twin"), source_server(source_server_id="a/b"),
                    source_server(source_server_ids=["ok", ".."]), source_server(source_server_ids=[]),
                    source_server(name="nobody")], defaults=token_defaults(emulator))
    twins = run.result(0)
    assert run.status(0) == "failed" and sorted(twins["source_server_ids"]) == sorted([first["id"], second["id"]])
    assert "name one by source_server_id" in twins["msg"]
    assert run.status(1) == "failed" and run.result(1)["msg"].startswith("source_server_id may hold only")
    assert run.status(2) == "failed" and "source_server_ids[1]" in run.result(2)["msg"]
    assert run.status(3) == "ok" and run.result(3)["msg"] == "source_server_ids is empty: nothing to delete"
    assert run.status(4) == "ok" and "is visible to these credentials" in run.result(4)["msg"]
    assert "absent" not in run.result(4)["msg"]
    assert changes(emulator) == [] and len(emulator.sources) == 3
    # the two name lookups were the only requests
    assert [path for _method, path in sent(emulator)] == ["/v3/sources", "/v3/sources"]

    emulator.journal.clear()
    result = adhoc("source_server_id=%s state=absent endpoint=%s auth_token=%s" % (
        first["id"], emulator.url, token_defaults(emulator)["auth_token"]), module="hwcloud.sms.sms_source_server",
        args=("--check",))
    assert result.rc == 0 and "would_delete" in result.stdout, result.stdout + result.stderr
    assert changes(emulator) == []
