"""Slow: each package manager's baked project passes its own tools (tests, lint, types, build, twine, install)."""

from __future__ import annotations

import email.parser
import re
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

from tests.conftest import MANAGERS
from tests.support.ci import shell_lines, workflow_commands, workflows
from tests.support.tools import Manager, ProjectTools, run

pytestmark = pytest.mark.slow

QUOTED = {
    "project_name": 'Seán O\'Brien "Bob" Tools',
    "author_name": 'Seán O\'Brien "Bob"',
    "description": 'Reads "C:\\data" files: fast & safe 🚀',
    "version": "2.0.0rc1",
    "license": "MIT",
    "package_name": "Obrien.Tools",
}


@pytest.fixture(scope="class")
def developed(request, bake_copy, tools: ProjectTools) -> tuple[Manager, Path]:
    """A private bake of the class's package manager, with the environment its README makes."""
    manager = Manager(request.cls.name, tools, MANAGERS[request.cls.name])
    project = bake_copy(package_manager=manager.name)
    manager.install(project)
    return manager, project


@pytest.fixture(scope="class")
def distributions(request, bake_copy, tools: ProjectTools, tmp_path_factory) -> dict[str, list[Path]]:
    """The package manager's own build of the default bake and of a bake of tricky free text."""
    manager = Manager(request.cls.name, tools, MANAGERS[request.cls.name])
    return {
        name: manager.build(bake_copy(package_manager=manager.name, **answers), tmp_path_factory.mktemp(f"dist-{name}"))
        for name, answers in {"default": {}, "quoted": QUOTED}.items()
    }


def archive_members(path: Path) -> list[str]:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as archive:
            return sorted(name for name in archive.namelist() if not name.endswith("/"))
    with tarfile.open(path) as archive:
        return sorted(member.name for member in archive.getmembers() if not member.isdir())


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


class DevelopmentChecks:
    """In the environment the README makes, the project's own tools pass; a subclass names the
    package manager. pytest-xdist (--dist loadscope) runs a class on one worker, so each
    environment is made once, while the build checks below run beside it on another worker."""

    name = ""

    def test_its_own_test_suite_passes_and_holds_only_the_owners_tests(self, developed):
        manager, project = developed
        proc = manager.run(project, "pytest")
        assert re.search(r"^tests/test_acme_utils\.py \.\. +\[100%\]$", proc.stdout, re.MULTILINE), proc.stdout
        assert re.search(r"^=+ 2 passed in [0-9.]+s =+$", proc.stdout, re.MULTILINE), proc.stdout

    def test_the_environment_holds_no_release_tool_dependency(self, developed):
        """uv and pipx give the release tool an environment of its own; pip's venv is shared."""
        manager, project = developed
        found = manager.run(project, "python", "-c", "import importlib.util as u; print(bool(u.find_spec('boto3')))")
        assert found.stdout.strip() == str(manager.name == "pip")

    def test_ruff_finds_nothing_to_fix(self, developed):
        manager, project = developed
        manager.run(project, "ruff", "check")
        manager.run(project, "ruff", "format", "--check")

    def test_mypy_strict_passes(self, developed):
        manager, project = developed
        assert "Success: no issues found" in manager.run(project, "mypy").stdout

    def test_the_readmes_bump_command_moves_the_version(self, developed, tmp_path):
        """README.md's Release section names the package manager's own command (pip has none)."""
        manager, project = developed
        found = re.search(r"set the version\s+with `([^`]+)`", (project / "README.md").read_text())
        if manager.name == "pip":
            assert found is None
            return
        copy = Path(shutil.copytree(project, tmp_path / project.name, symlinks=True))
        manager.shell(copy, found.group(1))
        assert tomllib.loads((copy / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"] == "0.2.0"

    def test_the_ci_workflow_commands_pass_in_the_baked_project(self, developed, tools):
        """What GitHub Actions runs, run here, so the workflow cannot drift from the project.

        The setup lines (installing the package manager) and the lines that fetch CodeArtifact
        credentials need the runner or AWS and are left out; the index settings of
        ProjectTools.env stand in for the credentials.
        """
        manager, project = developed
        ci = workflows(project)["ci.yml"]
        # Left out: installing the package manager, and an install the fixture already made.
        done = {manager.table["ci_setup"], manager.table["sync"]}
        lines = [
            line for line in shell_lines(workflow_commands(ci)) if "codeartifact.py" not in line and line not in done
        ]
        assert len(lines) >= 6
        env = tools.env(PATH=f"{project / '.venv' / 'bin'}:{tools.env()['PATH']}")  # pip: the activated venv
        for line in lines:
            # In CI only the install and build steps get CodeArtifact credentials: `uv run` after
            # `uv sync --locked` must not need the index, so it runs offline here.
            offline = {"UV_OFFLINE": "1"} if line.startswith("uv run ") else {}
            run("bash", "-c", line, cwd=project, env={**env, **offline})
        assert sorted(p.suffix for p in (project / "dist").iterdir() if p.suffix in (".whl", ".gz")) == [".gz", ".whl"]


class DistributionChecks:
    """The package manager's own build of the project is a valid, installable distribution."""

    name = ""

    def test_it_builds_an_sdist_and_a_wheel(self, distributions):
        built = distributions
        assert [p.name for p in built["default"]] == ["acme_utils-0.1.0-py3-none-any.whl", "acme_utils-0.1.0.tar.gz"]
        assert [p.name for p in built["quoted"]] == [
            "obrien_tools-2.0.0rc1-py3-none-any.whl",
            "obrien_tools-2.0.0rc1.tar.gz",
        ]

    def test_twine_check_strict_passes(self, distributions, tools, tmp_path):
        built = distributions
        proc = tools.python("-m", "twine", "check", "--strict", *built["default"], *built["quoted"], cwd=tmp_path)
        assert proc.stdout.count("PASSED") == 4

    def test_the_wheel_metadata_carries_the_answers_exactly(self, distributions):
        built = distributions
        default = wheel_metadata(built["default"][0])
        assert default["License-Expression"] == "LicenseRef-Proprietary"
        assert "Private :: Do Not Upload" in default.get_all("Classifier")
        assert default["Requires-Python"] == ">=3.11"

        quoted = wheel_metadata(built["quoted"][0])
        assert quoted["Name"].lower() == "obrien.tools"
        assert quoted["Summary"] == QUOTED["description"]
        authors = (quoted["Author"] or "") + (quoted["Author-email"] or "")
        assert QUOTED["author_name"] in authors or QUOTED["author_name"].replace('"', '\\"') in authors
        assert quoted["License-Expression"] == "MIT"
        assert 'Seán O\'Brien "Bob" Tools' in quoted.get_payload()

    def test_the_wheel_installs_into_a_clean_venv(self, distributions, tools, tmp_path):
        built = distributions
        python = tools.venv(tmp_path / "venv")
        for bake_name, module, version in [("default", "acme_utils", "0.1.0"), ("quoted", "obrien_tools", "2.0.0rc1")]:
            run(
                python,
                "-m",
                "pip",
                "install",
                "--no-index",
                "--no-deps",
                built[bake_name][0],
                cwd=tmp_path,
                env=tools.env(),
            )
            proc = run(python, "-c", f"import {module}; print({module}.__version__)", cwd=tmp_path, env=tools.env())
            assert proc.stdout.strip() == version


class TestUvDevelopment(DevelopmentChecks):
    name = "uv"


class TestPoetryDevelopment(DevelopmentChecks):
    name = "poetry"


class TestPipDevelopment(DevelopmentChecks):
    name = "pip"


class TestUvDistributions(DistributionChecks):
    name = "uv"

    def test_the_oldest_uv_build_it_allows_builds_the_same_files(self, bake_copy, tools, tmp_path):
        """pip and build take the backend from the index (uv build has its own): the lowest
        version [build-system] allows must build what the template uses, a module name that
        is not the package's and PEP 639 license metadata, as the newest does."""
        project = bake_copy(package_manager="uv", import_name="ledger", license="MIT")
        requires = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
        (floor,) = [spec.version for spec in Requirement(requires[0]).specifier if spec.operator == ">="]
        (tmp_path / "constraints.txt").write_text(f"uv_build=={floor}\n")
        oldest, newest = tmp_path / "oldest", tmp_path / "newest"
        run(sys.executable, "-m", "build", "--outdir", oldest, project, cwd=tmp_path,
            env=tools.env(PIP_CONSTRAINT=str(tmp_path / "constraints.txt")))  # fmt: skip
        tools.uv("build", "--out-dir", newest, cwd=project)
        (old_wheel,), (new_wheel,) = oldest.glob("*.whl"), newest.glob("*.whl")
        assert archive_members(old_wheel) == archive_members(new_wheel)
        (old_sdist,), (new_sdist,) = oldest.glob("*.tar.gz"), newest.glob("*.tar.gz")
        # Newer releases also keep the pyproject.toml they were given, as pyproject.toml.orig.
        added = {"acme_utils-0.1.0/pyproject.toml.orig"}
        assert archive_members(old_sdist) == [name for name in archive_members(new_sdist) if name not in added]
        assert wheel_metadata(next(oldest.glob("*.whl"))).items() == wheel_metadata(next(newest.glob("*.whl"))).items()


class TestPoetryDistributions(DistributionChecks):
    name = "poetry"


class TestPipDistributions(DistributionChecks):
    name = "pip"
