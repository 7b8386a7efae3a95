# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The domain suffix of the endpoints of the eu-west-1* regions.

The ``cloud`` option's documentation: the eu-west-1* regions use myhuaweicloud.eu for every endpoint, SMS
included, while ``cloud`` keeps its default; a ``cloud`` the user sets is the suffix of every endpoint
(sms-api.md section 1: the suffix is myhuaweicloud.com unless the user says otherwise). Written here, not imported.
"""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils import endpoints
from ansible_collections.hwcloud.sms.plugins.module_utils.endpoints import iam_endpoint, sms_endpoint


@pytest.mark.parametrize("region, cloud, sms, iam", [
    ("eu-west-101", "myhuaweicloud.com", "https://sms.ap-southeast-3.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu/v3"),
    # a suffix the user chose is kept, whether it sorts before or after the default
    ("eu-west-101", "example.com", "https://sms.ap-southeast-3.example.com", "https://iam.eu-west-101.example.com/v3"),
    ("eu-west-101", "aaa.example", "https://sms.ap-southeast-3.aaa.example", "https://iam.eu-west-101.aaa.example/v3"),
    ("eu-west-101", "zz.example", "https://sms.ap-southeast-3.zz.example", "https://iam.eu-west-101.zz.example/v3"),
    ("eu-west-102", "example.com", "https://sms.ap-southeast-3.example.com", "https://iam.example.com/v3"),
])
def test_the_eu_suffix_replaces_only_the_default_cloud(region, cloud, sms, iam):
    assert sms_endpoint(region, cloud=cloud) == sms
    assert iam_endpoint(region, cloud) == iam


@pytest.mark.parametrize("region, site, endpoint", [
    ("cn-north-4", None, "https://sms.cn-north-4.myhuaweicloud.com"),
    ("cn-east-3", None, "https://sms.cn-north-4.myhuaweicloud.com"),
    ("ap-southeast-3", None, "https://sms.ap-southeast-3.myhuaweicloud.com"),
    ("ap-southeast-1", None, "https://sms.ap-southeast-3.myhuaweicloud.com"),
    ("my-kualalumpur-1", None, "https://sms.my-kualalumpur-1.myhuaweicloud.com"),
    ("ru-moscow-1", None, "https://sms-api.ru-moscow-1.myhuaweicloud.com"),
    # the site is the account's: an international account in a China region, a China account abroad
    ("cn-north-4", "international", "https://sms.ap-southeast-3.myhuaweicloud.com"),
    ("ap-southeast-1", "china", "https://sms.cn-north-4.myhuaweicloud.com"),
    ("my-kualalumpur-1", "china", "https://sms.my-kualalumpur-1.myhuaweicloud.com"),
    ("eu-west-101", None, "https://sms.ap-southeast-3.myhuaweicloud.eu"),
])
def test_sms_endpoint_by_region_and_site(region, site, endpoint):
    assert endpoints.sms_endpoint(region, site=site) == endpoint


@pytest.mark.parametrize("region, cloud, endpoint", [
    ("cn-north-4", endpoints.DEFAULT_CLOUD, "https://iam.cn-north-4.myhuaweicloud.com/v3"),
    ("eu-west-101", endpoints.DEFAULT_CLOUD, "https://iam.eu-west-101.myhuaweicloud.eu/v3"),
    ("ap-southeast-3", "example.com", "https://iam.ap-southeast-3.example.com/v3"),
    # regions the official SDK's IAM table lacks use the global endpoint, as the SDK does
    ("xx-test-1", endpoints.DEFAULT_CLOUD, "https://iam.myhuaweicloud.com/v3"),
    ("eu-west-102", endpoints.DEFAULT_CLOUD, "https://iam.myhuaweicloud.eu/v3"),
])
def test_iam_endpoint(region, cloud, endpoint):
    assert endpoints.iam_endpoint(region, cloud) == endpoint
