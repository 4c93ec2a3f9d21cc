"""`env` and `url`: the repository's endpoint as CodeArtifact gives it, the variables that give
each tool the token, for sh and PowerShell, masked first in GitHub Actions."""

from __future__ import annotations

import subprocess

import pytest

from tests.release_tool.helpers import (
    ENDPOINT,
    INDEX,
    INDEX_WITH_TOKEN,
    TOKEN,
    expect_credentials,
    expect_endpoint,
    run,
)

SH_LINES = {
    "pip": [f"export PIP_INDEX_URL={INDEX_WITH_TOKEN}"],
    "uv": ["export UV_INDEX_CODEARTIFACT_USERNAME=aws", f"export UV_INDEX_CODEARTIFACT_PASSWORD={TOKEN}"],
    "poetry": ["export POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME=aws",
               f"export POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD={TOKEN}"],
    "twine": [f"export TWINE_REPOSITORY_URL={ENDPOINT}", "export TWINE_USERNAME=aws", f"export TWINE_PASSWORD={TOKEN}"],
}  # fmt: skip


def test_url_prints_the_endpoint_and_asks_for_no_token(ca, stub, capsys):
    client, stubber = stub
    expect_endpoint(stubber)
    assert run(ca, capsys, client, "url") == (0, ENDPOINT + "\n", "")
    expect_endpoint(stubber, ENDPOINT.rstrip("/"))  # with or without its last slash
    assert run(ca, capsys, client, "url", "--simple") == (0, INDEX + "\n", "")


def test_connect_gives_the_token_and_the_endpoint_with_one_last_slash(ca, stub):
    client, stubber = stub
    expect_credentials(stubber)
    assert ca.connect(client, ca.settings()) == (TOKEN, ENDPOINT)
    expect_endpoint(stubber, ENDPOINT + "/")
    assert ca.connect(client, ca.settings(), endpoint_only=True) == ("", ENDPOINT)
    expect_endpoint(stubber, ENDPOINT.replace("/my-repo/", "/releaseX/"))  # its own last letters are kept
    assert ca.connect(client, ca.settings(), endpoint_only=True) == ("", ENDPOINT.replace("/my-repo/", "/releaseX/"))


def test_env_prints_every_tools_variables_for_sh(ca, stub, capsys):
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "env")
    assert (code, err) == (0, "")
    assert out.splitlines() == [*SH_LINES["pip"], *SH_LINES["uv"], *SH_LINES["poetry"], *SH_LINES["twine"]]


@pytest.mark.parametrize("tool", SH_LINES)
def test_env_for_one_tool_prints_its_variables_only(ca, stub, capsys, tool):
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "env", "--tool", tool) == (0, "\n".join(SH_LINES[tool]) + "\n", "")


def test_env_for_powershell_single_quotes_every_value(ca, stub, capsys):
    client, stubber = stub
    expect_credentials(stubber, token="it's")
    code, out, _ = run(ca, capsys, client, "env", "--tool", "twine", "--shell", "powershell")
    assert (code, out) == (
        0,
        f"$env:TWINE_REPOSITORY_URL = '{ENDPOINT}'\n$env:TWINE_USERNAME = 'aws'\n$env:TWINE_PASSWORD = 'it''s'\n",
    )


@pytest.mark.parametrize(
    ("shell", "lines"),
    [
        ("sh", [f"echo ::add-mask::{TOKEN}", *SH_LINES["uv"]]),
        ("powershell", [f"Write-Output '::add-mask::{TOKEN}'", "$env:UV_INDEX_CODEARTIFACT_USERNAME = 'aws'",
                        f"$env:UV_INDEX_CODEARTIFACT_PASSWORD = '{TOKEN}'"]),
    ],
)  # fmt: skip
def test_in_github_actions_the_token_is_masked_first(ca, stub, capsys, monkeypatch, shell, lines):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "env", "--tool", "uv", "--shell", shell) == (0, "\n".join(lines) + "\n", "")


@pytest.mark.parametrize("value", ["false", "", "TRUE"])
def test_only_github_actions_own_value_masks(ca, stub, capsys, monkeypatch, value):
    monkeypatch.setenv("GITHUB_ACTIONS", value)
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "env", "--tool", "uv")[1].splitlines() == SH_LINES["uv"]


def test_sh_reads_back_every_value_as_it_was(ca, stub, capsys):
    """A token is letters, digits and -_.=, but the lines must hold whatever they are given."""
    token = 'it\'s $HOME `x` "q" \\'
    client, stubber = stub
    expect_credentials(stubber, token=token)
    code, out, _ = run(ca, capsys, client, "env", "--tool", "twine")
    read = subprocess.run(["sh", "-c", f'{out}printf %s "$TWINE_PASSWORD"'], capture_output=True, text=True)
    assert (code, read.stdout) == (0, token)


def test_the_index_url_has_the_user_and_password_only_when_given(ca):
    assert ca.index_url(ENDPOINT) == INDEX
    assert ca.index_url(ENDPOINT, "aws") == f"https://aws@{ENDPOINT[8:]}simple/"
    assert ca.index_url(ENDPOINT, f"aws:{TOKEN}") == INDEX_WITH_TOKEN
    assert ca.index_url("https://host/path://x/", "u") == "https://u@host/path://x/simple/"


@pytest.mark.parametrize("tool", [*SH_LINES, "hatch"])
def test_the_variables_of_each_tool(ca, tool):
    expected = [tuple(line.removeprefix("export ").split("=", 1)) for line in SH_LINES.get(tool, SH_LINES["pip"])]
    assert ca.variables(tool, ENDPOINT, TOKEN) == expected
