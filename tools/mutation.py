"""Mutation testing of plugins/module_utils and plugins/modules with cosmic-ray.

cosmic-ray changes the source files in place, one mutation at a time, and runs a test command against each
change. So this never touches the working tree: it extracts the last commit into build/mutation/tree, runs
cosmic-ray there (from its own virtual environment, build/mutation/venv, since it is not a dependency of the
collection or its tests), and writes the score and every surviving mutant to benchmarks/mutation.md.

The tests are the in-process ones: the unit tests, the property tests (with a fixed seed) and the fault matrix,
which runs the modules' real ``main()`` against the emulator. The integration tests (real ansible-playbook runs)
are left out: they would take days. To keep a run within a couple of hours, the suite is first run once with a
tracer (``tools/mutation_trace.py``) that records which test reaches which line; for each mutant, the test
command (``tools/mutation_select.py``) runs only the tests that reach the mutated lines, fastest first, and
stops at the first failure. A mutant that only a timeout stopped is reported apart: it is killed only if the
mutation made the tests hang, so the report lists those lines for a look.

Survivors are then met by new tests, and ``--recheck`` runs the survivors again with the tests as they are
now: it makes a new session from the last commit, carries the results that still hold over from the old one
(a killed mutant, or a survivor judged equivalent, of code that did not change, in a function that did not
change), traces the tests again and sends the rest through the same test command: the other survivors, the
mutants not run yet, and every mutant of a function the commit changed (of the whole module, when a change other than an import, a blank line or a comment
lies outside every function). The report keeps
both passes apart: the score of the first pass, the survivors the second pass killed (with the test that
failed), and those still open.

Most of a mutant's time is spent waiting (the fault-matrix cells wait out real pauses and timeouts), so
several mutants are tested at once (``--workers``, default 3), each in its own copy of the tree, through
cosmic-ray's http distributor. Before the first mutant, the unchanged suite runs in every copy at the same
time: if the load of parallel runs made any test fail, a mutant could be counted killed by that load, so the
run stops there.

String formatting (``%``) mutated into other operators is left out: every such mutant raises a TypeError as
soon as the line runs, so it only measures line coverage, and it would triple the run.

Usage: python tools/mutation.py [--modules PATH ...] [--workers N] [--resume | --recheck | --report | --survivors [FILE ...]]
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutation_equivalent import EQUIVALENT  # noqa: E402  (tools/ is not a package)
from mutation_select import TIMED_OUT  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / 'build' / 'mutation'
TREE = WORK / 'tree'
WORKERS = WORK / 'workers'
VENV = WORK / 'venv'
REPORT = ROOT / 'benchmarks' / 'mutation.md'
PRISTINE = WORK / 'pristine'
TRACE = WORK / 'trace.json'
PASSES = WORK / 'passes.json'  # [what ran, minutes, workers] of each exec of the session
FIRST_PASS = WORK / 'first-pass.json'  # the survivors of the first pass, kept when --recheck runs them again
FIRST_ROW = WORK / 'first-pass-row.md'  # the score of the first pass, kept when --recheck makes a new session
TESTS = ['tests/unit/plugins', 'tests/unit/fault_matrix']
TIMEOUT = 240.0  # the slowest test set (every test, for a line run at import) takes about two minutes
CONFIG = """[cosmic-ray]
module-path = {modules}
excluded-modules = []
timeout = {timeout}
test-command = {command}

[cosmic-ray.distributor]
name = "http"

[cosmic-ray.distributor.http]
worker-urls = {urls}

[cosmic-ray.filters.operators-filter]
exclude-operators = ["core/ReplaceBinaryOperator_Mod_.*"]
"""


def run(cmd, **kwargs):
    print('mutation: %s' % ' '.join(str(part) for part in cmd), flush=True)
    return subprocess.run([str(part) for part in cmd], check=True, **kwargs)


def prepare_venv():
    python = VENV / 'bin' / 'python'
    stamp = VENV / '.stamp'
    requirements = ROOT / 'requirements-mutation.txt'
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        if not python.exists():
            run([sys.executable, '-m', 'venv', VENV])
        run([python, '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', requirements])
        stamp.write_text(requirements.read_text())
    return VENV / 'bin'


def extract_head(target):
    """The last commit, unpacked into ``target`` (emptied first)."""
    archive = subprocess.run(['git', 'archive', '--format=tar', 'HEAD'], cwd=ROOT, check=True, capture_output=True).stdout
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    subprocess.run(['tar', '-x', '-C', str(target)], input=archive, check=True)


def copy_tree():
    """The copy cosmic-ray reads its mutants from, and the one the test command compares each mutated copy with."""
    for target in (TREE, PRISTINE):
        extract_head(target)


def worker_trees(count):
    """One copy of the unchanged tree per worker (an interrupted run may have left a mutant in any of them)."""
    if WORKERS.exists():
        shutil.rmtree(WORKERS)
    trees = [WORKERS / str(number) for number in range(1, count + 1)]
    for tree in trees:
        shutil.copytree(PRISTINE, tree, symlinks=True)
    return trees


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def start_workers(bin_dir, trees, env):
    workers, urls = [], []
    for tree in trees:
        port = free_port()
        log = open(tree / 'worker.log', 'wb')  # pylint: disable=consider-using-with
        workers.append(subprocess.Popen([str(bin_dir / 'cosmic-ray'), 'http-worker', '--port', str(port)], cwd=tree,
                                        env=env, stdout=log, stderr=subprocess.STDOUT))
        urls.append('http://127.0.0.1:%d' % port)
    for url in urls:
        port = int(url.rsplit(':', 1)[1])
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    return workers, urls


def baseline_under_load(python, trees, env):
    """The unchanged suite, in every worker's copy at once, as the mutants will run: it must pass everywhere."""
    print('mutation: the unchanged suite in %d copies at once' % len(trees), flush=True)
    runs = [subprocess.Popen([str(python), '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-p', 'no:randomly',
                              '--hypothesis-seed=0', '-n', '4'] + TESTS, cwd=tree, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for tree in trees]
    failed = []
    for tree, process in zip(trees, runs):
        output = process.communicate()[0].decode('utf-8', 'replace')
        print('mutation: %s: %s' % (tree.name, output.strip().splitlines()[-1] if output.strip() else '(no output)'))
        if process.returncode:
            failed.append(tree.name)
            print(output[-4000:])
    if failed:
        sys.exit('mutation: the unchanged suite failed under the load of %d parallel runs (copies %s); '
                 'run with fewer --workers' % (len(trees), ', '.join(failed)))


def trace(python, env):
    """Run the tests once with the tracer: which test reaches which line, and how long each test takes."""
    run([python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-p', 'no:randomly', '--hypothesis-seed=0',
         '-p', 'tools.mutation_trace'] + TESTS, cwd=TREE, env=dict(env, MUTATION_TRACE=str(TRACE)))


def killer(output):
    """The test that failed, from the test command's output."""
    found = re.search(r'^FAILED (\S+)', output or '', flags=re.M)
    return found.group(1) if found else 'the tests (%s)' % ((output or '').strip().splitlines() or ['no output'])[-1]


def outcomes(session_dump):
    """(module, line, operator, occurrence, outcome, output) of every mutant that ran, outcome one of killed, timeout,
    survived, unreached."""
    found, pending, unmade = [], [], []
    for line in session_dump.splitlines():
        job, result = json.loads(line)
        if result is not None and result.get('test_outcome') == 'incompetent':
            # cosmic-ray could not make the mutant (its ExceptionReplacer fails on a dotted exception name)
            mutation = job['mutations'][0]
            unmade.append((mutation['module_path'], mutation['start_pos'][0], mutation['operator_name'],
                           mutation['occurrence']))
            continue
        if result is None or result.get('test_outcome') not in ('killed', 'survived'):
            if result is None:
                mutation = job['mutations'][0]
                pending.append((mutation['module_path'], mutation['start_pos'][0], mutation['operator_name'],
                                mutation['occurrence']))
            continue
        outcome = result['test_outcome']
        if outcome == 'killed' and ((result.get('output') or '').strip() == 'timeout'
                                    or TIMED_OUT in (result.get('output') or '')):
            outcome = 'timeout'
        if outcome == 'survived' and 'no test reaches the mutated lines' in (result.get('output') or ''):
            outcome = 'unreached'
        mutation = job['mutations'][0]
        found.append((mutation['module_path'], mutation['start_pos'][0], mutation['operator_name'],
                      mutation['occurrence'], outcome, result.get('output') or ''))
    return sorted(found), sorted(pending), sorted(unmade)


def print_survivors(dump, modules):
    """The survivors not yet explained, of the given modules (all when none), each with its diff."""
    for line in dump.splitlines():
        job, result = json.loads(line)
        if not result or result.get('test_outcome') != 'survived':
            continue
        mutation = job['mutations'][0]
        module, row, operator = mutation['module_path'], mutation['start_pos'][0], mutation['operator_name']
        if modules and not any(module.endswith(name) for name in modules):
            continue
        source = (TREE / module).read_text(encoding='utf-8').splitlines()[row - 1].strip()
        if EQUIVALENT.get((module, operator, source)):
            continue
        print('=== %s:%d %s #%d' % (module, row, operator, mutation['occurrence']))
        print(result.get('diff') or '(no diff)')


def write_report(dump, modules):
    """Write the report of the session; returns its row of the first pass."""
    found, pending, unmade = outcomes(dump)
    first_pass = {tuple(entry) for entry in json.loads(FIRST_PASS.read_text(encoding='utf-8'))} if FIRST_PASS.exists() else set()
    lost = [entry for entry in found if entry[4] in ('survived', 'unreached')]
    # the first pass: what a survivor rerun by --recheck gave the first time was a survival
    lost_first = [entry for entry in found if entry[4] in ('survived', 'unreached') or entry[:4] in first_pass]
    # survivors of the first pass that the second has not run yet
    waiting = [entry + ('survived', '') for entry in pending if entry in first_pass]
    explained, open_, hung, unreached, killed_since = [], [], [], [], []
    for module, line, operator, occurrence, outcome, output in found:
        if outcome == 'killed' and (module, line, operator, occurrence) not in first_pass:
            continue
        source = (TREE / module).read_text(encoding='utf-8').splitlines()[line - 1].strip()
        row = '* `%s:%d` %s #%d: `%s`' % (module, line, operator, occurrence, source)
        reason = EQUIVALENT.get((module, operator, source))
        if outcome == 'timeout':
            hung.append(row)
        elif outcome == 'killed':
            killed_since.append(row + ' - killed by `%s`' % killer(output))
        elif reason:
            explained.append(row + ' - equivalent: %s' % reason)
        else:
            (unreached if outcome == 'unreached' else open_).append(row)

    def score_row(name, lost_entries):
        timeouts = sum(1 for entry in found if entry[4] == 'timeout' and entry not in lost_entries)
        killed = len(found) - len(lost_entries) - timeouts
        equivalent = len(explained) if lost_entries is lost else 0
        score = 100.0 * (len(found) - len(lost_entries)) / len(found) if found else 0.0
        rest = len(found) - equivalent
        return '| %s | %d | %d | %d | %d | %d | %.1f%% | %.1f%% |' % (
            name, len(found), killed, timeouts, len(lost_entries) - equivalent, equivalent, score,
            100.0 * (len(found) - len(lost_entries)) / rest if rest else 0.0)

    lines = ['# Mutation testing', '',
             'Run by `make mutation` (`tools/mutation.py`, cosmic-ray %s), last on %s: %s.' % (
                 '8.7.0', time.strftime('%Y-%m-%d'), '; '.join(
                     '%s, %.0f minutes with %d workers' % tuple(entry)
                     for entry in (json.loads(PASSES.read_text(encoding='utf-8')) if PASSES.exists() else []))),
             'Mutated: %s. Tests: %s (for each mutant, those that reach the mutated lines; see the tool\'s docstring).' % (
                 ', '.join(modules), ', '.join(TESTS)), '',
             '| pass | mutants | killed by a failing test | stopped by a timeout (at most %d s) | survived | judged equivalent '
             '| score | score of the non-equivalent |' % TIMEOUT,
             '|---|---:|---:|---:|---:|---:|---:|---:|']
    if first_pass:
        # a survivor the second pass has not run yet counts as a survivor in both rows
        found += waiting
        lost_first += waiting
        lost += waiting
        first_row = score_row('first pass', lost_first)
        lines.append(FIRST_ROW.read_text(encoding='utf-8').strip() if FIRST_ROW.exists() else first_row)
        lines.append(score_row('after the later passes (`--recheck`)', lost))
    else:
        first_row = score_row('first pass', lost)
        lines.append(first_row)
    lines.append('')
    if pending:
        lines += ['**Partial**: %d mutants were not run yet (`make mutation MUTATION_ARGS=--resume` goes on)%s.' % (
            len(pending), ', %d of them survivors of the first pass waiting for the second' % len(waiting) if waiting else ''), '']
    lines += ['## Survivors still to be killed (module, line, operator, occurrence, source line)', '',
              'Reached by in-process tests that did not fail:', '']
    lines += open_ or ['(none)']
    lines += ['', 'On lines no in-process test reaches (only the integration tests run them):', '']
    lines += unreached or ['(none)']
    lines += ['', '## Survivors of an earlier pass killed by a later one (by tests added since)', '']
    lines += killed_since or ['(none)']
    lines += ['', '## Survivors judged equivalent', ''] + (explained or ['(none)'])
    lines += ['', '## Stopped by the timeout (the mutation made the tests hang or crawl)', ''] + (hung or ['(none)'])
    lines += ['', '## Not made (cosmic-ray failed to apply the mutation; not counted above)', '']
    lines += ['* `%s:%d` %s #%d' % entry for entry in unmade] or ['(none)']
    REPORT.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    print('mutation: %d mutants, %d survived (%d judged equivalent, %d killed by a later pass); see %s' % (
        len(found), len(lost), len(explained), len(killed_since), REPORT.relative_to(ROOT)))
    return first_row


SPECS = ('SELECT s.job_id, s.module_path, s.operator_name, s.operator_args, s.occurrence, s.start_pos_row, s.start_pos_col, '
         's.end_pos_row, s.end_pos_col, r.worker_outcome, r.output, r.test_outcome, r.diff '
         'FROM mutation_specs s LEFT JOIN work_results r ON r.job_id = s.job_id')


def changes(old_text, new_text):
    """How a module changed: {new line: old line} for the lines left as they were, and a test of whether a mutant
    (first and last line, new numbering) sits in a function the change touched. A change outside every function
    (a constant, an import) touches the whole module."""
    old, new = old_text.splitlines(), new_text.splitlines()
    mapping, touched = {}, set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == 'equal':
            mapping.update((j + 1, i + 1) for i, j in zip(range(i1, i2), range(j1, j2)))
        else:  # replaced or inserted lines; where lines were only deleted, the lines on both sides
            touched.update(range(j1 + 1, j2 + 1) if j2 > j1 else (j1, j1 + 1))
    tree = ast.parse(new_text)
    spans = [(node.lineno, node.end_lineno) for node in ast.walk(tree)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
             and any(node.lineno <= line <= node.end_lineno for line in touched)]
    # an import only makes a name available, and blank lines and comments do nothing
    inert = {line for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
             for line in range(node.lineno, node.end_lineno + 1)}
    inert.update(number for number, text in enumerate(new, 1) if not text.strip() or text.strip().startswith('#'))
    whole = any(not any(first <= line <= last for first, last in spans) for line in touched - inert)

    def affected(first, last):
        return whole or any(line in touched for line in range(first, last + 1)) or any(
            start <= first <= end for start, end in spans)
    return mapping, affected


def ranked(rows):
    """Each spec row with its rank among the mutants the same operator makes at the same place (a number is replaced
    by several others, told apart only by their occurrence)."""
    places = {}
    for row in sorted(rows, key=lambda row: row[4]):
        place = (row[1], row[2], row[3], row[5], row[6], row[7], row[8])
        places.setdefault(place, []).append(row)
    return [(row, rank) for group in places.values() for rank, row in enumerate(group)]


def carry_over(bin_dir, session, staged, config_text, env):
    """A new session made from the plugins of the last commit (in ``staged``), with the results of the old session
    where they still hold: a mutant killed (or stopped by the timeout) keeps its result when it is made the same
    way at the same place of code that did not change, and its function did not change either; so does a survivor
    judged equivalent. The other survivors, the mutants the old session had not run, and every mutant of a changed
    function are left to run. Returns the
    survivors of the first pass, renumbered for the new session."""
    config = WORK / 'cosmic-ray.toml'
    config.write_text(config_text, encoding='utf-8')
    fresh = WORK / 'session-next.sqlite'
    if fresh.exists():
        fresh.unlink()
    run([bin_dir / 'cosmic-ray', 'init', config, fresh], cwd=staged, env=env)
    run([bin_dir / 'cr-filter-operators', fresh, config], cwd=staged, env=env)
    connection = sqlite3.connect(str(session))
    old_rows = connection.execute(SPECS).fetchall()
    connection.close()
    old_specs = {(row[1], row[2], row[3], row[5], row[6], row[7], row[8], rank): row for row, rank in ranked(old_rows)}
    survivors = {(row[1], row[5], row[2], row[4]) for row in old_rows if row[11] == 'SURVIVED'}
    previous = {tuple(entry) for entry in json.loads(FIRST_PASS.read_text(encoding='utf-8'))} if FIRST_PASS.exists() else set()
    modules = {}
    for module in sorted({row[1] for row in old_rows}):
        old_text = (PRISTINE / module).read_text(encoding='utf-8')
        new_path = staged / module
        new_text = new_path.read_text(encoding='utf-8') if new_path.exists() else ''
        if old_text != new_text:
            modules[module] = changes(old_text, new_text)
    connection = sqlite3.connect(str(fresh))
    new_rows = connection.execute(SPECS).fetchall()
    sources = {}

    def new_lines(module):
        if module not in sources:
            sources[module] = (staged / module).read_text(encoding='utf-8').splitlines()
        return sources[module]
    kept, first_pass, found, rerun = [], [], set(), 0
    for row, rank in ranked(new_rows):
        module, first, last = row[1], row[5], row[7]
        if module in modules:
            mapping, affected = modules[module]
            old_first, old_last = mapping.get(first), mapping.get(last)
            key = None if old_first is None or old_last is None else (module, row[2], row[3], old_first, row[6], old_last, row[8],
                                                                      rank)
            rerun += bool(affected(first, last))
        else:
            key, affected = (module, row[2], row[3], first, row[6], last, row[8], rank), None
        old = old_specs.get(key)
        if old is None:
            continue
        entry = (old[1], old[5], old[2], old[4])
        if entry in previous or entry in survivors:
            first_pass.append((module, first, row[2], row[4]))
            found.add(entry)
        if row[9] is not None or (affected and affected(first, last)):
            continue
        # a survivor judged equivalent stays one while its line and function stay as they were
        equivalent = old[11] == 'SURVIVED' and EQUIVALENT.get((module, row[2], new_lines(module)[first - 1].strip()))
        if old[11] in ('KILLED', 'INCOMPETENT') or equivalent:
            kept.append((old[9], old[10], old[11], old[12], row[0]))
    with connection:
        connection.executemany('INSERT INTO work_results (worker_outcome, output, test_outcome, diff, job_id) '
                               'VALUES (?, ?, ?, ?, ?)', kept)
    connection.close()
    print('mutation: %d mutants in the new session, %d results carried over, %d mutants of changed functions to run again, '
          '%d survivors of the first pass found again (of %d)' % (
              len(new_rows), len(kept), rerun, len(first_pass), len(previous | survivors)), flush=True)
    for entry in sorted((previous | survivors) - found):
        print('mutation: a survivor of the first pass on a line the commit changed, left out: %s:%d %s #%d' % entry)
    shutil.move(str(fresh), str(session))
    return sorted(first_pass)


def recheck(bin_dir, session, python, env, config_text, modules):
    """Run the survivors of the session again with the tests (and plugins) of the last commit: a new session,
    with the results that still hold carried over (see ``carry_over``)."""
    if not FIRST_ROW.exists():
        dump = subprocess.run([bin_dir / 'cosmic-ray', 'dump', session], cwd=TREE, check=True, capture_output=True,
                              text=True).stdout
        FIRST_ROW.write_text(write_report(dump, modules), encoding='utf-8')
    staged = WORK / 'head'
    extract_head(staged)
    first_pass = carry_over(bin_dir, session, staged, config_text, env)
    FIRST_PASS.write_text(json.dumps(first_pass), encoding='utf-8')
    for target in (TREE, PRISTINE):
        shutil.rmtree(target)
        shutil.copytree(staged, target, symlinks=True)
    shutil.rmtree(staged)
    trace(python, env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--modules', nargs='+', default=['plugins/module_utils', 'plugins/modules'],
                        help='files or folders to mutate (default: plugins/module_utils plugins/modules)')
    parser.add_argument('--workers', type=int, default=3,
                        help='mutants tested at once, each in its own copy of the tree (default: 3)')
    parser.add_argument('--resume', action='store_true',
                        help='go on with the session of an interrupted run (same tree, same mutants)')
    parser.add_argument('--recheck', action='store_true',
                        help='run the survivors of the session again, with the tests of the last commit')
    parser.add_argument('--report', action='store_true', help='only write the report of the session so far')
    parser.add_argument('--survivors', metavar='MODULE', nargs='*',
                        help='only print the open survivors of the session so far (of these modules), with their diffs')
    args = parser.parse_args()
    bin_dir = prepare_venv()
    config = WORK / 'cosmic-ray.toml'
    session = WORK / 'session.sqlite'
    if args.survivors is not None:
        dump = subprocess.run([bin_dir / 'cosmic-ray', 'dump', session], cwd=TREE, check=True, capture_output=True,
                              text=True).stdout
        print_survivors(dump, args.survivors)
        return
    env = {key: value for key, value in os.environ.items() if key not in ('PYTHONPATH',)}
    python = ROOT / '.venv' / 'bin' / 'python'
    command = shlex.join([str(python), str(ROOT / 'tools' / 'mutation_select.py')])
    if args.recheck:
        recheck(bin_dir, session, python, env, CONFIG.format(timeout=TIMEOUT, command=json.dumps(command),
                                                             modules=json.dumps(args.modules), urls='[]'), args.modules)
    elif not ((args.resume or args.report) and session.exists()):
        copy_tree()
        for stale in (session, FIRST_PASS, PASSES, FIRST_ROW):
            if stale.exists():
                stale.unlink()
        trace(python, env)
        config.write_text(CONFIG.format(timeout=TIMEOUT, command=json.dumps(command), modules=json.dumps(args.modules),
                                        urls='[]'), encoding='utf-8')
        run([bin_dir / 'cosmic-ray', 'init', config, session], cwd=TREE, env=env)
        run([bin_dir / 'cr-filter-operators', session, config], cwd=TREE, env=env)
    if not args.report:
        trees = worker_trees(args.workers)
        baseline_under_load(python, trees, env)
        workers, urls = start_workers(bin_dir, trees, env)
        try:
            config.write_text(CONFIG.format(timeout=TIMEOUT, command=json.dumps(command), modules=json.dumps(args.modules),
                                            urls=json.dumps(urls)), encoding='utf-8')
            began = time.time()
            run([bin_dir / 'cosmic-ray', 'exec', config, session], cwd=TREE, env=env)
            passes = json.loads(PASSES.read_text(encoding='utf-8')) if PASSES.exists() else []
            what = 'the survivors again' if args.recheck else 'the first pass' if not passes else 'the first pass, resumed'
            PASSES.write_text(json.dumps(passes + [[what, (time.time() - began) / 60, args.workers]]), encoding='utf-8')
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait()
    dump = subprocess.run([bin_dir / 'cosmic-ray', 'dump', session], cwd=TREE, env=env, check=True,
                          capture_output=True, text=True).stdout
    write_report(dump, args.modules)


if __name__ == '__main__':
    main()
