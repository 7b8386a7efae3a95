"""Run ``ansible-test sanity`` on a clean copy of the collection.

ansible-test only works when the real path of the current directory ends in
``ansible_collections/<namespace>/<name>``, which a checkout usually does not.
This script copies the files git knows about (tracked, plus untracked files
that are not ignored) into a temporary ``ansible_collections/hwcloud/sms``
tree outside the repository and runs the sanity tests there.

ansible-test bootstraps pip into each of its virtual environments with a
``get-pip`` script that it downloads, or takes from its cache in
``~/.ansible/test/cache``.  Where that download is not possible, we place a
small stand-in script in the cache that installs pip from a wheel fetched with
``pip download`` into ``build/``.

The JUnit results of every sanity test are copied to
``build/test-results/sanity/`` so that the suite runner can count them.

Why home-made: ansible-test itself needs the ``ansible_collections/<namespace>/<name>`` path, and a clone of this
repository is not in one; this is the copy it needs, and nothing else.

Usage: python tools/sanity.py [--keep] [extra ansible-test sanity arguments...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

NAMESPACE = 'hwcloud'
NAME = 'sms'
PYTHON_VERSION = '{}.{}'.format(*sys.version_info[:2])

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = REPO_ROOT / 'build'
WHEEL_CACHE = BUILD_DIR / 'cache' / 'pip-wheels'
RESULTS_DIR = BUILD_DIR / 'test-results' / 'sanity'

STAND_IN_MARKER = '# hwcloud.sms: offline get-pip stand-in'

STAND_IN_TEMPLATE = '''\
{marker}
"""Install pip from a locally downloaded wheel (stand-in for get-pip.py).

ansible-test runs this file with the arguments it would pass to get-pip.py:
pip options, requirement specifiers, and the get-pip switches --no-setuptools
and --no-wheel.  It is (re)written by tools/sanity.py before each run.
"""
import glob
import os
import sys

WHEEL_DIRS = {wheel_dirs!r}
PIP_VERSION = {pip_version!r}


def find_wheel():
    for directory in WHEEL_DIRS:
        pattern = os.path.join(glob.escape(directory), 'pip-%s-*.whl' % PIP_VERSION)
        for path in sorted(glob.glob(pattern)):
            return directory, path
    sys.stderr.write(
        'pip %s wheel not found in %s; run the sanity tests through tools/sanity.py '
        '(make sanity) to download it.\\n' % (PIP_VERSION, ', '.join(WHEEL_DIRS)))
    sys.exit(1)


def main():
    directory, wheel = find_wheel()
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    sys.path.insert(0, wheel)
    from pip._internal.cli.main import main as pip_main
    return pip_main(['install', '--no-index', '--find-links', directory] + args)


if __name__ == '__main__':
    sys.exit(main())
'''


def log(message: str) -> None:
    print('sanity: %s' % message, flush=True)


def ansible_test_packages() -> dict:
    """The packages (name: version) that the installed ansible-test bootstraps into its virtual environments: pip,
    and before ansible-core 2.17 setuptools and wheel too."""
    try:
        # pylint: disable-next=import-outside-toplevel
        from ansible_test._internal.python_requirements import get_venv_packages

        return dict(get_venv_packages(SimpleNamespace(version=PYTHON_VERSION)))
    except Exception:  # pylint: disable=broad-exception-caught
        source = ansible_test_lib_dir() / 'ansible_test' / '_internal' / 'python_requirements.py'
        match = re.search(r"\bpip='([0-9.]+)'", source.read_text(encoding='utf-8'))
        if not match:
            raise SystemExit('sanity: cannot tell which pip version ansible-test bootstraps '
                             '(see %s)' % source) from None
        return {'pip': match.group(1)}


def ansible_test_lib_dir() -> Path:
    import ansible_test  # pylint: disable=import-outside-toplevel

    return Path(ansible_test.__file__).resolve().parent.parent


def stand_in_path(pip_version: str) -> Path:
    """Where ansible-test's requirements.py looks for the cached bootstrap script."""
    requirements_py = ansible_test_lib_dir() / 'ansible_test' / '_util' / 'target' / 'setup' / 'requirements.py'
    text = requirements_py.read_text(encoding='utf-8')
    match = re.search(r"expanduser\('([^']*get_pip_%s\.py)'", text)
    if not match or '~/' not in match.group(1):
        raise SystemExit('sanity: cannot find the get-pip cache path in %s; '
                         'the installed ansible-test changed, please update tools/sanity.py' % requirements_py)
    relative = match.group(1) % pip_version.replace('.', '_')
    return Path(os.path.expanduser(relative))


def ensure_wheels(packages: dict) -> None:
    """A wheel of each package ansible-test bootstraps, in the cache the stand-in installs from."""
    for name, version in sorted(packages.items()):
        if list(WHEEL_CACHE.glob('%s-%s-*.whl' % (name, version))):
            continue
        WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
        log('downloading the %s %s wheel into %s' % (name, version, WHEEL_CACHE))
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--disable-pip-version-check', '--quiet',
                        '--no-deps', '--only-binary', ':all:', '--dest', str(WHEEL_CACHE),
                        '%s==%s' % (name, version)], check=True)


def install_stand_in(pip_version: str) -> None:
    path = stand_in_path(pip_version)
    if path.exists():
        existing = path.read_text(encoding='utf-8', errors='replace')
        if STAND_IN_MARKER not in existing:
            log('using the existing pip bootstrap script %s' % path)
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    content = STAND_IN_TEMPLATE.format(marker=STAND_IN_MARKER, wheel_dirs=[str(WHEEL_CACHE)],
                                       pip_version=pip_version)
    tmp = path.with_name(path.name + '.tmp%d' % os.getpid())
    tmp.write_text(content, encoding='utf-8')
    tmp.replace(path)
    log('pip bootstrap stand-in written to %s' % path)


def collection_files() -> list[str]:
    out = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                         cwd=REPO_ROOT, check=True, capture_output=True).stdout
    names = sorted({name for name in out.decode('utf-8').split('\0') if name})
    # Tracked files deleted in the working tree are listed too: skip them.
    return [name for name in names if os.path.lexists(REPO_ROOT / name)]


def copy_tree(files: list[str], dest: Path) -> None:
    for name in files:
        src = REPO_ROOT / name
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)


def git_init(dest: Path, files: list[str]) -> None:
    """ansible-test lists the collection's files with git when a .git exists."""
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL=os.devnull)
    subprocess.run(['git', 'init', '--quiet', str(dest)], check=True, env=env)
    subprocess.run(['git', 'add', '--force', '--'] + files, cwd=dest, check=True, env=env)


def collect_results(tree: Path) -> None:
    if RESULTS_DIR.exists():
        shutil.rmtree(RESULTS_DIR)
    RESULTS_DIR.mkdir(parents=True)
    junit_dir = tree / 'tests' / 'output' / 'junit'
    if junit_dir.is_dir():
        for xml in sorted(junit_dir.glob('*.xml')):
            shutil.copy2(xml, RESULTS_DIR / xml.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--keep', action='store_true', help='keep the temporary collection tree')
    options, extra = parser.parse_known_args()

    ansible_test = Path(sys.executable).parent / 'ansible-test'
    if not ansible_test.exists():
        raise SystemExit('sanity: %s not found; create the virtual environment first (make venv)' % ansible_test)

    packages = ansible_test_packages()
    ensure_wheels(packages)
    install_stand_in(packages['pip'])

    if RESULTS_DIR.exists():
        shutil.rmtree(RESULTS_DIR)

    files = collection_files()
    if not files:
        raise SystemExit('sanity: git lists no files in %s' % REPO_ROOT)

    tmp_root = Path(tempfile.mkdtemp(prefix='%s.%s-sanity-' % (NAMESPACE, NAME)))
    tree = tmp_root / 'ansible_collections' / NAMESPACE / NAME
    try:
        copy_tree(files, tree)
        git_init(tree, files)

        env = dict(os.environ)
        # The copy is the collection under test: nothing should point back to the checkout.
        for name in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS', 'PYTHONPATH'):
            env.pop(name, None)

        command = [str(ansible_test), 'sanity', '--venv', '--python', PYTHON_VERSION,
                   '--color', 'no', '--junit'] + extra
        log('running in %s: %s' % (tree, ' '.join(command[1:])))
        result = subprocess.run(command, cwd=tree, env=env, check=False)
        collect_results(tree)
        log('ansible-test sanity exited with %d' % result.returncode)
        return result.returncode
    finally:
        if options.keep:
            log('kept %s' % tree)
        else:
            shutil.rmtree(tmp_root, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
