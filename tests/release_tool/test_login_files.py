"""`login`: the files it writes for pip, twine, uv and Poetry, and what it keeps of them."""

from __future__ import annotations

import datetime
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from tests.release_tool.helpers import (
    ENDPOINT,
    INDEX,
    OWNER,
    PIP_CONF,
    SDIST,
    TOKEN,
    USER_INI,
    USER_TOML,
    VERSION,
    WHEEL,
    expect_credentials,
    expect_endpoint,
    fake_program,
    fake_uv,
    ini,
    mode,
    only_owned_lines_changed,
    poetry_program,
    run,
)


def test_login_pip_sets_the_global_index_keeps_other_settings_and_names_what_it_replaced(
    ca, stub, capsys, private_home
):
    conf = private_home / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[global]\ntimeout = 60\nindex-url = https://bob:hunter2@mirror.example/simple/\n")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "pip")
    assert code == 0
    parser = ini(conf)
    assert parser.get("global", "index-url") == f"https://aws:{TOKEN}@{ENDPOINT[8:]}simple/"
    assert parser.get("global", "timeout") == "60"
    assert mode(conf) == 0o600
    assert f"replaces global.index-url https://bob:****@mirror.example/simple/ in {conf}" in out
    assert "logged pip in to my-repo" in out
    assert TOKEN not in out + err and "hunter2" not in out + err


def test_login_twine_adds_a_private_pypirc_section(ca, stub, capsys, private_home):
    pypirc = private_home / ".pypirc"
    pypirc.write_text("[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\n")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "twine")
    assert code == 0
    parser = ini(pypirc)
    assert parser.get("distutils", "index-servers").split() == ["pypi", "codeartifact"]
    assert parser.get("pypi", "username") == "__token__"
    assert dict(parser["codeartifact"]) == {"repository": ENDPOINT, "username": "aws", "password": TOKEN}
    assert mode(pypirc) == 0o600
    assert TOKEN not in out + err


def test_login_poetry_writes_its_repository_and_credentials_keeping_comments(ca, stub, capsys, private_home):
    config_dir = private_home / ".config" / "pypoetry"
    config_dir.mkdir(parents=True)
    (config_dir / "auth.toml").write_text('# my notes\n[http-basic.corp]\nusername = "me"\npassword = "s3cret"\n')
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "poetry")[0] == 0
    config = tomllib.loads((config_dir / "config.toml").read_text())
    auth_text = (config_dir / "auth.toml").read_text()
    auth = tomllib.loads(auth_text)
    assert config["repositories"]["codeartifact"] == {"url": ENDPOINT}
    assert auth["http-basic"] == {
        "corp": {"username": "me", "password": "s3cret"},
        "codeartifact": {"username": "aws", "password": TOKEN},
    }
    assert auth_text.startswith("# my notes\n")
    assert mode(config_dir / "auth.toml") == 0o600


def test_login_writes_through_a_symlink_and_keeps_it(ca, stub, capsys, private_home, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "pypirc").write_text("[pypi]\nusername = __token__\n")
    (private_home / ".pypirc").symlink_to(dotfiles / "pypirc")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "twine")[0] == 0
    assert (private_home / ".pypirc").is_symlink()
    assert ini(dotfiles / "pypirc").get("codeartifact", "password") == TOKEN
    assert mode(dotfiles / "pypirc") == 0o600
    assert sorted(p.name for p in dotfiles.iterdir()) == ["pypirc"]  # no temporary file left


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_login_refuses_to_replace_what_is_not_a_regular_file(ca, stub, capsys, monkeypatch, tmp_path, kind):
    target = {"device": Path(os.devnull), "fifo": tmp_path / "fifo", "folder": tmp_path / "folder"}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", str(target))
    client, stubber = stub
    expect_credentials(stubber)
    code, _out, err = run(ca, capsys, client, "login", "--tool", "pip")
    assert code == 1
    assert err.startswith(f"error: {target} is ") and err.count("\n") == 1
    assert Path(os.devnull).is_char_device()
    assert (kind != "fifo" or stat.S_ISFIFO(target.stat().st_mode)) and (kind != "folder" or target.is_dir())


@pytest.mark.parametrize(
    ("tool", "name", "text", "words"),
    [
        ("pip", ".config/pip/pip.conf", "index-url = x\n", "(line 1)"),
        ("twine", ".pypirc", "[pypi]\nusername\n", "does not parse as an INI file (line 2)"),
        ("poetry", ".config/pypoetry/config.toml", "[repositories\n", "does not parse as TOML"),
    ],
)
def test_a_file_that_does_not_parse_is_named_and_left_alone(ca, stub, capsys, private_home, tool, name, text, words):
    path = private_home / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", tool)
    assert code == 1
    assert err.startswith(f"error: {path}") and words in err and err.count("\n") == 1
    assert path.read_text() == text
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_login_uv_passes_the_token_on_stdin(ca, stub, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "uv")
    assert code == 0
    assert (tmp_path / "args").read_text().split() == [
        "auth",
        "login",
        ENDPOINT,
        "--username",
        "aws",
        "--password",
        "-",
    ]
    assert (tmp_path / "stdin").read_text() == TOKEN
    assert TOKEN not in out + err


@pytest.mark.parametrize("tool", ["pip", "twine", "poetry", "uv"])
def test_login_dry_run_writes_nothing_and_masks_every_secret(
    ca, stub, capsys, monkeypatch, tmp_path, private_home, tool
):
    monkeypatch.setenv("UV", str(fake_uv(tmp_path)))
    (private_home / ".pypirc").write_text("[pypi]\nusername = __token__\npassword = pypi-OTHERSECRET\n")
    poetry = private_home / ".config" / "pypoetry"
    poetry.mkdir(parents=True)
    (poetry / "auth.toml").write_text('[http-basic.corp]\nusername = "me"\npassword = "OTHERSECRET"\n')
    pip = private_home / ".config" / "pip"
    pip.mkdir()
    (pip / "pip.conf").write_text("[global]\nextra-index-url = https://me:OTHERSECRET@corp.example/simple/\n")
    before = {p: p.read_bytes() for p in private_home.rglob("*") if p.is_file()}
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", tool, "--dry-run", "--allow-extra-index")
    assert code == 0
    assert "would" in out
    assert TOKEN not in out + err and "OTHERSECRET" not in out + err
    shown = {  # the end of a line of each file's masked text, or of the command
        "pip": f"index-url = https://aws:****@{ENDPOINT[8:]}simple/",
        "twine": "password = ****",
        "poetry": 'password = "****"',
        "uv": "the token on standard input",
    }
    assert any(line.endswith(shown[tool]) for line in out.splitlines())
    assert {p: p.read_bytes() for p in private_home.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "args").exists()


def test_pip_gets_the_token_in_its_index_url_and_keeps_the_rest(ca, tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text(PIP_CONF)
    write = ca.pip_write(conf, ENDPOINT, TOKEN)
    rest = "timeout = 60\n\n[install]\nno-binary = :none:\n"
    assert write.text == f"[global]\nindex-url = https://aws:{TOKEN}@{INDEX}\n{rest}"
    assert write.shown == f"[global]\nindex-url = https://aws:****@{INDEX}\n{rest}"
    assert write.before == PIP_CONF.replace("s3cret", "****")
    assert (write.path, write.private, write.replaced) == (
        conf,
        True,
        "global.index-url https://me:****@old.example/simple/",
    )


@pytest.mark.parametrize("has_backend", [True, False])
def test_poetry_is_asked_through_the_python_that_runs_it(ca, tmp_path, has_backend):
    python = fake_program(
        tmp_path / "venv" / "python3.12",
        f'printf "%s\\n" "$@" > {tmp_path}/python-args\nexit {0 if has_backend else 1}',
    )
    poetry = fake_program(tmp_path / "bin" / "poetry", "")
    poetry.write_text(f"#!{python}\n# a second line, longer than the first\n")
    environ = {"PATH": "/usr/bin:/bin"}
    assert ca.poetry_has_backend(str(poetry), environ) is has_backend
    flag, check = (tmp_path / "python-args").read_text().splitlines()
    assert flag == "-c" and "find_spec('keyrings.codeartifact')" in check
    # the check itself, run by a real Python with the backend (the tests') and without it
    assert subprocess.run([sys.executable, "-c", check]).returncode == 0
    assert subprocess.run([sys.executable, "-S", "-c", check]).returncode == 1


@pytest.mark.parametrize("first_line", ["#!/bin/sh", "#!/missing/python3", "not a script", "#!python3"])
def test_poetry_started_otherwise_is_asked_with_poetry_self_show(ca, tmp_path, monkeypatch, first_line):
    poetry = tmp_path / "poetry"
    poetry.write_text(f"{first_line}\n#!{sys.executable}\n")
    asked = []
    monkeypatch.setattr(
        ca, "run_tool", lambda command, environ: asked.append(command) or subprocess.CompletedProcess(command, 1)
    )
    assert ca.poetry_has_backend(str(poetry), {}) is False
    assert asked == [[str(poetry), "self", "show", "keyrings.codeartifact"]]


def test_only_a_regular_file_or_a_link_to_one_is_written(ca, tmp_path):
    (tmp_path / "real.cfg").write_text("")
    (tmp_path / "link.cfg").symlink_to(tmp_path / "real.cfg")
    assert ca.writable_target(tmp_path / "link.cfg") == tmp_path / "real.cfg"
    assert ca.writable_target(tmp_path / "new.cfg") == tmp_path / "new.cfg"
    assert ca.writable_target(tmp_path / "real.cfg") == tmp_path / "real.cfg"
    for path, kind in ((tmp_path, "a folder"), (Path(os.devnull), "not a regular file")):
        with pytest.raises(ca.ToolError) as refused:
            ca.writable_target(path)
        assert str(refused.value) == f"{path} is {kind}; point the tool's configuration at a regular file"


def test_the_files_of_a_version_are_read_across_pages_by_their_sha256(ca, stub):
    client, stubber = stub
    page = {"assets": [{"name": WHEEL, "hashes": {"SHA-256": "a" * 64}}, {"name": "odd.txt"}], "nextToken": "2"}
    stubber.add_response("list_package_version_assets", page, VERSION)
    stubber.add_response("list_package_version_assets", {"assets": [{"name": SDIST, "hashes": {"MD5": "b" * 32}}]})
    settings = ca.load_settings(ca.read_pyproject(), {})
    package = ca.Package("acme-utils", "0.1.0")
    assert ca.stored_assets(client, settings, package) == {WHEEL: "a" * 64, "odd.txt": "", SDIST: ""}


def test_a_failed_uv_login_is_named_with_the_token_masked(ca, tmp_path):
    uv = fake_program(tmp_path / "uv", f'echo "error: cannot store {TOKEN}" >&2; exit 2')
    with pytest.raises(ca.ToolError) as failed:
        ca.uv_login(ENDPOINT, TOKEN, {"UV": str(uv)}, dry_run=False)
    assert str(failed.value) == "`uv auth login` failed: error: cannot store ****"


def test_login_tells_when_the_token_it_asked_for_expires(ca, stub, capsys, private_home, utc):
    client, stubber = stub
    expires = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    response = {"authorizationToken": TOKEN, "expiration": expires}
    stubber.add_response("get_authorization_token", response, {**OWNER, "durationSeconds": 3600})
    expect_endpoint(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "pip", "--duration", "3600")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "logged pip in to my-repo; the token expires at 2023-11-14 22:13 UTC"


def test_a_first_login_replaces_nothing_and_says_nothing_about_it(ca, stub, capsys, private_home):
    client, stubber = stub
    for tool in ("pip", "twine"):
        expect_credentials(stubber)
        code, out, _ = run(ca, capsys, client, "login", "--tool", tool)
        assert code == 0 and not [line for line in out.splitlines() if line.startswith("replaces ")]
    conf = private_home / ".config" / "pip" / "pip.conf"
    assert conf.read_text() == f"[global]\nindex-url = https://aws:{TOKEN}@{ENDPOINT[8:]}simple/\n"
    pypirc = (private_home / ".pypirc").read_text()
    assert pypirc.startswith("[distutils]\nindex-servers =\n\tpypi\n\tcodeartifact\n\n[codeartifact]\n")
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "login", "--tool", "pip", "--dry-run")
    assert f"replaces global.index-url https://aws:****@{ENDPOINT[8:]}simple/ in {conf}\n" in out


def test_poetry_login_writes_where_poetry_config_dir_says(ca, stub, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("POETRY_CONFIG_DIR", str(tmp_path / "poetry-config"))
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "poetry")[0] == 0
    assert sorted(p.name for p in (tmp_path / "poetry-config").iterdir()) == ["auth.toml", "config.toml"]


def test_poetry_without_the_backend_is_named_in_each_case(ca, tmp_path):
    environ = {"PATH": "/usr/bin:/bin"}
    with pytest.raises(ca.ToolError) as missing:
        ca.poetry_keyring(environ, dry_run=False)
    assert str(missing.value) == "Poetry is not installed: see https://python-poetry.org/docs/#installation"
    poetry = poetry_program(tmp_path, show_status=1, add_status=1)
    environ = {"PATH": f"{poetry.parent}:/usr/bin:/bin"}
    assert ca.poetry_keyring(environ, dry_run=True) == f"would run: {poetry} self add keyrings.codeartifact"
    with pytest.raises(ca.ToolError) as failed:
        ca.poetry_keyring(environ, dry_run=False)
    assert str(failed.value) == f"`{poetry} self add keyrings.codeartifact` failed: could not add: no network"


def test_a_poetry_that_pipx_installed_gets_the_backend_from_pipx(ca, tmp_path):
    """pipx inject reads any index's simple pages; poetry self add needs PyPI's JSON API."""
    venvs = tmp_path / "pipx" / "venvs"
    poetry = poetry_program(venvs / "poetry", show_status=1)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "poetry").symlink_to(poetry)
    pipx = fake_program(bin_dir / "pipx", f'[ "$1" = environment ] && echo "{venvs}"\necho "$@" >> {tmp_path}/calls')
    environ = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    assert ca.poetry_keyring(environ, dry_run=True) == f"would run: {pipx} inject poetry keyrings.codeartifact"
    assert ca.poetry_keyring(environ, dry_run=False) == (
        f"installed keyrings.codeartifact in Poetry's environment ({pipx} inject poetry keyrings.codeartifact)"
    )
    assert (tmp_path / "calls").read_text().splitlines()[-1] == "inject poetry keyrings.codeartifact"
    fake_program(bin_dir / "pipx", f'[ "$1" = environment ] && echo "{tmp_path / "other"}"; exit 0')
    assert ca.poetry_keyring(environ, dry_run=True) == f"would run: {bin_dir}/poetry self add keyrings.codeartifact"


def test_poetry_dry_run_only_says_what_it_would_run(ca, stub, capsys, monkeypatch, tmp_path):
    poetry = poetry_program(tmp_path, show_status=1)
    monkeypatch.setenv("PATH", f"{poetry.parent}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, _ = run(ca, capsys, client, "login", "--tool", "poetry", "--keyring", "--dry-run")
    assert code == 0 and f"would run: {poetry} self add keyrings.codeartifact\n" in out


def test_a_poetry_that_is_a_binary_or_has_a_spaced_shebang_is_still_asked(ca, tmp_path):
    python = fake_program(tmp_path / "py" / "python3", "exit 0")
    spaced = tmp_path / "spaced-poetry"
    spaced.write_text(f"#! {python}\n")
    assert ca.poetry_has_backend(str(spaced), {}) is True
    binary = fake_program(tmp_path / "bin" / "poetry", '[ "$2" = show ] && exit 1\nexit 0')
    binary.write_bytes(b"\x7fELF\xff\xfe\x00\n" + binary.read_bytes())  # not text, not a script
    with pytest.raises(ca.ToolError, match=r"^cannot run "):  # not here, but it was read without a decoding error
        ca.poetry_has_backend(str(binary), {})


def test_environment_and_uv_toml_indexes_are_named_together(ca, tmp_path):
    config = tmp_path / "uv.toml"
    config.write_text('index-url = "https://mirror.example/simple"\n')
    assert ca.uv_index_settings({"UV_INDEX_URL": "u"}, {}, config) == [
        "the environment variable UV_INDEX_URL",
        f"index-url in {config}",
    ]


def test_an_unreadable_file_is_named_with_the_reason(ca, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(ca.ToolError) as broken:
        ca.read_pyproject(tmp_path)
    assert str(broken.value).startswith(f"cannot read {tmp_path / 'pyproject.toml'}: Expected ']'")
    (tmp_path / "pip.conf").write_bytes(b"[global]\nindex-url = caf\xe9\n")
    with pytest.raises(ca.ToolError) as undecodable:
        ca.read_text_or_empty(tmp_path / "pip.conf")
    assert str(undecodable.value).startswith(f"cannot read {tmp_path / 'pip.conf'}: 'utf-8' codec can't decode")


def test_files_are_read_and_written_as_utf8_whatever_the_locale(ca, tmp_path, latin1_locale):
    (tmp_path / "pyproject.toml").write_bytes('[project]\nname = "café"\n'.encode())
    assert ca.read_pyproject(tmp_path) == {"project": {"name": "café"}}
    assert ca.read_text_or_empty(tmp_path / "pyproject.toml") == '[project]\nname = "café"\n'
    ca.write_file(ca.ConfigWrite(tmp_path / "out.cfg", "é\n", "é\n", private=False))
    assert (tmp_path / "out.cfg").read_bytes() == "é\n".encode()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize(
    ("writer", "text", "owned"),
    [
        ("pip_write", USER_INI, ("[global]", "index-url =")),
        ("pip_keyring_write", USER_INI, ("index-url =", "keyring-provider =")),
        (
            "pypirc_write",
            USER_INI,
            (
                "[distutils]",
                "index-servers =",
                "pypi",
                "codeartifact",
                "[codeartifact]",
                "repository =",
                "username = aws",
                "password =",
            ),
        ),
        ("uv_keyring_write", USER_TOML, ('keyring-provider = "subprocess"',)),
        ("poetry_config", USER_TOML, ("[repositories.codeartifact]", "url =")),
        ("poetry_auth", USER_TOML, ("[http-basic.codeartifact]", 'username = "aws"', "password =")),
    ],
)
def test_login_changes_only_its_own_entries_of_a_users_file(ca, tmp_path, writer, text, owned, newline):
    """Comments, blank lines, inline comments, key order, other sections and line endings of
    pip.conf, .pypirc, uv.toml and Poetry's files survive every write, byte for byte."""
    path = tmp_path / "config"
    path.write_bytes(text.replace("\n", newline).encode())
    writes = {
        "pip_write": lambda: ca.pip_write(path, ENDPOINT, TOKEN),
        "pip_keyring_write": lambda: ca.pip_keyring_write(path, ENDPOINT),
        "pypirc_write": lambda: ca.pypirc_write(path, ENDPOINT, TOKEN),
        "uv_keyring_write": lambda: ca.uv_keyring_write(path),
        "poetry_config": lambda: ca.poetry_repository_write(tmp_path, ENDPOINT),
        "poetry_auth": lambda: ca.poetry_writes(tmp_path, ENDPOINT, TOKEN)[1],
    }
    if writer.startswith("poetry"):
        path = tmp_path / ("config.toml" if writer == "poetry_config" else "auth.toml")
        path.write_bytes(text.replace("\n", newline).encode())
    write = writes[writer]()
    before = path.read_bytes().decode()
    ca.write_file(write)
    after = path.read_bytes().decode()
    assert only_owned_lines_changed(before, after, lambda line: line.startswith(owned)) == []
    assert after.count("\n") == after.count(newline) and after != before
    assert write.diff().startswith(f"--- {path}\n+++ {path}\n") and TOKEN not in write.diff()


def test_poetry_is_asked_where_its_configuration_is(ca, tmp_path):
    """POETRY_CONFIG_DIR, else the installed Poetry's own answer, else platformdirs' rule."""
    python = fake_program(tmp_path / "poetry-env" / "bin" / "python3", "echo /where/poetry/says")
    poetry = fake_program(tmp_path / "bin" / "poetry", "exit 0")
    poetry.write_text(f"#!{python}\n")
    environ = {"PATH": f"{poetry.parent}:/usr/bin:/bin", "XDG_CONFIG_HOME": "/xdg"}
    assert ca.poetry_config_dir(environ) == Path("/where/poetry/says")
    assert ca.poetry_config_dir({**environ, "POETRY_CONFIG_DIR": "/given"}) == Path("/given")
    fake_program(python, "exit 1")  # a Poetry that cannot answer
    assert ca.poetry_config_dir(environ) == ca.user_config_dir("pypoetry", environ)
