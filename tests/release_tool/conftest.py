"""The fixtures of the release tool's tests: the tool imported from a bake, a private HOME,
botocore stubs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from tests.conftest import load_release_tool
from tests.release_tool.helpers import (
    fake_program,
)


@pytest.fixture(scope="module")
def ca(bake) -> ModuleType:
    """The release tool of the default bake (uv, github)."""
    return load_release_tool(bake())


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing of the developer's is read or written: a fresh home and no AWS or tool settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in list(os.environ):
        if name.startswith(("AWS_", "CODEARTIFACT_", "PIP_", "POETRY_", "UV", "TWINE_", "GITHUB_")):
            monkeypatch.delenv(name)
    return home


@pytest.fixture(autouse=True)
def signal_handlers_of_pytest_are_kept() -> Iterator[None]:
    """main() installs the tool's SIGINT/SIGTERM handlers; give the test runner its own back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture(scope="module")
def botocore_session() -> Any:
    """One session for the module: it loads CodeArtifact's service model once, not per test."""
    return botocore.session.get_session()


@pytest.fixture
def stub(botocore_session) -> Iterator[tuple[Any, Stubber]]:
    client = botocore_session.create_client(
        "codeartifact", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def on_platform(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., dict[str, str]]:
    """``on_platform(name, **variables)``: run as if on ``name``, home /h, with only these variables."""

    def switch(platform: str, **variables: str) -> dict[str, str]:
        monkeypatch.setattr(sys, "platform", platform)
        monkeypatch.setenv("HOME", str(tmp_path / "h"))
        return variables

    return switch


@pytest.fixture
def keyringless(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A PATH with a pipx that 'installs' a keyring command on inject, and no uv or keyring."""
    bin_dir = tmp_path / "bin"
    keyring = fake_program(tmp_path / "keyring-program", "echo 'keyrings.codeartifact.CodeArtifactBackend'")
    fake_program(
        bin_dir / "pipx",
        f'echo "$@" >> {tmp_path}/pipx-calls\n[ "$1" = inject ] && cp {keyring} {bin_dir}/keyring\nexit 0',
    )
    return bin_dir, {"PATH": f"{bin_dir}:/usr/bin:/bin"}


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC for the test, and the machine's own again after it."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def twine_answers(ca, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[int, str]], list[tuple], list[float]]:
    """``(answers, calls, sleeps)``: twine answers each upload with the next (status, output)."""
    answers: list[tuple[int, str]] = []
    calls: list[tuple] = []
    sleeps: list[float] = []

    def twine(command, environ, timeout=None):
        calls.append((command, environ, timeout))
        status, output = answers.pop(0) if answers else (0, "")
        return subprocess.CompletedProcess(command, status, output, "")

    monkeypatch.setattr(ca, "run_child", twine)
    monkeypatch.setattr(ca.time, "sleep", sleeps.append)
    monkeypatch.delenv("CODEARTIFACT_RETRY_DELAY", raising=False)
    return answers, calls, sleeps
