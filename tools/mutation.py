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

Most of a mutant's time is spent waiting (the fault-matrix cells wait out real pauses and timeouts), so
several mutants are tested at once (``--workers``, default 3), each in its own copy of the tree, through
cosmic-ray's http distributor. Before the first mutant, the unchanged suite runs in every copy at the same
time: if the load of parallel runs made any test fail, a mutant could be counted killed by that load, so the
run stops there.

String formatting (``%``) mutated into other operators is left out: every such mutant raises a TypeError as
soon as the line runs, so it only measures line coverage, and it would triple the run.

Usage: python tools/mutation.py [--modules PATH ...] [--workers N] [--resume | --report]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / 'build' / 'mutation'
TREE = WORK / 'tree'
WORKERS = WORK / 'workers'
VENV = WORK / 'venv'
REPORT = ROOT / 'benchmarks' / 'mutation.md'
PRISTINE = WORK / 'pristine'
TRACE = WORK / 'trace.json'
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


# Survivors judged equivalent (no test can tell them apart from the original), by module, operator and the
# source line as written; the report lists them apart from the survivors still to be killed.
CONNECTED_IS_FALSE = ('plugins/module_utils/task_rules.py', 'core/ReplaceComparisonOperator_Is_Eq',
                      'if task.get("connected") is False:')
ONE_RECORD = ('plugins/module_utils/removal.py', 'core/ReplaceComparisonOperator_Eq_LtE', 'if len(ids) == 1:')
CLIENT_DEFAULTS = ('plugins/module_utils/client.py', 'core/NumberReplacer',
                   'timeout=30, max_retries=5, verify=True, sleep=time.sleep, on_secret=None, site_note=None):')
SITE_NOTE_GUARD = ('plugins/module_utils/common.py', 'core/AddNot',
                   'site_note=site_note(params, endpoint) if params["region"] else None)')
REAUTHENTICATE = ('plugins/module_utils/client.py', 'core/ReplaceComparisonOperator_Eq_LtE',
                  'return self.credentials.kind == "password" and not self._reauthenticated and self._token is not None')
EQUIVALENT = {
    REAUTHENTICATE: 'of the three kinds, "aksk" <= "password" too, but an AK/SK client never holds a token (it signs), so '
                    'the last condition is false for it either way',
    CLIENT_DEFAULTS: 'the modules always pass timeout and max_retries from their options (whose documented defaults a '
                     'test checks); the constructor\'s own defaults serve only direct callers',
    SITE_NOTE_GUARD: 'the guard was redundant (site_note() is None whenever endpoint is set, and region or endpoint '
                     'always is) and has been removed since',
    ONE_RECORD: 'no ids at all take either way to no request: delete_each and delete_in_batches of [] send nothing',
    CONNECTED_IS_FALSE: '"connected" is a JSON boolean or missing: for True, False and None, "== False" and "is False" '
                        'agree',
}


# Survivors of the recorded run that tests added while it ran now kill (each confirmed by applying the mutation by
# hand and seeing the test fail), by module, line (in the run's copy) and operator: the report lists them apart.
UTILS, MODULES = 'plugins/module_utils/', 'plugins/modules/'
BULK = 'tests/unit/plugins/modules/test_bulk_and_documentation.py::'
MESSAGES = 'tests/unit/plugins/module_utils/test_client_messages.py::'
OPTIONS = 'tests/unit/plugins/modules/test_connection_options.py::'
KILLED_SINCE = {(module, line, operator): test for module, line, operator, test in [
]}


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


def copy_tree():
    """The last commit, unpacked: the copy cosmic-ray reads its mutants from, and the one the test command compares
    each mutated copy with."""
    archive = subprocess.run(['git', 'archive', '--format=tar', 'HEAD'], cwd=ROOT, check=True, capture_output=True).stdout
    for target in (TREE, PRISTINE):
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        subprocess.run(['tar', '-x', '-C', str(target)], input=archive, check=True)


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


def outcomes(session_dump):
    """(module, line, operator, occurrence, outcome) of every mutant that ran, outcome one of killed, timeout, survived."""
    found, pending = [], 0
    for line in session_dump.splitlines():
        job, result = json.loads(line)
        if result is None or result.get('test_outcome') not in ('killed', 'survived'):
            pending += result is None
            continue
        outcome = result['test_outcome']
        if outcome == 'killed' and (result.get('output') or '').strip() == 'timeout':
            outcome = 'timeout'
        if outcome == 'survived' and 'no test reaches the mutated lines' in (result.get('output') or ''):
            outcome = 'unreached'
        mutation = job['mutations'][0]
        found.append((mutation['module_path'], mutation['start_pos'][0], mutation['operator_name'],
                      mutation['occurrence'], outcome))
    return sorted(found), pending


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
        if EQUIVALENT.get((module, operator, source)) or KILLED_SINCE.get((module, row, operator)):
            continue
        print('=== %s:%d %s #%d' % (module, row, operator, mutation['occurrence']))
        print(result.get('diff') or '(no diff)')


def write_report(dump, modules, minutes):
    found, pending = outcomes(dump)
    killed = sum(1 for entry in found if entry[-1] == 'killed')
    timeouts = [entry for entry in found if entry[-1] == 'timeout']
    lost = [entry for entry in found if entry[-1] in ('survived', 'unreached')]
    score = 100.0 * (len(found) - len(lost)) / len(found) if found else 0.0
    explained, open_, hung, unreached, killed_since = [], [], [], [], []
    for module, line, operator, occurrence, outcome in lost + timeouts:
        source = (TREE / module).read_text(encoding='utf-8').splitlines()[line - 1].strip()
        row = '* `%s:%d` %s #%d: `%s`' % (module, line, operator, occurrence, source)
        if outcome == 'timeout':
            hung.append(row)
            continue
        reason = EQUIVALENT.get((module, operator, source))
        killer = KILLED_SINCE.get((module, line, operator))
        if reason:
            explained.append(row + ' - equivalent: %s' % reason)
        elif killer:
            killed_since.append(row + ' - now killed by `%s`' % killer)
        else:
            (unreached if outcome == 'unreached' else open_).append(row)
    lines = ['# Mutation testing', '',
             'Run by `make mutation` (`tools/mutation.py`, cosmic-ray %s) on %s; the session took %.0f minutes.' % (
                 '8.7.0', time.strftime('%Y-%m-%d'), minutes),
             'Mutated: %s. Tests: %s (for each mutant, those that reach the mutated lines; see the tool\'s docstring).' % (
                 ', '.join(modules), ', '.join(TESTS)), '',
             '| mutants | killed by a failing test | stopped by the %d s timeout | survived | score |' % TIMEOUT,
             '|---:|---:|---:|---:|---:|',
             '| %d | %d | %d | %d | %.1f%% |' % (len(found), killed, len(timeouts), len(lost), score), '',
             ]
    if pending:
        lines += ['**Partial**: %d mutants were not run yet (`make mutation MUTATION_ARGS=--resume` goes on).' % pending, '']
    lines += ['## Survivors still to be killed (module, line, operator, occurrence, source line)', '',
              'Reached by in-process tests that did not fail:', '']
    lines += open_ or ['(none)']
    lines += ['', 'On lines no in-process test reaches (only the integration tests run them):', '']
    lines += unreached or ['(none)']
    lines += ['', '## Survivors killed by tests added after the run started (each confirmed by hand)', '']
    lines += killed_since or ['(none)']
    lines += ['', '## Survivors judged equivalent', ''] + (explained or ['(none)'])
    lines += ['', '## Stopped by the timeout (the mutation made the tests hang or crawl)', ''] + (hung or ['(none)'])
    REPORT.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    print('mutation: %d mutants, %d killed, %d timed out, %d survived (%d judged equivalent), score %.1f%%; see %s' % (
        len(found), killed, len(timeouts), len(lost), len(explained), score, REPORT.relative_to(ROOT)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--modules', nargs='+', default=['plugins/module_utils', 'plugins/modules'],
                        help='files or folders to mutate (default: plugins/module_utils plugins/modules)')
    parser.add_argument('--workers', type=int, default=3,
                        help='mutants tested at once, each in its own copy of the tree (default: 3)')
    parser.add_argument('--resume', action='store_true',
                        help='go on with the session of an interrupted run (same tree, same mutants)')
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
    started = time.time()
    python = ROOT / '.venv' / 'bin' / 'python'
    command = shlex.join([str(python), str(ROOT / 'tools' / 'mutation_select.py')])
    if not ((args.resume or args.report) and session.exists()):
        copy_tree()
        if session.exists():
            session.unlink()
        (WORK / 'started').write_text(str(started), encoding='utf-8')
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
            run([bin_dir / 'cosmic-ray', 'exec', config, session], cwd=TREE, env=env)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait()
    dump = subprocess.run([bin_dir / 'cosmic-ray', 'dump', session], cwd=TREE, env=env, check=True,
                          capture_output=True, text=True).stdout
    started_file = WORK / 'started'
    minutes = (time.time() - float(started_file.read_text() if started_file.exists() else started)) / 60
    write_report(dump, args.modules, minutes)


if __name__ == '__main__':
    main()
