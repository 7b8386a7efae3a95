# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Connection and authentication options shared by every module of hwcloud.sms."""

    DOCUMENTATION = r"""
options:
  region:
    description:
      - Huawei Cloud region id, for example V(cn-north-4) or V(ap-southeast-3).
      - Picks the SMS endpoint together with O(site), and the IAM endpoint.
      - If not set, the value of the E(HW_REGION_NAME) environment variable is used.
    type: str
  site:
    description:
      - The Huawei Cloud site the account belongs to. SMS has one endpoint per site, not per region, and the site
        is a property of the account, not of the region - international accounts work in V(cn-*) regions too.
      - V(china) uses C(https://sms.cn-north-4.<cloud>), V(international) uses C(https://sms.ap-southeast-3.<cloud>).
        The regions V(my-kualalumpur-1) and V(ru-moscow-1) have an SMS endpoint of their own, whatever the site.
      - When not set, the site is guessed from the region name (V(cn-*) regions V(china), any other
        V(international)). A failure that a wrong guess could cause (HTTP 401 or 403 on the first SMS request, a
        404 from the API gateway) then says so, naming the endpoint used.
      - V(china) or V(international). An empty value counts as not set.
      - If not set, the value of the E(HW_SITE) environment variable is used.
    type: str
  endpoint:
    description:
      - Base URL of the SMS API, for example V(https://sms.cn-north-4.myhuaweicloud.com) or a local test endpoint.
      - Overrides the endpoint that O(region) and O(site) would pick.
      - If not set, the value of the E(HW_SMS_ENDPOINT) environment variable is used.
    type: str
  cloud:
    description:
      - Domain suffix of the Huawei Cloud site.
      - The V(eu-west-1*) regions (for example V(eu-west-101)) use V(myhuaweicloud.eu) for every endpoint, SMS
        included, while O(cloud) keeps its default.
      - If not set, the value of the E(HW_CLOUD) environment variable is used.
    type: str
    default: myhuaweicloud.com
  auth_url:
    description:
      - IAM endpoint including V(/v3), as the Terraform provider's E(HW_AUTH_URL).
      - Used for password authentication and to look up the project id for AK/SK authentication.
      - Defaults to V(https://iam.<region>.<cloud>/v3) for the regions the official SDK knows an IAM endpoint for,
        and to the global V(https://iam.<cloud>/v3) for any other region, as the SDK does.
      - If not set, the value of the E(HW_AUTH_URL) environment variable is used.
    type: str
  auth_token:
    description:
      - An IAM token, sent as the C(X-Auth-Token) header. Takes precedence over every other way to authenticate.
      - If not set, the value of the E(HW_AUTH_TOKEN) environment variable is used.
    type: str
  access_key:
    description:
      - Access key id for AK/SK request signing (SDK-HMAC-SHA256). Needs O(secret_key).
      - Used when O(auth_token) is not set.
      - If not set, the value of the E(HW_ACCESS_KEY) environment variable is used.
    type: str
  secret_key:
    description:
      - Secret access key for AK/SK request signing. Needs O(access_key).
      - If not set, the value of the E(HW_SECRET_KEY) environment variable is used.
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent as C(X-Security-Token).
      - If not set, the value of the E(HW_SECURITY_TOKEN) environment variable is used.
    type: str
  project_id:
    description:
      - Project id sent as C(X-Project-Id) with AK/SK signing, and the token scope for password authentication.
      - When not given, the project is looked up through IAM by O(project_name), or by O(region) as its name.
      - If not set, the value of the E(HW_PROJECT_ID) environment variable is used.
    type: str
  project_name:
    description:
      - Name of the project to look up when O(project_id) is not given. Defaults to the region id.
      - If not set, the value of the E(HW_PROJECT_NAME) environment variable is used.
    type: str
  user_name:
    description:
      - IAM user name for password authentication, used when neither O(auth_token) nor AK/SK is set.
      - The module obtains one project-scoped IAM token per run and never returns it.
      - If not set, the value of the E(HW_USER_NAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(user_name).
      - If not set, the value of the E(HW_USER_PASSWORD) environment variable is used.
    type: str
  domain_name:
    description:
      - Account (domain) name that O(user_name) belongs to.
      - If not set, the value of the E(HW_DOMAIN_NAME) environment variable is used.
    type: str
  credentials_file:
    description:
      - Path to a JSON object whose keys name credential options (V(auth_token), V(access_key), V(secret_key),
        V(security_token), V(user_name), V(password), V(domain_name), V(project_id), V(project_name)).
      - How it combines with options and environment variables - when the options and environment variables hold a
        complete way to authenticate, they are used as they are and the file's credentials are ignored (with a
        warning). Otherwise the file fills each credential option that is not set, so the environment may hold the
        access key and the file the secret key. Secret values are masked in all output.
      - A file that grants group or others any permission (read, write or execute) gets a warning.
      - Keeps secrets out of the environment, which job runners record - the collection's AWX credential type
        injects the secrets this way.
      - If not set, the value of the E(HW_CREDENTIALS_FILE) environment variable is used.
    type: path
  validate_certs:
    description:
      - Whether to check the TLS certificates of the SMS and IAM endpoints. Set to V(false) only for test endpoints.
      - Proxies are taken from the usual E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables.
    type: bool
    default: true
  allow_http:
    description:
      - Allow an O(endpoint) or O(auth_url) with plain C(http://) to a host other than this machine's loopback
        address. Tokens, passwords and AK/SK-signed requests (which the gateway accepts for 15 minutes) then cross
        the network unencrypted; a warning says so.
      - Without it, such a URL is refused before any request. C(http://) to C(127.0.0.1), C(::1) or
        C(localhost) is always allowed.
    type: bool
    default: false
  ca_path:
    description:
      - Path to a PEM bundle of the certificate authorities to trust, for endpoints signed by a private CA.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: int
    default: 30
  max_retries:
    description:
      - How many times a request is retried after throttling (HTTP 429), a gateway error (HTTP 502, 503, 504)
        or a network failure (no connection, no answer within O(timeout), a connection dropped).
      - The pause before retry number N (from 1) is chosen at random between half and all of 2^(N-1) seconds,
        at most 20 seconds, so the first retry waits 0.5 to 1 second; a C(Retry-After) header (seconds or a date,
        at most 120 seconds) replaces it.
      - Reads (GET), deletions (DELETE) and IAM token requests are retried on all of these; other requests
        (task actions, batch deletions) only after throttling, when the service has not carried them out.
      - An authentication failure (HTTP 401) is never retried with the same credentials. With password
        authentication an expired IAM token is replaced once by a new one.
      - If not set, the value of the E(HW_MAX_RETRIES) environment variable is used.
    type: int
    default: 5
notes:
  - Exactly one way to authenticate is used, in this order - O(auth_token), then O(access_key) and O(secret_key),
    then O(user_name), O(password) and O(domain_name). When more than one is complete, a warning names the one
    used. Giving none of them, or only half of a pair, fails before any request is sent.
  - Credentials with control characters (a line break pasted with a token), a O(region) that is not a region id,
    a O(cloud) that is not a domain name, and an O(endpoint) or O(auth_url) with user information are refused
    before any request, naming the option only.
  - For ad-hoc commands, pass secrets through the environment or O(credentials_file), not as C(-a) arguments -
    ansible-core prints ad-hoc arguments when a module fails.
  - The environment variables are those of the Huawei Cloud Terraform provider, so one set of credentials (for
    example an AWX credential) serves both tools.
requirements:
  - requests
"""
