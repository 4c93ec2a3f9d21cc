"""Run the tools of a baked project in a hermetic environment."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from uv import find_uv_bin

PYPI = "https://pypi.org/simple"
# Settings of the developer's shell that would change what the baked project's tools do.
_LEAKY_PREFIXES = ("UV_", "PIP_", "POETRY_", "TWINE_", "AWS_", "CODEARTIFACT_", "VIRTUAL_ENV")


def run(*args: str | Path, cwd: Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command; on an unexpected exit status fail with everything it printed."""
    proc = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {proc.returncode} in {cwd}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


@dataclass(frozen=True)
class ProjectTools:
    uv_cache: Path
    config_home: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES)}
        env.update(
            UV_CACHE_DIR=str(self.uv_cache),
            # A baked pyproject.toml makes the team's CodeArtifact repository uv's only index.
            # Tests must never contact it, so every uv command here uses PyPI instead.
            UV_DEFAULT_INDEX=PYPI,
            UV_PYTHON=sys.executable,
            UV_PYTHON_DOWNLOADS="never",
            UV_NO_PROGRESS="1",
            XDG_CONFIG_HOME=str(self.config_home),
            PATH=os.pathsep.join([str(Path(find_uv_bin()).parent), env.get("PATH", "")]),  # uv, uvx
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
