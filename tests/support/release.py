"""A developer's shell and a loopback CodeArtifact, for the end-to-end release tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.servers import CodeArtifactStandIn, PypiServer
from tests.support.tools import ProjectTools, run


@contextmanager
def loopback_codeartifact(root: Path, tools: ProjectTools, token: str) -> Iterator[CodeArtifactStandIn]:
    """The stand-in for domain acme (444455556666), repository python, before a real pypiserver."""
    repository = PypiServer(root=root, token=token)
    # CodeArtifact passes PyPI packages through its upstream; pypiserver has no upstream, so it
    # starts with the build backend that builds which read from the index need.
    tools.python("-m", "pip", "download", "--quiet", "--only-binary", ":all:", "--dest", repository.packages,
                 "hatchling", cwd=root)  # fmt: skip
    repository.start()
    stand_in = CodeArtifactStandIn(repository, "acme", "444455556666", "python")
    stand_in.start()
    try:
        yield stand_in
    finally:
        stand_in.stop()
        repository.stop()


@dataclass
class User:
    """A developer's shell: a private HOME, AWS pointed at the stand-in, every output kept."""

    tools: ProjectTools
    home: Path
    endpoint: str
    outputs: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = self.tools.env(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            AWS_ENDPOINT_URL_CODEARTIFACT=self.endpoint,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_EC2_METADATA_DISABLED="true",
            GIT_CONFIG_NOSYSTEM="1",
        )
        del env["PIP_INDEX_URL"]  # pip follows its configuration, as a user's does
        return env

    def run(
        self, *args: str | Path, cwd: Path, check: bool = True, keep: bool = True, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        proc = run(*args, cwd=cwd, env={**self.env, **extra}, check=check)
        if keep:
            self.outputs += [proc.stdout, proc.stderr]
        return proc

    def script(self, project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(self.tools.uv_bin, "run", "scripts/codeartifact.py", *args, cwd=project, check=check)

    def shell(self, project: Path, command: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
        """A command line as README.md or the tool prints it (``pipx run scripts/codeartifact.py
        verify``), typed into bash: uv, pipx and a python with the release tool's dependencies
        are those of the test environment, first on PATH."""
        return self.run("bash", "-c", command, cwd=project, check=check, **extra)

    def fresh_venv(self, where: Path) -> Path:
        return self.tools.venv(where)

    def install_with_token(self, requirement: str, index_url: str, where: Path) -> Path:
        """pip install into a fresh venv; the output is not kept, as the command carries the token."""
        python = self.fresh_venv(where / "venv")
        self.run(python, "-m", "pip", "install", "--index-url", index_url, requirement, cwd=where, keep=False)
        return python

    def commit(self, project: Path) -> Path:
        git = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"]
        self.run("git", "init", "-q", cwd=project)
        self.run("git", "add", "-A", cwd=project)
        self.run(*git, "commit", "-q", "-m", "First version", cwd=project)
        return project


def simple_url(codeartifact: CodeArtifactStandIn, token: str | None = None) -> str:
    credentials = f"aws:{token}@" if token else ""
    return f"http://{credentials}127.0.0.1:{codeartifact.repository.port}/simple/"


def import_version(python: Path, module: str, cwd: Path) -> str:
    return run(python, "-c", f"import {module}; print({module}.__version__)", cwd=cwd, env={}).stdout.strip()
