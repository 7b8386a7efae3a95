# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin hwcloud.sms.sms_source through real ``ansible-inventory`` runs against the emulator (its
DOCUMENTATION is the specification): filters sent and checked again, host names, variable prefix, groups, the cache,
a failing page failing the inventory, and no secret at -vvvv."""

from __future__ import annotations

import json

import pytest

from tests.integration.harness import AK, BIN, PROJECT_ID, SK, TOKEN, run_ansible


def inventory(emulator, tmp_path, config, args=("--list",), env=None, name="wave.sms_source.yml"):
    path = tmp_path / name
    path.write_text(json.dumps(dict({"plugin": "hwcloud.sms.sms_source"}, **config)), encoding="utf-8")
    full_env = {"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_TOKEN": TOKEN, "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}
    full_env.update(env or {})
    return run_ansible([str(BIN / "ansible-inventory"), "-i", str(path), *args], tmp_path, full_env)


def listed(run):
    assert run.rc == 0, run.stdout + run.stderr
    return plain(json.loads(run.stdout))


def plain(value):
    """The JSON of ansible-inventory with the marks of untrusted text (``{"__ansible_unsafe": ...}``) taken off."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@pytest.fixture
def wave(emulator):
    """Four source servers: two finished (one connected), one replicating, one with a task."""
    task = emulator.add_task(name="db-01-migration", state="RUNNING", source_state="replicate", connected=True)
    return {
        "web-01": emulator.add_source(name="web-01", ip="192.0.2.11"),
        "web-02": emulator.add_source(name="web-02", ip="192.0.2.12", connected=True),
        "app-01": emulator.add_source(name="app-01", ip="192.0.2.13", state="replicate", migration_cycle="replicating"),
        "db-01": emulator.add_source(name="db-01", ip="192.0.2.14", task_id=task["id"]),
        "task": task,
    }


def test_every_source_server_is_a_host_with_its_variables(emulator, tmp_path, wave):
    found = listed(inventory(emulator, tmp_path, {}))
    hostvars = found["_meta"]["hostvars"]
    assert sorted(hostvars) == ["app-01", "db-01", "web-01", "web-02"]
    web = hostvars["web-01"]
    assert web["ansible_host"] == "192.0.2.11"
    assert (web["sms_id"], web["sms_name"], web["sms_state"], web["sms_migration_cycle"], web["sms_connected"]) == (
        wave["web-01"]["id"], "web-01", "finished", "cutovered", False)
    assert hostvars["db-01"]["sms_current_task_id"] == wave["task"]["id"]
    assert hostvars["db-01"]["sms_current_task_state"] == "RUNNING"
    assert sorted(found["sms_cycle_cutovered"]["hosts"]) == ["db-01", "web-01", "web-02"]
    assert found["sms_cycle_replicating"]["hosts"] == ["app-01"]
    assert [entry["method"] for entry in emulator.journal] == ["GET"]  # one page, no other request


def test_filters_are_sent_where_the_service_has_them_and_checked_again(emulator, tmp_path, wave):
    emulator.ignored_filters = {"state", "migration_cycle", "connected", "name"}  # a gateway that drops the query
    found = listed(inventory(emulator, tmp_path, {"states": ["finished"], "migration_cycles": ["cutovered"],
                                                  "connected": False}))
    assert sorted(found["_meta"]["hostvars"]) == ["db-01", "web-01"]
    query = emulator.journal[0]["query"]
    assert (query["state"], query["migration_cycle"], query["connected"]) == ("finished", "cutovered", "false")
    by_name = listed(inventory(emulator, tmp_path, {"names": ["web-0"]}))  # the service's filter matches in part
    assert by_name["_meta"]["hostvars"] == {}
    by_id = listed(inventory(emulator, tmp_path, {"ids": [wave["web-02"]["id"]], "names": ["web-02", "web-01"]}))
    assert list(by_id["_meta"]["hostvars"]) == ["web-02"]


def test_hostnames_prefix_and_keyed_groups(emulator, tmp_path, wave):
    found = listed(inventory(emulator, tmp_path, {
        "hostnames": ["ip"], "prefix": "mig_", "keyed_groups": [{"key": "mig_state", "prefix": "state"}],
        "groups": {"busy": "mig_current_task_state == 'RUNNING'"}, "compose": {"retire": "mig_name ~ '-retired'"}}))
    hostvars = found["_meta"]["hostvars"]
    assert sorted(hostvars) == ["192.0.2.11", "192.0.2.12", "192.0.2.13", "192.0.2.14"]
    assert hostvars["192.0.2.11"]["mig_name"] == "web-01" and "sms_name" not in hostvars["192.0.2.11"]
    assert hostvars["192.0.2.11"]["retire"] == "web-01-retired"
    assert found["state_replicate"]["hosts"] == ["192.0.2.13"]
    assert found["busy"]["hosts"] == ["192.0.2.14"]
    assert sorted(found["mig_cycle_cutovered"]["hosts"]) == ["192.0.2.11", "192.0.2.12", "192.0.2.14"]


def test_the_second_run_reads_the_cache_without_a_request(emulator, tmp_path, wave):
    config = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
              "cache_timeout": 600}
    first = listed(inventory(emulator, tmp_path, config))
    requests = len(emulator.journal)
    second = inventory(emulator, tmp_path, config, args=("--graph",))
    assert second.rc == 0, second.stderr
    assert len(emulator.journal) == requests == 1
    assert all(name in second.stdout for name in first["_meta"]["hostvars"]) and len(first["_meta"]["hostvars"]) == 4


@pytest.mark.parametrize("fault", ["failing page", "changing list"])
def test_a_failing_listing_fails_the_inventory_never_a_partial_list(emulator, tmp_path, fault):
    for number in range(250):  # two pages
        emulator.add_source(name="src-%03d" % number)
    if fault == "failing page":
        emulator.inject(method="GET", path="/v3/sources", status=403, after=1, times=10,
                        body={"error_code": "SMS.9004", "error_msg": "Not allowed."})
    else:
        emulator.inject(method="GET", path="/v3/sources", endless_count=None, after=1, times=10, status=200,
                        body={"count": 999, "source_servers": []})
    run = inventory(emulator, tmp_path, {"max_retries": 0})
    assert run.rc != 0
    output = run.stdout + run.stderr
    assert "hwcloud.sms.sms_source" in output
    assert ("SMS.9004" in output) if fault == "failing page" else ("list" in output)
    assert "src-000" not in run.stdout


def test_without_failing_on_unparsed_sources_the_inventory_is_empty_not_partial(emulator, tmp_path):
    for number in range(250):
        emulator.add_source(name="src-%03d" % number)
    emulator.inject(method="GET", path="/v3/sources", status=500, after=1, times=10,
                    body={"error_code": "SMS.0000", "error_msg": "Internal error."})
    run = inventory(emulator, tmp_path, {"max_retries": 0}, env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "false"})
    assert json.loads(run.stdout)["_meta"]["hostvars"] == {}


@pytest.mark.parametrize("method", ["token", "aksk"])
def test_no_secret_in_the_output_at_vvvv(emulator, tmp_path, wave, method):
    env = {"HW_AUTH_TOKEN": TOKEN} if method == "token" else {
        "HW_AUTH_TOKEN": "", "HW_ACCESS_KEY": AK, "HW_SECRET_KEY": SK, "HW_PROJECT_ID": PROJECT_ID}
    run = inventory(emulator, tmp_path, {}, args=("--list", "-vvvv"), env=env)
    assert run.rc == 0, run.stdout + run.stderr
    for secret in (TOKEN, SK):
        assert secret not in run.stdout and secret not in run.stderr
    assert "web-01" in run.stdout
