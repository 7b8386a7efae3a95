# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options before any request: the credentials file, the choice of credentials, the endpoints
and the numeric options, each refusal naming the option (and its environment variable) and never the secret.

The expected texts and values are written from the options' documentation (doc_fragments/connection.py, the
docs/connection.md "Connection and credentials" and "Secrets") and sms-api.md section 1, not taken from the code.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.auth import Credentials
from ansible_collections.hwcloud.sms.plugins.module_utils.endpoints import check_url, site_note
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsFailure
from ansible_collections.hwcloud.sms.plugins.module_utils.options import check_ranges, choose_credentials, read_credentials_file, resolve_endpoints

SECRET = "SKsecretValue0123456789"


def options(**given):
    """The connection options as a module sees them, with the documented defaults, and ``given`` on top."""
    values = {
        "region": None, "endpoint": None, "site": None, "cloud": "myhuaweicloud.com", "auth_url": None,
        "auth_token": None, "access_key": None, "secret_key": None, "security_token": None, "project_id": None,
        "project_name": None, "user_name": None, "password": None, "domain_name": None, "credentials_file": None,
        "validate_certs": True, "allow_http": False, "ca_path": None, "timeout": 30, "max_retries": 5,
    }
    values.update(given)
    return values


def checked(check, *args):
    """A check's verdict: (what it returned, the message of the SmsFailure it raised or None, the warnings it gave)."""
    warnings = []
    try:
        return check(*args, warnings.append), None, warnings
    except SmsFailure as failure:
        return None, failure.msg, warnings


def refusal(check, *args):
    """The message of the SmsFailure ``check(*args)`` raised, or None."""
    try:
        check(*args)
    except SmsFailure as failure:
        return failure.msg
    return None


def endpoints(params, credentials):
    """resolve_endpoints' verdict as (endpoint, auth_url, problem, warnings)."""
    found, problem, warnings = checked(resolve_endpoints, params, credentials)
    return (found or (None, None)) + (problem, warnings)


def url_verdict(name, value, allow_http):
    """check_url's verdict as (problem, warning)."""
    try:
        return None, check_url(name, value, allow_http)
    except SmsFailure as failure:
        return failure.msg, None


def write(tmp_path, content, mode=0o600, name="credentials.json"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode("utf-8"))
    os.chmod(path, mode)
    return str(path)


# ---- credentials_file ---------------------------------------------------------------------------------------

def test_a_private_file_is_read_without_warning(tmp_path):
    path = write(tmp_path, {"access_key": "AK1", "secret_key": SECRET, "project_id": "p1", "security_token": "st"})
    assert checked(read_credentials_file, path) == (
        {"access_key": "AK1", "secret_key": SECRET, "project_id": "p1", "security_token": "st"}, None, [])


@pytest.mark.parametrize("mode, shown", [
    (0o640, "640"),  # group may read
    (0o604, "604"),  # others may read
    (0o644, "644"),
    (0o660, "660"),
    (0o755, "755"),
    (0o666, "666"),
    (0o620, "620"),  # group may write: may replace the credentials
    (0o601, "601"),  # others may execute
])
def test_a_file_open_to_group_or_others_gets_a_warning_with_its_mode(tmp_path, mode, shown):
    path = write(tmp_path, {"auth_token": "token-1"}, mode=mode)
    values, problem, warnings = checked(read_credentials_file, path)
    assert (values, problem) == ({"auth_token": "token-1"}, None)
    assert len(warnings) == 1
    assert warnings[0].startswith("credentials_file %s is open to group or others (mode %s)" % (path, shown))
    assert "chmod 600" in warnings[0]


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_a_file_only_its_owner_may_read_gets_no_warning(tmp_path, mode):
    path = write(tmp_path, {"auth_token": "token-1"}, mode=mode)
    assert checked(read_credentials_file, path) == ({"auth_token": "token-1"}, None, [])


def test_empty_and_null_values_count_as_not_given(tmp_path):
    path = write(tmp_path, {"auth_token": "", "project_id": None, "access_key": "AK1", "secret_key": SECRET})
    assert checked(read_credentials_file, path) == ({"access_key": "AK1", "secret_key": SECRET}, None, [])


@pytest.mark.parametrize("content, expected", [
    ({"secret_key": 12345, "access_key": "AK1"}, "credentials_file {path}: secret_key must be a string"),
    ({"access_key": "AK1", "secret_key": SECRET, "auth_token": True}, "credentials_file {path}: auth_token must be a string"),
    ({"password": ["Pa55", "word"]}, "credentials_file {path}: password must be a string"),
    ({"project_id": {"id": "p"}}, "credentials_file {path}: project_id must be a string"),
    ({"region": "cn-north-4", "access_key": "AK1"},
     "credentials_file {path} holds unknown keys region; known: auth_token, access_key, secret_key, security_token, "
     "user_name, password, domain_name, project_id, project_name"),
    ({"sk": SECRET, "ak": "AK1", "access_key": "AK1"}, "credentials_file {path} holds unknown keys ak, sk; known: "),
    (["AK1", SECRET], "credentials_file {path} must hold a JSON object"),
    ("token-1", "credentials_file {path} must hold a JSON object"),
    (b"{\"auth_token\": ", "credentials_file {path} could not be read as a JSON object: JSONDecodeError"),
    (b"\xff\xfe{}", "credentials_file {path} could not be read as a JSON object: UnicodeDecodeError"),
])
def test_a_file_that_cannot_be_used_is_refused_naming_the_key_never_the_value(tmp_path, content, expected):
    path = write(tmp_path, content)
    values, problem, warnings = checked(read_credentials_file, path)
    assert values is None and warnings == []
    assert problem.startswith(expected.format(path=path))
    assert SECRET not in problem and "12345" not in problem and "Pa55" not in problem


@pytest.mark.parametrize("size, read", [(1024 * 1024 - 1, True), (1024 * 1024, True), (1024 * 1024 + 1, False)])
def test_a_file_of_up_to_one_mebibyte_is_read_whole(tmp_path, size, read):
    """The file is read up to 1 MiB: an object that closes within it is used; one that closes after it is not."""
    opening = b'{"auth_token": "token-1"'
    path = write(tmp_path, opening + b" " * (size - len(opening) - 1) + b"}")
    assert os.path.getsize(path) == size
    if read:
        assert checked(read_credentials_file, path) == ({"auth_token": "token-1"}, None, [])
    else:
        assert checked(read_credentials_file, path) == (
            None, "credentials_file %s could not be read as a JSON object: JSONDecodeError" % path, [])


def test_a_missing_file_is_refused(tmp_path):
    path = str(tmp_path / "nowhere.json")
    assert checked(read_credentials_file, path) == (
        None, "credentials_file %s could not be read as a JSON object: FileNotFoundError" % path, [])


# ---- which credentials are used -----------------------------------------------------------------------------

@pytest.mark.parametrize("given, file_values, kind, used, warnings", [
    # the file fills each credential option that is not set: the access key from the environment, the secret key
    # from the file
    (dict(access_key="AK-env"), {"secret_key": SECRET}, "aksk", {"access_key": "AK-env", "secret_key": SECRET}, []),
    (dict(), {"user_name": "u", "password": SECRET, "domain_name": "d"}, "password",
     {"user_name": "u", "password": SECRET, "domain_name": "d"}, []),
    (dict(user_name="u-env"), {"password": SECRET, "domain_name": "d"}, "password",
     {"user_name": "u-env", "password": SECRET, "domain_name": "d"}, []),
    # half a pair in the options, a whole other way in the file: the file's way is the one complete
    (dict(access_key="AK-env"), {"auth_token": "token-file"}, "token", {"auth_token": "token-file"}, []),
    # the options are complete: the file cannot override them, and a warning names what in it was not used
    (dict(auth_token="token-env"), {"access_key": "AK-file", "secret_key": SECRET}, "token",
     {"auth_token": "token-env"},
     ["credentials_file also holds access_key, secret_key, not used: the options and environment variables already "
      "give a complete way to authenticate"]),
    (dict(access_key="AK-env", secret_key="SK-env"), {"secret_key": SECRET, "security_token": "st-file"}, "aksk",
     {"access_key": "AK-env", "secret_key": "SK-env", "security_token": None},
     ["credentials_file also holds secret_key, security_token, not used: the options and environment variables "
      "already give a complete way to authenticate"]),
    # the file's value of an option that is set is not used either, and said so
    (dict(auth_token="token-env"), {"auth_token": "token-file"}, "token", {"auth_token": "token-env"},
     ["credentials_file also holds auth_token, not used: the options and environment variables already give a "
      "complete way to authenticate"]),
    # the temporary credentials' security token travels with the AK/SK
    (dict(access_key="AK-env", secret_key="SK-env", security_token="st-env"), {}, "aksk",
     {"access_key": "AK-env", "secret_key": "SK-env", "security_token": "st-env"}, []),
    (dict(), {"access_key": "AK-file", "secret_key": SECRET, "security_token": "st-file"}, "aksk",
     {"access_key": "AK-file", "secret_key": SECRET, "security_token": "st-file"}, []),
    # an empty option counts as not set
    (dict(auth_token="", access_key="AK-env", secret_key="SK-env"), {}, "aksk", {"access_key": "AK-env"}, []),
    (dict(auth_token=""), {"auth_token": "token-file"}, "token", {"auth_token": "token-file"}, []),
    # more than one complete way: the documented order decides, and a warning names the one used
    (dict(auth_token="t", access_key="a", secret_key="s"), {}, "token", {"auth_token": "t"},
     ["More than one way to authenticate was given (auth_token, AK/SK); using auth_token"]),
    (dict(access_key="a", secret_key="s", user_name="u", password="p", domain_name="d"), {}, "aksk", {"access_key": "a"},
     ["More than one way to authenticate was given (AK/SK, password); using AK/SK"]),
    (dict(auth_token="t", user_name="u", password="p", domain_name="d"), {}, "token", {"auth_token": "t"},
     ["More than one way to authenticate was given (auth_token, password); using auth_token"]),
    (dict(user_name="u"), {"password": "p", "domain_name": "d", "auth_token": "t"}, "token", {"auth_token": "t"},
     ["More than one way to authenticate was given (auth_token, password); using auth_token"]),
    # the file's project options are not credentials: they are not "ignored" credentials either
    (dict(auth_token="t"), {"project_id": "p", "project_name": "n"}, "token", {"auth_token": "t"}, []),
])
def test_the_credentials_used(given, file_values, kind, used, warnings):
    credentials, problem, given_warnings = checked(choose_credentials, options(**given), file_values)
    assert problem is None
    assert credentials.kind == kind
    for name, value in used.items():
        assert getattr(credentials, name) == value, name
    assert given_warnings == warnings


@pytest.mark.parametrize("given, file_values, expected", [
    (dict(), None, "no credentials given: set auth_token (env HW_AUTH_TOKEN), or access_key and secret_key "
                   "(env HW_ACCESS_KEY, HW_SECRET_KEY), or user_name, password and domain_name "
                   "(env HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)"),
    (dict(), {"project_id": "p"}, "no credentials given: set auth_token (env HW_AUTH_TOKEN)"),
    (dict(secret_key=SECRET), None, "AK/SK authentication needs access_key, secret_key; missing: access_key (env HW_ACCESS_KEY)"),
    (dict(), {"access_key": "AK1"}, "AK/SK authentication needs access_key, secret_key; missing: secret_key (env HW_SECRET_KEY)"),
    (dict(security_token="st"), None, "no credentials given"),
    (dict(password=SECRET), None, "password authentication needs user_name, password, domain_name; missing: "
                                  "user_name (env HW_USER_NAME), domain_name (env HW_DOMAIN_NAME)"),
    (dict(user_name="u"), {"domain_name": "d"}, "password authentication needs user_name, password, domain_name; "
                                                "missing: password (env HW_USER_PASSWORD)"),
    # a secret with a control character (a line break pasted with it) is refused, naming the option only
    (dict(auth_token="token\n"), None, "auth_token must not contain control characters such as a line break"),
    (dict(access_key="AK1"), {"secret_key": SECRET + "\r\n"}, "secret_key must not contain control characters"),
    (dict(access_key="AK1", secret_key="SK", security_token="st\x00"), None, "security_token must not contain control"),
    (dict(user_name="u", domain_name="d"), {"password": "Pa55\tword"}, "password must not contain control characters"),
    (dict(access_key="A\x1bK", secret_key=SECRET), None, "access_key must not contain control characters"),
    (dict(user_name="u\x85", password=SECRET, domain_name="d"), None, "user_name must not contain control characters"),
    (dict(user_name="u", password=SECRET), {"domain_name": "example-domain\n"}, "domain_name must not contain control"),
])
def test_credentials_that_cannot_be_used_are_refused_naming_the_option(given, file_values, expected):
    credentials, problem, warnings = checked(choose_credentials, options(**given), file_values)
    assert credentials is None and warnings == []
    assert problem.startswith(expected)
    assert SECRET not in problem and "Pa55" not in problem and "token\n" not in problem


# ---- site and endpoints --------------------------------------------------------------------------------------

@pytest.mark.parametrize("region, guessed, other", [
    ("cn-north-4", "china", "international"),
    ("cn-east-3", "china", "international"),
    ("ap-southeast-1", "international", "china"),
    ("ap-southeast-3", "international", "china"),
    ("eu-west-101", "international", "china"),
])
def test_a_guessed_site_is_named_with_the_way_to_correct_it(region, guessed, other):
    note = site_note(options(region=region), "https://sms.example")
    assert note == ("The SMS endpoint https://sms.example was chosen for an account of the %s site, guessed from the "
                    "region name %s; an account of the %s site needs site: %s (env HW_SITE), or set endpoint" % (
                        guessed, region, other, other))


@pytest.mark.parametrize("given", [
    dict(region="cn-north-4", site="china"),
    dict(region="cn-north-4", site="international"),
    dict(region="cn-north-4", endpoint="https://sms.example.com"),
    # the two regions with an SMS endpoint of their own need no guess
    dict(region="my-kualalumpur-1"),
    dict(region="ru-moscow-1"),
])
def test_no_guess_no_note(given):
    assert site_note(options(**given), "https://sms.example") is None


TOKEN_CREDENTIALS = Credentials("token", auth_token="t")
AKSK = Credentials("aksk", access_key="a", secret_key="s")
PASSWORD = Credentials("password", user_name="u", password="p", domain_name="d")
LONG_DOMAIN = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 50, "com"])  # 246 characters: a valid domain name


@pytest.mark.parametrize("credentials, given, endpoint, auth_url", [
    (TOKEN_CREDENTIALS, dict(region="cn-north-4"), "https://sms.cn-north-4.myhuaweicloud.com", None),
    (TOKEN_CREDENTIALS, dict(region="ap-southeast-1"), "https://sms.ap-southeast-3.myhuaweicloud.com", None),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", site="international"), "https://sms.ap-southeast-3.myhuaweicloud.com", None),
    (TOKEN_CREDENTIALS, dict(region="ap-southeast-1", site="china"), "https://sms.cn-north-4.myhuaweicloud.com", None),
    # an empty site counts as not set, and so does an empty cloud
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", site=""), "https://sms.cn-north-4.myhuaweicloud.com", None),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", cloud=""), "https://sms.cn-north-4.myhuaweicloud.com", None),
    (TOKEN_CREDENTIALS, dict(region="ru-moscow-1"), "https://sms-api.ru-moscow-1.myhuaweicloud.com", None),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", cloud="example.com"), "https://sms.cn-north-4.example.com", None),
    (TOKEN_CREDENTIALS, dict(endpoint="https://sms.example.com"), "https://sms.example.com", None),
    # IAM only where it is needed: the password's token, AK/SK without a project id
    (AKSK, dict(region="cn-north-4", project_id="p"), "https://sms.cn-north-4.myhuaweicloud.com", None),
    (AKSK, dict(region="cn-north-4"), "https://sms.cn-north-4.myhuaweicloud.com", "https://iam.cn-north-4.myhuaweicloud.com/v3"),
    (AKSK, dict(endpoint="https://sms.example.com", auth_url="https://iam.example.com/v3", project_name="p"),
     "https://sms.example.com", "https://iam.example.com/v3"),
    (PASSWORD, dict(region="cn-north-4"), "https://sms.cn-north-4.myhuaweicloud.com", "https://iam.cn-north-4.myhuaweicloud.com/v3"),
    (PASSWORD, dict(region="cn-north-4", project_id="p"), "https://sms.cn-north-4.myhuaweicloud.com",
     "https://iam.cn-north-4.myhuaweicloud.com/v3"),
    (PASSWORD, dict(region="eu-west-101"), "https://sms.ap-southeast-3.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu/v3"),
    (PASSWORD, dict(region="xx-test-1"), "https://sms.ap-southeast-3.myhuaweicloud.com", "https://iam.myhuaweicloud.com/v3"),
    (PASSWORD, dict(region="cn-north-4", endpoint="https://sms.example.com", auth_url="https://iam.example.com/v3"),
     "https://sms.example.com", "https://iam.example.com/v3"),
    # plain http to this machine is always allowed, without a warning
    (PASSWORD, dict(endpoint="http://127.0.0.1:8080", auth_url="http://localhost:8080/v3", project_id="p"),
     "http://127.0.0.1:8080", "http://localhost:8080/v3"),
    # a custom endpoint under the cloud's domain may use the IAM of the region; AK/SK with a project id needs no IAM
    (PASSWORD, dict(region="cn-north-4", endpoint="https://sms-custom.cn-north-4.myhuaweicloud.com"),
     "https://sms-custom.cn-north-4.myhuaweicloud.com", "https://iam.cn-north-4.myhuaweicloud.com/v3"),
    (PASSWORD, dict(region="eu-west-101", endpoint="https://sms.eu-west-101.myhuaweicloud.eu"),
     "https://sms.eu-west-101.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu/v3"),
    (PASSWORD, dict(region="cn-north-4", cloud="example.com", endpoint="https://sms.x.example.com"),
     "https://sms.x.example.com", "https://iam.cn-north-4.example.com/v3"),
    (AKSK, dict(region="cn-north-4", endpoint="https://sms.example.com", project_id="p"), "https://sms.example.com", None),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", endpoint="https://sms.example.com"), "https://sms.example.com", None),
])
def test_the_endpoints_chosen(credentials, given, endpoint, auth_url):
    assert endpoints(options(**given), credentials) == (endpoint, auth_url, None, [])


@pytest.mark.parametrize("credentials, given, expected", [
    (TOKEN_CREDENTIALS, dict(region="CN-North-4"), "region must be a region id such as cn-north-4 (lower-case letters, "
                                                   "digits and dashes), got 'CN-North-4'"),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4.evil.example/"), "region must be a region id such as cn-north-4"),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", cloud="evil.example/x?"),
     "cloud must be a domain name such as myhuaweicloud.com, got 'evil.example/x?'"),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", cloud="user@evil.example"), "cloud must be a domain name"),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", site="europe"), "site must be one of china, international, got 'europe'"),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", site="China"), "site must be one of china, international, got 'China'"),
    # a long refused value is quoted in its first 100 characters only, closed by its quote
    (TOKEN_CREDENTIALS, dict(region="A" * 300), "region must be a region id such as cn-north-4 (lower-case letters, digits and "
                                                "dashes), got '" + "A" * 100 + "'"),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", cloud="x" * 300),
     "cloud must be a domain name such as myhuaweicloud.com, got '" + "x" * 100 + "'"),
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", site="y" * 300),
     "site must be one of china, international, got '" + "y" * 100 + "'"),
    # a domain name long enough to make the SMS host name impossible (more than 253 characters)
    (TOKEN_CREDENTIALS, dict(region="cn-north-4", cloud=LONG_DOMAIN), "refused to build an endpoint for the host"),
    (TOKEN_CREDENTIALS, dict(), "no SMS endpoint: set region (env HW_REGION_NAME) or endpoint (env HW_SMS_ENDPOINT)"),
    (PASSWORD, dict(endpoint="https://sms.example.com"),
     "password authentication needs IAM: set region (env HW_REGION_NAME) or auth_url (env HW_AUTH_URL)"),
    (AKSK, dict(endpoint="https://sms.example.com"),
     "AK/SK without project_id needs IAM: set region (env HW_REGION_NAME) or auth_url (env HW_AUTH_URL)"),
    (AKSK, dict(endpoint="https://sms.example.com", auth_url="https://iam.example.com/v3"),
     "set project_id (env HW_PROJECT_ID), project_name (env HW_PROJECT_NAME), region (env HW_REGION_NAME) so that the "
     "project can be found"),
    (PASSWORD, dict(endpoint="https://sms.example.com", auth_url="https://iam.example.com/v3"), "set project_id (env HW_PROJECT_ID)"),
    (TOKEN_CREDENTIALS, dict(endpoint="https://user:hunter2@sms.example.com"), "endpoint must not carry user information"),
    (PASSWORD, dict(region="cn-north-4", auth_url="https://user:hunter2@iam.example.com/v3"), "auth_url must not carry user information"),
    (TOKEN_CREDENTIALS, dict(endpoint="http://sms.example.com"), "endpoint uses plain http to sms.example.com"),
    (PASSWORD, dict(region="cn-north-4", auth_url="http://iam.example.com/v3"), "auth_url uses plain http to iam.example.com"),
    # a custom endpoint outside the cloud's domain: its credentials never go to the public IAM of the region
    (PASSWORD, dict(region="cn-north-4", endpoint="https://sms.example.com"),
     "password authentication needs IAM, and endpoint sms.example.com is not under myhuaweicloud.com: set auth_url "
     "(env HW_AUTH_URL) to the IAM endpoint that serves it. Credentials are never sent to the public IAM of "
     "myhuaweicloud.com for another endpoint"),
    (AKSK, dict(region="cn-north-4", endpoint="https://sms.example.com"),
     "AK/SK without project_id (the project lookup) needs IAM, and endpoint sms.example.com is not under "
     "myhuaweicloud.com: set auth_url (env HW_AUTH_URL) to the IAM endpoint that serves it, or set project_id"),
    (PASSWORD, dict(region="cn-north-4", endpoint="https://sms.cn-north-4.myhuaweicloud.com.evil.example"),
     "password authentication needs IAM, and endpoint sms.cn-north-4.myhuaweicloud.com.evil.example is not under "
     "myhuaweicloud.com: set auth_url"),
    (PASSWORD, dict(region="cn-north-4", endpoint="https://evilmyhuaweicloud.com"),
     "password authentication needs IAM, and endpoint evilmyhuaweicloud.com is not under myhuaweicloud.com"),
    (PASSWORD, dict(region="eu-west-101", endpoint="https://sms.eu-west-101.myhuaweicloud.com"),
     "password authentication needs IAM, and endpoint sms.eu-west-101.myhuaweicloud.com is not under "
     "myhuaweicloud.eu: set auth_url"),
    (PASSWORD, dict(region="cn-north-4", endpoint="http://127.0.0.1:8080", project_id="p"),
     "password authentication needs IAM, and endpoint 127.0.0.1 is not under myhuaweicloud.com: set auth_url"),
])
def test_endpoints_that_cannot_be_used_are_refused_naming_the_option(credentials, given, expected):
    endpoint, auth_url, problem, warnings = endpoints(options(**given), credentials)
    assert (endpoint, auth_url, warnings) == (None, None, [])
    assert problem.startswith(expected), problem
    assert "hunter2" not in problem


def built_at_run_time(kind):
    """``kind`` as a caller reading a configuration would have it: parsed from JSON, not a literal of the code."""
    return json.loads('{"kind": "%s"}' % kind)["kind"]


@pytest.mark.parametrize("kind, given, auth_url, problem", [
    ("aksk", dict(region="cn-north-4"), "https://iam.cn-north-4.myhuaweicloud.com/v3", None),
    ("password", dict(region="cn-north-4", project_id="p"), "https://iam.cn-north-4.myhuaweicloud.com/v3", None),
    ("password", dict(endpoint="https://sms.example.com"), None,
     "password authentication needs IAM: set region (env HW_REGION_NAME) or auth_url (env HW_AUTH_URL)"),
])
def test_credentials_whose_kind_was_read_at_run_time_need_iam_as_their_kind_does(kind, given, auth_url, problem):
    credentials = Credentials(built_at_run_time(kind), access_key="a", secret_key="s", user_name="u", password="p",
                              domain_name="d")
    found = endpoints(options(**given), credentials)
    if problem is None:
        assert found == ("https://sms.cn-north-4.myhuaweicloud.com", auth_url, None, [])
    else:
        assert found == (None, None, problem, [])


def test_plain_http_accepted_with_allow_http_warns_for_each_url():
    endpoint, auth_url, problem, warnings = endpoints(
        options(endpoint="http://sms.example.com", auth_url="http://iam.example.com/v3", allow_http=True, project_id="p"),
        PASSWORD)
    assert (endpoint, auth_url, problem) == ("http://sms.example.com", "http://iam.example.com/v3", None)
    assert [warning.split(":")[0] for warning in warnings] == ["endpoint uses plain http to sms.example.com",
                                                               "auth_url uses plain http to iam.example.com"]
    assert all("unencrypted" in warning for warning in warnings)


@pytest.mark.parametrize("value, allow_http, problem, warning", [
    ("https://sms.example.com", False, None, None),
    ("https://sms.example.com:8443/prefix", False, None, None),
    ("https://sms.example.com:1", False, None, None),  # TCP ports are 1 to 65535
    ("https://sms.example.com:65535", False, None, None),
    ("http://127.0.0.1:8080", False, None, None),
    ("http://127.10.0.1", False, None, None),
    ("http://[::1]:8080", False, None, None),
    ("http://localhost", False, None, None),
    ("http://10.0.0.1", False, "endpoint uses plain http to 10.0.0.1: tokens, passwords and signed requests (which can be "
                               "replayed for 15 minutes) would cross the network unencrypted. Use https, or set allow_http: "
                               "true to accept the risk", None),
    ("http://localhost.example.com", False, "endpoint uses plain http to localhost.example.com", None),
    ("http://10.0.0.1", True, None, "endpoint uses plain http to 10.0.0.1: tokens, passwords and signed requests "
                                    "(replayable for 15 minutes) cross the network unencrypted"),
    ("ftp://sms.example.com", False, "endpoint must be an https:// URL with a host, and no query or fragment, got "
                                     "'ftp://sms.example.com'", None),
    # a long refused URL is quoted in its first 200 characters only, closed by its quote
    ("ftp://" + "a" * 294, False, "endpoint must be an https:// URL with a host, and no query or fragment, got "
                                  "'ftp://" + "a" * 194 + "'", None),
    ("sms.example.com", False, "endpoint must be an https:// URL with a host", None),
    ("https://", False, "endpoint must be an https:// URL with a host", None),
    ("https://sms.example.com/?x=1", False, "endpoint must be an https:// URL with a host, and no query or fragment", None),
    ("https://sms.example.com/#top", False, "endpoint must be an https:// URL with a host, and no query or fragment", None),
    ("https://sms.example.com/a b", False, "endpoint must be an https:// URL with a host", None),
    ("https://sms.example.com/\n", False, "endpoint must be an https:// URL with a host", None),
    ("https://sms.example.com:0", False, "endpoint must be an https:// URL with a valid host and port", None),
    ("https://sms.example.com:99999", False, "endpoint must be an https:// URL with a valid host and port", None),
    ("https://sms.example.com:port", False, "endpoint must be an https:// URL with a valid host and port", None),
    ("https://user:pw-secret@sms.example.com", False, "endpoint must not carry user information (user:password@host); "
                                                      "give credentials through the credential options", None),
    ("https://token-secret@sms.example.com", True, "endpoint must not carry user information", None),
])
def test_url_checks(value, allow_http, problem, warning):
    found_problem, found_warning = url_verdict("endpoint", value, allow_http)
    if problem is None:
        assert found_problem is None
    else:
        assert found_problem.startswith(problem)
        assert "secret" not in found_problem
    assert found_warning == warning


# ---- numbers and paths ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    (dict(timeout=0), "timeout must be a positive number of seconds, got 0"),
    (dict(timeout=-5), "timeout must be a positive number of seconds, got -5"),
    (dict(max_retries=-1), "max_retries must be 0 or more, got -1"),
    (dict(ca_path="/nonexistent/ca.pem"), "ca_path /nonexistent/ca.pem is not a readable file"),
    (dict(project_id="0123\n4567"),
     "project_id must not contain control characters such as a line break (was it pasted from a file?)"),
])
def test_options_out_of_range_are_refused(given, expected):
    assert refusal(check_ranges, options(**given)) == expected


def test_a_folder_is_no_ca_bundle(tmp_path):
    assert refusal(check_ranges, options(ca_path=str(tmp_path))) == "ca_path %s is not a readable file" % tmp_path


@pytest.mark.parametrize("given", [dict(timeout=1), dict(max_retries=0), dict(max_retries=5, timeout=30),
                                   dict(project_id="0123456789abcdef0123456789abcdef")])
def test_options_in_range_pass(given):
    assert refusal(check_ranges, options(**given)) is None


def test_an_existing_ca_bundle_passes(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    assert refusal(check_ranges, options(ca_path=str(bundle))) is None
