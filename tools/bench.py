# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make bench`: how much safety costs, and what batching saves, measured against the bundled emulator.

Each variant runs ``ansible-playbook`` several times on fresh tasks; the table gives the median wall time of the
whole run, its ratio to the reference, and the requests the emulator received (from its journal).

Usage: python tools/bench.py [--runs N] [--loop-runs N] [--tasks N] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOKEN = "static-test-token-0123456789"

URI_DELETE = {
    "ansible.builtin.uri": {
        "url": "{{ endpoint }}/v3/tasks/{{ item }}",
        "method": "DELETE",
        "headers": {"X-Auth-Token": "{{ token }}", "Content-Type": "application/json"},
        "status_code": [200, 202, 204],
    },
}
SMS_TASK = {"hwcloud.sms.sms_task": {"task_id": "{{ item }}", "state": "absent"}}
SMS_TASKS = {"hwcloud.sms.sms_task": {"task_ids": "{{ ids }}", "state": "absent"}}


class Emulator:
    """The emulator as a separate process, driven through its control routes."""

    def __init__(self, workdir):
        port_file = Path(workdir) / "port"
        self.process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "emulator" / "sms_emulator.py"),
                                         "--port", "0", "--port-file", str(port_file)], stdout=subprocess.DEVNULL)
        deadline = time.time() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.time() > deadline:
                raise SystemExit("the SMS emulator did not start")
            time.sleep(0.1)
        self.url = "http://127.0.0.1:%s" % port_file.read_text().strip()

    def call(self, method, route, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/_emulator/" + route, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read() or b"null")

    def fresh_tasks(self, count):
        self.call("POST", "reset")
        return [self.call("POST", "tasks", {"name": "bench-%03d" % number})["id"] for number in range(count)]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def playbook(task, loop):
    task = dict(task, name="bench")
    if loop:
        task["loop"] = "{{ ids }}"
    return [{"name": "bench", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "module_defaults": {"group/hwcloud.sms.sms": {"endpoint": "{{ endpoint }}", "auth_token": "{{ token }}"}},
             "tasks": [task]}]


def measure(emu, workdir, label, task, count, runs, loop):
    path = Path(workdir) / ("%s.yml" % label.replace(" ", "_"))
    path.write_text(json.dumps(playbook(task, loop)), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "collections"))
    times, requests = [], []
    for run in range(runs):
        ids = emu.fresh_tasks(count)
        extra = Path(workdir) / "vars.json"
        extra.write_text(json.dumps({"ids": ids, "endpoint": emu.url, "token": TOKEN}), encoding="utf-8")
        started = time.perf_counter()
        proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-e", "@%s" % extra, str(path)],
                              env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        left = emu.call("GET", "tasks")
        if proc.returncode != 0 or left:
            raise SystemExit("%s failed (rc %d, %d tasks left):\n%s%s" % (label, proc.returncode, len(left), proc.stdout,
                                                                          proc.stderr))
        times.append(elapsed)
        requests.append(len(emu.call("GET", "journal")))
        print("  %-40s run %d: %6.2f s, %d requests" % (label, run + 1, elapsed, requests[-1]), flush=True)
    return {"label": label, "median": statistics.median(times), "runs": runs, "requests": statistics.median(requests)}


def table(title, rows, reference):
    lines = ["#### %s" % title, "", "| variant | median seconds | runs | requests | time vs %s |" % reference["label"],
             "|---|---:|---:|---:|---:|"]
    for row in rows:
        ratio = row["median"] / reference["median"]
        lines.append("| %s | %.2f | %d | %d | %.2fx |" % (row["label"], row["median"], row["runs"], row["requests"], ratio))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each single-run variant (default 5)")
    parser.add_argument("--loop-runs", type=int, default=3, help="runs of each loop variant (default 3)")
    parser.add_argument("--tasks", type=int, default=200, help="tasks in the bulk comparison (default 200)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results.md"))
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        emu = Emulator(workdir)
        try:
            print("1. one task", flush=True)
            uri_one = measure(emu, workdir, "uri DELETE", URI_DELETE, 1, options.runs, loop=True)
            sms_one = measure(emu, workdir, "sms_task task_id", SMS_TASK, 1, options.runs, loop=True)
            print("2. %d tasks" % options.tasks, flush=True)
            bulk = measure(emu, workdir, "sms_task task_ids (one run)", SMS_TASKS, options.tasks, options.runs, loop=False)
            sms_loop = measure(emu, workdir, "loop of sms_task task_id", SMS_TASK, options.tasks, options.loop_runs, loop=True)
            uri_loop = measure(emu, workdir, "loop of uri DELETE", URI_DELETE, options.tasks, options.loop_runs, loop=True)
        finally:
            emu.stop()

    report = "\n".join([
        "### Benchmark: `make bench`",
        "",
        "Measured %s on %s with %d CPUs, Python %s, against the bundled emulator on 127.0.0.1; wall time of whole"
        " `ansible-playbook` runs, median of the runs shown. Requests are counted from the emulator's journal."
        % (time.strftime("%Y-%m-%d"), sys.platform, os.cpu_count(), sys.version.split()[0]),
        "",
        table("One task: the cost of safety (read, delete, confirm) over a bare DELETE", [uri_one, sms_one], uri_one),
        "",
        table("%d tasks" % options.tasks, [uri_loop, sms_loop, bulk], uri_loop),
        "",
        "`sms_task task_ids` is %.1fx faster than the `uri` loop and %.1fx faster than the `sms_task` loop, with %d"
        " requests instead of %d." % (
            uri_loop["median"] / bulk["median"], sms_loop["median"] / bulk["median"], bulk["requests"],
            uri_loop["requests"]),
        "",
    ])
    print("\n" + report)
    output = Path(options.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    print("written to %s" % output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
