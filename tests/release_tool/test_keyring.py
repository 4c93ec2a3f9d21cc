"""`login --keyring`: the keyring command pip and uv run, its backend and its plugins."""

from __future__ import annotations

import subprocess

import pytest
import tomllib

from tests.release_tool.helpers import (
    ENDPOINT,
    INDEX,
    PIP_CONF,
    TOKEN,
    expect_credentials,
    fake_keyring_tools,
    fake_program,
    ini,
    mode,
    poetry_program,
    run,
)


@pytest.mark.parametrize("has_keyring", [True, False])
def test_login_pip_keyring_writes_no_token_and_finds_or_installs_the_keyring(
    ca, stub, capsys, monkeypatch, private_home, tmp_path, has_keyring
):
    bin_dir = fake_keyring_tools(tmp_path / "bin", has_keyring)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "pip", "--keyring")
    assert code == 0, err
    conf = private_home / ".config" / "pip" / "pip.conf"
    assert dict(ini(conf)["global"]) == {
        "index-url": f"https://aws@{ENDPOINT[8:]}simple/",
        "keyring-provider": "subprocess",
    }
    calls = (bin_dir / "uv-calls").read_text().split() if not has_keyring else []
    assert calls == (
        [] if has_keyring else ["tool", "install", "--force", "keyring", "--with", "keyrings.codeartifact"]
    )
    assert ("found " if has_keyring else "installed keyring with keyrings.codeartifact") in out
    assert "through the keyring: each use" in out
    assert TOKEN not in out + err
    assert not [p for p in private_home.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]


def test_login_uv_keyring_sets_uv_up_for_the_keyring_and_stores_nothing(
    ca, stub, capsys, monkeypatch, private_home, tmp_path
):
    (private_home / ".config" / "uv").mkdir(parents=True)
    (private_home / ".config" / "uv" / "uv.toml").write_text("# mine\nnative-tls = true\n")
    monkeypatch.setenv("PATH", f"{fake_keyring_tools(tmp_path / 'bin', True)}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "uv", "--keyring")
    assert code == 0, err
    text = (private_home / ".config" / "uv" / "uv.toml").read_text()
    assert text.startswith("# mine\n") and tomllib.loads(text) == {"native-tls": True, "keyring-provider": "subprocess"}
    assert f"the index URL is https://aws@{ENDPOINT[8:]}simple/" in out
    assert not [p for p in private_home.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]


def test_login_poetry_keyring_drops_a_stored_password_and_adds_the_backend_to_poetry(
    ca, stub, capsys, monkeypatch, private_home, tmp_path
):
    config_dir = private_home / ".config" / "pypoetry"
    config_dir.mkdir(parents=True)
    (config_dir / "auth.toml").write_text(
        '[http-basic.codeartifact]\nusername = "aws"\npassword = "stale"\n[http-basic.corp]\nusername = "me"\n'
    )
    poetry = tmp_path / "bin" / "poetry"
    poetry.parent.mkdir()
    poetry.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/poetry-calls\n[ "$2" = show ] && exit 1\nexit 0\n')
    poetry.chmod(0o755)
    monkeypatch.setenv("PATH", f"{poetry.parent}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "login", "--tool", "poetry", "--keyring")
    assert code == 0, err
    assert tomllib.loads((config_dir / "auth.toml").read_text()) == {"http-basic": {"corp": {"username": "me"}}}
    assert tomllib.loads((config_dir / "config.toml").read_text())["repositories"]["codeartifact"] == {"url": ENDPOINT}
    assert (tmp_path / "poetry-calls").read_text().splitlines() == [
        "self show keyrings.codeartifact",
        "self add keyrings.codeartifact",
    ]


def test_twine_has_no_keyring_login(ca, stub, capsys):
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "twine", "--keyring") == (
        1,
        "",
        "error: twine has no keyring login here: use login --tool twine, or publish\n",
    )


def test_pip_with_the_keyring_gets_the_user_only_and_asks_the_keyring(ca, tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text(PIP_CONF)
    write = ca.pip_keyring_write(conf, ENDPOINT)
    expected = (
        f"[global]\nindex-url = https://aws@{INDEX}\ntimeout = 60\nkeyring-provider = subprocess\n\n"
        "[install]\nno-binary = :none:\n"
    )
    assert (write.text, write.shown) == (expected, expected)
    assert write.replaced == "global.index-url https://me:****@old.example/simple/"
    fresh = ca.pip_keyring_write(tmp_path / "new.conf", ENDPOINT)
    assert fresh.text == f"[global]\nindex-url = https://aws@{INDEX}\nkeyring-provider = subprocess\n"
    assert fresh.replaced == ""


def test_without_uv_the_keyring_is_installed_with_pipx(ca, tmp_path, keyringless):
    bin_dir, environ = keyringless
    done = f"{bin_dir}/pipx install --force keyring && {bin_dir}/pipx inject keyring keyrings.codeartifact"
    assert ca.ensure_keyring(environ, dry_run=True) == f"would run: {done}"
    assert not (tmp_path / "pipx-calls").exists()
    assert ca.ensure_keyring(environ) == f"installed keyring with keyrings.codeartifact ({done}); {bin_dir}/keyring"
    assert (tmp_path / "pipx-calls").read_text().splitlines() == [
        "install --force keyring",
        "inject keyring keyrings.codeartifact",
    ]
    assert ca.ensure_keyring(environ) == f"found {bin_dir}/keyring with keyrings.codeartifact"


def test_the_keyring_of_the_tools_own_environment_is_not_the_users(ca, tmp_path, monkeypatch):
    """`uv run` and an activated virtual environment put the tool's environment first on PATH;
    its keyring (twine's) has no backend, and pip and uv, run from the user's shell, never see it."""
    own = tmp_path / "tool-env" / "bin"
    fake_program(own / "keyring", "echo 'keyring.backends.fail.Keyring'")
    users = fake_program(tmp_path / "home-bin" / "keyring", "echo 'keyrings.codeartifact.CodeArtifactBackend'")
    monkeypatch.setattr(ca.sysconfig, "get_path", lambda name: str(own) if name == "scripts" else "")
    environ = {"PATH": f"{own}:{users.parent}:/usr/bin:/bin"}
    assert ca.user_path(environ) == f"{users.parent}:/usr/bin:/bin"
    assert ca.ensure_keyring(environ) == f"found {users} with keyrings.codeartifact"
    assert ca.user_path({"PATH": f"{own}/:{own}/../bin::/bin"}) == "/bin"  # the same folder, however written


def test_the_uv_variable_names_the_uv_that_installs_the_keyring(ca, tmp_path, keyringless):
    _, environ = keyringless
    uv = fake_program(tmp_path / "elsewhere" / "uv", "exit 0")
    assert ca.ensure_keyring({**environ, "UV": str(uv)}, dry_run=True) == (
        f"would run: {uv} tool install --force keyring --with keyrings.codeartifact"
    )


def test_a_keyring_install_that_fails_or_lands_off_path_is_one_clear_error(ca, tmp_path, keyringless):
    bin_dir, environ = keyringless
    fake_program(bin_dir / "pipx", "echo 'something went wrong'; echo 'no space left' >&2; exit 1")
    with pytest.raises(ca.ToolError) as failed:
        ca.ensure_keyring(environ)
    assert str(failed.value) == f"`{bin_dir}/pipx install --force keyring` failed: no space left"
    elsewhere = tmp_path / "pipx-bin"
    fake_program(elsewhere / "keyring", "echo 'keyrings.codeartifact.CodeArtifactBackend'")
    fake_program(bin_dir / "pipx", f'[ "$1" = environment ] && echo "{elsewhere}"; exit 0')
    with pytest.raises(ca.ToolError) as off_path:
        ca.ensure_keyring(environ)
    assert str(off_path.value) == (
        f"keyring is installed in {elsewhere}, which is not on PATH: run "
        f'`export PATH="{elsewhere}:$PATH"` in this shell and `pipx ensurepath` for the next ones'
    )
    fake_program(bin_dir / "keyring", "echo 'keyring.backends.fail.Keyring'")
    with pytest.raises(ca.ToolError) as shadowed:
        ca.ensure_keyring(environ)
    assert str(shadowed.value) == (
        f"{bin_dir}/keyring comes first on PATH and has no keyrings.codeartifact: put {elsewhere} "
        "before its folder on PATH, or uninstall it"
    )
    with pytest.raises(ca.ToolError) as nothing:
        ca.ensure_keyring({"PATH": str(tmp_path / "empty")})
    assert str(nothing.value) == (
        "the keyring command is not installed: `uv tool install keyring --with keyrings.codeartifact` "
        "or `pipx install keyring && pipx inject keyring keyrings.codeartifact`"
    )


def test_keyring_gets_a_configuration_file_once_readable_by_all(ca, private_home, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(private_home / ".config"))
    (write,) = ca.keyring_config_writes()
    assert write.path == private_home / ".config" / "python_keyring" / "keyringrc.cfg"
    assert (
        write.text
        == write.shown
        == (
            "# Options of keyrings.codeartifact (profile_name, token_duration, ...):\n"
            "# https://pypi.org/project/keyrings.codeartifact/\n[codeartifact]\n"
        )
    )
    assert write.private is False
    ca.write_file(write)
    assert ca.keyring_config_writes() == []
    write.path.unlink()
    write.path.symlink_to(private_home / "elsewhere.cfg")  # a dangling link is the user's too
    assert ca.keyring_config_writes() == []


def test_a_keyring_dry_run_shows_each_file_with_its_mode_and_each_command(
    ca, stub, capsys, monkeypatch, private_home, tmp_path
):
    bin_dir = fake_keyring_tools(tmp_path / "bin", has_keyring=False)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "pip", "--keyring", "--dry-run")
    assert (code, err) == (0, "")
    config = private_home / ".config"
    assert out == (
        f"would run: {bin_dir}/uv tool install --force keyring --with keyrings.codeartifact\n"
        f"would change {config}/pip/pip.conf (mode 0600):\n"
        f"--- /dev/null\n+++ {config}/pip/pip.conf\n@@ -0,0 +1,3 @@\n"
        f"+[global]\n+index-url = https://aws@{INDEX}\n+keyring-provider = subprocess\n"
        f"would change {config}/python_keyring/keyringrc.cfg:\n"
        f"--- /dev/null\n+++ {config}/python_keyring/keyringrc.cfg\n@@ -0,0 +1,3 @@\n"
        "+# Options of keyrings.codeartifact (profile_name, token_duration, ...):\n"
        "+# https://pypi.org/project/keyrings.codeartifact/\n+[codeartifact]\n"
    )
    assert not (bin_dir / "uv-calls").exists() and not config.exists()


def test_poetry_keyring_files_have_the_modes_their_contents_need(ca, stub, capsys, monkeypatch, private_home, tmp_path):
    monkeypatch.setenv("PATH", f"{poetry_program(tmp_path, 0).parent}:/usr/bin:/bin")
    config_dir = private_home / ".config" / "pypoetry"
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "login", "--tool", "poetry", "--keyring")
    assert (code, err) == (0, "")
    assert "found keyrings.codeartifact in Poetry's environment\n" in out
    assert (mode(config_dir / "config.toml"), mode(config_dir / "auth.toml")) == (0o644, 0o600)
    (config_dir / "auth.toml").write_text('[http-basic.corp]\nusername = "me"\n')
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "poetry", "--keyring")[0] == 0
    assert tomllib.loads((config_dir / "auth.toml").read_text()) == {"http-basic": {"corp": {"username": "me"}}}


def test_uv_keyring_settings_are_readable_by_all(ca, stub, capsys, monkeypatch, private_home, tmp_path):
    monkeypatch.setenv("PATH", f"{fake_keyring_tools(tmp_path / 'bin', True)}:/usr/bin:/bin")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "uv", "--keyring")[0] == 0
    assert mode(private_home / ".config" / "uv" / "uv.toml") == 0o644


def test_a_keyring_without_the_backend_or_that_fails_does_not_count(ca, tmp_path):
    listing = "echo 'keyrings.codeartifact.CodeArtifactBackend (priority: 9.9)'"
    cases = {
        f'[ "$1" = --list-backends ] && {listing}': True,
        "echo 'keyring.backends.fail.Keyring (priority: 0)'": False,
        f"{listing}; exit 1": False,
    }
    for number, (script, has_backend) in enumerate(cases.items()):
        keyring = fake_program(tmp_path / str(number) / "keyring", script)
        assert ca.keyring_has_backend(str(keyring), {}) is has_backend, script


def test_a_keyring_uv_installed_keeps_its_plugins_and_one_pipx_manages_is_only_given_the_backend(ca, tmp_path):
    tools = tmp_path / "uv-tools"
    receipt = tools / "keyring" / "uv-receipt.toml"
    receipt.parent.mkdir(parents=True)
    receipt.write_text(
        '[tool]\nrequirements = [{ name = "keyring" }, { name = "keyrings-alt" },\n'
        '    { name = "jaraco-classes", specifier = ">=3" }, { name = "keyring-x", extras = ["a", "b"] }]\n'
    )
    keyring = fake_program(tools / "keyring" / "bin" / "keyring", "echo 'keyrings.alt.file.PlaintextKeyring'")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "keyring").symlink_to(keyring)
    uv = fake_program(tmp_path / "uv", f'[ "$2" = dir ] && echo "{tools}"; exit 0')
    environ = {"PATH": f"{bin_dir}:/usr/bin:/bin", "UV": str(uv)}
    assert ca.ensure_keyring(environ, dry_run=True) == (
        f"would run: {uv} tool install --force keyring --with keyrings-alt --with 'jaraco-classes>=3' "
        "--with 'keyring-x[a,b]' --with keyrings.codeartifact"
    )
    venvs = tmp_path / "pipx-venvs"
    (venvs / "keyring").mkdir(parents=True)
    (bin_dir / "keyring").unlink()
    (bin_dir / "keyring").symlink_to(fake_program(venvs / "keyring" / "keyring", "echo 'keyrings.alt'"))
    pipx = fake_program(bin_dir / "pipx", f'[ "$1" = environment ] && echo "{venvs}"; exit 0')
    assert ca.ensure_keyring(environ, dry_run=True) == f"would run: {pipx} inject keyring keyrings.codeartifact"


@pytest.mark.slow
def test_a_real_uv_keyring_with_another_backend_keeps_it(ca, tools, tmp_path):
    """uv tool install keyring --with keyrings.alt, then login's keyring step: both backends."""
    bin_dir = tmp_path / "bin"
    environ = tools.env(HOME=str(tmp_path), UV_TOOL_DIR=str(tmp_path / "uv-tools"), UV_TOOL_BIN_DIR=str(bin_dir),
                        UV=tools.uv_bin, UV_DEFAULT_INDEX="https://pypi.org/simple")  # fmt: skip
    environ["PATH"] = f"{bin_dir}:/usr/bin:/bin"
    subprocess.run([tools.uv_bin, "tool", "install", "keyring", "--with", "keyrings.alt"], env=environ, check=True,
                   capture_output=True)  # fmt: skip
    assert ca.ensure_keyring(environ).startswith("installed keyring with keyrings.codeartifact")
    backends = subprocess.run([bin_dir / "keyring", "--list-backends"], env=environ, capture_output=True, text=True)
    assert "keyrings.alt.file" in backends.stdout and "keyrings.codeartifact" in backends.stdout
