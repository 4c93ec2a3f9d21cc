"""The fixtures of the release tool's tests: the tool imported from a bake, a private HOME,
botocore stubs, a stand-in for its child processes."""

from __future__ import annotations

import copy
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from tests.conftest import load_release_tool
from tests.release_tool.helpers import Children


@pytest.fixture(scope="module")
def ca(bake) -> ModuleType:
    """The release tool of the default bake (uv, github, a static version 0.1.0)."""
    return load_release_tool(bake())


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing of the developer's is read or written: a fresh home, no AWS or tool settings,
    and no instance metadata service to ask for credentials."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in list(os.environ):
        if name.startswith(("AWS_", "CODEARTIFACT_", "PIP_", "POETRY_", "UV_", "TWINE_", "GITHUB_", "SOURCE_DATE")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
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
    """A CodeArtifact client whose answers the test queues; each must be asked for."""
    client = botocore_session.create_client(
        "codeartifact", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def children(ca, monkeypatch: pytest.MonkeyPatch) -> Children:
    return Children(ca, monkeypatch)


@pytest.fixture
def pyproject(ca, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """``pyproject(project=..., **codeartifact)``: the bake's pyproject.toml with [project]
    replaced and these [tool.codeartifact] keys set (None removes one)."""
    own = ca.pyproject()

    def change(project: dict[str, Any] | None = None, **codeartifact: str | None) -> dict[str, Any]:
        data = copy.deepcopy(own)
        data["project"] = project if project is not None else data["project"]
        table = data["tool"]["codeartifact"]
        for key, value in codeartifact.items():
            table.pop(key.replace("_", "-"), None) if value is None else table.update({key.replace("_", "-"): value})
        monkeypatch.setattr(ca, "pyproject", lambda: data)
        return data

    return change
