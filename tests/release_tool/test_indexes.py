"""Second indexes: `login` refuses one that pip or uv would also read."""

from __future__ import annotations

import pytest

from tests.release_tool.helpers import (
    ENDPOINT,
    expect_credentials,
    fake_uv,
    run,
)


@pytest.mark.parametrize(
    ("layer", "text", "variables", "words"),
    [
        (
            "user",
            "[global]\nextra-index-url = https://pypi.org/simple\n",
            {},
            "pip would also look in https://pypi.org/simple (extra-index-url",
        ),
        ("user", "[install]\nfind-links = /srv/wheels\n", {}, "(find-links, set in"),
        (
            "global",
            "[global]\nextra-index-url = https://me:s3cret@corp.example/simple\n",
            {},
            "https://me:****@corp.example/simple",
        ),
        (
            "venv",
            "[global]\nindex-url = https://corp.example/simple\n",
            {},
            "(site) sets index-url https://corp.example/simple, which pip uses instead",
        ),
        (
            None,
            "",
            {"PIP_INDEX_URL": "https://corp.example/simple"},
            "the environment variable PIP_INDEX_URL sets index-url",
        ),
        (None, "", {"PIP_EXTRA_INDEX_URL": "https://pypi.org/simple"}, "the environment variable PIP_EXTRA_INDEX_URL"),
    ],
    ids=["user-extra", "install-find-links", "global-extra-masked", "venv-override", "env-override", "env-extra"],
)
def test_login_pip_refuses_a_second_index_and_writes_nothing(
    ca, stub, capsys, monkeypatch, private_home, tmp_path, layer, text, variables, words
):
    places = {
        "user": private_home / ".config" / "pip" / "pip.conf",
        "global": tmp_path / "xdg" / "pip" / "pip.conf",
        "venv": tmp_path / "venv" / "pip.conf",
    }
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "venv"))
    if layer:
        places[layer].parent.mkdir(parents=True, exist_ok=True)
        places[layer].write_text(text)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", "pip")
    assert code == 1
    assert words in err and "--allow-extra-index" in err and err.count("\n") == 1
    assert "s3cret" not in err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before

    stubber.deactivate()
    stubber.activate()
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip", "--allow-extra-index")[0] == 0


def test_login_pip_accepts_its_own_index_anywhere_and_a_lower_one_it_replaces(
    ca, stub, capsys, monkeypatch, private_home, tmp_path
):
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "pip").mkdir(parents=True)
    (tmp_path / "xdg" / "pip" / "pip.conf").write_text("[global]\nindex-url = https://mirror.example/simple\n")
    monkeypatch.setenv("PIP_INDEX_URL", f"https://aws:old@{ENDPOINT[8:]}simple/")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip")[0] == 0


@pytest.mark.parametrize(
    ("variables", "uv_toml", "words"),
    [
        ({"UV_EXTRA_INDEX_URL": "https://pypi.org/simple"}, "", "the environment variable UV_EXTRA_INDEX_URL"),
        ({"UV_INDEX": "pypi=https://pypi.org/simple"}, "", "the environment variable UV_INDEX"),
        ({}, '[[index]]\nname = "pypi"\nurl = "https://pypi.org/simple"\n', "index in "),
    ],
)
def test_login_uv_refuses_a_second_index(
    ca, stub, capsys, monkeypatch, private_home, tmp_path, variables, uv_toml, words
):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    if uv_toml:
        (private_home / ".config" / "uv").mkdir(parents=True)
        (private_home / ".config" / "uv" / "uv.toml").write_text(uv_toml)
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", "uv")
    assert code == 1 and words in err and "--allow-extra-index" in err
    assert not (tmp_path / "args").exists()


def test_login_uv_refuses_an_index_of_the_project_that_is_not_explicit(ca, stub, capsys, monkeypatch, tmp_path):
    pyproject = ca.read_pyproject()
    pyproject["tool"]["uv"]["index"].append({"name": "pypi", "url": "https://pypi.org/simple"})
    monkeypatch.setattr(ca, "read_pyproject", lambda: pyproject)
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", "uv")
    assert code == 1 and "[[tool.uv.index]] pypi in pyproject.toml, not explicit" in err
    pyproject["tool"]["uv"]["index"][-1]["explicit"] = True
    stubber.deactivate()
    stubber.activate()
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "uv")[0] == 0
