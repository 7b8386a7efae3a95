"""pytest plugin for ``make mutation``: which test runs which line of plugins/, and how long each test takes.

Loaded with ``-p tools.mutation_trace`` from the root of the copy that cosmic-ray mutates. It records, for
every line of ``plugins/`` that runs, the ids of the tests during which it ran (lines that run while no test is
running, such as imports at collection time, are recorded under ``*``), and writes them with each test's
duration to the file named by MUTATION_TRACE. ``tools/mutation_select.py`` then runs, for each mutant, only
the tests that reach the mutated line.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path.cwd().resolve()
MARK = os.sep + 'plugins' + os.sep
OUTSIDE = '*'

_lines = {}      # (relative path, line) -> set of test ids
_durations = {}  # test id -> seconds
_current = [OUTSIDE]
_paths = {}      # code file name -> path relative to ROOT, or None when not a plugin of this tree


def _relative(filename):
    if filename not in _paths:
        relative = None
        if MARK in filename:
            try:
                relative = Path(os.path.realpath(filename)).relative_to(ROOT).as_posix()
            except ValueError:
                relative = None
            if relative is not None and not relative.startswith('plugins/'):
                relative = None
        _paths[filename] = relative
    return _paths[filename]


def _local(frame, event, arg):
    if event == 'line':
        _lines.setdefault((_relative(frame.f_code.co_filename), frame.f_lineno), set()).add(_current[0])
    return _local


def _global(frame, event, arg):
    if _relative(frame.f_code.co_filename) is None:
        return None
    _lines.setdefault((_relative(frame.f_code.co_filename), frame.f_lineno), set()).add(_current[0])
    return _local


def pytest_configure(config):
    sys.settrace(_global)
    threading.settrace(_global)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _current[0] = item.nodeid
    started = time.monotonic()
    try:
        yield
    finally:
        _durations[item.nodeid] = time.monotonic() - started
        _current[0] = OUTSIDE


def pytest_unconfigure(config):
    sys.settrace(None)
    threading.settrace(None)
    lines = {}
    for (path, line), tests in _lines.items():
        lines.setdefault(path, {})[str(line)] = sorted(tests)
    Path(os.environ['MUTATION_TRACE']).write_text(json.dumps({'lines': lines, 'durations': _durations}), encoding='utf-8')
