"""What ``pip install`` of a built wheel gives: the package, its samples and its prompts, found without the repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.fakes import Reply, openai_stub

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel built from this tree (no deps: it reads this venv's site-packages)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in ("assistant", "prompts"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(root / "dist"),
                    str(src)], check=True, capture_output=True, timeout=300)
    wheel = next((root / "dist").glob("assistant-*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # the dependencies: this venv's packages, after the wheel's own (its editable finder is not run from here)
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def test_the_wheel_carries_the_prompts_and_finds_them_installed(installed: Path, tmp_path: Path) -> None:
    probe = subprocess.run(
        [str(installed / "bin" / "python"), "-c",
         "import assistant, assistant.config as c; print(assistant.__file__); print(c.DEFAULT_PROMPTS_DIR)"],
        capture_output=True, text=True, cwd=tmp_path, env=_env(), check=True)
    package_file, prompts_dir = probe.stdout.split()
    assert Path(package_file).is_relative_to(installed) and Path(prompts_dir).is_relative_to(installed)
    for name in ("system.md", "answer.md", "condense.md"):
        assert Path(prompts_dir, name).read_text(encoding="utf-8") == (REPO / "prompts" / name).read_text("utf-8")


def test_llm_mode_runs_from_the_installed_console_script(installed: Path, tmp_path: Path, samples_dir: Path) -> None:
    script = str(installed / "bin" / "assistant")
    env = _env(ASSISTANT_STORE_DIR=str(tmp_path / "store"), ASSISTANT_TORCH_THREADS="1", HF_HUB_OFFLINE="1")
    ingest = subprocess.run([script, "ingest", str(samples_dir)], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=300)
    assert ingest.returncode == 0, ingest.stderr
    with openai_stub(Reply(text="The union was not consulted, its leader said [1].")) as stub:
        ask = subprocess.run([script, "ask", "--json", "Was the transit workers' union consulted?"],
                             capture_output=True, text=True, cwd=tmp_path, timeout=300,
                             env={**env, "OPENAI_API_KEY": "sk-test-123", "OPENAI_BASE_URL": stub.url})
    assert ask.returncode == 0, ask.stderr
    answer = json.loads(ask.stdout)
    assert answer["mode"] == "llm" and "[1]" in answer["answer"]
    system = stub.requests[0]["body"]["messages"][0]["content"]
    assert system.strip() == (REPO / "prompts" / "system.md").read_text(encoding="utf-8").strip()
