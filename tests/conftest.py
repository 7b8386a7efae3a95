# -*- coding: utf-8 -*-
# Copyright: hwcloud.sms contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the working tree importable as ``ansible_collections.hwcloud.sms`` (and the emulator as
``tests.emulator``) for plain pytest, from a clone in a folder of any name."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / "build" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "hwcloud" / "sms"

if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    try:
        LINK.symlink_to(ROOT, target_is_directory=True)
    except FileExistsError:  # another test worker made it first
        pass
for entry in (str(COLLECTIONS), str(ROOT)):
    if entry not in sys.path:
        sys.path.insert(0, entry)
