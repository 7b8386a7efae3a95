# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: the connection options, the
client built from them, input checks, and the one place that turns an API
error into ``fail_json``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import unicodedata

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.hwcloud.sms.plugins.module_utils.client import (
    DEFAULT_CLOUD,
    HAS_REQUESTS,
    OWN_SMS_HOSTS,
    SITE_REGIONS,
    REQUESTS_IMPORT_ERROR,
    Credentials,
    SmsApiError,
    SmsClient,
    guess_site,
    iam_endpoint,
    sms_endpoint,
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
    ca_path=dict(type="path"),
    timeout=dict(type="int", default=30),
    max_retries=dict(type="int", default=5, fallback=(env_fallback, ["HW_MAX_RETRIES"])),
)

ENV_NAMES = dict((name, spec["fallback"][1][0]) for name, spec in CONNECTION_ARGUMENT_SPEC.items() if "fallback" in spec)

# what a credentials file may hold, and which of it is secret
FILE_OPTIONS = ("auth_token", "access_key", "secret_key", "security_token", "user_name", "password", "domain_name",
                "project_id", "project_name")
SECRET_OPTIONS = ("auth_token", "secret_key", "security_token", "password")

MAX_TASK_ID_LENGTH = 255
FORBIDDEN_ID_CHARACTERS = "/?#%"


def describe_options(names, sep=", "):
    """``a (env HW_A), b (env HW_B)`` for a message that tells the user what to set."""
    return sep.join("%s (env %s)" % (name, ENV_NAMES[name]) if name in ENV_NAMES else name for name in names)


def task_id_problem(value):
    """Why ``value`` cannot be a task id, or None when it can."""
    if not value:
        return "must not be empty"
    if value in (".", ".."):
        return "must not be %r" % value
    if len(value) > MAX_TASK_ID_LENGTH:
        return "must be at most %d characters long, got %d" % (MAX_TASK_ID_LENGTH, len(value))
    for char in value:
        if char in FORBIDDEN_ID_CHARACTERS:
            return "must not contain %r" % char
        if char.isspace() or unicodedata.category(char).startswith("C"):
            return "must not contain whitespace or control characters (found %r)" % char
    return None


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


def choose_credentials(params):
    """The one way to authenticate: ``auth_token``, then AK/SK, then password.

    Returns (credentials, None) or (None, message naming what is missing).
    """
    if params["auth_token"]:
        return Credentials("token", auth_token=params["auth_token"]), None
    if params["access_key"] or params["secret_key"]:
        missing = [name for name in ("access_key", "secret_key") if not params[name]]
        if missing:
            return None, "AK/SK authentication needs both access_key and secret_key; missing: %s" % describe_options(missing)
        return Credentials("aksk", access_key=params["access_key"], secret_key=params["secret_key"],
                           security_token=params["security_token"]), None
    password_options = ("user_name", "password", "domain_name")
    if any(params[name] for name in password_options):
        missing = [name for name in password_options if not params[name]]
        if missing:
            return None, "password authentication needs user_name, password and domain_name; missing: %s" % (
                describe_options(missing))
        return Credentials("password", user_name=params["user_name"], password=params["password"],
                           domain_name=params["domain_name"]), None
    return None, ("no credentials given: set auth_token (env HW_AUTH_TOKEN), or access_key and secret_key "
                  "(env HW_ACCESS_KEY, HW_SECRET_KEY), or user_name, password and domain_name "
                  "(env HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)")


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

    def fail_api(self, error, hint=None, **result):
        """The one place where an API failure becomes the module's failure; ``hint`` adds what the caller knows."""
        self.module.fail_json(msg=with_hint(error, hint), error=error.to_dict(), **result)

    def check_task_id(self, value, option):
        problem = task_id_problem(value)
        if problem:
            self.fail("%s %s" % (option, problem))

    def _read_credentials_file(self):
        """Fill the credential options that are not set from ``credentials_file`` (a JSON object).

        This keeps secrets out of the environment, where job runners record it (an AWX file injector).
        """
        path = self.params["credentials_file"]
        try:
            with open(path, "rb") as handle:
                values = json.loads(handle.read().decode("utf-8"))
        except (IOError, OSError, ValueError) as exc:
            self.fail("credentials_file %s could not be read as a JSON object: %s" % (path, type(exc).__name__))
        if not isinstance(values, dict):
            self.fail("credentials_file %s must hold a JSON object" % path)
        unknown = sorted(key for key in values if key not in FILE_OPTIONS)
        if unknown:
            known = ", ".join(FILE_OPTIONS)
            self.fail("credentials_file %s holds unknown keys %s; known: %s" % (path, ", ".join(unknown), known))
        for key, value in values.items():
            if value in (None, ""):
                continue
            if not isinstance(value, str):
                self.fail("credentials_file %s: %s must be a string" % (path, key))
            if key in SECRET_OPTIONS:
                self.module.no_log_values.add(value)
            if not self.params[key]:
                self.params[key] = value

    def _build_client(self):
        params = self.params
        if params["credentials_file"]:
            self._read_credentials_file()
        credentials, problem = choose_credentials(params)
        if problem:
            self.fail(problem)
        params["site"] = params["site"] or None  # an empty HW_SITE (as a credential type injects it) is not set
        if params["site"] not in (None,) + tuple(SITE_REGIONS):
            self.fail("site must be one of %s, got %r" % (", ".join(SITE_REGIONS), params["site"]))
        region = params["region"]
        cloud = params["cloud"] or DEFAULT_CLOUD
        endpoint = params["endpoint"] or (sms_endpoint(region, cloud, params["site"]) if region else None)
        if not endpoint:
            self.fail("no SMS endpoint: set %s" % describe_options(["region", "endpoint"], " or "))
        needs_iam = credentials.kind == "password" or (credentials.kind == "aksk" and not params["project_id"])
        auth_url = params["auth_url"] or (iam_endpoint(region, cloud) if region else None)
        if needs_iam and not auth_url:
            self.fail("%s needs IAM: set %s" % (
                "password authentication" if credentials.kind == "password" else "AK/SK without project_id",
                describe_options(["region", "auth_url"], " or ")))
        if needs_iam and not (params["project_id"] or params["project_name"] or region):
            self.fail("set %s so that the project can be found" % describe_options(["project_id", "project_name", "region"]))
        if params["timeout"] <= 0:
            self.fail("timeout must be a positive number of seconds, got %d" % params["timeout"])
        if params["max_retries"] < 0:
            self.fail("max_retries must be 0 or more, got %d" % params["max_retries"])
        verify = params["validate_certs"]
        if params["ca_path"] and not os.path.isfile(params["ca_path"]):
            self.fail("ca_path %s is not a readable file" % params["ca_path"])
        if verify and params["ca_path"]:
            verify = params["ca_path"]
        if not verify:
            self.module.warn("validate_certs is false: the TLS certificate of the SMS and IAM endpoints is not checked")
        return SmsClient(endpoint, credentials, iam_url=auth_url, region=region, project_id=params["project_id"],
                         project_name=params["project_name"], timeout=params["timeout"],
                         max_retries=params["max_retries"], verify=verify, on_secret=self.module.no_log_values.add,
                         site_note=site_note(params, endpoint) if region else None)


__all__ = ["SmsModule", "SmsApiError", "CONNECTION_ARGUMENT_SPEC", "task_id_problem", "choose_credentials"]
