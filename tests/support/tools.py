"""Run the tools of a baked project in a hermetic environment, with shared package caches."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from uv import find_uv_bin

PYPI = "https://pypi.org/simple"
BIN = Path(sys.executable).parent  # the test environment's uv, uvx, poetry, pipx, twine
# Settings of the developer's shell that would change what the baked project's tools do.
_LEAKY_PREFIXES = ("UV_", "PIP_", "PIPX_", "POETRY_", "TWINE_", "AWS_", "CODEARTIFACT_", "VIRTUAL_ENV")


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command (in this environment unless given one); on an unexpected exit status fail
    with everything it printed."""
    proc = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {proc.returncode} in {cwd}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


@dataclass(frozen=True)
class ProjectTools:
    cache: Path  # shared by every test and kept between runs: uv/, poetry/, pip/, pipx/
    config_home: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES)}
        env.update(
            # A baked project names the team's CodeArtifact repository as its one index. Tests
            # must never contact it: uv and pip use PyPI here instead (Poetry: see Manager).
            UV_DEFAULT_INDEX=PYPI,
            PIP_INDEX_URL=PYPI,
            UV_CACHE_DIR=str(self.cache / "uv"),
            UV_PYTHON=sys.executable,
            UV_PYTHON_DOWNLOADS="never",
            UV_NO_PROGRESS="1",
            POETRY_CACHE_DIR=str(self.cache / "poetry"),
            POETRY_VIRTUALENVS_IN_PROJECT="true",
            PIP_CACHE_DIR=str(self.cache / "pip"),
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            PIP_NO_COMPILE="1",  # byte-compiling every installed module costs seconds and proves nothing
            PIPX_HOME=str(self.cache / "pipx"),
            XDG_CONFIG_HOME=str(self.config_home),
            PATH=os.pathsep.join([str(BIN), env.get("PATH", "")]),
        )
        env.update(extra)
        return env

    @property
    def uv_bin(self) -> str:
        return find_uv_bin()

    def uv(self, *args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(self.uv_bin, *args, cwd=cwd, env=self.env(), check=check)

    def venv(self, where: Path) -> Path:
        """A new virtual environment with pip in it, as ``python -m venv`` makes, in a fraction
        of the time (uv seeds pip from its cache); returns its Python."""
        self.uv("venv", "--quiet", "--seed", where, cwd=where.parent)
        return where / "bin" / "python"

    def python(self, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run the Python of the test suite itself (which has build and twine)."""
        return run(sys.executable, *args, cwd=cwd, env=self.env())


@dataclass(frozen=True)
class Manager:
    """A baked project's own package manager, driven by the commands of its README.

    The commands come from the package manager table (``_managers`` in cookiecutter.json),
    the same table the README, the CI files and the next steps are written from.
    """

    name: str
    tools: ProjectTools
    table: dict[str, str]

    def shell(self, project: Path, command: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run one of the table's commands as a user types it, in the project's activated venv."""
        path = os.pathsep.join([str(project / ".venv" / "bin"), self.tools.env()["PATH"]])
        return run("bash", "-ec", command, cwd=project, env=self.tools.env(PATH=path, **env))

    def install(self, project: Path) -> None:
        """Make the project's development environment, the way its README says."""
        if self.name == "poetry":
            # Poetry reads its sources from pyproject.toml only: point this private copy's
            # CodeArtifact source at PyPI, so that the test never contacts CodeArtifact.
            pyproject = project / "pyproject.toml"
            pyproject.write_text(_replace_source_url(pyproject.read_text(encoding="utf-8")), encoding="utf-8")
        if self.table["setup"]:
            self.shell(project, self.table["setup"])
        self.shell(project, self.table["sync"])

    def run(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a development tool (pytest, ruff, mypy) as the README does."""
        return self.shell(project, self.table["run"] + shlex.join(args))

    def build(self, project: Path, out: Path) -> list[Path]:
        self.shell(project, f"{self.table['build_into']} {shlex.quote(str(out))}")
        return sorted(out.glob("*.whl")) + sorted(out.glob("*.tar.gz"))


def _replace_source_url(pyproject: str) -> str:
    start = pyproject.index('url = "', pyproject.index("[[tool.poetry.source]]")) + len('url = "')
    end = pyproject.index('"', start)
    return pyproject[:start] + PYPI + "/" + pyproject[end:]
