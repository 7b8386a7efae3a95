"""Write benchmarks/mutation.md from mutmut's outputs; `make mutation` runs it in build/collections after `mutmut run`.

mutmut prints its results (`mutmut results`, `mutmut show NAME`, `mutmut export-cicd-stats`) but writes no report to
keep beside the code; this puts those outputs on one page: the score, a row per file, and each mutant no test killed
with its line, its change and why it is listed. It logs each run (date, commit, arguments, time) in
mutants/mutation-runs.json, beside mutmut's cache, since the results of several incremental runs add up.

Usage: python tools/mutation_report.py --seconds N (the time `mutmut run` took; MUTATION_ARGS is read from the environment)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import subprocess
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from mutmut.__main__ import cli  # the `mutmut` command, called in-process: a process per `mutmut show` takes seconds

REPORT = Path(__file__).resolve().parents[1] / "benchmarks" / "mutation.md"
COLLECTION = Path("ansible_collections/hwcloud/sms")
LISTED = ("survived", "no tests", "suspicious")  # no test failed
CAUGHT = ("timeout", "segfault")  # stopped by mutmut's time limit or by a signal (segfault is mutmut's word for any)


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False).stdout.strip()


def mutmut(*args):
    """What `mutmut ARGS` prints."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        cli.main(list(args), standalone_mode=False)
    return printed.getvalue()


def split(name):
    """A mutant's file (plugins/module_utils/waiting.py) and function (wait_until, or SmsClient._send for a method)."""
    module, _dot, function = name.partition("__mutmut_")[0].rpartition(".")  # function is x_name or xǁClassǁname
    path = Path(*module.split(".")).relative_to(COLLECTION).with_suffix(".py").as_posix()
    return path, function[2:].replace("ǁ", ".")


def change(name):
    """(line, removed, added) from `mutmut show`, whose diff numbers the function's lines only: the line in the file is
    found by the old side of the diff."""
    diff = [line for line in mutmut("show", name).splitlines() if not line.startswith(("#", "---", "+++", "@@"))]
    old = [line for line in diff if line[:1] in (" ", "-")]
    first = next((i for i, line in enumerate(old) if line[:1] == "-"), 0)
    block = [line[1:].strip() for line in old]
    source = [line.strip() for line in (COLLECTION / split(name)[0]).read_text(encoding="utf-8").splitlines()]
    line = next((i + first + 1 for i in range(len(source)) if source[i:i + len(block)] == block), "?")
    return (line, " ".join(s[1:].strip() for s in diff if s[:1] == "-"), " ".join(s[1:].strip() for s in diff if s[:1] == "+"))


def code(text):
    text = text.replace("|", "\\|")
    return ("``%s``" if "`" in text else "`%s`") % text if text else "(nothing)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, required=True)
    seconds = parser.parse_args().seconds

    mutmut("export-cicd-stats")
    totals = json.loads((Path("mutants") / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    statuses = dict(line.strip().rpartition(": ")[::2] for line in mutmut("results", "--all", "True").splitlines()
                    if "__mutmut_" in line)
    unchecked = sum(status == "not checked" for status in statuses.values())

    log = Path("mutants") / "mutation-runs.json"
    runs = json.loads(log.read_text(encoding="utf-8")) if log.exists() else []
    commit = git("rev-parse", "--short", "HEAD")
    if commit and git("status", "--porcelain", "--", ":/plugins", ":/tests"):
        commit += "+"
    args = os.environ.get("MUTATION_ARGS", "").strip()
    # without arguments mutmut tests every mutant without a result: any left means the run was stopped (Ctrl-C)
    runs.append({"date": datetime.date.today().isoformat(), "commit": commit, "seconds": seconds, "args": args,
                 "stopped": not args and unchecked > 0})
    log.write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
    reach = json.loads((Path("mutants") / "mutmut-stats.json").read_text(encoding="utf-8"))["tests_by_mangled_function_name"]
    listed = sorted(name for name, status in statuses.items() if status in LISTED + CAUGHT)
    changes = {name: change(name) for name in listed}

    by_file = {}
    for name, status in statuses.items():
        by_file.setdefault(split(name)[0], Counter())[status] += 1
    total = sum(sum(counts.values()) - counts["not checked"] for counts in by_file.values())
    killed = sum(counts["killed"] for counts in by_file.values())

    out = ["# Mutation testing", "",
           "`make mutation` runs mutmut %s over `plugins/` with the tests that `[tool.mutmut]` in `pyproject.toml` selects; "
           "`tools/mutation_report.py` writes this page from `mutmut results`, `mutmut show` and `mutmut export-cicd-stats`. "
           "The results add up over runs: mutmut keeps them in `build/collections/mutants/` and tests again only the "
           "mutants of functions that changed, and those named in MUTATION_ARGS." % version("mutmut"),
           "", "| date | commit (+: with changes to plugins/ or tests/) | command | minutes |", "|---|---|---|---|"]
    for entry in runs:
        command = code("make mutation" + (" MUTATION_ARGS='%s'" % entry["args"] if entry["args"] else ""))
        out.append("| %s | %s | %s%s | %.1f |" % (entry["date"], entry["commit"] or "?", command,
                                                  " (stopped before the end)" if entry.get("stopped") else "", entry["seconds"] / 60))
    out += ["", "%d CPU cores, one mutmut worker each." % (os.cpu_count() or 1), "", "## Score", ""]
    if total:
        out.append("**%d killed of %d mutants tested: %.1f%%** (killed / total)." % (killed, total, 100.0 * killed / total))
    if unchecked:
        out.append("%d more are not tested yet (not in MUTATION_ARGS, or the run was stopped first)." % unchecked)
    columns = ("killed", "survived", "no tests", "timeout", "not checked")
    out += ["", "| file | mutants | %s | other |" % " | ".join(columns), "|---" * (len(columns) + 3) + "|"]
    for path, counts in sorted(by_file.items()):
        other = sum(counts.values()) - sum(counts[column] for column in columns)
        out.append("| `%s` | %d | %s | %d |" % (path, sum(counts.values()), " | ".join(str(counts[c]) for c in columns), other))
    stats = ", ".join("%s %s" % (key.replace("_", " "), value) for key, value in totals.items()
                      if not isinstance(value, bool))
    out += ["", "`mutmut export-cicd-stats`: %s." % stats]

    def table(names, reason):
        rows = ["| mutant | line | change | reason |", "|---|---|---|---|"]
        for name in sorted(names, key=lambda n: (split(n)[0], str(changes[n][0]).zfill(5), n)):
            line, removed, added = changes[name]
            rows.append("| `%s` | %s:%s | %s → %s | %s |" % (name, split(name)[0], line, code(removed), code(added), reason(name)))
        return rows

    def why(name):
        function, tests = split(name)[1], len(reach.get(name.partition("__mutmut_")[0], ()))
        return {"no tests": "no test calls `%s`" % function,
                "survived": "no test failed (%d tests reach `%s`)" % (tests, function)}.get(statuses[name], statuses[name])

    survivors = [name for name in listed if statuses[name] in LISTED]
    out += ["", "## Not killed (%d)" % len(survivors), "",
            "Those judged equivalent are in benchmarks/mutation-equivalent.md, with the reason. "
            "The others are tests to write (mutmut's `# pragma: no mutate` would stop every mutation of a line, so "
            "equivalent ones are listed there rather than marked). `mutmut show NAME` in `build/collections` prints the diff.", ""]
    out += table(survivors, why) if survivors else ["None."]
    caught = [name for name in listed if statuses[name] in CAUGHT]
    if caught:
        out += ["", "## Stopped by the time limit or a signal (%d)" % len(caught), "",
                "Not counted as killed above, though the mutation did change what the tests saw: they ran past mutmut's "
                "time limit (timeout) or the process died of a signal (segfault).", ""]
        out += table(caught, lambda name: statuses[name])
    REPORT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("benchmarks/mutation.md: %d killed of %d, %d not killed" % (killed, total, len(survivors)))


if __name__ == "__main__":
    main()
