# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the collection's modules, checked before any request: the connection options and where the
credentials come from, the endpoints they lead to, and the options of the removal modules.

Each check raises SmsFailure naming the option; warnings go to the ``warn`` the caller gives. ``client_for()``
turns checked options into a client that has not sent anything yet.
"""

import json
import os
import re
import unicodedata

from ansible.module_utils.basic import env_fallback

from ansible_collections.hwcloud.sms.plugins.module_utils.auth import Credentials
from ansible_collections.hwcloud.sms.plugins.module_utils.client import SmsClient
from ansible_collections.hwcloud.sms.plugins.module_utils.endpoints import (
    DEFAULT_CLOUD,
    HOST_PATTERN,
    REGION_PATTERN,
    SITE_REGIONS,
    check_own_iam,
    check_url,
    iam_endpoint,
    site_note,
    sms_endpoint,
)
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsFailure

CONNECTION_ARGUMENT_SPEC = dict(
    region=dict(type="str", fallback=(env_fallback, ["HW_REGION_NAME"])),
    endpoint=dict(type="str", fallback=(env_fallback, ["HW_SMS_ENDPOINT"])),
    site=dict(type="str", fallback=(env_fallback, ["HW_SITE"])),
    cloud=dict(type="str", default=DEFAULT_CLOUD, fallback=(env_fallback, ["HW_CLOUD"])),
    auth_url=dict(type="str", fallback=(env_fallback, ["HW_AUTH_URL"])),
    auth_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_AUTH_TOKEN"])),
    access_key=dict(type="str", no_log=False, fallback=(env_fallback, ["HW_ACCESS_KEY"])),
    secret_key=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_SECRET_KEY"])),
    security_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_SECURITY_TOKEN"])),
    project_id=dict(type="str", fallback=(env_fallback, ["HW_PROJECT_ID"])),
    project_name=dict(type="str", fallback=(env_fallback, ["HW_PROJECT_NAME"])),
    user_name=dict(type="str", fallback=(env_fallback, ["HW_USER_NAME"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_USER_PASSWORD"])),
    domain_name=dict(type="str", fallback=(env_fallback, ["HW_DOMAIN_NAME"])),
    credentials_file=dict(type="path", fallback=(env_fallback, ["HW_CREDENTIALS_FILE"])),
    validate_certs=dict(type="bool", default=True),
    allow_http=dict(type="bool", default=False),
    ca_path=dict(type="path"),
    timeout=dict(type="int", default=30),
    max_retries=dict(type="int", default=5, fallback=(env_fallback, ["HW_MAX_RETRIES"])),
)

ENV_NAMES = {name: spec["fallback"][1][0] for name, spec in CONNECTION_ARGUMENT_SPEC.items() if "fallback" in spec}

# what a credentials file may hold, and which of it is secret
FILE_OPTIONS = ("auth_token", "access_key", "secret_key", "security_token", "user_name", "password", "domain_name",
                "project_id", "project_name")
SECRET_OPTIONS = ("auth_token", "secret_key", "security_token", "password")
CREDENTIAL_OPTIONS = ("auth_token", "access_key", "secret_key", "security_token", "user_name", "password", "domain_name")
METHODS = (("token", ("auth_token",)), ("aksk", ("access_key", "secret_key")),
           ("password", ("user_name", "password", "domain_name")))
METHOD_NAMES = {"token": "auth_token", "aksk": "AK/SK", "password": "password"}
MAX_CREDENTIALS_FILE = 1024 * 1024

MAX_TASK_ID_LENGTH = 255
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
# a piece of a list written as text ("['a','b']" split on its commas): a bracket or a quote at either end
LIST_AS_TEXT = re.compile(r"""^\s*[\[\]'"]|[\[\]'"]\s*$""")


def describe_options(names, sep=", "):
    """``a (env HW_A), b (env HW_B)`` for a message that tells the user what to set."""
    return sep.join("%s (env %s)" % (name, ENV_NAMES[name]) if name in ENV_NAMES else name for name in names)


def task_id_problem(value):
    """Why ``value`` cannot be the id of an SMS record, or None when it can: letters, digits, ``-`` and ``_`` only
    (SMS ids are UUIDs), so that an id can never change the path of a request."""
    if not value:
        return "must not be empty"
    if len(value) > MAX_TASK_ID_LENGTH:
        return "must be at most %d characters long, got %d" % (MAX_TASK_ID_LENGTH, len(value))
    if LIST_AS_TEXT.search(value):
        return ("is %r, which looks like a piece of a list written as a string (such as \"['a', 'b']\"): give a "
                "YAML list, or ids separated by commas" % value[:100])
    if not ID_PATTERN.fullmatch(value):
        char = next(char for char in value if not ID_PATTERN.fullmatch(char))
        return "may hold only letters, digits, '-' and '_', found %r" % char
    return None


def check_id(value, option):
    """Raise SmsFailure, naming ``option``, when ``value`` cannot be the id of an SMS record."""
    problem = task_id_problem(value)
    if problem:
        raise SmsFailure("%s %s" % (option, problem))


def control_character_problem(name, value):
    """Why a credential value cannot be used (it holds a control character, say a pasted line break), or None.

    Refused before any request: ``requests`` would reject the header and quote it, secret included.
    """
    if isinstance(value, str) and any(unicodedata.category(char) == "Cc" for char in value):
        return "%s must not contain control characters such as a line break (was it pasted from a file?)" % name
    return None


def read_credentials_file(path, warn):
    """The credential options held by ``credentials_file``; SmsFailure when it cannot be used."""
    try:
        with open(path, "rb") as handle:
            values = json.loads(handle.read(MAX_CREDENTIALS_FILE).decode("utf-8"))
        mode = os.stat(path).st_mode
    except (OSError, ValueError, RecursionError) as exc:
        raise SmsFailure("credentials_file %s could not be read as a JSON object: %s" % (path, type(exc).__name__))
    if not isinstance(values, dict):
        raise SmsFailure("credentials_file %s must hold a JSON object" % path)
    unknown = sorted(key for key in values if key not in FILE_OPTIONS)
    if unknown:
        raise SmsFailure("credentials_file %s holds unknown keys %s; known: %s" % (
            path, ", ".join(unknown), ", ".join(FILE_OPTIONS)))
    values = {key: value for key, value in values.items() if value not in (None, "")}
    for key, value in values.items():
        if not isinstance(value, str):
            raise SmsFailure("credentials_file %s: %s must be a string" % (path, key))
    if mode & 0o077:
        warn("credentials_file %s is open to group or others (mode %03o): restrict it, for example with chmod 600"
             % (path, mode & 0o777))
    return values


def complete_methods(values):
    """The ways to authenticate that ``values`` hold completely, in the order they are preferred."""
    return [kind for kind, names in METHODS if all(values.get(name) for name in names)]


def choose_credentials(params, file_values, warn):
    """The one way to authenticate, from the options and ``file_values`` (what credentials_file holds).

    The rule: options and environment variables that hold a complete way to authenticate are used as they are,
    and ``credentials_file`` cannot override them. Otherwise the file fills each credential option that is not
    set (so the environment may hold the access key and the file the secret key). Among the complete ways,
    ``auth_token`` comes first, then AK/SK, then password; when several are complete, a warning says which one
    was used. SmsFailure when none is complete, naming what is missing.
    """
    explicit = {name: params[name] for name in CREDENTIAL_OPTIONS if params.get(name)}
    file_values = {name: value for name, value in (file_values or {}).items() if name in CREDENTIAL_OPTIONS}
    if complete_methods(explicit):
        values = explicit
        ignored = sorted(file_values)  # what the options also set is not used either
        if ignored:
            warn("credentials_file also holds %s, not used: the options and environment variables already give a "
                 "complete way to authenticate" % ", ".join(ignored))
    else:
        values = dict(file_values, **explicit)
    for name in CREDENTIAL_OPTIONS:
        problem = control_character_problem(name, values.get(name))
        if problem:
            raise SmsFailure(problem)
    complete = complete_methods(values)
    if not complete:
        raise SmsFailure(missing_credentials(values))
    if len(complete) > 1:
        warn("More than one way to authenticate was given (%s); using %s" % (
            ", ".join(METHOD_NAMES[kind] for kind in complete), METHOD_NAMES[complete[0]]))
    return credentials_for(complete[0], values)


def credentials_for(kind, values):
    if kind == "token":
        return Credentials("token", auth_token=values["auth_token"])
    if kind == "aksk":
        return Credentials("aksk", access_key=values["access_key"], secret_key=values["secret_key"],
                           security_token=values.get("security_token"))
    return Credentials("password", user_name=values["user_name"], password=values["password"],
                       domain_name=values["domain_name"])


def missing_credentials(values):
    """What to set, when no way to authenticate is complete."""
    for kind, names in METHODS[1:]:
        if any(values.get(name) for name in names):
            missing = [name for name in names if not values.get(name)]
            return "%s authentication needs %s; missing: %s" % (
                METHOD_NAMES[kind], ", ".join(names), describe_options(missing))
    return ("no credentials given: set auth_token (env HW_AUTH_TOKEN), or access_key and secret_key "
            "(env HW_ACCESS_KEY, HW_SECRET_KEY), or user_name, password and domain_name "
            "(env HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)")


def check_places(params):
    """Raise SmsFailure when region, cloud or site cannot name a place."""
    region, cloud, site = params["region"], params["cloud"] or DEFAULT_CLOUD, params["site"] or None
    if region is not None and not REGION_PATTERN.match(region):
        raise SmsFailure("region must be a region id such as cn-north-4 (lower-case letters, digits and dashes), "
                         "got %r" % region[:100])
    if not HOST_PATTERN.match(cloud):
        raise SmsFailure("cloud must be a domain name such as myhuaweicloud.com, got %r" % cloud[:100])
    if site not in (None,) + tuple(SITE_REGIONS):
        raise SmsFailure("site must be one of %s, got %r" % (", ".join(SITE_REGIONS), site[:100]))


def resolve_endpoints(params, credentials, warn):
    """The SMS endpoint and the IAM URL (None when IAM is not needed), or SmsFailure naming the option to set."""
    check_places(params)
    region, cloud, site = params["region"], params["cloud"] or DEFAULT_CLOUD, params["site"] or None
    try:
        endpoint = params["endpoint"] or (sms_endpoint(region, cloud, site) if region else None)
        auth_url = params["auth_url"] or (iam_endpoint(region, cloud) if region else None)
    except ValueError as exc:
        raise SmsFailure(str(exc))
    if not endpoint:
        raise SmsFailure("no SMS endpoint: set %s" % describe_options(["region", "endpoint"], " or "))
    needs_iam = credentials.kind == "password" or (credentials.kind == "aksk" and not params["project_id"])
    auth_url = auth_url if needs_iam else None
    if needs_iam and not auth_url:
        raise SmsFailure("%s needs IAM: set %s" % (
            "password authentication" if credentials.kind == "password" else "AK/SK without project_id",
            describe_options(["region", "auth_url"], " or ")))
    if needs_iam and not (params["project_id"] or params["project_name"] or region):
        raise SmsFailure("set %s so that the project can be found" % describe_options(
            ["project_id", "project_name", "region"]))
    for name, url in (("endpoint", endpoint), ("auth_url", auth_url)):
        warning = check_url(name, url, params["allow_http"]) if url else None
        if warning:
            warn(warning)
    if needs_iam and not params["auth_url"] and params["endpoint"]:
        check_own_iam(params["endpoint"], region, cloud, credentials.kind)
    return endpoint, auth_url


def check_ranges(params):
    """Raise SmsFailure when a numeric or path option cannot be used."""
    if params["timeout"] <= 0:
        raise SmsFailure("timeout must be a positive number of seconds, got %d" % params["timeout"])
    if params["max_retries"] < 0:
        raise SmsFailure("max_retries must be 0 or more, got %d" % params["max_retries"])
    if params["ca_path"] and not os.path.isfile(params["ca_path"]):
        raise SmsFailure("ca_path %s is not a readable file" % params["ca_path"])
    problem = control_character_problem("project_id", params["project_id"])
    if problem:
        raise SmsFailure(problem)


def removal_options(one, many, force=True):
    """The options of a module that deletes SMS records, named by one id (``one``), several (``many``) or an exact
    ``name``, as keyword arguments of SmsModule; ``force`` for the kinds of record that can be busy."""
    spec = {
        one: dict(type="str"),
        many: dict(type="list", elements="str"),
        "name": dict(type="str"),
        "state": dict(type="str", required=True, choices=["absent"]),
        "wait": dict(type="bool", default=True),
        "wait_timeout": dict(type="int", default=300),
    }
    if force:
        spec["force"] = dict(type="bool", default=False)
    return dict(argument_spec=spec, mutually_exclusive=[(one, many, "name")], required_one_of=[(one, many, "name")],
                supports_check_mode=True)


def check_removal_options(params, one, many):
    """Before any request, the options of removal_options(): each id checked, naming its option; a blank name and a
    negative wait_timeout fail. False when ``many`` is an empty list: there is nothing to delete."""
    if params[one] is not None:
        check_id(params[one], one)
    if params[many] is not None:
        for index, value in enumerate(params[many]):
            check_id(value, "%s[%d]" % (many, index))
    if params["name"] is not None and not params["name"].strip():
        raise SmsFailure("name must not be empty")
    if params["wait_timeout"] < 0:
        raise SmsFailure("wait_timeout must be 0 or more seconds, got %d" % params["wait_timeout"])
    return params[many] != []


def client_for(params, warn, hide):
    """The client the options describe, after every check; nothing is sent yet. ``hide`` is told every secret read
    from credentials_file (so Ansible masks it), ``warn`` every warning."""
    file_values = None
    if params["credentials_file"]:
        file_values = read_credentials_file(params["credentials_file"], warn)
        for key, value in file_values.items():
            if key in SECRET_OPTIONS:
                hide(value)
            if key not in CREDENTIAL_OPTIONS and not params[key]:
                params[key] = value  # project_id, project_name
    credentials = choose_credentials(params, file_values, warn)
    endpoint, auth_url = resolve_endpoints(params, credentials, warn)
    check_ranges(params)
    verify = params["validate_certs"]
    if verify and params["ca_path"]:
        verify = params["ca_path"]
    if not verify:
        warn("validate_certs is false: the TLS certificate of the SMS and IAM endpoints is not checked")
    return SmsClient(endpoint, credentials, iam_url=auth_url, region=params["region"],
                     project_id=params["project_id"], project_name=params["project_name"],
                     timeout=params["timeout"], max_retries=params["max_retries"], verify=verify, on_secret=hide,
                     site_note=site_note(params, endpoint))
