# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``sms_source_server_info``: every page, the service's filters as it expects them, the exact name, one source by
id, ``deletable`` and what SMS leaves behind, ids refused before any request; only reads, from the journal."""

from __future__ import annotations

from tests.integration.harness import TOKEN, token_defaults

MODULE = "hwcloud.sms.sms_source_server_info"
# The 20 source states and the 6 migration cycles, as the service documents them (sms-api.md sections 3 and 10).
STATES = ("unavailable", "waiting", "initialize", "replicate", "syncing", "stopping", "stopped", "skipping", "deleting",
          "clearing", "cleared", "clearfailed", "premigready", "premiged", "premigfailed", "premiging", "cloning",
          "cutovering", "finished", "error")
CYCLES = ("checking", "setting", "replicating", "syncing", "cutovering", "cutovered")
PAGE = {"limit": "200", "offset": "0"}


def info(loop=None, **params):
    task = {"name": "info", MODULE: params}
    if loop is not None:
        task["loop"] = loop
    return task


def ids(result):
    return [source["id"] for source in result["source_servers"]]


def list_queries(emulator):
    return [entry["query"] for entry in emulator.journal if entry["path"] == "/v3/sources"]


def test_lists_every_page_in_check_mode_with_gets_only(emulator, playbook):
    wave = [emulator.add_source(name="wave-%03d" % number)["id"] for number in range(250)]
    run = playbook([info()], defaults=token_defaults(emulator), check=True)
    assert run.status() == "ok", run.result()
    assert run.result()["changed"] is False
    assert ids(run.result()) == wave
    assert all(source["deletable"] is True and source["deletion_blocker"] is None
               for source in run.result()["source_servers"])
    assert emulator.sent("method", "path") == [("GET", "/v3/sources")] * 2
    assert list_queries(emulator) == [PAGE, {"limit": "200", "offset": "200"}]


def test_name_is_compared_exactly(emulator, playbook):
    web = emulator.add_source(name="web-01")
    emulator.add_source(name="web-01-old")
    emulator.add_source(name="WEB-01")
    run = playbook([info(name="web-01"), info(name="web-0")], defaults=token_defaults(emulator))
    exact, prefix = run.result(0), run.result(1)
    # the service's filter matched all three (it is not exact); only the exact name is returned
    assert ids(exact) == [web["id"]]
    assert exact["source_servers"][0]["name"] == "web-01"
    assert prefix["source_servers"] == [] and run.status(1) == "ok"
    assert list_queries(emulator) == [dict(PAGE, name="web-01"), dict(PAGE, name="web-0")]
    assert emulator.methods() == ["GET", "GET"]


def test_one_source_by_id_and_a_missing_one(emulator, playbook):
    source = emulator.add_source(name="app-01", ip="198.51.100.30")
    run = playbook([info(source_server_id=source["id"]), info(source_server_id="no-such-source")],
                   defaults=token_defaults(emulator))
    shown, missing = run.result(0), run.result(1)
    assert run.status(0) == "ok" and ids(shown) == [source["id"]]
    # the GET-one body: fields list items lack are there
    assert shown["source_servers"][0]["disks"] and shown["source_servers"][0]["ip"] == "198.51.100.30"
    assert run.status(1) == "ok" and missing["source_servers"] == []
    assert emulator.sent("method", "path", "status") == [
        ("GET", "/v3/sources/" + source["id"], 200), ("GET", "/v3/sources/no-such-source", 404)]


def test_a_gateway_404_is_no_absence_and_api_errors_fail(emulator, playbook):
    source = emulator.add_source(name="app-01")
    emulator.inject(method="GET", path="/v3/sources/" + source["id"], status=404,
                    body={"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published",
                          "request_id": None})
    emulator.inject_forbidden(method="GET", path="/v3/sources")
    run = playbook([info(source_server_id=source["id"]), info()], defaults=token_defaults(emulator))
    gateway, forbidden = run.result(0), run.result(1)
    assert run.status(0) == "failed" and "APIGW.0101" in gateway["msg"]
    assert gateway["source_servers"] == []
    assert run.status(1) == "failed" and "SMS.9004" in forbidden["msg"]
    assert forbidden["error"]["status"] == 403 and forbidden["error"]["request_id"]
    assert emulator.methods() == ["GET", "GET"]


def test_filters_are_sent_as_the_service_expects(emulator, playbook):
    by_ip = emulator.add_source(name="by-ip", ip="198.51.100.20")
    online = emulator.add_source(name="online", connected=True)
    in_project = emulator.add_source(name="in-project", migproject="mp-1")
    in_enterprise = emulator.add_source(name="in-enterprise", enterprise_project_id="ep-1")
    rest = [source["id"] for source in (by_ip, in_project, in_enterprise)]
    run = playbook([info(ip="198.51.100.20"), info(connected=True), info(connected=False), info(migproject="mp-1"),
                    info(enterprise_project_id="ep-1"), info(name="online", connected=True, migration_cycle="cutovered")],
                   defaults=token_defaults(emulator))
    assert [run.status(index) for index in range(6)] == ["ok"] * 6
    assert ids(run.result(0)) == [by_ip["id"]]
    assert ids(run.result(1)) == [online["id"]]
    assert ids(run.result(2)) == rest
    assert ids(run.result(3)) == [in_project["id"]]
    assert ids(run.result(4)) == [in_enterprise["id"]]
    assert ids(run.result(5)) == [online["id"]]
    assert list_queries(emulator) == [
        dict(PAGE, ip="198.51.100.20"), dict(PAGE, connected="true"), dict(PAGE, connected="false"),
        dict(PAGE, migproject="mp-1"), dict(PAGE, enterprise_project_id="ep-1"),
        dict(PAGE, name="online", connected="true", migration_cycle="cutovered")]
    # a boolean goes in lower case, as the SDK sends it
    assert [entry["raw_query"] for entry in emulator.journal[1:3]] == [
        "connected=true&limit=200&offset=0", "connected=false&limit=200&offset=0"]
    assert set(emulator.methods()) == {"GET"}


def test_every_state_and_migration_cycle_is_a_filter_the_service_accepts(emulator, playbook):
    by_state = {state: emulator.add_source(name="in-" + state, state=state, migration_cycle=CYCLES[index % len(CYCLES)])
                for index, state in enumerate(STATES)}
    run = playbook([info(state="{{ item }}", loop=list(STATES)), info(migration_cycle="{{ item }}", loop=list(CYCLES))],
                   defaults=token_defaults(emulator))
    states, cycles = run.result(0)["results"], run.result(1)["results"]
    assert [ids(result) for result in states] == [[by_state[state]["id"]] for state in STATES]
    assert [sorted(ids(result)) for result in cycles] == [
        sorted(source["id"] for source in by_state.values() if source["migration_cycle"] == cycle) for cycle in CYCLES]
    assert [query.get("state") for query in list_queries(emulator)] == list(STATES) + [None] * len(CYCLES)
    assert [query.get("migration_cycle") for query in list_queries(emulator)][len(STATES):] == list(CYCLES)
    assert {status for _method, status in emulator.sent("method", "status")} == {200}


def test_deletable_follows_the_current_task(emulator, playbook):
    busy = emulator.add_task(name="db-migration", state="RUNNING", source_state="replicate", connected=True,
                             source_id="src-busy",
                             clone_server={"vm_id": "clone-vm-1", "name": "db-clone", "clone_state": "FINISHED"})
    emulator.add_task(name="offline-migration", state="RUNNING", source_state="replicate", connected=False,
                      source_id="src-offline")
    emulator.add_task(name="done-migration", source_state="finished", connected=True, source_id="src-done")
    emulator.add_source("src-bare", name="bare")
    run = playbook([info(), info(source_server_id="src-busy")], defaults=token_defaults(emulator), check=True)
    listed = {source["id"]: source for source in run.result(0)["source_servers"]}
    assert sorted(listed) == ["src-bare", "src-busy", "src-done", "src-offline"]
    verdicts = {source_id: (source["deletable"], source["deletion_blocker"]) for source_id, source in listed.items()}
    assert verdicts == {
        "src-busy": (False, "the source server is in state 'replicate' and its agent is connected"),
        "src-offline": (True, None), "src-done": (True, None), "src-bare": (True, None)}
    shown = run.result(1)["source_servers"][0]
    assert (shown["deletable"], shown["connected"], shown["current_task"]["id"]) == (False, True, busy["id"])
    # what SMS leaves behind: the target server of the current task, and its clone server
    assert shown["left_behind"] == listed["src-busy"]["left_behind"] == {
        "target_server_vm_id": busy["target_server"]["vm_id"], "clone_server_vm_id": "clone-vm-1", "target_snapshot_id": None}
    assert listed["src-done"]["left_behind"]["target_server_vm_id"] == busy["target_server"]["vm_id"]
    assert not listed["src-done"]["left_behind"]["clone_server_vm_id"]
    assert listed["src-bare"]["left_behind"] == {"target_server_vm_id": None, "clone_server_vm_id": None, "target_snapshot_id": None}
    # the items are the service's, with the three keys added
    assert listed["src-busy"]["current_task"]["state"] == "RUNNING" and listed["src-busy"]["state"] == "replicate"
    assert set(emulator.methods()) == {"GET"}


def test_bad_ids_are_refused_before_any_request(emulator, playbook):
    bad = ["", "a b", "a/b", ".", "..", "a?b", "a#b", "a%2Fb", "x" * 256, "a\nb"]
    run = playbook([info(source_server_id=value) for value in bad] + [info(source_server_id="src-1", name="web")],
                   defaults=token_defaults(emulator))
    assert [run.status(index) for index in range(len(bad) + 1)] == ["failed"] * (len(bad) + 1)
    assert all(run.result(index)["msg"].startswith("source_server_id ") for index in range(len(bad))), \
        [run.result(index)["msg"] for index in range(len(bad))]
    assert "mutually exclusive" in run.result(len(bad))["msg"]
    assert emulator.journal == []


def test_adhoc(emulator, adhoc):
    web = emulator.add_source(name="web-01", connected=True)
    emulator.add_source(name="web-01-old")
    env = {"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN}
    found = adhoc("name=web-01 connected=true", env=env, module=MODULE, args=["--check"])
    assert found.rc == 0, found.stdout + found.stderr
    assert ids(found.result()) == [web["id"]] and found.result()["source_servers"][0]["deletable"] is True
    refused = adhoc("source_server_id=a/b", env=env, module=MODULE)
    assert refused.rc != 0 and "source_server_id may hold only letters, digits, '-' and '_', found '/'" in refused.stdout
    assert emulator.sent("method", "raw_query") == [("GET", "connected=true&limit=200&name=web-01&offset=0")]
