# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options through a module's real ``main()`` (sms_task_info, in-process, against the emulator):
what a credentials file contributes, which project the signed requests name, the warnings a user sees, and the
refusals that come before any request. Written from the ``credentials_file``, ``project_id``, ``project_name`` and
``validate_certs`` documentation (doc_fragments/connection.py) and the docs/connection.md "Connection and credentials".
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import warnings

import pytest
from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.hwcloud.sms.plugins.modules import sms_task_info
from tests.conftest import AK, PROJECT_ID, SK, TOKEN
from tests.emulator.sms_emulator import Emulator
from tests.integration.pki import make_pki
from tests.module_args import patch_module_args

# the emulator's two projects (Emulator.projects): cn-north-4's, and ap-southeast-3's
OTHER_PROJECT_ID = "fedcba9876543210fedcba9876543210"


@pytest.fixture(autouse=True)
def no_credentials_in_the_environment(monkeypatch):
    for name in ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_AUTH_TOKEN", "HW_REGION_NAME", "HW_PROJECT_ID",
                 "HW_PROJECT_NAME", "HW_DOMAIN_NAME", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_AUTH_URL", "HW_CLOUD",
                 "HW_SITE", "HW_SMS_ENDPOINT", "HW_CREDENTIALS_FILE", "HW_MAX_RETRIES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Ansible keeps a module's warnings for the process: each run here starts without the earlier runs' ones."""
    # an empty container of the kind this ansible-core keeps them in (a dict since 2.19, a list before)
    monkeypatch.setattr(ansible_warnings, "_global_warnings", type(ansible_warnings._global_warnings)())  # pylint: disable=protected-access


def warnings_of(result):
    """The texts of the warnings a run returned (each is a structured event on ansible-core 2.19)."""
    return [warning["event"]["msg"] if isinstance(warning, dict) else warning for warning in result.get("warnings", [])]


def run(**args):
    out = io.StringIO()
    with patch_module_args(dict({"max_retries": 0}, **args)), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            sms_task_info.main()
    return json.loads(out.getvalue())


def credentials_file(tmp_path, values, mode=0o600):
    path = tmp_path / "hw-credentials.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    os.chmod(path, mode)
    return str(path)


def signed_sms_requests(emu):
    """(path, X-Project-Id) of every SMS request, and the IAM project lookups apart."""
    sms = [(entry["path"], entry["headers"].get("x-project-id")) for entry in emu.journal if not entry["path"].startswith("/v3/projects")]
    lookups = [entry["query"].get("name") for entry in emu.journal if entry["path"] == "/v3/projects"]
    return sms, lookups


@pytest.mark.parametrize("credentials", [
    dict(user_name="sms-operator", password="Pa55w0rd-example!", domain_name="example-domain"),
    dict(access_key=AK, secret_key=SK),
], ids=["password", "aksk"])
def test_a_custom_endpoint_outside_the_cloud_without_auth_url_is_refused_before_any_request(emulator, credentials):
    """docs/modules.md: credentials never go to the public IAM of the region for another endpoint."""
    result = run(endpoint=emulator.url, region="cn-north-4", **credentials)
    assert result["failed"] is True
    assert "set auth_url (env HW_AUTH_URL)" in result["msg"], result["msg"]
    assert "endpoint 127.0.0.1 is not under myhuaweicloud.com" in result["msg"]
    assert emulator.journal == []


def test_a_custom_endpoint_with_its_auth_url_is_used(emulator):
    result = run(endpoint=emulator.url, auth_url=emulator.url + "/v3", region="cn-north-4", user_name="sms-operator",
                 password="Pa55w0rd-example!", domain_name="example-domain")
    assert not result.get("failed"), result["msg"]
    assert [entry["path"] for entry in emulator.journal] == ["/v3/auth/tokens", "/v3/tasks"]


def test_the_project_id_of_the_file_is_used_and_needs_no_lookup(emulator, tmp_path):
    path = credentials_file(tmp_path, {"access_key": AK, "secret_key": SK, "project_id": PROJECT_ID})
    result = run(credentials_file=path, endpoint=emulator.url, auth_url=emulator.url + "/v3", region="cn-north-4")
    assert not result.get("failed"), result["msg"]
    assert signed_sms_requests(emulator) == ([("/v3/tasks", PROJECT_ID)], [])


def test_the_project_id_option_wins_over_the_file(emulator, tmp_path):
    path = credentials_file(tmp_path, {"access_key": AK, "secret_key": SK, "project_id": OTHER_PROJECT_ID})
    result = run(credentials_file=path, project_id=PROJECT_ID, endpoint=emulator.url, auth_url=emulator.url + "/v3",
                 region="cn-north-4")
    assert not result.get("failed"), result["msg"]
    assert signed_sms_requests(emulator) == ([("/v3/tasks", PROJECT_ID)], [])


def test_the_project_id_from_the_environment_wins_over_the_file(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("HW_PROJECT_ID", OTHER_PROJECT_ID)
    path = credentials_file(tmp_path, {"access_key": AK, "secret_key": SK, "project_id": PROJECT_ID})
    result = run(credentials_file=path, endpoint=emulator.url, auth_url=emulator.url + "/v3", region="cn-north-4")
    assert not result.get("failed"), result["msg"]
    assert signed_sms_requests(emulator) == ([("/v3/tasks", OTHER_PROJECT_ID)], [])


def test_the_project_name_of_the_file_is_looked_up_instead_of_the_region(emulator, tmp_path):
    path = credentials_file(tmp_path, {"access_key": AK, "secret_key": SK, "project_name": "ap-southeast-3"})
    result = run(credentials_file=path, endpoint=emulator.url, auth_url=emulator.url + "/v3", region="cn-north-4")
    assert not result.get("failed"), result["msg"]
    assert signed_sms_requests(emulator) == ([("/v3/tasks", OTHER_PROJECT_ID)], ["ap-southeast-3"])


def test_without_a_project_the_region_names_it(emulator, tmp_path):
    path = credentials_file(tmp_path, {"access_key": AK, "secret_key": SK})
    result = run(credentials_file=path, endpoint=emulator.url, auth_url=emulator.url + "/v3", region="cn-north-4")
    assert not result.get("failed"), result["msg"]
    assert signed_sms_requests(emulator) == ([("/v3/tasks", PROJECT_ID)], ["cn-north-4"])


def test_the_access_key_from_the_environment_and_the_secret_key_from_the_file(emulator, tmp_path, monkeypatch):
    """As the AWX credential type passes them."""
    monkeypatch.setenv("HW_ACCESS_KEY", AK)
    monkeypatch.setenv("HW_CREDENTIALS_FILE", credentials_file(tmp_path, {"secret_key": SK}))
    result = run(endpoint=emulator.url, project_id=PROJECT_ID)
    assert not result.get("failed"), result["msg"]
    assert warnings_of(result) == []
    assert [entry["status"] for entry in emulator.journal] == [200]


def test_a_secret_of_the_file_is_masked_where_the_service_quotes_it(emulator, tmp_path):
    """The service quotes the caller's token back in a task it returns: the module's output masks it."""
    task = emulator.add_task(name="t", echo_token=True)
    path = credentials_file(tmp_path, {"auth_token": TOKEN})
    result = run(credentials_file=path, endpoint=emulator.url, task_id=task["id"])
    assert not result.get("failed"), result["msg"]
    assert result["tasks"][0]["error_json"] == "rejected token ********"
    assert TOKEN not in json.dumps(result)


def test_a_file_others_may_read_is_used_with_a_warning(emulator, tmp_path):
    path = credentials_file(tmp_path, {"auth_token": TOKEN}, mode=0o644)
    result = run(credentials_file=path, endpoint=emulator.url)
    assert not result.get("failed"), result["msg"]
    assert len(warnings_of(result)) == 1
    assert warnings_of(result)[0].startswith("credentials_file %s is open to group or others (mode 644)" % path)


def test_what_the_file_holds_beside_complete_options_is_named_in_a_warning(emulator, tmp_path):
    path = credentials_file(tmp_path, {"access_key": AK, "secret_key": SK})
    result = run(credentials_file=path, auth_token=TOKEN, endpoint=emulator.url)
    assert not result.get("failed"), result["msg"]
    assert warnings_of(result) == ["credentials_file also holds access_key, secret_key, not used: the options and "
                                   "environment variables already give a complete way to authenticate"]
    assert [entry["auth"] for entry in emulator.journal] == ["token"]


def test_two_complete_ways_warn_and_the_token_is_used(emulator):
    result = run(auth_token=TOKEN, access_key=AK, secret_key=SK, endpoint=emulator.url)
    assert not result.get("failed"), result["msg"]
    assert warnings_of(result) == ["More than one way to authenticate was given (auth_token, AK/SK); using auth_token"]
    assert [entry["auth"] for entry in emulator.journal] == ["token"]


def test_validate_certs_false_warns(emulator):
    result = run(auth_token=TOKEN, endpoint=emulator.url, validate_certs=False)
    assert not result.get("failed"), result["msg"]
    assert warnings_of(result) == ["validate_certs is false: the TLS certificate of the SMS and IAM endpoints is not checked"]


def test_certificates_are_checked_by_default_without_a_warning(emulator):
    result = run(auth_token=TOKEN, endpoint=emulator.url)
    assert not result.get("failed"), result["msg"]
    assert warnings_of(result) == []


@pytest.mark.parametrize("args, problem", [
    (dict(credentials_file="{tmp}/missing.json"), "credentials_file {tmp}/missing.json could not be read as a JSON object"),
    (dict(auth_token="token\nwith a line break"), "auth_token must not contain control characters"),
    (dict(auth_token=TOKEN, region="CN-NORTH-4", endpoint=None), "region must be a region id"),
    (dict(auth_token=TOKEN, timeout=0), "timeout must be a positive number of seconds, got 0"),
    (dict(auth_token=TOKEN, max_retries=-1), "max_retries must be 0 or more, got -1"),
    (dict(auth_token=TOKEN, ca_path="{tmp}/ca.pem"), "ca_path {tmp}/ca.pem is not a readable file"),
    (dict(access_key=AK, secret_key=SK, project_id="p\r"), "project_id must not contain control characters"),
    (dict(access_key=AK), "AK/SK authentication needs access_key, secret_key; missing: secret_key (env HW_SECRET_KEY)"),
])
def test_unusable_options_fail_before_any_request(emulator, tmp_path, args, problem):
    args = {key: value.format(tmp=tmp_path) if isinstance(value, str) else value for key, value in args.items()}
    args = dict({"endpoint": emulator.url}, **args)
    if args["endpoint"] is None:
        del args["endpoint"]
    result = run(**args)
    assert result["failed"] is True
    assert result["msg"].startswith(problem.format(tmp=tmp_path)), result["msg"]
    assert "with a line break" not in result["msg"]
    assert emulator.journal == []


# ---- TLS -------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def https_emulator(tmp_path_factory):
    """An emulator serving HTTPS with a certificate of a CA made for this test (no system store trusts it)."""
    pki = make_pki(tmp_path_factory.mktemp("pki"))
    with Emulator(tls_certfile=pki["server.pem"], tls_keyfile=pki["server.key"]) as emu:
        emu.ca_path = pki["ca.pem"]
        yield emu


@pytest.mark.usefixtures("no_bundle_in_the_environment")
def test_an_endpoint_signed_by_an_unknown_ca_is_refused_by_default(https_emulator):
    result = run(auth_token=TOKEN, endpoint=https_emulator.url)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to list SMS tasks: TLS certificate verification failed for 127.0.0.1:%d "
                                    "(SSLError). Point ca_path at the CA bundle" % https_emulator.port), result["msg"]
    assert result["error"]["status"] is None


@pytest.mark.usefixtures("no_bundle_in_the_environment")
def test_ca_path_names_the_ca_that_signed_the_endpoint(https_emulator):
    result = run(auth_token=TOKEN, endpoint=https_emulator.url, ca_path=https_emulator.ca_path)
    assert not result.get("failed"), result["msg"]
    assert warnings_of(result) == []


def test_ca_path_wins_over_a_bundle_in_the_environment(https_emulator, monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", make_pki(tmp_path)["ca.pem"])  # a CA that did not sign the endpoint
    result = run(auth_token=TOKEN, endpoint=https_emulator.url, ca_path=https_emulator.ca_path)
    assert not result.get("failed"), result["msg"]


@pytest.mark.usefixtures("no_bundle_in_the_environment")
def test_validate_certs_false_reaches_the_endpoint_with_a_warning(https_emulator):
    result = run(auth_token=TOKEN, endpoint=https_emulator.url, validate_certs=False)
    assert not result.get("failed"), result["msg"]
    assert warnings_of(result) == ["validate_certs is false: the TLS certificate of the SMS and IAM endpoints is not checked"]


@pytest.mark.usefixtures("no_bundle_in_the_environment")
def test_validate_certs_false_wins_over_ca_path(https_emulator, tmp_path):
    unrelated = make_pki(tmp_path)["ca.pem"]
    result = run(auth_token=TOKEN, endpoint=https_emulator.url, validate_certs=False, ca_path=unrelated)
    assert not result.get("failed"), result["msg"]


@pytest.mark.usefixtures("no_bundle_in_the_environment")
def test_validate_certs_false_warns_once_through_ansible_not_per_request_on_stderr(https_emulator):
    """The module's own warning says that certificates are not checked; urllib3's warning for each unverified
    request (a Python warning, printed on stderr around the module's JSON) is silenced."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run(auth_token=TOKEN, endpoint=https_emulator.url, validate_certs=False)
    assert not result.get("failed"), result["msg"]
    assert [warning.category.__name__ for warning in caught if "Insecure" in warning.category.__name__] == []
