# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decommission role through playbooks/decommission.yml: resolve, delete in one call (which confirms), summarize.

The role asks the service only what it needs: ids need no listing, names and source servers one filtered listing
each (or one listing of everything beyond ``decommission_max_filtered_listings``), and no listing afterwards: its
requests are compared with those of the module run alone on the same account.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.emulator.sms_emulator import Emulator
from tests.integration.harness import BIN, ROOT, TOKEN, run_ansible, sms_task, token_defaults

DELETE_TASK = "Delete the tasks in one bulk call"
FAIL_TASK = "Fail when a task or a source-server record could not be deleted"
# the modules' option name as a word of its own: within the role, messages say decommission_force instead
BARE_FORCE = re.compile(r"(?<![\w-])force(?![\w-])")


def decommission(emu, tmp_path, extravars, check=False):
    path = tmp_path / "extravars.json"
    path.write_text(json.dumps(extravars), encoding="utf-8")
    cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-e", "@%s" % path,
           str(ROOT / "playbooks" / "decommission.yml")]
    if check:
        cmd.append("--check")
    return run_ansible(cmd, tmp_path, {"HW_SMS_ENDPOINT": emu.url, "HW_AUTH_TOKEN": TOKEN})


def summary(run):
    return next(item["result"]["decommission_summary"] for item in run.results if "decommission_summary" in item["result"])


def outcome(run, task_name):
    return next(item for item in run.results if item["task"].endswith(" : " + task_name))


def requests(emu):
    """Every request the service received, as (method, path, query without paging, batch ids), in order."""
    return [(entry["method"], entry["path"],
             tuple(sorted((key, value) for key, value in entry["query"].items() if key not in ("limit", "offset"))),
             tuple((entry["body"] or {}).get("ids", ())) if isinstance(entry["body"], dict) else ())
            for entry in emu.journal]


def module_alone(tmp_path, populate, task_ids, check=False):
    """The requests of hwcloud.sms.sms_task with these task_ids, run alone on a fresh account set up alike."""
    with Emulator() as emu:
        populate(emu)
        play = [{"name": "alone", "hosts": "localhost", "connection": "local", "gather_facts": False,
                 "module_defaults": {"group/hwcloud.sms.sms": token_defaults(emu)},
                 "tasks": [sms_task(task_ids=task_ids, state="absent")]}]
        path = tmp_path / "alone.yml"
        path.write_text(json.dumps(play), encoding="utf-8")
        cmd = [str(BIN / "ansible-playbook"), "-i", "localhost,", str(path)] + (["--check"] if check else [])
        run = run_ansible(cmd, tmp_path)
        assert run.rc == 0, run.stdout
        return requests(emu)


def test_check_mode_then_real_run_then_idempotent(emulator, tmp_path):
    by_id = emulator.add_task(name="by-id")
    by_name = emulator.add_task(name="web-01-migration")
    similar = emulator.add_task(name="web-01-migration-old")
    src = [emulator.add_task(name="src-%d" % n, source_server={"id": "server-9", "state": "finished"})
           for n in range(3)]
    keep = emulator.add_task(name="keep")
    extravars = {"decommission_task_ids": [by_id["id"], "already-gone"], "decommission_task_names": ["web-01-migration"],
                 "decommission_source_server_ids": ["server-9"]}
    wanted = sorted([by_id["id"], by_name["id"]] + [task["id"] for task in src])
    listings = [("GET", "/v3/tasks", (("name", "web-01-migration"),), ()),
                ("GET", "/v3/tasks", (("source_server_id", "server-9"),), ())]

    preview = decommission(emulator, tmp_path, extravars, check=True)
    assert preview.rc == 0, preview.stdout
    assert sorted(summary(preview)["deleted"]) == wanted
    assert summary(preview)["already_absent"] == ["already-gone"]
    assert summary(preview)["msg"] == "SMS tasks: 5 would be deleted, 1 already absent"
    # one filtered listing for the name (which also matches web-01-migration-old), one for the source server, then the
    # module's reads: one page (6 ids among 7 tasks) and SMS's own 404 for the id that no page showed
    assert requests(emulator) == listings + [("GET", "/v3/tasks", (), ()), ("GET", "/v3/tasks/already-gone", (), ())]
    assert len(emulator.tasks) == 7

    emulator.clear_journal()
    real = decommission(emulator, tmp_path, extravars)
    assert real.rc == 0, real.stdout
    assert "WARNING" not in real.stdout + real.stderr, real.stderr
    assert sorted(summary(real)["deleted"]) == wanted
    assert summary(real)["confirmed"] is True
    assert outcome(real, DELETE_TASK)["status"] == "changed"
    posts = emulator.requests(method="POST")
    assert len(posts) == 1 and sorted(posts[0]["body"]["ids"]) == wanted
    assert sorted(emulator.tasks) == sorted([keep["id"], similar["id"]])
    # the two filtered listings, then exactly what the module sends when it runs alone: no listing to verify
    passed = outcome(real, DELETE_TASK)["result"]["invocation"]["module_args"]["task_ids"]
    journal = requests(emulator)
    assert journal[:2] == listings

    def populate(emu):
        for task in (by_id, by_name, similar, *src, keep):
            emu.add_task(task_id=task["id"], name=task["name"], source_server=dict(task["source_server"]))

    assert journal[2:] == module_alone(tmp_path, populate, passed)
    assert len(journal) == 6  # 2 listings; 1 page, 1 read, 1 batch, 1 page to confirm

    emulator.clear_journal()
    again = decommission(emulator, tmp_path, extravars)
    assert again.rc == 0
    assert outcome(again, DELETE_TASK)["status"] == "ok"
    assert summary(again)["deleted"] == []
    assert sorted(summary(again)["already_absent"]) == sorted([by_id["id"], "already-gone"])
    assert summary(again)["msg"] == "Nothing to delete: 2 already absent, 2 ids, names or source servers matched nothing"
    assert [item["status"] for item in again.results if item["status"] == "changed"] == []
    assert {method for method, _path, _query, _ids in requests(emulator)} == {"GET"}
    assert requests(emulator) == listings + [("GET", "/v3/tasks/%s" % by_id["id"], (), ()),
                                             ("GET", "/v3/tasks/already-gone", (), ())]


def populate_wave(emu):
    """An account of 450 tasks; 24 of them (one per source server, three names) are to go."""
    for number in range(426):
        emu.add_task(task_id="keep-%03d" % number, name="keep-%03d" % number)
    for number in range(24):
        emu.add_task(task_id="wave-%02d" % number, name="wave-%02d" % number,
                     source_server={"id": "server-%02d" % number, "state": "finished"})


@pytest.mark.parametrize("selection, own", [
    # ids: the module reads them itself, the role adds no request
    ({"decommission_task_ids": ["wave-%02d" % n for n in range(24)]}, []),
    # source servers: one filtered listing each
    ({"decommission_source_server_ids": ["server-%02d" % n for n in range(5)]},
     [("GET", "/v3/tasks", (("source_server_id", "server-%02d" % n),), ()) for n in range(5)]),
    # names: one filtered listing each (the service's filter may match more; names are compared exactly)
    ({"decommission_task_names": ["wave-01", "wave-02"], "decommission_task_ids": ["wave-03"]},
     [("GET", "/v3/tasks", (("name", "wave-%02d" % n),), ()) for n in (1, 2)]),
    # more source servers than filtered listings: one listing of every task (450 tasks: 3 pages)
    ({"decommission_source_server_ids": ["server-%02d" % n for n in range(12)]}, [("GET", "/v3/tasks", (), ())] * 3),
], ids=["ids", "source-servers", "names", "many-source-servers"])
def test_the_role_adds_to_the_module_only_its_listings(emulator, tmp_path, selection, own):
    populate_wave(emulator)
    run = decommission(emulator, tmp_path, selection)
    assert run.rc == 0, run.stdout
    passed = outcome(run, DELETE_TASK)["result"]["invocation"]["module_args"]["task_ids"]
    assert sorted(summary(run)["deleted"]) == sorted(passed) and len(passed) in (24, 5, 3, 12)
    assert not set(passed) & set(emulator.tasks)
    journal = requests(emulator)
    assert journal[:len(own)] == own
    alone = module_alone(tmp_path, populate_wave, passed)
    assert journal[len(own):] == alone
    # the targets: by ids at most the module's count + 2; by source servers the module's + the filtered listings
    assert len(journal) <= len(alone) + (2 if "decommission_task_ids" in selection and len(selection) == 1 else len(own))


def test_nothing_to_delete_ends_unchanged_with_a_clear_summary(emulator, tmp_path):
    emulator.add_task(name="nobody-else")  # the service's name filter matches it; the exact comparison does not
    running = emulator.add_task(name="running", state="RUNNING", source_state="replicate", connected=True)
    extravars = {"decommission_task_ids": [running["id"], "gone-1"], "decommission_task_names": ["nobody"],
                 "decommission_source_server_ids": ["server-x"], "decommission_allowed_states": ["MIGRATE_SUCCESS"]}
    run = decommission(emulator, tmp_path, extravars)
    assert run.rc == 0, run.stdout
    result = summary(run)
    assert result["msg"] == "Nothing to delete: 1 skipped by state, 3 ids, names or source servers matched nothing"
    assert result["skipped_by_state"] == [running["id"]]
    assert result["not_found"] == {"task_ids": ["gone-1"], "task_names": ["nobody"], "source_server_ids": ["server-x"]}
    assert result["deleted"] == [] and result["not_deleted"] == []
    assert [item["task"] for item in run.results if item["status"] == "changed"] == []
    assert outcome(run, DELETE_TASK)["status"] == "skipped"
    assert "changed=0" in run.stdout and "failed=0" in run.stdout
    # two filtered listings and the module's check-mode read of the two ids no listing showed: nothing else
    assert requests(emulator) == [("GET", "/v3/tasks", (("name", "nobody"),), ()),
                                  ("GET", "/v3/tasks", (("source_server_id", "server-x"),), ()),
                                  ("GET", "/v3/tasks/%s" % running["id"], (), ()), ("GET", "/v3/tasks/gone-1", (), ())]
    assert len(emulator.tasks) == 2


def test_refusal_is_summarized_and_fails_the_run(emulator, tmp_path):
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True)
    idle = emulator.add_task(name="idle", state="MIGRATE_SUCCESS")
    failed = emulator.add_task(name="failed", state="MIGRATE_FAIL")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [busy["id"], idle["id"], failed["id"]],
                                            "decommission_allowed_states": ["MIGRATE_SUCCESS", "RUNNING"]})
    assert run.rc != 0
    result = summary(run)
    assert result["deleted"] == [idle["id"]]
    assert result["skipped_by_state"] == [failed["id"]]
    assert [entry["id"] for entry in result["not_deleted"]] == [busy["id"]]
    assert "SMS.2015" in result["not_deleted"][0]["msg"]
    # the module's hint, in the role's words: the role's option, not the module's
    assert "set decommission_force: true" in result["not_deleted"][0]["msg"]
    assert not BARE_FORCE.search(result["not_deleted"][0]["msg"])
    assert result["not_deleted"][0]["error"]["error_code"] == "SMS.2015"
    assert outcome(run, FAIL_TASK)["status"] == "failed"
    # the refusal is told once, in the summary: not by the module's task, not again by the failure at the end
    assert outcome(run, FAIL_TASK)["result"]["msg"] == (
        "1 SMS task was not deleted (see not_deleted and the not_removed lists in the summary above)")
    assert run.stdout.count("set decommission_force: true") == 1, run.stdout
    assert "FAILED!" not in run.stdout.split("TASK [hwcloud.sms.decommission : Fail when")[0]
    assert sorted(emulator.tasks) == sorted([busy["id"], failed["id"]])
    # the states were seen by the module's own reads (check mode), not by a listing
    assert [entry for entry in emulator.journal if entry["path"] == "/v3/tasks"] == []
    assert [entry["path"] for entry in emulator.journal[:3]] == ["/v3/tasks/%s" % task["id"] for task in (busy, idle, failed)]


def test_nothing_named_and_ambiguous_names_delete_nothing(emulator, tmp_path):
    emulator.add_task(name="twin")
    emulator.add_task(name="twin")
    empty = decommission(emulator, tmp_path, {})
    assert empty.rc != 0 and "Nothing to decommission" in empty.stdout
    twins = decommission(emulator, tmp_path, {"decommission_task_names": ["twin"]})
    assert twins.rc != 0 and "2 SMS tasks are named twin" in twins.stdout
    assert requests(emulator) == [("GET", "/v3/tasks", (("name", "twin"),), ())]
    assert len(emulator.tasks) == 2


def test_allowed_states_in_check_mode_and_odd_inputs(emulator, tmp_path):
    done = emulator.add_task(name="done", state="MIGRATE_SUCCESS")
    running = emulator.add_task(name="running", state="RUNNING", source_state="replicate", connected=True)
    emulator.add_task(name="no-source", source_server=None)
    extravars = {"decommission_task_ids": [done["id"], running["id"], "not-there"],
                 "decommission_task_names": ["nobody"], "decommission_source_server_ids": ["server-x"],
                 "decommission_allowed_states": ["MIGRATE_SUCCESS"]}
    preview = decommission(emulator, tmp_path, extravars, check=True)
    assert preview.rc == 0, preview.stdout
    result = summary(preview)
    assert result["deleted"] == [done["id"]] and result["skipped_by_state"] == [running["id"]]
    assert result["not_found"] == {"task_ids": ["not-there"], "task_names": ["nobody"], "source_server_ids": ["server-x"]}
    assert result["msg"] == ("SMS tasks: 1 would be deleted, 1 skipped by state, "
                             "3 ids, names or source servers matched nothing")
    assert {entry["method"] for entry in emulator.journal} == {"GET"}
    # over the limit of filtered listings: one listing of every task instead
    emulator.clear_journal()
    listed = decommission(emulator, tmp_path, dict(extravars, decommission_max_filtered_listings=1), check=True)
    assert listed.rc == 0 and summary(listed) == result
    assert requests(emulator)[0] == ("GET", "/v3/tasks", (), ())
    assert not [entry for entry in emulator.journal if {"name", "source_server_id"} & set(entry["query"])]
    emulator.clear_journal()
    typo = decommission(emulator, tmp_path, dict(extravars, decommission_allowed_states=["migrate_success"]))
    assert typo.rc != 0 and "decommission_allowed_states: unknown task states migrate_success" in typo.stdout
    assert emulator.journal == []
    assert done["id"] in emulator.tasks and len(emulator.tasks) == 3


def test_selections_given_as_strings_as_an_awx_survey_gives_them(emulator, tmp_path):
    """Ids and states separated by commas, spaces or new lines; names (which may contain spaces) by commas or new
    lines; empty items dropped."""
    ids = [emulator.add_task(task_id="id-%d" % number, name="by-id-%d" % number)["id"] for number in (1, 2, 3)]
    web = emulator.add_task(name="web 01 migration")
    db = emulator.add_task(name="db 02 migration")
    running = emulator.add_task(name="app 03 migration", state="RUNNING", source_state="replicate", connected=True)
    keep = emulator.add_task(name="keep")

    run = decommission(emulator, tmp_path, {"decommission_task_ids": " id-1, id-2\nid-3,, \n"})
    assert run.rc == 0, run.stdout
    assert sorted(summary(run)["deleted"]) == ids
    assert outcome(run, DELETE_TASK)["result"]["invocation"]["module_args"]["task_ids"] == ids
    assert [entry["body"]["ids"] for entry in emulator.requests(method="POST")] == [ids]

    emulator.clear_journal()
    names = decommission(emulator, tmp_path, {"decommission_task_names": "web 01 migration,\r\ndb 02 migration\n"
                                                                         "app 03 migration,",
                                              "decommission_allowed_states": "MIGRATE_SUCCESS\nSYNC_SUCCESS ABORT"})
    assert names.rc == 0, names.stdout
    assert sorted(summary(names)["deleted"]) == sorted([web["id"], db["id"]])
    assert summary(names)["skipped_by_state"] == [running["id"]]
    assert summary(names)["not_found"]["task_names"] == []
    # one filtered listing per name, each name whole
    assert [entry["query"].get("name") for entry in emulator.requests(method="GET", path_prefix="/v3/tasks")
            if "name" in entry["query"]] == ["web 01 migration", "db 02 migration", "app 03 migration"]
    assert sorted(emulator.tasks) == sorted([running["id"], keep["id"]])


@pytest.mark.parametrize("extravars, message", [
    ({"decommission_task_ids": 5}, "decommission_task_ids must be a list, or a string of ids separated by commas, "
                                   "spaces or new lines; got 5"),
    ({"decommission_task_ids": True}, "decommission_task_ids must be a list"),
    ({"decommission_source_server_ids": {"id": "server-1"}}, "decommission_source_server_ids must be a list"),
    ({"decommission_task_names": [{"name": "web-01"}]}, "decommission_task_names must be a list, or a string of "
                                                        "names separated by commas or new lines"),
    ({"decommission_task_ids": "['id-1','id-2']"}, "decommission_task_ids looks like a list written as a string"),
    ({"decommission_task_ids": " [id-1, id-2]", "decommission_allowed_states": 3},
     "decommission_allowed_states must be a list"),
    ({"decommission_task_ids": ", \n"}, "Nothing to decommission"),
], ids=["number", "bool", "mapping", "list-of-mappings", "list-as-a-string", "two-wrong", "only-separators"])
def test_a_selection_of_another_kind_fails_before_any_request(emulator, tmp_path, extravars, message):
    task = emulator.add_task(task_id="id-1", name="web-01")
    run = decommission(emulator, tmp_path, extravars)
    assert run.rc != 0
    assert message in run.stdout, run.stdout
    assert emulator.journal == []
    assert task["id"] in emulator.tasks


def test_api_failure_half_way_still_summarizes(emulator, tmp_path):
    """Credentials refused at the second of three batches (a 401 ends the run; a 403 would not, the module then
    deletes one by one): the summary still tells every task's outcome."""
    ids = [emulator.add_task(name="t-%03d" % number)["id"] for number in range(120)]
    emulator.inject(method="POST", path="/v3/tasks/delete", after=1, status=401,
                    body={"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"})
    run = decommission(emulator, tmp_path, {"decommission_task_ids": ids})
    assert run.rc != 0
    result = summary(run)
    assert len(result["deleted"]) == 50
    assert [entry["result"] for entry in result["not_deleted"]] == ["failed"] * 50 + ["not_attempted"] * 20
    assert "APIGW.0301" in outcome(run, FAIL_TASK)["result"]["msg"]
    assert sorted(emulator.tasks) == sorted(entry["id"] for entry in result["not_deleted"])


@pytest.mark.parametrize("kind", ["left-by-the-batch", "stuck-deleting"])
def test_a_task_that_remains_after_its_deletion_fails_the_run(emulator, tmp_path, kind):
    """The service accepts a deletion, but the task stays: the module's confirmation (wait) must see it, and the role
    must fail rather than report it deleted.

    ``left-by-the-batch``: the batch of four ids answers success but leaves one task alone (out of the credentials'
    reach in a batch), which GET still shows. ``stuck-deleting``: the task stays in DELETING (one id, deleted and
    read on its own).
    """
    if kind == "left-by-the-batch":
        stays = emulator.add_task(name="scoped", scoped=True)
        others = [emulator.add_task(name="real-%d" % number)["id"] for number in range(3)]
    else:
        stays = emulator.add_task(name="stuck", stuck_deleting=True)
        others = []
    keep = emulator.add_task(name="keep")
    run = decommission(emulator, tmp_path, {"decommission_task_ids": [stays["id"]] + others,
                                            "decommission_wait_timeout": 2})
    assert run.rc != 0
    result = summary(run)
    assert [(entry["id"], entry["result"]) for entry in result["not_deleted"]] == [(stays["id"], "timed_out")]
    assert "still present after 2 seconds" in result["not_deleted"][0]["msg"]
    assert sorted(result["deleted"]) == sorted(others) and result["already_absent"] == []
    assert outcome(run, FAIL_TASK)["status"] == "failed"
    assert outcome(run, FAIL_TASK)["result"]["msg"].startswith("1 SMS task was not deleted (see not_deleted")
    assert sorted(emulator.tasks) == sorted([stays["id"], keep["id"]])
    # one deletion was accepted (the batch of every id, or one id's own DELETE), and the module looked again after
    # it, only reading (the role itself sent no request)
    journal = requests(emulator)
    writes = [index for index, entry in enumerate(journal) if entry[0] != "GET"]
    expected_write = (("POST", "/v3/tasks/delete", (), tuple([stays["id"]] + others)) if others
                      else ("DELETE", "/v3/tasks/%s" % stays["id"], (), ()))
    assert [journal[index] for index in writes] == [expected_write]
    looks = journal[writes[0] + 1:]
    assert len(looks) >= 2 and {entry[0] for entry in looks} == {"GET"}
    assert ("GET", "/v3/tasks/%s" % stays["id"], (), ()) in looks
