# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication: an IAM token given as it is, a request signed with an access key (AK/SK), or a password
exchanged for a token; and the IAM project lookup that AK/SK needs when no project id is given.

Plain Python, no Ansible imports. The IAM calls go through the transport like every other request.
"""

from ansible_collections.hwcloud.sms.plugins.module_utils import signer
from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsApiError

SKIP_LOOKUP = ("AK/SK requests name their project: set project_id (env HW_PROJECT_ID) to the project's id, and no IAM "
               "lookup is made")


class Credentials:
    """One way to authenticate: ``token``, ``aksk`` or ``password``."""

    def __init__(self, kind, auth_token=None, access_key=None, secret_key=None, security_token=None,
                 user_name=None, password=None, domain_name=None):
        self.kind = kind
        self.auth_token = auth_token
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token
        self.user_name = user_name
        self.password = password
        self.domain_name = domain_name

    def __repr__(self):
        return "Credentials(kind=%r)" % self.kind


class Auth:
    """Adds to each request what proves who sends it; obtains the token or the project id it needs, once."""

    def __init__(self, credentials, iam_url=None, region=None, project_id=None, project_name=None, on_secret=None):
        self.credentials = credentials
        self.kind = credentials.kind
        self.iam_url = iam_url.rstrip("/") if iam_url else None
        self.region = region
        self.project_id = project_id
        self.project_name = project_name
        self._token = credentials.auth_token if credentials.kind == "token" else None
        self._reauthenticated = False
        # told about every secret obtained (the IAM token), so the caller can mask it in any output
        self.on_secret = on_secret or (lambda value: None)

    def describe(self):
        """The way of authentication, in words (no secret, not even the access key)."""
        creds = self.credentials
        if self.kind == "token":
            return "an IAM token (auth_token)"
        if self.kind == "password":
            return "the password of user %s of account %s, exchanged for an IAM token" % (
                creds.user_name, creds.domain_name)
        project = "project id %s" % self.project_id if self.project_id else \
            "project looked up by the name %s" % self._scope_name()
        return "AK/SK signature%s, %s" % (" with a security token" if creds.security_token else "", project)

    def secrets(self):
        creds = self.credentials
        return [value for value in (creds.auth_token, creds.secret_key, creds.security_token, creds.password,
                                    self._token) if value]

    def can_reauthenticate(self):
        """True once per run, for a token this run obtained with the password: it may have expired."""
        return self.kind == "password" and not self._reauthenticated and self._token is not None

    def forget_token(self):
        self._reauthenticated = True
        self._token = None

    def sign(self, transport, request, headers):
        """``headers`` with the token added, or signed with the AK/SK (SMS calls carry the project id)."""
        if self.kind == "aksk":
            if request.sms_call:
                headers["X-Project-Id"] = self._project_id(transport)
            if self.credentials.security_token:
                headers["X-Security-Token"] = self.credentials.security_token
            headers["X-Sdk-Date"] = signer.sdk_date()
            return signer.sign(request.method, request.path, request.query, headers, request.data,
                               self.credentials.access_key, self.credentials.secret_key)
        if self._token is None:
            self._token = self._issue_token(transport)
        headers["X-Auth-Token"] = self._token
        return headers

    def _scope_name(self):
        return self.project_name or self.region

    def _project_id(self, transport):
        """The project id for AK/SK calls: given, or looked up by name through IAM as the official SDK does."""
        if self.project_id:
            return self.project_id
        name = self._scope_name()
        operation = "look up the IAM project named %s" % name
        try:
            response = transport.request("GET", ["projects"], query=[("name", name)], operation=operation,
                                         base=self.iam_url)
            listed = transport.json(response, operation).get("projects") or []
        except SmsApiError as error:
            raise error.hinted(SKIP_LOOKUP)
        projects = [p for p in listed if isinstance(p, dict) and p.get("name") == name]
        if len(projects) != 1:
            raise SmsApiError(operation, reason="IAM knows %d projects of that name" % len(projects), hint=SKIP_LOOKUP)
        self.project_id = projects[0]["id"]
        return self.project_id

    def _issue_token(self, transport):
        """Exchange the user name and password for a project-scoped IAM token (one per module run)."""
        creds = self.credentials
        project = {"id": self.project_id} if self.project_id else {"name": self._scope_name()}
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": creds.user_name, "password": creds.password, "domain": {"name": creds.domain_name}}}},
            "scope": {"project": project}}}
        operation = "obtain an IAM token for user %s" % creds.user_name
        response = transport.request("POST", ["auth", "tokens"], body=body, operation=operation, base=self.iam_url,
                                     idempotent=True, authenticate=False, quote_body=False)
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise SmsApiError(operation, reason="IAM answered without an X-Subject-Token header",
                              status=response.status_code, request_id=response.headers.get("X-Request-Id"))
        self.on_secret(token)
        return token
