"""The maintainers' pin refresher (maintenance/refresh_pins.py), on a copy of the template, with
recorded answers: GitHub's and Docker Hub's APIs are out of these machines' reach."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import TEMPLATE_DIR

PROJECT = "{{cookiecutter.__project_dir}}"


@pytest.fixture
def copy(tmp_path) -> Path:
    ignore = shutil.ignore_patterns(".venv", ".git", ".pytest_cache", "__pycache__", ".ruff_cache")
    return Path(shutil.copytree(TEMPLATE_DIR, tmp_path / "template", ignore=ignore))


@pytest.fixture
def refresher() -> ModuleType:
    """The refresher as a module, for its patterns and source URLs (it is not mutation-tested)."""
    spec = importlib.util.spec_from_file_location("refresh_pins", TEMPLATE_DIR / "maintenance" / "refresh_pins.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["refresh_pins"] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def current_answers(refresher, root: Path) -> dict[str, object]:
    """What each source would answer if every pin of the template were the newest."""
    answers: dict[str, object] = {
        "https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/python:pull": {"token": "t"}
    }
    for path in [
        *root.rglob("*.y*ml*"),
        root / "cookiecutter.json",
        root / "README.rst",
        root / PROJECT / "pyproject.toml",
    ]:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        for pattern in (refresher.USES, refresher.FROZEN_REV):
            for match in pattern.finditer(text):
                base = refresher.GITHUB.format(match["repo"])
                answers[base + "/releases/latest"] = {"tag_name": match["tag"]}
                answers[base + f"/commits/{match['tag']}"] = {"sha": match["sha"]}
        for match in refresher.IMAGE.finditer(text):
            answers[refresher.DOCKER_MANIFEST.format("python", match.group(3))] = match.group(4)
        for name, version in refresher.PYPI_PIN.findall(text):
            answers[refresher.PYPI.format(name)] = {"info": {"version": version}}
        for match in refresher.UV_BUILD_CAP.finditer(text):
            minor = int(match.group(2).split(".")[1]) - 1
            answers[refresher.PYPI.format("uv")] = {"info": {"version": f"0.{minor}.9"}}
    return answers


def refresh(copy: Path, answers: dict[str, object], *args: str) -> subprocess.CompletedProcess[str]:
    (copy / "answers.json").write_text(json.dumps(answers))
    command = [
        sys.executable,
        copy / "maintenance" / "refresh_pins.py",
        "--no-locks",
        "--answers",
        copy / "answers.json",
    ]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60)


def test_a_template_with_every_pin_current_passes_the_check(copy, refresher):
    checked = refresh(copy, current_answers(refresher, copy), "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    counts = re.search(r"^(\d+) pins: 0 stale, 0 unknown$", checked.stdout, re.MULTILINE)
    assert counts and int(counts.group(1)) >= 25  # actions, hooks, images, tools, the uv_build bound


def test_stale_pins_are_reported_then_rewritten_from_their_sources(copy, refresher):
    answers = current_answers(refresher, copy)
    checkout = refresher.GITHUB.format("actions/checkout")
    answers[checkout + "/releases/latest"] = {"tag_name": "v7.9.0"}
    answers[checkout + "/commits/v7.9.0"] = {"sha": "a" * 40}
    hooks = refresher.GITHUB.format("pre-commit/pre-commit-hooks")
    answers[hooks + "/releases/latest"] = {"tag_name": "v6.1.0"}
    answers[hooks + "/commits/v6.1.0"] = {"sha": "b" * 40}
    answers[refresher.DOCKER_MANIFEST.format("python", "3.12-slim")] = "sha256:" + "c" * 64
    answers[refresher.PYPI.format("poetry")] = {"info": {"version": "2.9.0"}}
    answers[refresher.PYPI.format("uv")] = {"info": {"version": "0.14.2"}}
    checked = refresh(copy, answers, "--check")
    assert checked.returncode == 1
    assert "actions/checkout: stale: v7.0.1 3d3c42e5aac5 -> v7.9.0 aaaaaaaaaaaa" in checked.stdout
    assert "cookiecutter.json: poetry: stale: 2.5.1 -> 2.9.0" in checked.stdout
    assert f"{PROJECT}/pyproject.toml: uv_build upper bound: stale: 0.14 -> 0.15" in checked.stdout

    assert refresh(copy, answers).returncode == 0
    ci = next((copy / PROJECT / ".github" / "workflows").glob("*ci.yml*")).read_text(encoding="utf-8")
    assert f"actions/checkout@{'a' * 40}  # v7.9.0" in ci and "3d3c42e5aac5" not in ci
    hooks_config = (copy / PROJECT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert f"rev: {'b' * 40}  # frozen: v6.1.0" in hooks_config
    settings = (copy / "cookiecutter.json").read_text(encoding="utf-8")
    assert "poetry==2.9.0" in settings and "poetry==2.5.1" not in settings
    assert f"python:3.12-slim@sha256:{'c' * 64}" in settings
    assert 'uv_build>=0.7.19,<0.15"' in (copy / PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert "poetry==2.9.0" in (copy / "README.rst").read_text(encoding="utf-8")
    assert refresh(copy, answers, "--check").returncode == 0  # nothing stale any more
    # copier's copy of the pins too: the one command leaves every generated file current
    assert "poetry==2.9.0" in (copy / "copier-parts" / "namespace.jinja").read_text(encoding="utf-8")
    generated = [sys.executable, copy / "maintenance" / "copier_yml.py", "--check"]
    assert subprocess.run(generated, capture_output=True, text=True).stdout == "copier's generated parts are current\n"


def test_a_source_that_cannot_be_asked_is_named_and_does_not_fail_the_check(copy, refresher):
    answers = current_answers(refresher, copy)
    missing = refresher.PYPI.format("poetry")
    del answers[missing]
    checked = refresh(copy, answers, "--check")
    assert checked.returncode == 0
    assert f"poetry: unknown (no recorded answer for {missing})" in checked.stdout
