# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record id checks and the choice of credentials."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.sms.plugins.module_utils.errors import SmsFailure
from ansible_collections.hwcloud.sms.plugins.module_utils.options import CONNECTION_ARGUMENT_SPEC, choose_credentials, task_id_problem

ONLY = "may hold only letters, digits, '-' and '_', found "


@pytest.mark.parametrize("value, problem", [
    ("", "must not be empty"), ("a" * 256, "must be at most 255 characters long, got 256"),
    ("a/b", ONLY + "'/'"), ("a?b", ONLY + "'?'"), ("a#b", ONLY + "'#'"), ("a%20b", ONLY + "'%'"),
    ("a b", ONLY + "' '"), ("a\u00a0b", ONLY + "'\\xa0'"), ("a\x7fb", ONLY + "'\\x7f'"),
    ("a\u200bb", ONLY + "'\\u200b'"), ("a\n", ONLY + "'\\n'"), ("..", ONLY + "'.'"), ("a.b~c_d", ONLY + "'.'"),
    ("t\u00e2che-\u00fc", ONLY + "'\u00e2'"), ("a\u0660", ONLY + "'\u0660'"),  # a letter or digit outside ASCII too
])
def test_bad_task_ids(value, problem):
    assert task_id_problem(value) == problem


@pytest.mark.parametrize("value", ["['a'", "'b']", "[a", '"a"', " 'c' "])
def test_a_piece_of_a_list_written_as_a_string_is_named_as_such(value):
    assert task_id_problem(value).startswith("is %r, which looks like a piece of a list written as a string" % value)


@pytest.mark.parametrize("value", ["7a9a9540-ff28-4869-b9e4-855fbe12a0c1", "a" * 255, "A-z_09", "-", "_"])
def test_good_task_ids(value):
    assert task_id_problem(value) is None


def params(**given):
    values = dict.fromkeys(CONNECTION_ARGUMENT_SPEC)
    values.update(given)
    return values


def chosen(**given):
    return choose_credentials(params(**given), None, lambda warning: None)


def refusal(**given):
    with pytest.raises(SmsFailure) as raised:
        chosen(**given)
    return raised.value.msg


def test_credentials_order():
    assert chosen(auth_token="t", access_key="a", secret_key="s").kind == "token"
    assert chosen(access_key="a", secret_key="s", user_name="u").kind == "aksk"
    assert chosen(user_name="u", password="p", domain_name="d").kind == "password"


def test_missing_credentials_name_the_options():
    assert "missing: access_key (env HW_ACCESS_KEY)" in refusal(secret_key="s")
    assert "missing: password (env HW_USER_PASSWORD), domain_name" in refusal(user_name="u")
    assert "HW_AUTH_TOKEN" in refusal()


def test_credentials_repr_holds_no_secret():
    credentials = chosen(access_key="a", secret_key="very-secret")
    assert "very-secret" not in repr(credentials)
