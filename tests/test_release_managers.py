"""Slow, end to end: the Poetry and pip projects publish with their own tools and install back.

Beside test_release.py (the uv project, in order on one server), so that the two run on two
workers; the same loopback CodeArtifact, a server of this module's own. Each project runs the
release tool as its README says (Poetry's with pipx, pip's with the Python of its virtual
environment), builds with its own tool, uploads with ``uv publish`` and installs back with the
``verify`` command that publish prints, run as printed.
"""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import MANAGERS
from tests.support.release import User, loopback_codeartifact
from tests.support.servers import CodeArtifactStandIn

pytestmark = pytest.mark.slow

TOKEN = "ca-" + secrets.token_urlsafe(32)
ANSWERS = {
    "project_name": "Ledger Tools",
    "version": "1.0.0",
    "aws_region": "eu-west-1",
    "codeartifact_domain": "acme",
    "codeartifact_domain_owner": "444455556666",
    "codeartifact_repository": "python",
}
CALLS = ["get_authorization_token", "get_repository_endpoint", "list_package_version_assets"]


@pytest.fixture(scope="module")
def codeartifact(tmp_path_factory, tools) -> CodeArtifactStandIn:
    with loopback_codeartifact(tmp_path_factory.mktemp("pypiserver"), tools, TOKEN) as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def user(codeartifact, tools, tmp_path_factory) -> User:
    return User(tools, tmp_path_factory.mktemp("home"), codeartifact.url)


# Weekly: every change publishes with the same tool code in test_release.py (uv's project: the
# re-publish, the three calls, no token anywhere), and pip's and Poetry's first days publish and
# install back as printed (tests/test_first_day.py).
@pytest.mark.weekly
@pytest.mark.parametrize("manager", ["poetry", "pip"])
def test_each_package_manager_publishes_with_its_own_tool_and_installs_back(codeartifact, user, bake_copy, manager):
    """`pipx run scripts/codeartifact.py publish` (Poetry) and `python scripts/codeartifact.py
    publish` (pip, a Python with the tool's locked dependencies), then what it prints."""
    project = user.commit(bake_copy(**{**ANSWERS, "project_name": f"Ledger {manager}", "package_manager": manager}))
    tool = MANAGERS[manager]["tool"]
    files = [f"ledger_{manager}-1.0.0-py3-none-any.whl", f"ledger_{manager}-1.0.0.tar.gz"]

    published = user.shell(project, f"{tool} publish")
    assert published.stdout.splitlines() == [
        f"uploaded {files[0]}",
        f"uploaded {files[1]}",
        f"published ledger-{manager} 1.0.0 in python",
        f"check that it installs from there: {tool} verify",
    ]
    assert codeartifact.files_of(f"ledger-{manager}") == files

    printed = published.stdout.splitlines()[-1].removeprefix("check that it installs from there: ")
    verified = user.shell(project, printed)
    assert verified.stdout == f"verified: ledger-{manager}==1.0.0 installs from python into a new environment\n"

    mtimes = {name: (codeartifact.repository.packages / name).stat().st_mtime_ns for name in files}
    calls_before = len(codeartifact.calls)
    again = user.shell(project, f"{tool} publish")
    assert again.stdout == f"already published: ledger-{manager} 1.0.0 in python\n"
    assert codeartifact.operations()[calls_before:] == CALLS
    assert {name: (codeartifact.repository.packages / name).stat().st_mtime_ns for name in files} == mtimes
    assert not [output for output in user.outputs if TOKEN in output]
    files = [path for folder in (project, user.home) for path in folder.rglob("*") if path.is_file()]
    assert not [path for path in files if TOKEN.encode() in path.read_bytes()]
