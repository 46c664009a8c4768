"""Each storage module can be the first one a program imports (a tool that needs only the
repositories, a migration): no import cycle that works only in one order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    f"storage.{path.stem}" for path in (ROOT / "storage").glob("*.py") if path.stem != "__init__"
)


@pytest.mark.parametrize("module", MODULES)
def test_a_storage_module_imported_first_loads(module):
    ran = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
