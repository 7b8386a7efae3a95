# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: the connection options, the
client built from them, input checks, and the one place that turns an API
error into ``fail_json``."""

import ipaddress
import json
import os
import re
import sys
import traceback
import unicodedata

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.hwcloud.sms.plugins.module_utils.client import (
    DEFAULT_CLOUD,
    HAS_REQUESTS,
    OWN_SMS_HOSTS,
    REQUESTS_IMPORT_ERROR,
    SITE_REGIONS,
    Credentials,
    SmsApiError,
    SmsClient,
    domain_suffix,
    guess_site,
    iam_endpoint,
    sms_endpoint,
    urlsplit,
)

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
REGION_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")

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


class SmsFailure(Exception):
    """The module fails: raised in module_utils with the result known so far, turned into ``fail_json`` once, by
    SmsModule.run. ``cause`` is the SmsApiError behind it, if any."""

    def __init__(self, msg, cause=None, **result):
        super().__init__(msg)
        self.msg = msg
        self.cause = cause
        self.result = result


def with_hint(error, hint=None):
    """The error's message, and the caller's ``hint`` after it."""
    return "%s. %s" % (error.message(), hint) if hint else error.message()


def site_note(params, endpoint):
    """When the SMS endpoint rests on a guess of the account's site, a sentence saying so (else None)."""
    region = params["region"]
    if params["endpoint"] or params["site"] or region in OWN_SMS_HOSTS:
        return None
    guessed = guess_site(region)
    other = "international" if guessed == "china" else "china"
    return ("The SMS endpoint %s was chosen for an account of the %s site, guessed from the region name %s; "
            "an account of the %s site needs site: %s (env HW_SITE), or set endpoint" % (
                endpoint, guessed, region, other, other))


def control_character_problem(name, value):
    """Why a credential value cannot be used (it holds a control character, say a pasted line break), or None.

    Refused before any request: ``requests`` would reject the header and quote it, secret included.
    """
    if isinstance(value, str) and any(unicodedata.category(char) == "Cc" for char in value):
        return "%s must not contain control characters such as a line break (was it pasted from a file?)" % name
    return None


def read_credentials_file(path):
    """The credential options held by ``credentials_file``: ``(values, problem, warnings)``."""
    try:
        with open(path, "rb") as handle:
            values = json.loads(handle.read(MAX_CREDENTIALS_FILE).decode("utf-8"))
        mode = os.stat(path).st_mode
    except (OSError, ValueError, RecursionError) as exc:
        return None, "credentials_file %s could not be read as a JSON object: %s" % (path, type(exc).__name__), []
    if not isinstance(values, dict):
        return None, "credentials_file %s must hold a JSON object" % path, []
    unknown = sorted(key for key in values if key not in FILE_OPTIONS)
    if unknown:
        return None, "credentials_file %s holds unknown keys %s; known: %s" % (
            path, ", ".join(unknown), ", ".join(FILE_OPTIONS)), []
    values = {key: value for key, value in values.items() if value not in (None, "")}
    for key, value in values.items():
        if not isinstance(value, str):
            return None, "credentials_file %s: %s must be a string" % (path, key), []
    warnings = []
    if mode & 0o077:
        warnings.append("credentials_file %s is open to group or others (mode %03o): restrict it, for example "
                        "with chmod 600" % (path, mode & 0o777))
    return values, None, warnings


def complete_methods(values):
    """The ways to authenticate that ``values`` hold completely, in the order they are preferred."""
    return [kind for kind, names in METHODS if all(values.get(name) for name in names)]


def choose_credentials(params, file_values=None):
    """The one way to authenticate, and where its values come from: ``(credentials, problem, warnings)``.

    The rule: options and environment variables that hold a complete way to authenticate are used as they are,
    and ``credentials_file`` cannot override them. Otherwise the file fills each credential option that is not
    set (so the environment may hold the access key and the file the secret key). Among the complete ways,
    ``auth_token`` comes first, then AK/SK, then password; when several are complete, a warning says which one
    was used.
    """
    explicit = {name: params[name] for name in CREDENTIAL_OPTIONS if params.get(name)}
    file_values = {name: value for name, value in (file_values or {}).items() if name in CREDENTIAL_OPTIONS}
    warnings = []
    if complete_methods(explicit):
        values = explicit
        ignored = sorted(file_values)  # what the options also set is not used either
        if ignored:
            warnings.append("credentials_file also holds %s, not used: the options and environment variables already "
                            "give a complete way to authenticate" % ", ".join(ignored))
    else:
        values = dict(file_values, **explicit)
    for name in CREDENTIAL_OPTIONS:
        problem = control_character_problem(name, values.get(name))
        if problem:
            return None, problem, []
    complete = complete_methods(values)
    if len(complete) > 1:
        warnings.append("More than one way to authenticate was given (%s); using %s" % (
            ", ".join(METHOD_NAMES[kind] for kind in complete), METHOD_NAMES[complete[0]]))
    if complete:
        return credentials_for(complete[0], values), None, warnings
    return None, missing_credentials(values), []


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


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(name, value, allow_http):
    """Why ``value`` cannot be the base URL of option ``name``, or None; and a warning for accepted plain http.

    Never echoes a URL that carries user information: it may be a password.
    """
    try:
        split = urlsplit(value)
        valid_port = split.port is None or split.port > 0
    except ValueError:
        valid_port = False
    if not valid_port:
        return "%s must be an https:// URL with a valid host and port" % name, None
    if "@" in split.netloc:
        return ("%s must not carry user information (user:password@host); give credentials through the credential "
                "options" % name), None
    if split.scheme not in ("https", "http") or not split.hostname or split.query or split.fragment or \
            any(unicodedata.category(char) in ("Cc", "Zs") for char in value):
        return "%s must be an https:// URL with a host, and no query or fragment, got %r" % (name, value[:200]), None
    if split.scheme == "http" and not is_loopback(split.hostname):
        if not allow_http:
            return ("%s uses plain http to %s: tokens, passwords and signed requests (which can be replayed for 15 "
                    "minutes) would cross the network unencrypted. Use https, or set allow_http: true to accept "
                    "the risk" % (name, split.hostname)), None
        return None, ("%s uses plain http to %s: tokens, passwords and signed requests (replayable for 15 minutes) "
                      "cross the network unencrypted" % (name, split.hostname))
    return None, None


def resolve_endpoints(params, credentials):
    """The SMS endpoint and the IAM URL (None when IAM is not needed): ``(endpoint, auth_url, problem, warnings)``."""
    region, cloud, site = params["region"], params["cloud"] or DEFAULT_CLOUD, params["site"] or None
    if region is not None and not REGION_PATTERN.match(region):
        return None, None, "region must be a region id such as cn-north-4 (lower-case letters, digits and dashes), " \
            "got %r" % region[:100], []
    if not DOMAIN_PATTERN.match(cloud):
        return None, None, "cloud must be a domain name such as myhuaweicloud.com, got %r" % cloud[:100], []
    if site not in (None,) + tuple(SITE_REGIONS):
        return None, None, "site must be one of %s, got %r" % (", ".join(SITE_REGIONS), site[:100]), []
    try:
        endpoint = params["endpoint"] or (sms_endpoint(region, cloud, site) if region else None)
        auth_url = params["auth_url"] or (iam_endpoint(region, cloud) if region else None)
    except ValueError as exc:
        return None, None, str(exc), []
    if not endpoint:
        return None, None, "no SMS endpoint: set %s" % describe_options(["region", "endpoint"], " or "), []
    needs_iam = credentials.kind == "password" or (credentials.kind == "aksk" and not params["project_id"])
    auth_url = auth_url if needs_iam else None
    if needs_iam and not auth_url:
        return None, None, "%s needs IAM: set %s" % (
            "password authentication" if credentials.kind == "password" else "AK/SK without project_id",
            describe_options(["region", "auth_url"], " or ")), []
    if needs_iam and not (params["project_id"] or params["project_name"] or region):
        return None, None, "set %s so that the project can be found" % describe_options(
            ["project_id", "project_name", "region"]), []
    warnings = []
    for name, url in (("endpoint", endpoint), ("auth_url", auth_url)):
        problem, warning = url_problem(name, url, params["allow_http"]) if url else (None, None)
        if problem:
            return None, None, problem, []
        if warning:
            warnings.append(warning)
    if needs_iam and not params["auth_url"] and params["endpoint"]:
        problem = foreign_endpoint_problem(params["endpoint"], region, cloud, credentials.kind)
        if problem:
            return None, None, problem, []
    return endpoint, auth_url, None, warnings


def foreign_endpoint_problem(endpoint, region, cloud, kind):
    """Why the IAM endpoint must not be derived from ``region`` for this custom ``endpoint``, or None.

    An endpoint outside the cloud's domain (a private or test deployment) has its own IAM: the public
    ``iam.<region>.<cloud>`` must never receive its password, nor a request signed with its keys.
    """
    try:
        host = (urlsplit(endpoint).hostname or "").lower()
    except ValueError:
        return None  # url_problem() names the option
    suffix = domain_suffix(region, cloud) if region else cloud
    if host.endswith("." + suffix.lower()):
        return None
    what = "password authentication" if kind == "password" else "AK/SK without project_id (the project lookup)"
    return ("%s needs IAM, and endpoint %s is not under %s: set auth_url (env HW_AUTH_URL) to the IAM endpoint that "
            "serves it%s. Credentials are never sent to the public IAM of %s for another endpoint" % (
                what, host[:100], suffix, "" if kind == "password" else ", or set project_id", suffix))


def check_ranges(params):
    """Why a numeric or path option cannot be used, or None."""
    if params["timeout"] <= 0:
        return "timeout must be a positive number of seconds, got %d" % params["timeout"]
    if params["max_retries"] < 0:
        return "max_retries must be 0 or more, got %d" % params["max_retries"]
    if params["ca_path"] and not os.path.isfile(params["ca_path"]):
        return "ca_path %s is not a readable file" % params["ca_path"]
    return control_character_problem("project_id", params["project_id"])


def removal_options(one, many):
    """The options of a module that deletes SMS records, named by one id (``one``), several (``many``) or an exact
    ``name``, as keyword arguments of SmsModule."""
    return dict(
        argument_spec={
            one: dict(type="str"),
            many: dict(type="list", elements="str"),
            "name": dict(type="str"),
            "state": dict(type="str", required=True, choices=["absent"]),
            "force": dict(type="bool", default=False),
            "wait": dict(type="bool", default=True),
            "wait_timeout": dict(type="int", default=300),
        },
        mutually_exclusive=[(one, many, "name")],
        required_one_of=[(one, many, "name")],
        supports_check_mode=True,
    )


class SmsModule:
    """An ``AnsibleModule`` with the connection options and a ready (not yet connected) client.

    Building it checks every connection option; no request is sent until the
    module asks the client for something.
    """

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self.client = self._build_client()

    def fail(self, msg, **result):
        self.module.fail_json(msg=msg, **result)

    def run(self, work):
        """Exit with the result of ``work()``; the one place where its failure (SmsFailure, or an SmsApiError
        that nothing caught) becomes the module's failure."""
        try:
            result = work()
        except SmsApiError as error:
            self.fail_api(error)
        except SmsFailure as failure:
            result = dict(failure.result)
            if failure.cause is not None:
                result.setdefault("error", failure.cause.to_dict())
                result.setdefault("exception", traceback.format_exc())
            self.module.fail_json(msg=failure.msg, **result)
        self.module.exit_json(**result)

    def fail_api(self, error, hint=None, **result):
        """The one place where an API failure becomes the module's failure; ``hint`` adds what the caller knows.

        The traceback goes to ``exception`` (shown at -vvv), as Ansible's own modules do.
        """
        if sys.exc_info()[0] is not None:
            result.setdefault("exception", traceback.format_exc())
        self.module.fail_json(msg=with_hint(error, hint), error=error.to_dict(), **result)

    def check_removal_options(self, one, many, **empty_result):
        """Before any request, the options of removal_options(): each id checked, naming its option; an empty
        ``many`` ends the run unchanged (nothing to delete); a blank name and a negative wait_timeout fail."""
        params = self.params
        if params[one] is not None:
            self.check_task_id(params[one], one)
        if params[many] is not None:
            if not params[many]:
                self.module.exit_json(changed=False, msg="%s is empty: nothing to delete" % many, **empty_result)
            for index, value in enumerate(params[many]):
                self.check_task_id(value, "%s[%d]" % (many, index))
        if params["name"] is not None and not params["name"].strip():
            self.fail("name must not be empty")
        if params["wait_timeout"] < 0:
            self.fail("wait_timeout must be 0 or more seconds, got %d" % params["wait_timeout"])

    def check_task_id(self, value, option):
        problem = task_id_problem(value)
        if problem:
            self.fail("%s %s" % (option, problem))

    def _build_client(self):
        params = self.params
        file_values = None
        if params["credentials_file"]:
            file_values, problem, warnings = read_credentials_file(params["credentials_file"])
            self._check(problem, warnings)
            for key, value in file_values.items():
                if key in SECRET_OPTIONS:
                    self.module.no_log_values.add(value)
                if key not in CREDENTIAL_OPTIONS and not params[key]:
                    params[key] = value  # project_id, project_name
        credentials, problem, warnings = choose_credentials(params, file_values)
        self._check(problem, warnings)
        endpoint, auth_url, problem, warnings = resolve_endpoints(params, credentials)
        self._check(problem, warnings)
        self._check(check_ranges(params), [])
        verify = params["validate_certs"]
        if verify and params["ca_path"]:
            verify = params["ca_path"]
        if not verify:
            self.module.warn("validate_certs is false: the TLS certificate of the SMS and IAM endpoints is not checked")
        return SmsClient(endpoint, credentials, iam_url=auth_url, region=params["region"],
                         project_id=params["project_id"], project_name=params["project_name"],
                         timeout=params["timeout"], max_retries=params["max_retries"], verify=verify,
                         on_secret=self.module.no_log_values.add,
                         site_note=site_note(params, endpoint))

    def _check(self, problem, warnings):
        if problem:
            self.fail(problem)
        for warning in warnings:
            self.module.warn(warning)


__all__ = ["SmsModule", "SmsApiError", "SmsFailure", "CONNECTION_ARGUMENT_SPEC", "task_id_problem", "choose_credentials"]
