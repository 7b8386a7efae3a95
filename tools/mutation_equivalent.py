"""Survivors of ``make mutation`` judged equivalent: no test can tell them apart from the original.

Keyed by module, operator and the mutated source line as written (stripped); tools/mutation.py lists them apart
from the survivors still to be killed, with the reason.
"""

EQUIVALENT = {
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'timeout=30, max_retries=5, verify=True, sleep=time.sleep, on_secret=None, site_note=None):'):
        'the modules always pass timeout and max_retries from their options (whose documented defaults a test'
        " checks); the constructor's own defaults serve only direct callers",
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'return self.credentials.kind == "password" and not self._reauthenticated and self._token is not None'):
        'of the three kinds, "aksk" <= "password" too, but an AK/SK client never holds a token (it signs), so'
        ' the last condition is false for it either way',
    ('plugins/module_utils/common.py', 'core/NumberReplacer',
     'ENV_NAMES = {name: spec["fallback"][1][0] for name, spec in CONNECTION_ARGUMENT_SPEC.items() if "fallback" in spec}'):
        'each of the fallback lists of CONNECTION_ARGUMENT_SPEC names exactly one variable, so [0] and [-1] '
        'are the same element',
    ('plugins/module_utils/common.py', 'core/NumberReplacer',
     'for kind, names in METHODS[1:]:'):
        "missing_credentials runs only when no way is complete, so auth_token (the token way's only option) "
        'is empty there: the extra first iteration over the token way never returns',
    ('plugins/module_utils/common.py', 'core/NumberReplacer',
     'if sys.exc_info()[0] is not None:'):
        'sys.exc_info() is either (None, None, None) or all three set, so its [1] and [-1] are None exactly '
        'when [0] is',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_GtE',
     '"password authentication" if credentials.kind == "password" else "AK/SK without project_id",'):
        'the line runs only when IAM is needed, so the kind is "password" or "aksk", and "aksk" >= "password"'
        ' is false',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_GtE',
     'if kind == "token":'):
        'the one caller passes a kind of METHODS, "token", "aksk" or "password"; of these only "token" >= '
        '"token"',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if kind == "aksk":'):
        'the one caller passes a kind constant of METHODS in the same module, the same interned object as the'
        ' literal "aksk"',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if kind == "token":'):
        'the one caller passes a kind constant of METHODS in the same module, the same interned object as the'
        ' literal "token"',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'other = "international" if guessed == "china" else "china"'):
        '`guessed` is always what `client.guess_site()` returns, one of its two literal constants "china" and'
        ' "international"; CPython interns such identifier-like literals, so they are the same object as the '
        'literal here and `is` agrees with `==`',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if isinstance(value, str) and any(unicodedata.category(char) == "Cc" for char in value):'):
        '"Cc" is the smallest of the Unicode general categories: over every code point up to sys.maxunicode, '
        'the only category <= "Cc" is "Cc", so the same characters match',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if kind == "aksk":'):
        'only "aksk" or "password" reach this line ("token" returned before it), and "password" <= "aksk" is '
        'false',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'needs_iam = credentials.kind == "password" or (credentials.kind == "aksk" and not params["project_id"])'):
        'a kind is "token", "aksk" or "password": "token" <= "aksk" and "password" <= "aksk" are false, so '
        'only "aksk" passes, as with `==`',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'other = "international" if guessed == "china" else "china"'):
        '`guessed` is only ever "china" or "international": "china" <= "china" is true and "international" <='
        ' "china" false, as with `==`',
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Gt_NotEq',
     'valid_port = split.port is None or split.port > 0'):
        'urlsplit().port is None or an int from 0 to 65535 (signs, out-of-range and non-digit ports raise the'
        ' ValueError caught just above): for those, `!= 0` is `> 0`',
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if len(ids) == 1:'):
        'no ids at all take either way to no request: delete_each and delete_in_batches of [] send nothing',
    ('plugins/module_utils/task_rules.py', 'core/ReplaceComparisonOperator_Is_Eq',
     'if task.get("connected") is False:'):
        '"connected" is a JSON boolean or missing: for True, False and None, "== False" and "is False" agree',
}
