# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`'s stdout callback: the default output, and after each numbered task ("1. ...") and what follows it,
the requests the bundled SMS emulator received meanwhile, read from its journal (``DEMO_JOURNAL_URL``).

The journal is read when the next numbered task starts, when a play starts and at the end of the run, in the
controller's own order of events, so every request is shown under the step that sent it."""

from __future__ import annotations

import json
import os
import re
import urllib.request

from ansible.plugins.callback.default import CallbackModule as DefaultCallback

DOCUMENTATION = """
    name: demo_journal
    type: stdout
    short_description: the default output, with the requests each numbered step sent to the SMS emulator
    description:
      - The default callback's output; when a task whose name starts with a number and a dot begins, when a play
        begins and at the end of the run, the requests the emulator at E(DEMO_JOURNAL_URL) received since the previous one.
    extends_documentation_fragment:
      - default_callback
      - result_format_callback
"""

STEP_RE = re.compile(r"^(\d+)\. ")


def journal_lines(entries) -> list[str]:
    """One line per journal entry: method, path with its query, status, and what a batch or action body holds."""
    lines = []
    for entry in entries:
        path = entry["path"] + ("?" + entry["raw_query"] if entry.get("raw_query") else "")
        body = entry.get("body")
        detail = ""
        if isinstance(body, dict) and isinstance(body.get("ids"), list):
            detail = "  (%d ids)" % len(body["ids"])
        elif isinstance(body, dict) and body.get("operation"):
            detail = "  (operation %s)" % body["operation"]
        lines.append("    %-6s %-58s -> %s%s" % (entry["method"], path, entry["status"], detail))
    return lines


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "demo_journal"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._journal_url = os.environ.get("DEMO_JOURNAL_URL", "")
        self._step = None
        self._shown = 0

    def _show_requests(self):
        if not self._journal_url:
            return
        with urllib.request.urlopen(self._journal_url, timeout=10) as answer:
            journal = json.load(answer)
        entries, self._shown = journal[self._shown:], len(journal)
        if self._step is not None:
            self._display.display("\n  >> requests sent by step %s (the emulator's journal):\n%s\n"
                                  % (self._step, "\n".join(journal_lines(entries)) or "    none"))

    def v2_playbook_on_task_start(self, task, is_conditional):
        match = STEP_RE.match(task.get_name())
        if match:
            self._show_requests()
            self._step = match.group(1)
        super().v2_playbook_on_task_start(task, is_conditional)

    def v2_playbook_on_play_start(self, play):
        self._show_requests()
        self._step = None
        super().v2_playbook_on_play_start(play)

    def v2_playbook_on_stats(self, stats):
        self._show_requests()
        self._step = None
        super().v2_playbook_on_stats(stats)
