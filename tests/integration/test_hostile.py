# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile input and hostile endpoints: no secret out, no credential to a stranger, no hang, no crash.

Each case is a real ``ansible-playbook`` or ``ansible`` run. Where a credential could leak to another host, a
second emulator plays that host behind the recording proxy, and the test proves that nothing reached it.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.emulator.proxy import TunnelProxy
from tests.emulator.sms_emulator import Emulator
from tests.integration.harness import AK, DOMAIN, PASSWORD, PROJECT_ID, SK, TOKEN, USER, sms_task, token_defaults
from tests.integration.pki import make_pki

STRANGER = "attacker.example"
LONG_TOKEN = "MIIlongtoken-" + "QwErTy7uIoP-zXcV" * 10  # 173 characters, as long IAM tokens are


def output(run):
    return run.stdout + run.stderr + json.dumps(run.results)


def fragments(secret, size=12):
    """Every piece of ``secret`` of ``size`` characters: none may appear anywhere."""
    return {secret[start:start + size] for start in range(0, len(secret) - size + 1)}


def leaked(run, secret, size=12):
    text = output(run)
    return sorted(piece for piece in fragments(secret, size) if piece in text)


# ---- 1. secrets with control characters --------------------------------------------------------------------

@pytest.mark.parametrize("where", ["environment", "credentials_file"])
@pytest.mark.parametrize("secret", ["auth_token", "secret_key", "security_token", "password"])
def test_secret_with_a_line_break_is_refused_before_any_request(emulator, adhoc, tmp_path, secret, where):
    values = {"auth_token": {"auth_token": TOKEN},
              "secret_key": {"access_key": AK, "secret_key": SK},
              "security_token": {"access_key": AK, "secret_key": SK, "security_token": "STS-" + "x" * 40},
              "password": {"user_name": USER, "password": PASSWORD, "domain_name": DOMAIN}}[secret]
    values[secret] += "\n"
    env = {"HW_SMS_ENDPOINT": emulator.url, "HW_AUTH_URL": emulator.url + "/v3", "HW_REGION_NAME": "cn-north-4",
           "HW_PROJECT_ID": PROJECT_ID}
    names = {"auth_token": "HW_AUTH_TOKEN", "access_key": "HW_ACCESS_KEY", "secret_key": "HW_SECRET_KEY",
             "security_token": "HW_SECURITY_TOKEN", "user_name": "HW_USER_NAME", "password": "HW_USER_PASSWORD",
             "domain_name": "HW_DOMAIN_NAME"}
    if where == "environment":
        env.update((names[key], value) for key, value in values.items())
    else:
        path = tmp_path / "credentials.json"
        path.write_text(json.dumps(values), encoding="utf-8")
        os.chmod(path, 0o600)
        env["HW_CREDENTIALS_FILE"] = str(path)
    run = adhoc("task_id=t-1 state=absent", env=env)
    assert run.rc != 0
    assert "%s must not contain control characters" % secret in run.stdout
    assert emulator.journal == []  # refused before any request: no 25 s of retries, no header quoted
    assert not leaked(run, values[secret].strip(), size=14)


def test_a_header_the_http_library_refuses_is_not_retried_nor_quoted(emulator, playbook):
    """project_id goes into a header: a line break in it is refused up front too."""
    run = playbook([sms_task(task_id="t-1", state="absent", access_key=AK, secret_key=SK,
                             project_id=PROJECT_ID + "\r\nX-Injected: 1")], defaults={"endpoint": emulator.url})
    assert run.status() == "failed"
    assert "project_id must not contain control characters" in run.result()["msg"]
    assert emulator.journal == []


# ---- 2. region, cloud, endpoint and auth_url cannot send a credential to a stranger ------------------------

@pytest.fixture
def stranger(tmp_path):
    """A stranger's host (an emulator that would accept anything), reachable through the recording proxy."""
    pki = make_pki(tmp_path, [STRANGER, "iam.cn-north-4." + STRANGER, "sms.cn-north-4." + STRANGER])
    with Emulator(tls_certfile=pki["server.pem"], tls_keyfile=pki["server.key"]) as emu:
        route = ("127.0.0.1", emu.port)
        with TunnelProxy({STRANGER: route, "iam.cn-north-4." + STRANGER: route,
                          "sms.cn-north-4." + STRANGER: route}) as proxy:
            emu.ca_path = pki["ca.pem"]
            emu.proxy = proxy
            emu.env = {"HTTPS_PROXY": proxy.url, "https_proxy": proxy.url, "HTTP_PROXY": proxy.url,
                       "http_proxy": proxy.url, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
            yield emu


@pytest.mark.parametrize("region", ["x@%s:443/v3#" % STRANGER, "cn-north-4.%s/v3?" % STRANGER, "CN-NORTH-4",
                                    "cn-north-4 ", "cn_north_4"])
def test_region_must_be_a_region_id(stranger, playbook, region):
    run = playbook([sms_task(task_id="t-1", state="absent", region=region, user_name=USER, password=PASSWORD,
                             domain_name=DOMAIN, ca_path=stranger.ca_path)], env=stranger.env)
    assert run.status() == "failed"
    assert run.result()["msg"].startswith("region must be a region id")
    assert stranger.journal == [] and stranger.proxy.journal == []
    assert PASSWORD not in output(run)


@pytest.mark.parametrize("cloud", ["%s/v3?" % STRANGER, "x@%s" % STRANGER, "%s:443" % STRANGER, "-bad-.com"])
def test_cloud_must_be_a_domain_name(stranger, playbook, cloud):
    run = playbook([sms_task(task_id="t-1", state="absent", region="cn-north-4", cloud=cloud, user_name=USER,
                             password=PASSWORD, domain_name=DOMAIN, ca_path=stranger.ca_path)], env=stranger.env)
    assert run.status() == "failed"
    assert run.result()["msg"].startswith("cloud must be a domain name")
    assert stranger.journal == [] and stranger.proxy.journal == []


@pytest.mark.parametrize("option", ["endpoint", "auth_url"])
def test_urls_with_user_information_are_refused_and_not_echoed(stranger, playbook, option):
    url = "https://admin:hunter2-secret@%s/v3" % STRANGER
    run = playbook([sms_task(task_id="t-1", state="absent", region="cn-north-4", user_name=USER, password=PASSWORD,
                             domain_name=DOMAIN, ca_path=stranger.ca_path, **{option: url})], env=stranger.env)
    assert run.status() == "failed"
    assert "%s must not carry user information" % option in run.result()["msg"]
    assert "hunter2-secret" not in json.dumps(run.result()["msg"])
    assert stranger.journal == [] and stranger.proxy.journal == []


def test_plain_http_is_refused_unless_loopback_or_allowed(stranger, playbook, emulator):
    remote = "http://sms.cn-north-4.%s" % STRANGER
    run = playbook([
        sms_task(_name="remote http", task_id="t-1", state="absent", endpoint=remote, auth_token=TOKEN),
        sms_task(_name="loopback http", task_id="t-1", state="absent", endpoint=emulator.url, auth_token=TOKEN),
        sms_task(_name="allowed", task_id="t-1", state="absent", endpoint=remote, auth_token=TOKEN,
                 allow_http=True, max_retries=0),
    ], env=stranger.env)
    refused = run.result(0)
    assert run.status(0) == "failed"
    assert "endpoint uses plain http" in refused["msg"] and "allow_http: true" in refused["msg"]
    assert run.status(1) == "ok"  # 127.0.0.1 over http: the emulator answered 404, already absent
    assert not any("plain http" in warning for warning in run.result(1).get("warnings", []))
    assert any("plain http" in warning for warning in run.result(2)["warnings"])
    # only the allowed run left this machine (the proxy relays no plain http: it refused, and recorded it)
    assert [(entry["method"], entry["target"]) for entry in stranger.proxy.journal] == [
        ("GET", "http://sms.cn-north-4.%s/v3/tasks/t-1" % STRANGER)]


# ---- 4. messages are masked before they are cut or cleaned ---------------------------------------------------

def test_iam_error_echoing_the_password_shows_no_part_of_it(emulator, playbook):
    password = "correct  horse&battery <staple> " + "x" * 20
    emulator.users[(USER, DOMAIN)] = "something else"
    escaped = password.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    emulator.inject(method="POST", path="/v3/auth/tokens", status=401,
                    body={"error": {"code": 401, "message": "password %s is wrong" % escaped}})
    emulator.inject(method="POST", path="/v3/auth/tokens", status=400, html=True)
    run = playbook([sms_task(task_id="t-1", state="absent", password=password),
                    sms_task(task_id="t-1", state="absent", password=password)],
                   defaults={"endpoint": emulator.url, "auth_url": emulator.url + "/v3", "region": "cn-north-4",
                             "user_name": USER, "domain_name": DOMAIN})
    assert run.status(0) == "failed" and run.status(1) == "failed"
    assert "IAM" in run.result(0)["msg"] or "IAM token" in run.result(0)["msg"]
    assert "(body not shown)" in run.result(1)["msg"]
    assert not leaked(run, password, size=8)
    assert not leaked(run, escaped, size=8)
    assert not leaked(run, " ".join(password.split()), size=8)


def test_sms_error_echoing_a_long_token_shows_no_part_of_it(playbook):
    with Emulator(tokens={LONG_TOKEN}) as emu:
        task = emu.add_task(name="echo")
        # an error page that quotes the token late enough that a 200-character excerpt would cut it
        emu.inject(method="DELETE", status=500, raw=("x" * 150 + " token " + LONG_TOKEN + " rejected").encode())
        # an SMS error whose message quotes the token after 990 characters: cut at 1000, a part would remain
        # (the first run reads the task, and reads it again after the DELETE whose fate the 500 leaves unknown)
        emu.inject(method="GET", path="/v3/tasks/" + task["id"], after=2, status=400,
                   body={"error_code": "SMS.0205", "error_msg": "y" * 990 + " bad token " + LONG_TOKEN})
        run = playbook([sms_task(task_id=task["id"], state="absent", max_retries=0),
                        sms_task(task_id=task["id"], state="absent", max_retries=0)],
                       defaults={"endpoint": emu.url, "auth_token": LONG_TOKEN})
    assert run.status(0) == "failed" and "HTTP 500" in run.result(0)["msg"]
    assert run.status(1) == "failed" and "SMS.0205" in run.result(1)["msg"]
    assert "bad token ********" in run.result(1)["error"]["error_msg"]
    assert not leaked(run, LONG_TOKEN, size=16)


# ---- 5. bounded work --------------------------------------------------------------------------------------

def test_a_huge_body_of_angle_brackets_fails_cleanly(emulator, playbook):
    emulator.inject(method="GET", status=502, raw=b"<" * 2_000_000, times=5)
    run = playbook([sms_task(task_id="t-1", state="absent", max_retries=0)], defaults=token_defaults(emulator))
    assert run.status() == "failed" and "HTTP 502" in run.result()["msg"]
    assert len(run.result()["msg"]) < 1000


def test_an_answer_larger_than_the_limit_is_not_read_to_the_end(emulator, playbook):
    emulator.inject(method="GET", raw=b'{"id": "' + b"a" * (20 * 2 ** 20) + b'"}')
    run = playbook([sms_task(task_id="t-1", state="absent", max_retries=0)], defaults=token_defaults(emulator))
    assert run.status() == "failed"
    assert "larger than 16 MiB" in run.result()["msg"]


@pytest.mark.parametrize("count,size,pages", [(1000, 10, 12), (10 ** 9, 200, 500)])
def test_an_endless_list_is_not_read_forever(emulator, playbook, count, size, pages):
    """Pages that never end: read at most what the first count implies (with pages half full) plus two pages,
    and never more than 500."""
    emulator.inject(method="GET", path="/v3/tasks", endless_count=count, endless_page=size, times=10 ** 6)
    run = playbook([sms_task(name="web-01", state="absent")], defaults=token_defaults(emulator))
    assert run.status() == "failed"
    assert "the list did not end after %d pages" % pages in run.result()["msg"]
    assert len(emulator.journal) == pages + 1


def test_an_endpoint_that_drips_cannot_hold_the_run(emulator, playbook):
    """One byte every two seconds: ``timeout`` bounds the whole answer, not each read."""
    emulator.inject(method="GET", drip=2.0, body={"id": "t-1", "name": "x" * 200})
    run = playbook([sms_task(task_id="t-1", state="absent", timeout=4, max_retries=0)],
                   defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert "within 4 seconds" in result["msg"]
    assert len(emulator.journal) == 1


@pytest.mark.parametrize("status", [200, 500])
def test_deeply_nested_json_is_a_clean_failure(emulator, playbook, status):
    emulator.inject(method="GET", status=status, raw=b"[" * 200_000 + b"]" * 200_000)
    run = playbook([sms_task(task_id="t-1", state="absent", max_retries=0)], defaults=token_defaults(emulator))
    result = run.result()
    assert run.status() == "failed"
    assert result["msg"].startswith("Failed to read SMS task t-1: ") and "HTTP %d" % status in result["msg"]
    # the module's own failure, not a crash: no traceback printed, no RecursionError anywhere (ansible-core before
    # 2.19 keeps the module's traceback of its SmsApiError in the result's exception field, shown at -vvv)
    assert "Traceback" not in run.stdout + run.stderr and "MODULE FAILURE" not in output(run)
    assert "RecursionError" not in output(run)


# ---- 6 and 7. credentials_file: one rule, and its permissions ---------------------------------------------

def write_file(tmp_path, values, mode=0o600):
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    os.chmod(path, mode)
    return str(path)


def test_a_stale_token_in_the_file_does_not_beat_a_complete_aksk_pair(emulator, adhoc, tmp_path):
    path = write_file(tmp_path, {"auth_token": "stale-token-from-the-file"})
    task = emulator.add_task(name="aksk-wins")
    run = adhoc("task_id=%s state=absent wait=false" % task["id"],
                env={"HW_SMS_ENDPOINT": emulator.url, "HW_ACCESS_KEY": AK, "HW_SECRET_KEY": SK,
                     "HW_PROJECT_ID": PROJECT_ID, "HW_CREDENTIALS_FILE": path})
    assert run.rc == 0, run.stdout
    assert "credentials_file also holds auth_token, not used" in output(run)
    assert {entry["auth"] for entry in emulator.journal} == {"aksk"}


def test_environment_access_key_and_file_secret_key_combine(emulator, adhoc, tmp_path):
    """The AWX credential type's shape: the access key in the environment, the secret key in the file."""
    path = write_file(tmp_path, {"secret_key": SK, "auth_token": "", "password": ""})
    task = emulator.add_task(name="awx-shape")
    run = adhoc("task_id=%s state=absent wait=false" % task["id"],
                env={"HW_SMS_ENDPOINT": emulator.url, "HW_ACCESS_KEY": AK, "HW_PROJECT_ID": PROJECT_ID,
                     "HW_CREDENTIALS_FILE": path})
    assert run.rc == 0, run.stdout
    assert "WARNING" not in run.stdout and "[WARNING]" not in run.stderr
    assert {entry["auth"] for entry in emulator.journal} == {"aksk"}


def test_several_complete_methods_say_which_one_was_used(emulator, playbook):
    run = playbook([sms_task(task_id="t-1", state="absent", auth_token=TOKEN, access_key=AK, secret_key=SK)],
                   defaults={"endpoint": emulator.url})
    assert run.status() == "ok"
    assert any(re.search(r"More than one way to authenticate was given \(auth_token, AK/SK\); using auth_token",
                         warning) for warning in run.result()["warnings"])


@pytest.mark.parametrize("mode,warned", [(0o644, True), (0o640, True), (0o600, False), (0o400, False)])
def test_a_credentials_file_open_to_others_is_warned_about(emulator, playbook, tmp_path, mode, warned):
    path = write_file(tmp_path, {"auth_token": TOKEN}, mode)
    run = playbook([sms_task(task_id="t-1", state="absent", credentials_file=path)],
                   defaults={"endpoint": emulator.url})
    assert run.status() == "ok", run.result()["msg"]
    warnings = run.result().get("warnings", [])
    assert any("is open to group or others (mode %03o)" % mode in warning for warning in warnings) is warned
