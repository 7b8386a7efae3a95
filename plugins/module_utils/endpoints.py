# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where requests go: the SMS and IAM endpoints of a region, and the checks that keep a URL (and the credentials
sent to it) on the host it names. Plain Python, no Ansible imports."""

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsFailure

# Endpoints of the SMS service: one per site, not per region. Two regions have an endpoint of their own.
SITE_REGIONS = {"china": "cn-north-4", "international": "ap-southeast-3"}
OWN_SMS_HOSTS = {"my-kualalumpur-1": "sms.my-kualalumpur-1", "ru-moscow-1": "sms-api.ru-moscow-1"}
# a host name, and so also what the cloud option may be: labels of letters, digits and dashes, a top-level domain
HOST_PATTERN = re.compile(r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
REGION_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_CLOUD = "myhuaweicloud.com"
EU_CLOUD = "myhuaweicloud.eu"

# The regions whose IAM endpoint the official SDK knows (iam.<region>.<cloud>); any other uses the global iam.<cloud>.
IAM_REGIONS = frozenset([
    "af-south-1", "ae-ad-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "cn-east-2",
    "cn-east-3", "cn-east-4", "cn-east-5", "cn-north-1", "cn-north-2", "cn-north-4", "cn-north-9", "cn-north-12",
    "cn-south-1", "cn-south-2", "cn-southwest-2", "eu-west-0", "eu-west-101", "la-north-2", "la-south-2",
    "me-east-1", "my-kualalumpur-1", "na-mexico-1", "ru-moscow-1", "sa-brazil-1", "tr-west-1",
])


def domain_suffix(region, cloud=DEFAULT_CLOUD):
    """The domain suffix of every endpoint: ``cloud``, except that the eu-west-1* regions use myhuaweicloud.eu."""
    if cloud == DEFAULT_CLOUD and region.startswith("eu-west-1"):
        return EU_CLOUD
    return cloud


def guess_site(region):
    """The site an account working in ``region`` most likely belongs to: only a guess (see the ``site`` option)."""
    return "china" if region.startswith("cn-") else "international"


def sms_endpoint(region, cloud=DEFAULT_CLOUD, site=None):
    """The SMS endpoint for an account of ``site`` (guessed from the region when None) working in ``region``."""
    host = OWN_SMS_HOSTS.get(region) or "sms.%s" % SITE_REGIONS[site or guess_site(region)]
    return https_url("%s.%s" % (host, domain_suffix(region, cloud)))


def iam_endpoint(region, cloud=DEFAULT_CLOUD):
    """The IAM endpoint (including ``/v3``) for ``region``: regional where the official SDK knows one, else global."""
    suffix = domain_suffix(region, cloud)
    if region in IAM_REGIONS:
        return https_url("iam.%s.%s" % (region, suffix)) + "/v3"
    return https_url("iam.%s" % suffix) + "/v3"


def https_url(host):
    """``https://<host>``, after checking that it names exactly that host (ValueError otherwise): a region or
    domain suffix must never be able to point a request, and its credentials, at another host."""
    url = "https://%s" % host
    split = urlsplit(url)
    if not HOST_PATTERN.match(host) or split.hostname != host.lower() or split.port or split.path:
        raise ValueError("refused to build an endpoint for the host %r: check region and cloud" % host[:100])
    return url


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(name, value, allow_http):
    """Raise SmsFailure when ``value`` cannot be the base URL of option ``name``; return a warning for accepted
    plain http, else None.

    Never echoes a URL that carries user information: it may be a password.
    """
    try:
        split = urlsplit(value)
        valid_port = split.port is None or split.port > 0
    except ValueError:
        valid_port = False
    if not valid_port:
        raise SmsFailure("%s must be an https:// URL with a valid host and port" % name)
    if "@" in split.netloc:
        raise SmsFailure("%s must not carry user information (user:password@host); give credentials through the "
                         "credential options" % name)
    if split.scheme not in ("https", "http") or not split.hostname or split.query or split.fragment or \
            any(unicodedata.category(char) in ("Cc", "Zs") for char in value):
        raise SmsFailure("%s must be an https:// URL with a host, and no query or fragment, got %r" % (name, value[:200]))
    if split.scheme == "http" and not is_loopback(split.hostname):
        if not allow_http:
            raise SmsFailure("%s uses plain http to %s: tokens, passwords and signed requests (which can be replayed for "
                             "15 minutes) would cross the network unencrypted. Use https, or set allow_http: true to "
                             "accept the risk" % (name, split.hostname))
        return ("%s uses plain http to %s: tokens, passwords and signed requests (replayable for 15 minutes) "
                "cross the network unencrypted" % (name, split.hostname))
    return None


def check_own_iam(endpoint, region, cloud, kind):
    """Raise SmsFailure when the IAM endpoint must not be derived from ``region`` for this custom ``endpoint``.

    An endpoint outside the cloud's domain (a private or test deployment) has its own IAM: the public
    ``iam.<region>.<cloud>`` must never receive its password, nor a request signed with its keys. Called after
    check_url() accepted ``endpoint``.
    """
    host = (urlsplit(endpoint).hostname or "").lower()
    suffix = domain_suffix(region, cloud) if region else cloud
    if host.endswith("." + suffix.lower()):
        return
    what = "password authentication" if kind == "password" else "AK/SK without project_id (the project lookup)"
    raise SmsFailure("%s needs IAM, and endpoint %s is not under %s: set auth_url (env HW_AUTH_URL) to the IAM endpoint "
                     "that serves it%s. Credentials are never sent to the public IAM of %s for another endpoint" % (
                         what, host[:100], suffix, "" if kind == "password" else ", or set project_id", suffix))


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
