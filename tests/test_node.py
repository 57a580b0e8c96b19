"""The browser's pure arithmetic under `node --test` (tests/js/), on the fixtures the Python tests read."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_browser_arithmetic_passes_its_node_tests() -> None:
    """Runs `node --test tests/js/`; skipped without node on a laptop, never in CI."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing: CI must have it to run tests/js/")
        pytest.skip("node is not installed")
    run = subprocess.run(
        [node, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
