"""The project's own checks, run with the tests: lint and complexity, types, the import contracts, dead code,
and repeated code. Each failure says what to run to see it whole."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    if not exe.exists():
        pytest.fail(f"{tool} is not installed in this venv: .venv/bin/pip install -c constraints.txt -e '.[dev]'")
    return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True, timeout=240)


def test_ruff_finds_nothing_and_no_function_is_too_complex() -> None:
    result = _run("ruff", "check", "assistant", "tests", "bench", ".ci")  # C901: complexity at most 15
    assert result.returncode == 0, f".venv/bin/ruff check assistant tests bench .ci\n{result.stdout}"


def test_mypy_finds_nothing() -> None:
    result = _run("mypy", "assistant")
    assert result.returncode == 0, f".venv/bin/mypy assistant\n{result.stdout}"


def test_the_import_contracts_hold() -> None:
    """Front ends use only the core's public modules, there are no import cycles, and only the corpus reaches
    the store and the keyword index (pyproject.toml, [tool.importlinter])."""
    result = _run("lint-imports")
    assert result.returncode == 0, f".venv/bin/lint-imports\n{result.stdout}"


def test_vulture_finds_no_dead_code() -> None:
    result = _run("vulture")  # paths and the whitelist: pyproject.toml, [tool.vulture]
    assert result.returncode == 0, f".venv/bin/vulture\n{result.stdout}"


def test_no_code_is_repeated_in_the_package() -> None:
    duplicates = shutil.which("duplicates")
    if duplicates is None:
        pytest.skip("the duplicates tool is not on PATH on this machine")
    result = subprocess.run([duplicates, "--repo", str(REPO / "assistant"), "--seconds", "60"], capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.startswith("no duplicates"), f"duplicates --repo assistant\n{result.stdout}"
