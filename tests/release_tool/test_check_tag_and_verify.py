"""`check-tag` and `verify`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.release_tool.helpers import (
    ENDPOINT,
    TOKEN,
    FakeSteps,
    expect_credentials,
    run,
)


@pytest.mark.parametrize(
    ("version", "tag", "ok"),
    [
        ("0.1.0", "v0.1.0", True),
        ("1.0.0-RC.1", "v1.0.0rc1", True),
        ("1.0.0-RC.1", "v1.0.0-RC.1", True),
        ("0.1.0", "v0.1.0rc1", False),
        ("0.1.0", "v0.1.0.post1", False),
        ("0.1.0", "v0.1", False),
        ("0.1.0", "0.1.0", False),
        ("0.1.0", "vnext", False),
    ],
)
def test_check_tag_is_local_and_accepts_only_v_and_the_version(ca, capsys, monkeypatch, version, tag, ok):
    monkeypatch.setattr(ca, "read_pyproject", lambda: {"project": {"name": "acme-utils", "version": version}})
    monkeypatch.setattr(ca, "make_client", lambda *args: pytest.fail("check-tag needs no AWS"))
    monkeypatch.setattr(ca, "load_settings", lambda *args: pytest.fail("check-tag needs no settings"))
    code, out, err = run(ca, capsys, None, "check-tag", tag)
    assert code == (0 if ok else 1)
    canonical = ca.load_project({"project": {"name": "a", "version": version}}).version
    assert (f"matches the version {canonical}" in out) if ok else (f"tag the release v{canonical}" in err)


def test_verify_installs_this_version_into_a_new_environment_with_none_of_the_users_pip_settings(
    ca, stub, capsys, monkeypatch
):
    steps = FakeSteps(ca, monkeypatch)
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "https://pypi.org/simple")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "verify")
    assert (code, out, err) == (0, "verified: acme-utils==0.1.0 installs from my-repo into a new environment\n", "")
    venv, install, show = steps.commands
    python = str(Path(venv[-1]) / "bin" / "python")
    assert venv == [sys.executable, "-m", "venv", venv[-1]]
    assert install == [python, "-m", "pip", "install", "--quiet", "acme-utils==0.1.0"]
    assert show == [python, "-m", "pip", "show", "acme-utils"]
    environ = steps.environments[1]
    assert environ["PIP_INDEX_URL"] == f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"
    assert environ["PIP_CONFIG_FILE"] == os.devnull and "PIP_EXTRA_INDEX_URL" not in environ
    assert (environ["PIP_DISABLE_PIP_VERSION_CHECK"], environ["PIP_NO_CACHE_DIR"]) == ("1", "1")
    assert steps.environments[2] == environ
    assert not Path(venv[-1]).exists()  # the environment was temporary


@pytest.mark.parametrize(
    ("install_status", "shown", "words"),
    [
        (1, "Version: 0.1.0\n", "acme-utils==0.1.0 does not install from my-repo"),
        (0, "Name: acme-utils\nVersion: 0.0.9\n", "my-repo gave acme-utils 0.0.9, not 0.1.0\n"),
        (0, "Name: acme-utils\n", "my-repo gave acme-utils ?, not 0.1.0\n"),
    ],
    ids=["no-install", "other-version", "no-version"],
)
def test_verify_refuses_what_does_not_install_and_masks_the_token(
    ca, stub, capsys, monkeypatch, install_status, shown, words
):
    steps = FakeSteps(ca, monkeypatch)
    steps.install_status, steps.shown = install_status, shown
    steps.install_output = f"ERROR: 404 from https://aws:{TOKEN}@host/simple/acme-utils/"
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "verify")
    assert code == 1
    assert err.startswith(f"error: {words}") and TOKEN not in err


def test_verify_on_windows_runs_the_environments_own_python(ca, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    monkeypatch.setattr(sys, "platform", "win32")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "verify")[0] == 0
    venv, install, _ = steps.commands
    assert install[0] == str(Path(venv[-1]) / "Scripts" / "python.exe")
