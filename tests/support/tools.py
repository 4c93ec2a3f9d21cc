"""Run the tools of a baked project in a hermetic environment, with shared package caches."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from uv import find_uv_bin

PYPI = "https://pypi.org/simple"
BIN = Path(sys.executable).parent  # the test environment's uv, uvx, poetry, pipx, twine
# Settings of the developer's shell that would change what the baked project's tools do.
_LEAKY_PREFIXES = ("UV_", "PIP_", "PIPX_", "POETRY_", "TWINE_", "AWS_", "CODEARTIFACT_", "VIRTUAL_ENV")


def run(*args: str | Path, cwd: Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command; on an unexpected exit status fail with everything it printed."""
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

    def python(self, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run the Python of the test suite itself (which has build and twine)."""
        return run(sys.executable, *args, cwd=cwd, env=self.env())


@dataclass(frozen=True)
class Manager:
    """A baked project's own package manager: install, run a dev tool, build."""

    name: str
    tools: ProjectTools

    def install(self, project: Path) -> None:
        """Make the project's development environment, the way its README says."""
        if self.name == "uv":
            self.tools.uv("sync", cwd=project)
        elif self.name == "poetry":
            # Poetry reads its sources from pyproject.toml only: point this private copy's
            # CodeArtifact source at PyPI, so that the test never contacts CodeArtifact.
            pyproject = project / "pyproject.toml"
            text = pyproject.read_text(encoding="utf-8")
            pyproject.write_text(_replace_source_url(text), encoding="utf-8")
            run(BIN / "poetry", "install", "--no-interaction", cwd=project, env=self.tools.env())
        else:
            run(sys.executable, "-m", "venv", ".venv", cwd=project, env=self.tools.env())
            pip = [project / ".venv" / "bin" / "python", "-m", "pip", "install", "--quiet"]
            run(*pip, "--upgrade", "pip", cwd=project, env=self.tools.env())  # 25.1+ for --group
            run(*pip, "-e", ".", "--group", "dev", cwd=project, env=self.tools.env())

    def run(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a development tool (pytest, ruff, mypy) as the README does."""
        if self.name == "uv":
            return self.tools.uv("run", *args, cwd=project)
        if self.name == "poetry":
            return run(BIN / "poetry", "run", *args, cwd=project, env=self.tools.env())
        return run(project / ".venv" / "bin" / args[0], *args[1:], cwd=project, env=self.tools.env())

    def build(self, project: Path, out: Path) -> list[Path]:
        if self.name == "uv":
            self.tools.uv("build", "--out-dir", out, cwd=project)
        elif self.name == "poetry":
            run(BIN / "poetry", "build", "--output", out, cwd=project, env=self.tools.env())
        else:
            python = project / ".venv" / "bin" / "python"
            run(
                python if python.exists() else sys.executable,
                "-m",
                "build",
                "--outdir",
                out,
                cwd=project,
                env=self.tools.env(),
            )
        return sorted(out.glob("*.whl")) + sorted(out.glob("*.tar.gz"))


def _replace_source_url(pyproject: str) -> str:
    start = pyproject.index('url = "', pyproject.index("[[tool.poetry.source]]")) + len('url = "')
    end = pyproject.index('"', start)
    return pyproject[:start] + PYPI + "/" + pyproject[end:]
