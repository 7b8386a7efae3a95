"""Survivors of ``make mutation`` judged equivalent: no test can tell them apart from the original.

Keyed by module, operator and the mutated source line as written (stripped); tools/mutation.py lists them apart
from the survivors still to be killed, with the reason.
"""

ENTRIES = [  # (module, operator, source line, reason)
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     '"check the system clock (NTP)" % (abs(offset) // 60, "ahead of" if offset > 0 else "behind",',
     'the line runs only when abs(offset) is over 900 seconds: offset is never between -1 and 1, so `> 1` '
     'and `> -1` are `> 0`'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'CLOCK_TOLERANCE // 60))',
     '900 // 59 and 900 // 61 are 15 like 900 // 60 (the constant 900, formatted with %d)'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'timeout=30, max_retries=5, verify=True, sleep=time.sleep, on_secret=None, site_note=None):',
     'the modules always pass timeout and max_retries from their options (whose documented defaults a test'
     " checks); the constructor's own defaults serve only direct callers"),
    ('plugins/module_utils/client.py', 'core/ReplaceAndWithOr',
     'if not fields.get("error_code") and not fields.get("error_msg"):',
     'the extra cases (exactly one of code and message set) only set the excerpt, which the message uses '
     'only when neither is set; the excerpt is in no result field'),
    ('plugins/module_utils/client.py', 'core/ReplaceBinaryOperator_FloorDiv_Div',
     '"check the system clock (NTP)" % (abs(offset) // 60, "ahead of" if offset > 0 else "behind",',
     'the value is formatted with %d, which truncates: for the non-negative abs(offset), abs(offset) / 60 '
     'shows as abs(offset) // 60'),
    ('plugins/module_utils/client.py', 'core/ReplaceBinaryOperator_FloorDiv_Div',
     'CLOCK_TOLERANCE // 60))',
     'CLOCK_TOLERANCE is the constant 900 and the value is formatted with %d: 900 / 60 shows as 15, as 900'
     ' // 60 does'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_GtE',
     'self._token = credentials.auth_token if credentials.kind == "token" else None',
     'a kind is "token", "aksk" or "password", and the other two sort before "token": `>= "token"` holds '
     'only for "token"'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'return self.credentials.kind == "password" and not self._reauthenticated and self._token is not None',
     'of the three kinds, "aksk" <= "password" too, but an AK/SK client never holds a token (it signs), so'
     ' the last condition is false for it either way'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_GtE_Eq',
     'steady = steady and count == first_count and not seen.intersection(ids) and (bool(items) or offset >= count)',
     'a count is an int of at least 0 (else the page is refused); on the first page offset is 0, so >= and == '
     'both mean count == 0; later, steady still holds only while every count equals first_count, and the loop '
     'went on only while offset < first_count: offset > count never reaches this comparison'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_GtE_Is',
     'steady = steady and count == first_count and not seen.intersection(ids) and (bool(items) or offset >= count)',
     'as for ==: offset > count never reaches it, and where offset == count (the first page, count 0) both are '
     'the int 0, which CPython keeps once (json gives the cached small int)'),
    ('plugins/module_utils/client.py', 'core/ReplaceTrueWithFalse',
     'def _error(self, operation, response, retries=0, hint=None, quote_body=True):',
     'the one caller that leaves quote_body out asks only is_absence() of the error, which reads the status and '
     'error_code, never the excerpt; the other caller always passes quote_body'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_NotEq_IsNot',
     'if self._redactor[0] != secrets:  # built again only when a secret was added (the IAM token)',
     'secrets is a new tuple on every call, so the mutant builds the masking function again every time, from '
     'the current secrets: the same masking, only slower (the cache exists for speed)'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'if self._redactor[0] != secrets:  # built again only when a secret was added (the IAM token)',
     'self._redactor[1] (or [-1]) is None or the masking function, never equal to a tuple: the function is '
     'built again every time from the current secrets, the same masking, only slower'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if step == REAUTHENTICATE:',
     'next_step() returns the module\'s constants themselves, so step is REAUTHENTICATE exactly when it equals it'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'def _error(self, operation, response, retries=0, hint=None, quote_body=True):',
     'the one caller that leaves retries out asks only is_absence() of the error, which reads the status and '
     'error_code, never the retries; the other caller always passes retries'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_GtE',
     'status == 404 and hints):',
     'hints gets entries only for a 404 (the gateway\'s) or a 401 (AK/SK, below 404): for every status above 404 '
     'the list is empty, so >= 404 and hints holds exactly when == 404 and hints does'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'pieces = iter(lambda: read1(65536, decode_content=True), b"")',
     'the size of a piece only: the body is all pieces joined, and the size limit and the deadline are checked on '
     'the running total after each piece'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'pieces = raw.stream(4096, decode_content=True)',
     'the size of a piece only (stream() skips empty pieces): the body is all pieces joined, and the size limit '
     'and the deadline are checked on the running total after each piece; the timer, not the pieces, bounds the wait'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if step == ABSENT:',
     'next_step() returns "done", "absent", "reauthenticate", "retry" or "fail"; none sorts before "absent", so '
     '<= "absent" holds exactly for "absent"'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if step == FAIL:',
     'next_step() returns the module\'s constants themselves, so step is FAIL exactly when it equals it'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if self.credentials.kind == "aksk":',
     'a kind is "token", "aksk" or "password", and "aksk" sorts first: <= "aksk" holds only for "aksk"'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'reason = getattr(exc.args[0], "reason", None) if exc.args else None',
     'requests raises its ConnectionError and Timeout with one positional argument (the urllib3 error), and the '
     'client raises its own with one message: args[0] and args[-1] are the same'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if step == DONE:',
     'next_step() returns the module\'s constants themselves, so step is DONE exactly when it equals it'),
    ('plugins/module_utils/client.py', 'core/ReplaceBinaryOperator_FloorDiv_Div',
     'raise AnswerTooLarge("the answer was larger than %d MiB" % (MAX_BODY // 2 ** 20))',
     'MAX_BODY is 16 MiB exactly and the value is formatted with %d: 16.0 shows as 16'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if status == 401 and self.credentials.kind == "aksk":',
     'a kind is "token", "aksk" or "password", and "aksk" sorts first: <= "aksk" holds only for "aksk"'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if step == ABSENT:',
     'next_step() returns the module\'s constants themselves, so step is ABSENT exactly when it equals it'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Is_Eq',
     'if verify is False:',
     'verify is True, False or a CA path (a non-empty string, checked by the modules): only False equals False'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'return "%s from %s: stopped reading" % (exc.args[0], split.netloc)',
     'AnswerTooLarge is raised with one argument, its reason: args[0] and args[-1] are the same'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'self.project_id = projects[0]["id"]',
     'the line before fails unless exactly one project has the name: projects[0] and projects[-1] are the same'),
    ('plugins/module_utils/client.py', 'core/NumberReplacer',
     'offset, pages, first_count, budget, seen, steady = 0, 0, None, 0, set(), True',
     'budget is set from the first page before it is first compared; its initial value is never read'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_GtE_Gt',
     'if watchdog is not None and time.monotonic() >= deadline:',
     'the clock is read in floats of nanoseconds: a reading exactly equal to the deadline, the one case >= and > '
     'tell apart, cannot be brought about by a test'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_IsNot_NotEq',
     'if getattr(raw, "enforce_content_length", True) is not True:',
     'urllib3 keeps enforce_content_length as a bool: for True and False, != True and is not True agree'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_IsNot_Lt',
     'if getattr(raw, "enforce_content_length", True) is not True:',
     'urllib3 keeps enforce_content_length as a bool: False < True holds and True < True does not, as with is not True'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_IsNot_LtE',
     'if getattr(raw, "enforce_content_length", True) is not True:',
     'for a bool, <= True always holds: the mutant also sets True where it already is True, which changes nothing'),
    ('plugins/module_utils/client.py', 'core/ReplaceTrueWithFalse',
     'if getattr(raw, "enforce_content_length", True) is not True:',
     'the default serves only a response without the attribute; urllib3 1.26 and 2 both have it'),
    ('plugins/module_utils/client.py', 'core/ReplaceBinaryOperator_Sub_Mod',
     'watchdog = threading.Timer(deadline - time.monotonic(), _shut, [raw])  # cancelled on every way out',
     'the monotonic clock counts from boot: while the timeout is shorter than the time since boot, '
     'now <= deadline < 2 * now, and then deadline % now is deadline - now'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Gt_GtE',
     'if time.monotonic() > deadline:',
     'the clock is read in floats of nanoseconds: a reading exactly equal to the deadline, the one case > and >= '
     'tell apart, cannot be brought about by a test'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Gt_GtE',
     '"check the system clock (NTP)" % (abs(offset) // 60, "ahead of" if offset > 0 else "behind",',
     'the line runs only when abs(offset) is over 900 seconds, so offset is never 0'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Lt_IsNot',
     'if depth < ERROR_NESTING:',
     'depth is an internal counter that starts at 0 and grows by 1 only below 2: its values are 0, 1 and 2'
     ' (cached small ints), for which `is not 2` is `< 2`'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Lt_NotEq',
     'if depth < ERROR_NESTING:',
     'depth is an internal counter that starts at 0 and grows by 1 only below 2: for its values 0, 1 and '
     '2, `!= 2` is `< 2`'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_NotEq_Gt',
     'return isinstance(code, str) and code.strip() != "" and not code.startswith(GATEWAY_CODE_PREFIXES)',
     'the empty string is the smallest str: for any str, `> ""` is `!= ""`'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_NotEq_IsNot',
     'if found != (None, None):',
     'found is always a return value of error_fields, whose every (None, None) is the one constant of its '
     'code object: `is not` gives what `!=` gives'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_NotEq_IsNot',
     'return isinstance(code, str) and code.strip() != "" and not code.startswith(GATEWAY_CODE_PREFIXES)',
     'in CPython every empty str, strip()\'s result included, is the one empty-string object: `is not ""` '
     'is `!= ""`'),
    ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_NotEq_Lt',
     'if not HOST_PATTERN.match(host) or split.hostname != host.lower() or split.port or split.path:',
     'once HOST_PATTERN matched, the host holds only letters, digits, "-" and "." (and at most a trailing '
     "line break, which `$` admits): urlsplit's hostname is then host.lower(), or host.lower() without "
     'that last character, a proper prefix, so `<` and `!=` agree'),
    ('plugins/module_utils/client.py', 'core/ReplaceOrWithAnd',
     'if not HOST_PATTERN.match(host) or split.hostname != host.lower() or split.port or split.path:',
     'reached only when HOST_PATTERN matched, so the host has no ":", "/", "?" or "#": split.port is '
     'always None and split.path always "", and `port or path` and `port and path` are both falsy'),
    ('plugins/module_utils/common.py', 'core/NumberReplacer',
     'ENV_NAMES = {name: spec["fallback"][1][0] for name, spec in CONNECTION_ARGUMENT_SPEC.items() if "fallback" in spec}',
     'each of the fallback lists of CONNECTION_ARGUMENT_SPEC names exactly one variable, so [0] and [-1] '
     'are the same element'),
    ('plugins/module_utils/common.py', 'core/NumberReplacer',
     'for kind, names in METHODS[1:]:',
     "missing_credentials runs only when no way is complete, so auth_token (the token way's only option) "
     'is empty there: the extra first iteration over the token way never returns'),
    ('plugins/module_utils/common.py', 'core/NumberReplacer',
     'if sys.exc_info()[0] is not None:',
     'sys.exc_info() is either (None, None, None) or all three set, so its [1] and [-1] are None exactly '
     'when [0] is'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_GtE',
     '"password authentication" if credentials.kind == "password" else "AK/SK without project_id",',
     'the line runs only when IAM is needed, so the kind is "password" or "aksk", and "aksk" >= "password"'
     ' is false'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_GtE',
     'if kind == "token":',
     'the one caller passes a kind of METHODS, "token", "aksk" or "password"; of these only "token" >= '
     '"token"'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if kind == "aksk":',
     'the one caller passes a kind constant of METHODS in the same module, the same interned object as the'
     ' literal "aksk"'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if kind == "token":',
     'the one caller passes a kind constant of METHODS in the same module, the same interned object as the'
     ' literal "token"'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'other = "international" if guessed == "china" else "china"',
     '`guessed` is always what `client.guess_site()` returns, one of its two literal constants "china" and'
     ' "international"; CPython interns such identifier-like literals, so they are the same object as the '
     'literal here and `is` agrees with `==`'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if isinstance(value, str) and any(unicodedata.category(char) == "Cc" for char in value):',
     '"Cc" is the smallest of the Unicode general categories: over every code point up to sys.maxunicode, '
     'the only category <= "Cc" is "Cc", so the same characters match'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if kind == "aksk":',
     'only "aksk" or "password" reach this line ("token" returned before it), and "password" <= "aksk" is '
     'false'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'needs_iam = credentials.kind == "password" or (credentials.kind == "aksk" and not params["project_id"])',
     'a kind is "token", "aksk" or "password": "token" <= "aksk" and "password" <= "aksk" are false, so '
     'only "aksk" passes, as with `==`'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'other = "international" if guessed == "china" else "china"',
     '`guessed` is only ever "china" or "international": "china" <= "china" is true and "international" <='
     ' "china" false, as with `==`'),
    ('plugins/module_utils/common.py', 'core/ReplaceComparisonOperator_Gt_NotEq',
     'valid_port = split.port is None or split.port > 0',
     'urlsplit().port is None or an int from 0 to 65535 (signs, out-of-range and non-digit ports raise the'
     ' ValueError caught just above): for those, `!= 0` is `> 0`'),
    ('plugins/module_utils/removal.py', 'core/NumberReplacer',
     'return -(-max(tasks, 0) // LIST_PAGE_SIZE)',
     'the 0 -> -1 mutant: for tasks >= 0 both maxima are tasks, and for tasks < 0 both give 0 pages'),
    ('plugins/module_utils/removal.py', 'core/NumberReplacer',
     'return self.client.get_task(matches[0]["id"]) if matches else None',
     'matches holds at most one task here (several fail the run the line before), so matches[0] and '
     'matches[-1] are the same'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_GtE',
     'if decided.action == STOP_THEN_DELETE:',
     'these lines see only "delete", "stop_then_delete" or "refused" ("absent" and "being_deleted" are '
     'answered before, and a predicted "refused" has failed the run), and only "stop_then_delete" is >= '
     '"stop_then_delete"'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_GtE',
     'if not self.LIST_ITEMS_COMPLETE and self.plan_of(task, force=False).action == REFUSED:',
     'only the task remover gets past the first condition, and task_rules.plan() of a listed task without '
     'force gives "being_deleted", "delete" or "refused": only "refused" is >= "refused"'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if decided.action == ABSENT:',
     'task_rules.plan() builds every plan from its module constants themselves, all distinct strings: the '
     'action is the object ABSENT exactly when it equals it'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if decided.action == BEING_DELETED:',
     'task_rules.plan() builds every plan from its module constants themselves, all distinct strings: the '
     'action is the object BEING_DELETED exactly when it equals it'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if decided.action == REFUSED:',
     'task_rules.plan() and source_plan() build every plan from the module constants themselves, all '
     'distinct strings: the action is the object REFUSED exactly when it equals it'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if decided.action == STOP_THEN_DELETE:',
     'task_rules.plan() builds every plan from its module constants themselves, all distinct strings: the '
     'action is the object STOP_THEN_DELETE exactly when it equals it'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_Is',
     'if not self.LIST_ITEMS_COMPLETE and self.plan_of(task, force=False).action == REFUSED:',
     'plan_of() builds every plan from the module constants themselves, all distinct strings: the action '
     'is the object REFUSED exactly when it equals it'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if decided.action == ABSENT:',
     'the other actions of task_rules.plan() ("being_deleted", "delete", "stop_then_delete", "refused") '
     'all sort after "absent", so <= "absent" holds exactly for "absent"'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if decided.action == BEING_DELETED:',
     '"absent" is answered the line before; of the other actions of task_rules.plan() ("being_deleted", '
     '"delete", "stop_then_delete", "refused") only "being_deleted" is <= "being_deleted"'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_LtE',
     'if len(ids) == 1:',
     'no ids at all take either way to no request: delete_each and delete_in_batches of [] send nothing'),
    ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_NotEq_Gt',
     'changed = self.changed or any(entry["result"].startswith("would_") and entry["result"] != "would_be_refused"',
     'the check-mode results starting with "would_" are would_delete, would_stop_and_delete, '
     'would_delete_tasks_and_delete and would_be_refused, which sorts first: > it is != it'),
    ('plugins/module_utils/removal.py', 'core/ReplaceTrueWithFalse',
     'found, read, stable = {}, 0, True',
     'the initial value is never returned: record_pages() yields a first page (or raises), and the loop '
     'sets stable from it'),
    ('plugins/module_utils/removal.py', 'core/ReplaceTrueWithFalse',
     'return self.result(False, "SMS task %s is already absent" % wanted, None, gone=True)',
     'gone only chooses the diff\'s after; with no task, before is {"id": ..., "state": "absent"} and after'
     ' is the same dict either way'),
    ('plugins/module_utils/task_rules.py', 'core/ReplaceComparisonOperator_Is_Eq',
     'if task.get("connected") is False:',
     '"connected" is a JSON boolean or missing: for True, False and None, "== False" and "is False" agree'),
    ('plugins/modules/sms_source_server.py', 'core/NumberReplacer',
     'result["source_server"] = remover.found.get(ids[0]) or {} if ids else {}',
     'with source_server_id or name, ids holds exactly one id here (several names fail before, none exits '
     'before), so ids[0] and ids[-1] are the same'),
]
EQUIVALENT = {entry[:3]: entry[3] for entry in ENTRIES}
