"""`env` and `url`: the variables each tool needs, for each shell, and the URLs."""

from __future__ import annotations

import subprocess

import pytest

from tests.release_tool.helpers import (
    ENDPOINT,
    INDEX,
    TOKEN,
    expect_credentials,
    expect_endpoint,
    run,
)


def test_url_prints_the_endpoint_without_a_token(ca, stub, capsys):
    client, stubber = stub
    expect_endpoint(stubber)
    expect_endpoint(stubber)
    assert run(ca, capsys, client, "url") == (0, ENDPOINT + "\n", "")
    assert run(ca, capsys, client, "url", "--simple") == (0, ENDPOINT + "simple/\n", "")


def test_env_prints_every_tool_variable_for_sh(ca, stub, capsys, monkeypatch):
    """Outside a project that declares the index for uv, UV_DEFAULT_INDEX makes it uv's index."""
    pyproject = ca.read_pyproject()
    del pyproject["tool"]["uv"]
    monkeypatch.setattr(ca, "read_pyproject", lambda: pyproject)
    client, stubber = stub
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "env")
    assert code == 0
    assert out.splitlines() == [
        f"export PIP_INDEX_URL=https://aws:{TOKEN}@{ENDPOINT[8:]}simple/",
        "export TWINE_REPOSITORY_URL=" + ENDPOINT,
        "export TWINE_USERNAME=aws",
        f"export TWINE_PASSWORD={TOKEN}",
        f"export UV_DEFAULT_INDEX=codeartifact={ENDPOINT}simple/",
        "export UV_INDEX_CODEARTIFACT_USERNAME=aws",
        f"export UV_INDEX_CODEARTIFACT_PASSWORD={TOKEN}",
        "export POETRY_REPOSITORIES_CODEARTIFACT_URL=" + ENDPOINT,
        "export POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME=aws",
        f"export POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD={TOKEN}",
    ]


def test_env_in_a_project_that_declares_the_index_gives_uv_only_its_credentials(ca, stub, capsys):
    """uv add would otherwise write UV_DEFAULT_INDEX's URL (no user aws) over the declared one."""
    client, stubber = stub
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "env", "--tool", "uv")
    assert (code, out) == (
        0,
        f"export UV_INDEX_CODEARTIFACT_USERNAME=aws\nexport UV_INDEX_CODEARTIFACT_PASSWORD={TOKEN}\n",
    )
    assert ca.declares_uv_index({"tool": {"uv": {"index": [{"name": "other"}, {"name": "codeartifact"}]}}})
    assert not ca.declares_uv_index({"tool": {"uv": {"index": [{"name": "other"}]}}})
    assert not ca.declares_uv_index({"tool": {"poetry": {}}})


def test_env_for_one_tool_in_powershell(ca, stub, capsys):
    client, stubber = stub
    expect_credentials(stubber, duration=900)
    code, out, _ = run(ca, capsys, client, "env", "--tool", "twine", "--shell", "powershell", "--duration", "900")
    assert code == 0
    assert out.splitlines() == [
        f"$env:TWINE_REPOSITORY_URL = '{ENDPOINT}'",
        "$env:TWINE_USERNAME = 'aws'",
        f"$env:TWINE_PASSWORD = '{TOKEN}'",
    ]


@pytest.mark.parametrize(
    ("shell", "mask_line"),
    [("sh", f"echo ::add-mask::{TOKEN}"), ("powershell", f"Write-Output '::add-mask::{TOKEN}'")],
)
def test_env_masks_the_token_in_github_actions_first(ca, stub, capsys, monkeypatch, shell, mask_line):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    client, stubber = stub
    expect_credentials(stubber)
    _, out, _ = run(ca, capsys, client, "env", "--tool", "uv", "--shell", shell)
    assert out.splitlines()[0] == mask_line
    assert len(out.splitlines()) == 3


def test_env_values_survive_shell_quoting(ca):
    lines = ca.shell_lines([("X", "it's $HOME")], "sh", None)
    result = subprocess.run(["sh", "-c", f'{lines[0]}; printf %s "$X"'], capture_output=True, text=True)
    assert result.stdout == "it's $HOME"


@pytest.mark.parametrize("duration", ["899", "43201", "-1", "soon"])
def test_a_token_duration_out_of_range_is_a_usage_error(ca, capsys, duration):
    with pytest.raises(SystemExit) as exit_info:
        ca.main(["env", "--duration", duration], client=object())
    assert exit_info.value.code == ca.Exit.USAGE == 2
    assert "--duration" in capsys.readouterr().err


def test_a_url_is_compared_without_its_credentials(ca):
    assert ca.without_credentials(f"https://aws:{TOKEN}@{INDEX}") == f"https://{INDEX[:-1]}"
    assert ca.without_credentials("https://mirror.example/simple/") == "https://mirror.example/simple"
    assert ca.without_credentials("file:///srv/wheels/") == "file:///srv/wheels"


def test_a_tool_runs_with_the_given_environment_or_is_named_when_missing(ca, tmp_path):
    proc = ca.run_tool(["sh", "-c", 'echo "$ONLY"; exit 4'], {"ONLY": "this", "PATH": "/usr/bin:/bin"})
    assert (proc.returncode, proc.stdout, proc.stderr) == (4, "this\n", "")
    with pytest.raises(ca.ToolError, match=rf"^cannot run {tmp_path}/nothing: \[Errno 2\]"):
        ca.run_tool([str(tmp_path / "nothing"), "x"], {})


def test_powershell_values_double_their_single_quotes(ca):
    assert ca.shell_lines([("X", "it's")], "powershell", None) == ["$env:X = 'it''s'"]
