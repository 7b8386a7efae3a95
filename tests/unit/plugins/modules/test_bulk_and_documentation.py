# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the manuals promise, checked in-process: the documented defaults are the ones the modules apply, and
``task_ids`` reads as its documentation says (one list page for a few tasks among few, a busy task found in a page
read on its own, since list items do not say whether the agent is connected)."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import yaml

from ansible_collections.hwcloud.sms.plugins.doc_fragments import connection
from ansible_collections.hwcloud.sms.plugins.module_utils.options import CONNECTION_ARGUMENT_SPEC
from ansible_collections.hwcloud.sms.plugins.modules import sms_source_server, sms_source_server_info, sms_task, sms_task_info
from tests.conftest import TOKEN
from tests.module_args import patch_module_args

REFUSAL_HINT = "Stop the task first, or set force: true to stop it and then delete it."
MODULES = (sms_task, sms_task_info, sms_source_server, sms_source_server_info)


class SpecSeen(Exception):
    """Raised instead of building the module: carries the argument spec main() was about to use."""


def argument_spec(module, monkeypatch):
    def capture(argument_spec, **kwargs):
        raise SpecSeen(argument_spec)

    monkeypatch.setattr(module, "SmsModule", capture)
    with pytest.raises(SpecSeen) as seen:
        module.main()
    return seen.value.args[0]


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_each_documented_default_is_the_default_applied(module, monkeypatch):
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]
    spec = argument_spec(module, monkeypatch)
    assert sorted(documented) == sorted(spec)
    for name, doc in documented.items():
        assert spec[name].get("default") == doc.get("default"), name
        assert spec[name].get("type", "str") == doc.get("type", "str"), name


def test_the_connection_defaults_are_the_documented_ones():
    documented = yaml.safe_load(connection.ModuleDocFragment.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(CONNECTION_ARGUMENT_SPEC)
    for name, doc in documented.items():
        assert CONNECTION_ARGUMENT_SPEC[name].get("default") == doc.get("default"), name


def run_task_ids(emu, ids, check, **more):
    out = io.StringIO()
    args = dict(more, task_ids=ids, state="absent", endpoint=emu.url, auth_token=TOKEN, max_retries=0,
                _ansible_check_mode=check)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task.main()
    return json.loads(out.getvalue())


def test_few_tasks_among_few_cost_one_page_and_a_busy_one_is_read_on_its_own(emulator):
    idle = [emulator.add_task(name="idle-%d" % number)["id"] for number in range(4)]
    # busy by its source state, but its agent is gone: deletable, which only a read of its own can tell
    loose = emulator.add_task(name="loose", source_state="replicate", connected=False, state="RUNNING")["id"]
    result = run_task_ids(emulator, idle + [loose], check=True)
    assert [entry["result"] for entry in result["tasks"]] == ["would_delete"] * 5
    assert result["msg"] == "5 SMS tasks: 5 would be deleted"
    assert [(entry["method"], entry["path"]) for entry in emulator.journal] == [
        ("GET", "/v3/tasks"), ("GET", "/v3/tasks/%s" % loose)]


def test_with_force_a_busy_task_is_predicted_stopped_and_deleted_not_refused(emulator):
    """Check mode with force: a busy task would be stopped and deleted, so its entry is no refusal (RETURN: msg says
    why a task was not deleted, when it was not) and the run changes something."""
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True, state="RUNNING")
    result = run_task_ids(emulator, [busy["id"]], check=True, force=True)
    assert not result.get("failed"), result["msg"]
    (entry,) = result["tasks"]
    assert (entry["result"], result["changed"]) == ("would_stop_and_delete", True)
    assert "cannot be deleted" not in entry.get("msg", "") and REFUSAL_HINT not in entry.get("msg", ""), entry


def test_the_bulk_message_counts_each_result(emulator):
    idle = [emulator.add_task(name="idle-%d" % number)["id"] for number in range(2)]
    result = run_task_ids(emulator, idle + ["0b6e2f57-3c4d-4e8a-9f10-000000000000"], check=False)
    assert not result.get("failed")
    assert result["msg"] == "3 SMS tasks: 1 absent, 2 deleted"


@pytest.mark.parametrize("tasks, positions", [
    # 250 tasks: the first page shows three of the four wanted; one page (of 50) is left for one unseen id
    (250, [0, 1, 2, 230]),
    # 401 tasks: the first page shows two of the four; 201 tasks, two pages, are left for two unseen ids
    (401, [0, 1, 399, 400]),
])
def test_the_unseen_tasks_are_read_on_their_own_when_the_pages_left_are_not_fewer(emulator, tasks, positions):
    """The rule of the documentation: pages are read on only while the pages left are fewer than the ids not seen
    yet; here they are not, after the first page, so the unseen ids are read on their own."""
    ids = [emulator.add_task(name="t-%03d" % number)["id"] for number in range(tasks)]
    wanted = [ids[position] for position in positions]
    result = run_task_ids(emulator, wanted, check=True)
    assert [entry["result"] for entry in result["tasks"]] == ["would_delete"] * 4
    assert [(entry["method"], entry["path"], entry["query"].get("offset")) for entry in emulator.journal] == [
        ("GET", "/v3/tasks", "0")] + [("GET", "/v3/tasks/%s" % ids[position], None) for position in positions
                                      if position >= 200]  # beyond the first page of 200


def test_three_tasks_are_read_and_confirmed_one_by_one(emulator):
    """Up to three ids are read one by one (the documentation of task_ids), and so are their confirmations."""
    ids = [emulator.add_task(name="t-%d" % number)["id"] for number in range(3)]
    result = run_task_ids(emulator, ids, check=False)
    assert [entry["result"] for entry in result["tasks"]] == ["deleted"] * 3
    one_by_one = [("GET", "/v3/tasks/%s" % task_id) for task_id in ids]
    assert [(entry["method"], entry["path"]) for entry in emulator.journal] == (
        one_by_one + [("POST", "/v3/tasks/delete")] + one_by_one)


def test_ten_tasks_among_ten_thousand_cost_the_documented_22_requests(emulator):
    """The example of the task_ids documentation: 1 page, 10 reads, 1 batch, 10 confirmations. Fewer ids than
    the account has pages (10 of 50) are confirmed each on its own, with no list page."""
    for number in range(9990):
        emulator.add_task(name="keep-%05d" % number)
    ids = [emulator.add_task(name="wave-%d" % number)["id"] for number in range(10)]  # beyond the first page
    result = run_task_ids(emulator, ids, check=False)
    assert (result["msg"], result["changed"]) == ("10 SMS tasks: 10 deleted", True)
    one_by_one = [("GET", "/v3/tasks/%s" % task_id) for task_id in ids]
    assert [(entry["method"], entry["path"]) for entry in emulator.journal] == (
        [("GET", "/v3/tasks")] + one_by_one + [("POST", "/v3/tasks/delete")] + one_by_one)
    assert len(emulator.tasks) == 9990


def test_as_many_ids_as_the_account_has_pages_are_confirmed_each_on_its_own(emulator):
    """800 tasks are 4 pages: 4 ids on the last page are found by reading the 4 pages, and their confirmation
    follows the same rule (pages read on only while the pages left are fewer than the ids not seen yet): 4 pages
    left are not fewer than 4 ids, so each id is read on its own."""
    for number in range(796):
        emulator.add_task(name="keep-%03d" % number)
    ids = [emulator.add_task(name="wave-%d" % number)["id"] for number in range(4)]
    result = run_task_ids(emulator, ids, check=False)
    assert result["msg"] == "4 SMS tasks: 4 deleted"
    assert [(entry["method"], entry["path"], entry["query"].get("offset")) for entry in emulator.journal] == (
        [("GET", "/v3/tasks", str(offset)) for offset in (0, 200, 400, 600)] + [("POST", "/v3/tasks/delete", None)]
        + [("GET", "/v3/tasks/%s" % task_id, None) for task_id in ids])


def test_a_task_this_run_stopped_and_deleted_is_confirmed_gone_by_the_list_alone(emulator):
    """Four ids in a one-page account: the confirmation reads the list, which alone confirms the deletions this
    run saw accepted, the stopped task's included (docs/modules.md, task_ids)."""
    idle = [emulator.add_task(name="idle-%d" % number)["id"] for number in range(3)]
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True, state="RUNNING")["id"]
    out = io.StringIO()
    args = dict(task_ids=idle + [busy], state="absent", force=True, endpoint=emulator.url, auth_token=TOKEN,
                max_retries=0, wait_timeout=30)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task.main()
    result = json.loads(out.getvalue())
    assert [entry["result"] for entry in result["tasks"]] == ["deleted"] * 3 + ["stopped_and_deleted"], result
    after_the_batch = [(entry["method"], entry["path"]) for entry in emulator.journal][-2:]
    assert after_the_batch == [("POST", "/v3/tasks/delete"), ("GET", "/v3/tasks")]
    assert not emulator.tasks


def test_a_task_this_run_deleted_missing_from_the_whole_list_needs_no_read_of_its_own(emulator):
    """Four ids in a one-page account: one is gone at once, three are still listed while the service deletes them.
    The first confirmation round reads the list to its end; the list alone confirms the deletion of the task it
    showed before and no longer shows (docs/modules.md, task_ids), so that task is never read on its own. The three
    left are up to three ids: the next round reads each on its own (the rule of task_ids)."""
    quick = emulator.add_task(name="quick")["id"]
    slow = [emulator.add_task(name="slow-%d" % number, deleting_polls=1)["id"] for number in range(3)]
    result = run_task_ids(emulator, [quick] + slow, check=False)
    assert result["msg"] == "4 SMS tasks: 4 deleted"
    assert [(entry["method"], entry["path"]) for entry in emulator.journal] == [
        ("GET", "/v3/tasks"), ("POST", "/v3/tasks/delete"), ("GET", "/v3/tasks")] + [
        ("GET", "/v3/tasks/%s" % task_id) for task_id in slow]
    assert "/v3/tasks/%s" % quick not in [entry["path"] for entry in emulator.journal]
    assert not emulator.tasks


def test_tasks_already_being_deleted_are_confirmed_gone_by_a_complete_listing_that_showed_them(emulator):
    """Four tasks the service is deleting before the run, in a one-page account: the first listing of the run shows
    them, and a later complete listing that no longer shows them is SMS's word that they are gone (docs/modules.md:
    absence from a complete listing that showed the id earlier in the same run). None is read on its own."""
    ids = [emulator.add_task(name="going-%d" % number, state="DELETING", deleting_polls=1)["id"] for number in range(4)]
    result = run_task_ids(emulator, ids, check=False)
    assert not result.get("failed"), result["msg"]
    assert [(entry["result"], entry["msg"]) for entry in result["tasks"]] == [
        ("deleting", "SMS task %s (going-%d) was already being deleted and is now gone" % (task_id, number))
        for number, task_id in enumerate(ids)]
    assert result["changed"] is False
    assert [(entry["method"], entry["path"]) for entry in emulator.journal] == [("GET", "/v3/tasks")] * 2
    assert not emulator.tasks


def test_a_task_being_deleted_that_no_listing_showed_is_confirmed_only_by_its_own_read(emulator):
    """Five tasks the service is deleting before the run; a listing does not show one of them (hidden, as an
    enterprise-project filter hides a task): it is read on its own, and only SMS's own 404 to a read of it confirms
    it gone, while the complete listing confirms the four it showed before."""
    listed = [emulator.add_task(name="going-%d" % number, state="DELETING", deleting_polls=1)["id"]
              for number in range(4)]
    hidden = emulator.add_task(name="going-hidden", state="DELETING", deleting_polls=2, hidden=True)["id"]
    result = run_task_ids(emulator, listed + [hidden], check=False)
    assert not result.get("failed"), result["msg"]
    assert [entry["result"] for entry in result["tasks"]] == ["deleting"] * 5
    assert result["changed"] is False
    assert [(entry["method"], entry["path"], entry["status"]) for entry in emulator.journal] == [
        ("GET", "/v3/tasks", 200), ("GET", "/v3/tasks/" + hidden, 200),  # the first read
        ("GET", "/v3/tasks", 200), ("GET", "/v3/tasks/" + hidden, 404)]  # the confirmation
    assert not emulator.tasks


def test_a_confirmation_that_stops_after_a_page_reads_the_unseen_tasks_on_their_own(emulator):
    """Five ids among 800 tasks (4 pages): the confirmation reads list pages. After the deletion, the first page
    still shows the three tasks the service is still deleting; 3 pages are left for the 2 tasks not seen, so by the
    rule of task_ids (pages read on only while the pages left are fewer than the ids not seen yet) those two are
    read on their own, and SMS's 404 for each confirms it gone. The next round has three ids left, which are read
    each on its own (up to three ids are)."""
    quick = [emulator.add_task(name="quick-%d" % number)["id"] for number in range(2)]
    slow = [emulator.add_task(name="slow-%d" % number, deleting_polls=1)["id"] for number in range(3)]
    for number in range(795):
        emulator.add_task(name="keep-%03d" % number)
    result = run_task_ids(emulator, quick + slow, check=False)
    assert result["msg"] == "5 SMS tasks: 5 deleted"
    after_the_batch = [entry for entry in emulator.journal if entry["method"] == "GET"][1:]
    assert [(entry["path"], entry["query"].get("offset"), entry["status"]) for entry in after_the_batch] == (
        [("/v3/tasks", "0", 200)] + [("/v3/tasks/" + task_id, None, 404) for task_id in quick + slow])
    assert len(emulator.tasks) == 795


def test_only_a_task_that_is_or_would_be_gone_names_what_it_leaves_behind(emulator):
    idle = emulator.add_task(name="idle")
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True, state="RUNNING")
    result = run_task_ids(emulator, [idle["id"], busy["id"], "0b6e2f57-3c4d-4e8a-9f10-000000000000"], check=False)
    deleted, refused, absent = result["tasks"]
    assert (deleted["result"], refused["result"], absent["result"]) == ("deleted", "refused", "absent")
    # RETURN: name and source_server_id of a found task (the record sms_source_server removes); none of an absent one
    assert (deleted["name"], deleted["source_server_id"]) == ("idle", idle["source_server"]["id"])
    assert (refused["name"], refused["source_server_id"]) == ("busy", busy["source_server"]["id"])
    assert "name" not in absent and "source_server_id" not in absent
    assert deleted["left_behind"]["target_server_vm_id"] == idle["target_server"]["vm_id"]
    assert "left_behind" not in refused and "left_behind" not in absent


def test_a_task_still_present_when_wait_timeout_passes_is_timed_out(emulator):
    """RETURN: timed_out, wait_timeout passed; the module fails, and the other task's deletion still counts."""
    stuck = emulator.add_task(name="stuck", stuck_deleting=True)
    quick = emulator.add_task(name="quick")
    result = run_task_ids(emulator, [stuck["id"], quick["id"]], check=False, wait_timeout=0)
    assert result["failed"] is True
    assert result["changed"] is True
    assert [(entry["id"], entry["result"]) for entry in result["tasks"]] == [
        (stuck["id"], "timed_out"), (quick["id"], "deleted")]
    assert result["tasks"][0]["msg"] == ("SMS task %s (stuck): its deletion was accepted, but it is still present after 0 "
                                         "seconds, in state DELETING, source server state deleting. SMS may still be "
                                         "deleting it: run the task again to confirm that it is gone, or raise "
                                         "wait_timeout" % stuck["id"])
    assert result["tasks"][1]["msg"] == "SMS task %s (quick) deleted" % quick["id"]
    assert result["msg"] == "Could not delete 1 of 2 SMS tasks (1 deleted, 1 timed out): %s: %s" % (
        stuck["id"], result["tasks"][0]["msg"])


def test_only_a_refusal_is_told_how_to_get_past_it(emulator):
    """The service's refusal of a busy task fails it with the hint of sms_task (docs/modules.md: "its code and a hint");
    another failure, a permission refused (403 SMS.9004), is no matter of stopping the task and gets no hint."""
    busy = emulator.add_task(name="busy", source_state="replicate", connected=True, state="RUNNING")
    locked = emulator.add_task(name="locked", source_state="replicate", connected=True, state="RUNNING")
    emulator.inject_forbidden(method="DELETE", path="/v3/tasks/%s" % locked["id"])
    result = run_task_ids(emulator, [busy["id"], locked["id"]], check=False)
    assert result["failed"] is True
    refused, failed = result["tasks"]
    assert (refused["result"], failed["result"]) == ("refused", "failed")
    assert refused["msg"].endswith(". " + REFUSAL_HINT), refused["msg"]
    assert "SMS.9004" in failed["msg"] and "force" not in failed["msg"], failed["msg"]


@pytest.mark.parametrize("status, outcome, changed", [
    # a batch that failed with anything but 401 or 403 may have deleted some of its ids before failing: the fate of
    # the task is unknown, so SMS's own 404 to the read after the DELETE's 404 means the batch deleted it
    (400, "deleted", True),
    (499, "deleted", True),
    (500, "deleted", True),
    (503, "deleted", True),
    # a batch denied (403) deleted nothing: the deletion was rejected, and a task gone since vanished on its own
    (403, "vanished", False),
])
def test_a_task_gone_after_a_failed_batch_was_deleted_by_it_unless_the_batch_was_denied(
        emulator, status, outcome, changed):
    """A batch that fails (but for 401) falls back to one DELETE per task (docs/modules.md); a 404 to that DELETE is
    followed by a read of the task, and SMS's own 404 to it decides between deleted (the task's fate was unknown)
    and vanished (its deletion was rejected). The other task of the batch is refused its own DELETE (403), so that
    changed is the first task's alone: after a batch of unknown fate it is read again too, and found still there."""
    task = emulator.add_task(name="web-01")
    other = emulator.add_task(name="web-02")
    emulator.inject(method="POST", path="/v3/tasks/delete", status=status,
                    body={"error_code": "SMS.2007" if status >= 500 else "SMS.9004" if status == 403 else "SMS.2015",
                          "error_msg": "batch not done"})
    for method, after in (("DELETE", 0), ("GET", 1)):  # the GET after the first read
        emulator.inject(method=method, path="/v3/tasks/%s" % task["id"], status=404, after=after,
                        body={"error_code": "SMS.1801", "error_msg": "The task does not exist."})
    emulator.inject_forbidden(method="DELETE", path="/v3/tasks/%s" % other["id"])
    result = run_task_ids(emulator, [task["id"], other["id"]], check=False, wait=False)
    assert result["failed"] is True
    assert [(entry["id"], entry["result"]) for entry in result["tasks"]] == [
        (task["id"], outcome), (other["id"], "failed")]
    assert result["changed"] is changed
    assert result["tasks"][0]["msg"] == {
        "deleted": "SMS task %s (web-01) deleted" % task["id"],
        "vanished": "SMS task %s (web-01) vanished before this run deleted it (SMS says it does not exist)" % task["id"],
    }[outcome]
    assert result["tasks"][1]["error"]["error_code"] == "SMS.9004"
    read_again = [("GET", "/v3/tasks/%s" % other["id"])] if status != 403 else []
    assert [(entry["method"], entry["path"]) for entry in emulator.journal] == [
        ("GET", "/v3/tasks/%s" % task["id"]), ("GET", "/v3/tasks/%s" % other["id"]), ("POST", "/v3/tasks/delete"),
        ("DELETE", "/v3/tasks/%s" % task["id"]), ("GET", "/v3/tasks/%s" % task["id"]),
        ("DELETE", "/v3/tasks/%s" % other["id"])] + read_again
    assert other["id"] in emulator.tasks


@pytest.mark.parametrize("code", ["SMS.2252", "SMS.1801"])
def test_a_404_to_the_delete_of_a_task_still_there_is_a_failure(emulator, code):
    """A 404 to a write may have another meaning than "no such task" (SMS.2252): the task is read again, and one
    still there failed, with nothing changed, whatever the 404 said."""
    task = emulator.add_task(name="web-01")
    emulator.inject(method="DELETE", path="/v3/tasks/%s" % task["id"], status=404,
                    body={"error_code": code, "error_msg": "not found"})
    result = run_task_ids(emulator, [task["id"]], check=False)
    assert result["failed"] is True
    assert result["changed"] is False
    (entry,) = result["tasks"]
    assert (entry["result"], entry["error"]["status"], entry["error"]["error_code"]) == ("failed", 404, code)
    assert entry["msg"].startswith("Failed to delete SMS task %s: %s not found (HTTP 404" % (task["id"], code))
    assert [(item["method"], item["path"]) for item in emulator.journal] == [
        ("GET", "/v3/tasks/%s" % task["id"]), ("DELETE", "/v3/tasks/%s" % task["id"]), ("GET", "/v3/tasks/%s" % task["id"])]
    assert task["id"] in emulator.tasks


def test_no_secret_given_as_an_option_comes_back_in_the_result(emulator):
    secrets = {"auth_token": TOKEN, "secret_key": "SK-given-but-not-used-0001", "security_token": "ST-given-but-not-used-01",
               "password": "PW-given-but-not-used-01"}
    emulator.add_task(task_id="t-1", name="web-01")
    out = io.StringIO()
    args = dict(secrets, task_id="t-1", state="absent", endpoint=emulator.url, max_retries=0, access_key="AK-0001",
                user_name="u", domain_name="d", _ansible_check_mode=True)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task.main()
    text = out.getvalue()
    assert json.loads(text)["changed"] is True
    for value in secrets.values():
        assert value not in text


def test_a_confirmation_goes_on_after_a_task_already_confirmed_gone(emulator):
    """The wait reads, round after round, every task not yet confirmed gone: one confirmed early must not end the
    round before the others were read."""
    quick = emulator.add_task(name="quick")
    slow = emulator.add_task(name="slow", deleting_polls=3)
    out = io.StringIO()
    args = dict(task_ids=[quick["id"], slow["id"]], state="absent", endpoint=emulator.url, auth_token=TOKEN,
                max_retries=0, wait_timeout=30)
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task.main()
    result = json.loads(out.getvalue())
    assert [entry["result"] for entry in result["tasks"]] == ["deleted", "deleted"], result
    last_read = [entry for entry in emulator.journal if entry["path"] == "/v3/tasks/%s" % slow["id"]][-1]
    assert (last_read["method"], last_read["status"]) == ("GET", 404)
    assert slow["id"] not in emulator.tasks


def test_ids_all_on_the_first_page_cost_that_page_alone(emulator):
    """task_ids documentation: pages are read on only while the pages left are fewer than the ids not seen yet."""
    ids = [emulator.add_task(name="wave-%d" % number)["id"] for number in range(4)]
    for number in range(996):
        emulator.add_task(name="keep-%03d" % number)
    assert run_task_ids(emulator, ids, check=True)["msg"] == "4 SMS tasks: 4 would be deleted"
    # all 4 ids are on the first page of 5: none is left unseen, so no page more is read
    assert [(entry["method"], entry["path"], entry["query"].get("offset")) for entry in emulator.journal] == [
        ("GET", "/v3/tasks", "0")]


def test_refused_credentials_after_a_batch_of_unknown_fate_report_every_task_as_possibly_deleted(emulator):
    """A batch that failed with a server error may have deleted some ids; the single DELETE that follows meets
    refused credentials, which end the run. No task was read again, so each may have been deleted: failed, and the
    run changed something."""
    ids = [emulator.add_task(name="t-%d" % number)["id"] for number in range(3)]
    emulator.inject(method="POST", path="/v3/tasks/delete", status=500,
                    body={"error_code": "SMS.2007", "error_msg": "Backend exception"})
    emulator.inject(method="DELETE", path="/v3/tasks/" + ids[0], status=401,
                    body={"error_code": "APIGW.0301", "error_msg": "token expired"})
    result = run_task_ids(emulator, ids, check=False)
    assert result["failed"] is True
    assert result["changed"] is True
    assert result["msg"].startswith("Failed to delete SMS task %s: APIGW.0301 token expired (HTTP 401" % ids[0])
    assert [entry["result"] for entry in result["tasks"]] == ["failed"] * 3
    for number, entry in enumerate(result["tasks"]):
        assert entry["msg"].startswith("SMS task %s (t-%d) may have been deleted: Failed to delete " % (ids[number], number))
        assert entry["msg"].endswith("; the run stopped before it was read again. Run the task again to find out")
    # after the 401, nothing more is sent: no other DELETE, no read
    assert [(entry["method"], entry["path"]) for entry in emulator.journal][3:] == [
        ("POST", "/v3/tasks/delete"), ("DELETE", "/v3/tasks/" + ids[0])]
