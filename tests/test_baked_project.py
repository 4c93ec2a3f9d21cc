"""Slow: a baked project's own tools work on it (tests, lint, types, build, twine, install)."""

from __future__ import annotations

import email.parser
import re
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.ci import shell_lines, workflow_commands, workflows
from tests.support.tools import ProjectTools, run

pytestmark = pytest.mark.slow

QUOTED = {
    "project_name": "Seán O'Brien \"Bob\" Tools",
    "author_name": "Seán O'Brien \"Bob\"",
    "description": 'Reads "C:\\data" files: fast & safe 🚀',
    "version": "2.0.0rc1",
    "license": "MIT",
    "package_name": "Obrien.Tools",
}


@pytest.fixture(scope="session")
def synced_project(bake_copy, tools: ProjectTools) -> Path:
    """The default bake with its development environment made by its own ``uv sync``."""
    project = bake_copy()
    tools.uv("sync", cwd=project)
    return project


@pytest.fixture(scope="session")
def built_distributions(bake, tools: ProjectTools, tmp_path_factory) -> dict[str, list[Path]]:
    """``uv build`` of the default bake and of a bake whose every free text is tricky."""
    built = {}
    for name, answers in {"default": {}, "quoted": QUOTED}.items():
        out = tmp_path_factory.mktemp(f"dist-{name}")
        tools.uv("build", "--out-dir", out, cwd=bake(**answers))
        built[name] = sorted(out.glob("*.whl")) + sorted(out.glob("*.tar.gz"))
    return built


def test_its_own_test_suite_passes(synced_project, tools):
    proc = tools.uv("run", "pytest", cwd=synced_project)
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed and int(passed.group(1)) >= 30, proc.stdout
    assert "failed" not in proc.stdout


def test_ruff_finds_nothing_to_fix(synced_project, tools):
    tools.uv("run", "ruff", "check", cwd=synced_project)
    tools.uv("run", "ruff", "format", "--check", cwd=synced_project)


def test_mypy_strict_passes(synced_project, tools):
    proc = tools.uv("run", "mypy", cwd=synced_project)
    assert "Success: no issues found" in proc.stdout


def test_uv_build_makes_an_sdist_and_a_wheel(built_distributions):
    assert [p.name for p in built_distributions["default"]] == [
        "acme_utils-0.1.0-py3-none-any.whl",
        "acme_utils-0.1.0.tar.gz",
    ]
    assert [p.name for p in built_distributions["quoted"]] == [
        "obrien_tools-2.0.0rc1-py3-none-any.whl",
        "obrien_tools-2.0.0rc1.tar.gz",
    ]


@pytest.mark.parametrize("name", ["default", "quoted"])
def test_twine_check_strict_passes(built_distributions, tools, tmp_path, name):
    proc = tools.python("-m", "twine", "check", "--strict", *built_distributions[name], cwd=tmp_path)
    assert proc.stdout.count("PASSED") == 2


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def test_the_wheel_metadata_carries_the_answers_exactly(built_distributions):
    default = wheel_metadata(built_distributions["default"][0])
    assert default["License-Expression"] == "LicenseRef-Proprietary"
    assert "Private :: Do Not Upload" in default.get_all("Classifier")
    assert default["Requires-Python"] == ">=3.11"

    quoted = wheel_metadata(built_distributions["quoted"][0])
    assert quoted["Name"] == "Obrien.Tools"
    assert quoted["Summary"] == QUOTED["description"]
    assert QUOTED["author_name"].replace('"', '\\"') in quoted["Author-email"]
    assert quoted["License-Expression"] == "MIT"
    assert "Seán O'Brien \"Bob\" Tools" in quoted.get_payload()


@pytest.mark.parametrize(("name", "module", "version"), [("default", "acme_utils", "0.1.0"), ("quoted", "obrien_tools", "2.0.0rc1")])
def test_the_wheel_installs_into_a_clean_venv(built_distributions, tools, tmp_path, name, module, version):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path, env=tools.env())
    python = venv / "bin" / "python"
    wheel = built_distributions[name][0]
    run(python, "-m", "pip", "install", "--no-index", "--no-deps", wheel, cwd=tmp_path, env=tools.env())
    proc = run(python, "-c", f"import {module}; print({module}.__version__)", cwd=tmp_path, env=tools.env())
    assert proc.stdout.strip() == version


def test_the_ci_workflow_commands_pass_in_the_baked_project(synced_project, tools):
    """What GitHub Actions runs, run here, so the workflow cannot drift from the project.

    The lines that fetch CodeArtifact credentials need AWS and are left out; UV_DEFAULT_INDEX
    stands in for them (see ProjectTools.env).
    """
    ci = workflows(synced_project)["ci.yml"]
    lines = [line for line in shell_lines(workflow_commands(ci)) if "codeartifact.py" not in line]
    assert len(lines) >= 6
    for line in lines:
        run("bash", "-c", line, cwd=synced_project, env=tools.env())
    assert sorted(p.suffix for p in (synced_project / "dist").iterdir() if p.suffix in (".whl", ".gz")) == [".gz", ".whl"]
