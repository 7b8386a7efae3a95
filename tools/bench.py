# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make bench`: the shape of the cost, measured against the bundled emulator with a fixed latency per request.

For N ids among M tasks (N of 1, 10, 200, 2,000; M of N and 10,000), every task deletable and removed by the service
at once, it runs whole ``ansible-playbook`` runs on fresh tasks: ``sms_task`` with ``task_ids`` (and ``wait``), the
``decommission`` role selecting by ids and by source servers, and a loop of ``ansible.builtin.uri`` DELETEs as the
baseline where that is not absurdly slow. Each figure is the median wall time of the runs, with the requests the
emulator received (from its journal), checked against the targets. One task against a bare ``uri`` DELETE is
measured in pairs run alternately. The module's memory is measured in a process of its own (tracemalloc's peak
while ``main()`` runs), for the same N among accounts of different sizes.

Why home-made: what is measured is whole ``ansible-playbook`` runs and the requests the emulator received, not a
Python function, which is what pytest-benchmark and similar tools time.

Usage: python tools/bench.py [--runs N] [--pairs N] [--latency S] [--ids 1,10,200,2000] [--large 10000]
                             [--uri-loop-max N] [--loop-runs N] [--output FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / "build" / "collections"
BIN = Path(sys.executable).parent
TOKEN = "static-test-token-0123456789"
PAGE = 200
MODULE_DEFAULTS = {"group/hwcloud.sms.sms": {"endpoint": "{{ endpoint }}", "auth_token": "{{ token }}"}}


def uri_delete(task_id, **keywords):
    return dict({"name": "bench", "ansible.builtin.uri": {
        "url": "{{ endpoint }}/v3/tasks/%s" % task_id, "method": "DELETE",
        "headers": {"X-Auth-Token": "{{ token }}", "Content-Type": "application/json"}, "status_code": [200, 202, 204]}},
        **keywords)


def target(n, m):
    """The issue's bound for N ids among M tasks, all deletable and removed at once, with wait."""
    return 2 * min(n, math.ceil(m / PAGE)) + math.ceil(n / 50) + 2


def play(tasks=None, roles=None):
    entry = {"name": "bench", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "module_defaults": MODULE_DEFAULTS}
    if tasks is not None:
        entry["tasks"] = tasks
    if roles is not None:
        entry["roles"] = roles
    return [entry]


# variant -> (playbook, extra variables from (ids, source ids))
VARIANTS = {
    "uri DELETE": (play([uri_delete("{{ ids[0] }}")]), lambda ids, sources: {"ids": ids}),
    "sms_task task_id": (play([{"name": "bench", "hwcloud.sms.sms_task": {"task_id": "{{ ids[0] }}", "state": "absent"}}]),
                         lambda ids, sources: {"ids": ids}),
    "sms_task task_ids": (play([{"name": "bench", "hwcloud.sms.sms_task": {"task_ids": "{{ ids }}", "state": "absent"}}]),
                          lambda ids, sources: {"ids": ids}),
    "role, by ids": (play(roles=["hwcloud.sms.decommission"]), lambda ids, sources: {"decommission_task_ids": ids}),
    "role, by source servers": (play(roles=["hwcloud.sms.decommission"]),
                                lambda ids, sources: {"decommission_source_server_ids": sources}),
    "loop of uri DELETE": (play([uri_delete("{{ item }}", loop="{{ ids }}")]), lambda ids, sources: {"ids": ids}),
}


class Bench:
    def __init__(self, options, workdir):
        sys.path.insert(0, str(ROOT))
        from tests.emulator.sms_emulator import Emulator  # pylint: disable=import-outside-toplevel
        self.options = options
        self.workdir = Path(workdir)
        self.emu = Emulator(latency=options.latency).start()
        self.env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        self.env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))
        for name, (playbook, _extra) in VARIANTS.items():
            (self.workdir / self.slug(name)).write_text(json.dumps(playbook), encoding="utf-8")

    @staticmethod
    def slug(name):
        return "".join(char if char.isalnum() else "_" for char in name) + ".yml"

    def populate(self, n, m):
        """A fresh account of ``m`` tasks; the ``n`` wanted ones spread evenly through it (the last of each stride, so
        that the first page holds at most one of them). Returns their ids and their source servers' ids."""
        self.emu.reset()
        stride = m // n
        wanted, sources = [], []
        for position in range(m):
            mine = position % stride == stride - 1 and len(wanted) < n
            task = self.emu.add_task(name=("wave-%05d" if mine else "keep-%05d") % position)
            if mine:
                wanted.append(task["id"])
                sources.append(task["source_server"]["id"])
        return wanted, sources

    def run(self, name, n, m):
        """One whole ansible-playbook run of a variant on a fresh account: (seconds, requests, role's own listings)."""
        ids, sources = self.populate(n, m)
        extra = dict(VARIANTS[name][1](ids, sources), endpoint=self.emu.url, token=TOKEN)
        path = self.workdir / "vars.json"
        path.write_text(json.dumps(extra), encoding="utf-8")
        self.emu.clear_journal()
        started = time.perf_counter()
        proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-e", "@%s" % path,
                               str(self.workdir / self.slug(name))],
                              env=self.env, capture_output=True, text=True, check=False, cwd=self.workdir)
        elapsed = time.perf_counter() - started
        left = [task_id for task_id in ids if task_id in self.emu.tasks]
        if proc.returncode != 0 or left or len(self.emu.tasks) != m - n:
            raise SystemExit("%s (%d of %d) failed (rc %d, %d wanted tasks left, %d tasks in all):\n%s%s" % (
                name, n, m, proc.returncode, len(left), len(self.emu.tasks), proc.stdout[-4000:], proc.stderr[-4000:]))
        journal = list(self.emu.journal)
        listings = sum(1 for entry in journal if entry["path"] == "/v3/tasks"
                       and {"name", "source_server_id"} & set(entry["query"]))
        return elapsed, len(journal), listings

    def measure(self, name, n, m, runs):
        times, counts = [], set()
        for number in range(runs):
            elapsed, requests, listings = self.run(name, n, m)
            times.append(elapsed)
            counts.add((requests, listings))
            print("  %-26s %5d of %5d  run %d: %7.2f s, %d requests" % (name, n, m, number + 1, elapsed, requests),
                  flush=True)
        if len(counts) != 1:
            raise SystemExit("%s (%d of %d): the request count changed between runs: %s" % (name, n, m, sorted(counts)))
        (requests, listings), = counts
        return {"variant": name, "n": n, "m": m, "runs": runs, "median": statistics.median(times),
                "requests": requests, "listings": listings}

    def pairs(self, count):
        """One task: a bare uri DELETE and sms_task task_id, run alternately; per-pair ratios."""
        uri, sms = [], []
        for number in range(count):
            uri.append(self.run("uri DELETE", 1, 1))
            sms.append(self.run("sms_task task_id", 1, 1))
            print("  one task, pair %d: uri DELETE %.2f s (%d request), sms_task %.2f s (%d requests), ratio %.2f"
                  % (number + 1, uri[-1][0], uri[-1][1], sms[-1][0], sms[-1][1], sms[-1][0] / uri[-1][0]), flush=True)
        return {"uri": uri, "sms": sms, "ratio": statistics.median(s[0] / u[0] for u, s in zip(uri, sms))}

    def memory(self, n, m):
        """Peak traced memory of the module's main() in a process of its own, for n ids among m tasks."""
        ids, _sources = self.populate(n, m)
        path = self.workdir / "probe.json"
        path.write_text(json.dumps({"task_ids": ids, "state": "absent", "endpoint": self.emu.url, "auth_token": TOKEN}),
                        encoding="utf-8")
        self.emu.clear_journal()
        answer = self.probe("--memory-probe", str(path))
        if any(task_id in self.emu.tasks for task_id in ids):
            raise SystemExit("the memory probe (%d of %d) left tasks behind: %s" % (n, m, answer))
        return {"n": n, "m": m, "peak": answer["peak"], "requests": len(self.emu.journal)}

    def whole_listing(self, m):
        """Peak traced memory of every list item of an account of m tasks, kept (what a flat run does not do)."""
        self.populate(1, m)
        return self.probe("--listing-probe", self.emu.url)["peak"]

    def probe(self, *args):
        env = dict(self.env, PYTHONPATH=os.pathsep.join([str(COLLECTIONS), str(ROOT)]))
        proc = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit("memory probe failed:\n%s%s" % (proc.stdout, proc.stderr))
        return json.loads(proc.stdout)

    def stop(self):
        self.emu.stop()


def memory_probe(path):
    """In a fresh process: run sms_task's main() with the arguments in ``path``; print tracemalloc's peak."""
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel

    from ansible_collections.hwcloud.sms.plugins.modules import sms_task  # pylint: disable=import-outside-toplevel
    args = json.loads(Path(path).read_text(encoding="utf-8"))
    out = io.StringIO()
    tracemalloc.start()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            sms_task.main()
        except SystemExit:
            pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = json.loads(out.getvalue())
    if result.get("failed"):
        raise SystemExit(result.get("msg"))
    print(json.dumps({"peak": peak, "msg": result.get("msg")}))


def listing_probe(url):
    """In a fresh process: read every list page and keep every item; print tracemalloc's peak."""
    tracemalloc.start()
    items, offset, count = [], 0, None
    while count is None or offset < count:
        request = urllib.request.Request("%s/v3/tasks?limit=%d&offset=%d" % (url, PAGE, offset),
                                         headers={"X-Auth-Token": TOKEN, "Content-Type": "application/json"})
        with urllib.request.urlopen(request) as answer:  # nosec: the bundled emulator on 127.0.0.1
            page = json.loads(answer.read())
        items.extend(page["tasks"])
        offset, count = offset + len(page["tasks"]), page["count"]
    _current, peak = tracemalloc.get_traced_memory()
    print(json.dumps({"peak": peak, "items": len(items)}))


def plural(count, noun):
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


def mib(size):
    return "%.1f MiB" % (size / 2 ** 20)


def report(options, one, rows, memory, listing, skipped, started):
    modules = {(row["n"], row["m"]): row for row in rows if row["variant"] == "sms_task task_ids"}
    lines = [
        "### Benchmark: `make bench`", "",
        "Measured %s on %s with %d CPUs, Python %s, in %.0f minutes, against the bundled emulator on 127.0.0.1 with %g s"
        " of latency before every answer (a round trip to a real endpoint); wall time of whole `ansible-playbook`"
        " runs, median of the runs shown, on fresh tasks each time. Requests are counted from the emulator's journal."
        " Every task is deletable and removed by the service at once; the modules run with `wait` (the default)."
        % (time.strftime("%Y-%m-%d"), platform.system().lower(), os.cpu_count(), platform.python_version(),
           (time.time() - started) / 60, options.latency),
        "",
        "#### One task: a whole run against a bare `uri` DELETE (pairs run alternately)", "",
        "| variant | median seconds | runs | requests |", "|---|---:|---:|---:|",
        "| uri DELETE | %.2f | %d | %d |" % (statistics.median(u[0] for u in one["uri"]), len(one["uri"]), one["uri"][0][1]),
        "| sms_task task_id (read, delete, confirm) | %.2f | %d | %d |" % (
            statistics.median(s[0] for s in one["sms"]), len(one["sms"]), one["sms"][0][1]),
        "",
        "Median of the per-pair ratios: **%.2fx** (target: at most 1.2x)." % one["ratio"],
        "",
        "#### N ids among M tasks", "",
        "| N | M | variant | requests | target | median seconds | runs |", "|---:|---:|---|---:|---:|---:|---:|",
    ]
    verdicts = []  # (row, its bound on requests)
    for row in rows:
        module = modules.get((row["n"], row["m"]))
        if row["variant"] == "sms_task task_ids":
            bound, label = target(row["n"], row["m"]), "≤ %d" % target(row["n"], row["m"])
        elif row["variant"] == "role, by ids" and module:
            bound, label = module["requests"] + 2, "≤ %d (module + 2)" % (module["requests"] + 2)
        elif row["variant"] == "role, by source servers" and module:
            if row["listings"]:
                bound = module["requests"] + row["listings"]
                label = "≤ %d (module + %s)" % (bound, plural(row["listings"], "filtered listing"))
            else:  # one listing of every task instead of more filtered listings than the role allows
                bound = module["requests"] + math.ceil(row["m"] / PAGE)
                label = "≤ %d (module + %s of one listing, instead of %s)" % (
                    bound, plural(math.ceil(row["m"] / PAGE), "page"), plural(row["n"], "filtered listing"))
        else:
            bound, label = None, "baseline"
        if bound is not None:
            verdicts.append((row, bound))
        lines.append("| %d | %d | %s | %d | %s | %.2f | %d |" % (
            row["n"], row["m"], row["variant"], row["requests"], label, row["median"], row["runs"]))
    lines.append("")
    if skipped:
        lines += ["Not measured: %s." % "; ".join(skipped), ""]
    loops = [row for row in rows if row["variant"] == "loop of uri DELETE"]
    if loops:
        loop = max(loops, key=lambda row: row["n"])
        bulk = modules[(loop["n"], loop["m"])]
        lines += ["For %d tasks, `sms_task task_ids` takes %.2f s with %d requests, the `uri` loop %.2f s with %d requests"
                  " (%.1fx longer)." % (loop["n"], bulk["median"], bulk["requests"], loop["median"], loop["requests"],
                                        loop["median"] / bulk["median"]), ""]
    lines += [
        "#### Memory of the module (N ids among M tasks)", "",
        "tracemalloc's peak while `sms_task`'s `main()` runs in a process of its own (imports excluded), with the"
        " requests of that run. For comparison, every list item of %d tasks kept at once takes %s." % (
            options.large, mib(listing)), "",
        "| N | M | requests | peak |", "|---:|---:|---:|---:|",
    ] + ["| %d | %d | %d | %s |" % (entry["n"], entry["m"], entry["requests"], mib(entry["peak"])) for entry in memory]

    # the targets: requests are exact and gate the run; the time ratio is reported (a busy machine blurs it)
    checks = []
    closest = ""
    if verdicts:
        row, bound = max(verdicts, key=lambda item: item[0]["requests"] / item[1])
        closest = " (closest: %s, %d of %d, %d of %d)" % (row["variant"], row["n"], row["m"], row["requests"], bound)
    checks.append(("requests within their target in every row above" + closest,
                   all(row["requests"] <= bound for row, bound in verdicts), True))
    two_hundred = modules.get((200, 200))
    if two_hundred:
        checks.append(("200 of 200 tasks: %d requests (at most 6)" % two_hundred["requests"], two_hundred["requests"] <= 6,
                       True))
    for n in sorted({entry["n"] for entry in memory}):
        peaks = sorted((entry["m"], entry["peak"]) for entry in memory if entry["n"] == n)
        (small, low), (large, high) = peaks[0], peaks[-1]
        checks.append(("memory flat for %d ids: %s among %d tasks, %s among %d (at most a tenth of the whole listing"
                       " more)" % (n, mib(low), small, mib(high), large), high - low <= listing / 10, True))
    checks.append(("one task: %.2fx a bare uri DELETE (at most 1.2x)" % one["ratio"], one["ratio"] <= 1.2, False))
    lines += ["", "#### Targets", ""] + ["* %s: %s" % (text, "met" if ok else "**not met**") for text, ok, _gate in checks]
    settings = " ".join("--%s %s" % (name.replace("_", "-"), value) for name, value in vars(options).items()
                        if name != "output")
    lines += ["", "Settings: `%s`." % settings, ""]
    failures = [text for text, ok, gate in checks if gate and not ok]
    return "\n".join(lines), failures


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-probe":
        return memory_probe(sys.argv[2])
    if len(sys.argv) == 3 and sys.argv[1] == "--listing-probe":
        return listing_probe(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each variant and size (default 3)")
    parser.add_argument("--pairs", type=int, default=7, help="pairs of one-task runs (default 7)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds before every answer (default 0.05)")
    parser.add_argument("--ids", default="1,10,200,2000", help="values of N (default 1,10,200,2000)")
    parser.add_argument("--large", type=int, default=10000, help="the large account, M (default 10000)")
    parser.add_argument("--uri-loop-max", type=int, default=10,
                        help="largest N for the uri loop (default 10; it costs about 0.7 s per task)")
    parser.add_argument("--loop-runs", type=int, default=1, help="runs of the uri loop above 10 ids (default 1)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results.md"))
    options = parser.parse_args()
    sizes = [int(value) for value in options.ids.split(",")]
    started = time.time()

    rows, skipped = [], []
    with tempfile.TemporaryDirectory() as workdir:
        bench = Bench(options, workdir)
        try:
            print("one task, %d pairs" % options.pairs, flush=True)
            one = bench.pairs(options.pairs)
            for n in sizes:
                for m in sorted({n, max(n, options.large)}):
                    print("%d ids among %d tasks" % (n, m), flush=True)
                    for name in ("sms_task task_ids", "role, by ids", "role, by source servers"):
                        rows.append(bench.measure(name, n, m, options.runs))
                    if m == n and n <= options.uri_loop_max:
                        # a uri loop sends one DELETE per id whatever the account's size: measured once, at M = N
                        rows.append(bench.measure("loop of uri DELETE", n, m, options.runs if n <= 10 else options.loop_runs))
                    elif m == n:
                        skipped.append("the uri loop for %d ids (about 0.7 s per task: %s a run; --uri-loop-max %d"
                                       " includes it)" % (n, plural(math.ceil(n * 0.7 / 60), "minute"), n))
            print("memory", flush=True)
            cases = sorted({(n, m) for n in (10, max(sizes)) for m in (max(n, PAGE), options.large)})
            memory = [bench.memory(n, m) for n, m in cases]
            listing = bench.whole_listing(options.large)
        finally:
            bench.stop()

    text, failures = report(options, one, rows, memory, listing, skipped, started)
    print("\n" + text)
    output = Path(options.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print("written to %s" % output)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
