"""`login`: uv, pip and Poetry given keyrings.codeartifact, which fetches a fresh token on every
use, with fake programs on PATH (no network); pip's other indexes refused; keyringrc.cfg made
where keyring reads it."""

from __future__ import annotations

import errno
import importlib
import platform
import sys
from pathlib import Path

import pytest

from tests.release_tool.helpers import INDEX, INDEX_WITH_TOKEN, TOKEN, expect_credentials, fake_program, run

BACKEND_LISTED = "echo 'keyrings.codeartifact.CodeArtifactBackend (priority: 9.9)'"
LOGGED_IN = "logged {tool} in to my-repo through the keyring: it fetches a fresh token on every use, and none is stored"
KEYRINGRC = "# pypi.org/project/keyrings.codeartifact\n[codeartifact]\n"


@pytest.fixture
def bin_dir(tmp_path, monkeypatch) -> Path:
    """A folder first on PATH, before the system's own."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    return folder


@pytest.fixture
def fake_uv(ca, tmp_path, monkeypatch, bin_dir) -> Path:
    """The tool's uv, which records its arguments, names tmp_path/uv-tools as its tool folder,
    and 'installs' a keyring with the backend into the folder $INSTALL_TO names (PATH's first by
    default)."""
    uv = fake_program(
        tmp_path / "uv-bin" / "uv",
        f'echo "$@" >> {tmp_path}/uv-calls\n'
        f'[ "$2" = dir ] && echo {tmp_path}/uv-tools && exit 0\n'
        f'printf "#!/bin/sh\\n{BACKEND_LISTED}\\n" > "${{INSTALL_TO:-{bin_dir}}}/keyring"\n'
        'chmod +x "${INSTALL_TO:-' + str(bin_dir) + '}/keyring"',
    )
    monkeypatch.setattr(ca, "uv", lambda: str(uv))
    return uv


INSTALL = "tool install keyring --with=keyrings.codeartifact --with=botocore[crt]"  # as uv's guide, and crt


def uv_calls(tmp_path: Path) -> list[str]:
    calls = tmp_path / "uv-calls"
    return calls.read_text().splitlines() if calls.exists() else []


def test_login_uv_finds_a_keyring_with_the_backend_and_installs_nothing(ca, stub, capsys, private_home, tmp_path,
                                                                       bin_dir, fake_uv):  # fmt: skip
    keyring = fake_program(bin_dir / "keyring", f'[ "$1" = --list-backends ] && {BACKEND_LISTED}')
    client, stubber = stub
    expect_credentials(stubber)
    rc = private_home / ".config" / "python_keyring" / "keyringrc.cfg"
    assert run(ca, capsys, client, "login", "--tool", "uv") == (
        0,
        f"found {keyring} with keyrings.codeartifact\nkeyrings.codeartifact reads {rc}\n"
        f"{LOGGED_IN.format(tool='uv')}\n",
        "",
    )
    assert uv_calls(tmp_path) == []
    assert rc.read_text() == KEYRINGRC
    assert not [path for path in private_home.rglob("*") if path.is_file() and TOKEN in path.read_text()]


def test_login_uv_installs_the_keyring_as_uvs_guide_does(ca, tmp_path, bin_dir, fake_uv):
    assert ca.login_uv("https://unused/", None) == f"installed {bin_dir / 'keyring'} with keyrings.codeartifact"
    assert uv_calls(tmp_path) == ["tool dir", INSTALL]


def test_login_uv_keeps_the_plugins_the_users_keyring_tool_has(ca, tmp_path, bin_dir, fake_uv):
    """uv installs a tool with only the requirements given: a keyring tool with keyrings.alt, a
    Google or Azure plugin, a marker, a plugin from a URL, a wheel or a folder gets them all again,
    with ours, as uv's receipt of it (uv-receipt.toml, uv 0.13.9) says."""
    fake_program(bin_dir / "keyring", "echo 'keyrings.alt.file.PlaintextKeyring (priority: 0.5)'")
    receipt = tmp_path / "uv-tools" / "keyring" / "uv-receipt.toml"
    receipt.parent.mkdir(parents=True)
    receipt.write_text(
        '[tool]\nrequirements = [\n    { name = "keyring" },\n'
        '    { name = "keyrings-alt", extras = ["check", "test"], marker = "python_full_version >= \'3.9\'",'
        ' specifier = ">=4" },\n'
        '    { name = "keyrings-google-artifactregistry-auth" },\n'
        '    { name = "plug", directory = "/tmp/plug" },\n'
        '    { name = "plug-wheel", path = "/tmp/plug_wheel-1.0-py3-none-any.whl" },\n'
        '    { name = "plug-url", url = "https://example.com/plug_url-1.0.tar.gz" },\n]\n'
        'entrypoints = [\n    { name = "keyring", install-path = "/x/keyring", from = "keyring" },\n]\n'
    )  # fmt: skip
    assert ca.login_uv("https://unused/", None) == f"installed {bin_dir / 'keyring'} with keyrings.codeartifact"
    assert uv_calls(tmp_path)[1].split(" --with=") == [
        "tool install keyring",
        "keyrings-alt[check,test]>=4; python_full_version >= '3.9'",
        "keyrings-google-artifactregistry-auth[]",
        "plug[] @ /tmp/plug",
        "plug-wheel[] @ /tmp/plug_wheel-1.0-py3-none-any.whl",
        "plug-url[] @ https://example.com/plug_url-1.0.tar.gz",
        "keyrings.codeartifact",
        "botocore[crt]",
    ]


@pytest.mark.parametrize("first", ["echo 'keyring.backends.fail.Keyring (priority: 0)'", None], ids=["other", "none"])
def test_a_keyring_that_uv_cannot_use_first_on_path_is_named_with_the_fix(ca, tmp_path, bin_dir, fake_uv,
                                                                         monkeypatch, first):  # fmt: skip
    """uv runs the first keyring on PATH: one without the backend before uv's own (a
    distribution's, a virtual environment's), or uv's own off PATH, would fail every install."""
    later = tmp_path / "later"
    later.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}:{later}:/usr/bin:/bin")
    monkeypatch.setenv("INSTALL_TO", str(later if first else tmp_path / "uv-bin"))
    if first:
        fake_program(bin_dir / "keyring", first)
    with pytest.raises(ca.Fault) as refused:
        ca.login_uv("https://unused/", None)
    named = bin_dir / "keyring" if first else "no keyring"
    assert (str(refused.value), refused.value.code) == (
        f"{named} is first on PATH: put `uv tool dir --bin` before it",
        1,
    )
    assert uv_calls(tmp_path) == ["tool dir", INSTALL]


def test_a_keyring_install_that_fails_is_uvs_error(ca, tmp_path, bin_dir, monkeypatch):
    uv = fake_program(
        tmp_path / "uv",
        f'[ "$2" = dir ] && echo {tmp_path} && exit 0\n'
        "echo 'Resolving' ; echo 'error: No solution found for keyring' >&2; exit 2",
    )
    monkeypatch.setattr(ca, "uv", lambda: str(uv))
    with pytest.raises(ca.Fault) as failed:
        ca.login_uv("https://unused/", None)
    assert str(failed.value) == f"`{uv} tool install …` failed: error: No solution found for keyring"
    assert not (bin_dir / "keyring").exists()


@pytest.fixture
def fake_pip(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """sys.executable is a virtual environment's python whose pip records its arguments, answers
    `pip config list` with the file pip-config (empty at first), and fails to install when the
    file install-fails exists. Returns the calls file and pip-config."""
    listing = tmp_path / "pip-config"
    listing.write_text("")
    python = fake_program(
        tmp_path / "venv" / "bin" / "python",
        f'echo "$@" >> {tmp_path}/pip-calls\n'
        f'[ "$3" = config ] && [ "$4" = list ] && cat {listing}\n'
        f'[ "$3" = install ] && [ -e {tmp_path}/install-fails ] && echo "ERROR: No matching distribution" >&2 '
        "&& exit 1\n"
        "exit 0",
    )
    monkeypatch.setattr(sys, "executable", str(python))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    return tmp_path / "pip-calls", listing


PIP_STEPS = [
    "-m pip config list",  # what pip reads, before anything changes
    "-m pip install --quiet keyring keyrings.codeartifact botocore[crt]",
    "-m pip config --site set global.keyring-provider import",
    f"-m pip config --site set global.index-url {INDEX}",
]


def test_login_pip_gives_the_environments_pip_the_keyring_and_the_index(ca, stub, capsys, private_home, tmp_path,
                                                                       fake_pip):  # fmt: skip
    calls, listing = fake_pip
    listing.write_text(f"global.index-url='{INDEX}'\nglobal.timeout='60'\n:env:.no-cache-dir='1'\n")
    client, stubber = stub
    expect_credentials(stubber)
    rc = private_home / ".config" / "python_keyring" / "keyringrc.cfg"
    assert run(ca, capsys, client, "login", "--tool", "pip") == (
        0,
        f"installed keyring with keyrings.codeartifact; the pip of {tmp_path / 'venv'} reads {INDEX}\n"
        f"keyrings.codeartifact reads {rc}\n{LOGGED_IN.format(tool='pip')}\n",
        "",
    )
    assert calls.read_text().splitlines() == PIP_STEPS


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("global.extra-index-url='https://me:s3cret@corp.example/simple'",
         "'https://****@corp.example/simple' (global.extra-index-url)"),
        ("install.find-links='/srv/wheels'", "'/srv/wheels' (install.find-links)"),
        ("global.find-links='https://corp.example/links?a=b'", "'https://corp.example/links?a=b' (global.find-links)"),
        (":env:.extra-index-url='https://pypi.org/simple https://x:y@z.example/'",
         "'https://pypi.org/simple https://****@z.example/' (:env:.extra-index-url)"),
        # settings that outrank this environment's pip.conf: PIP_INDEX_URL, a PIP_CONFIG_FILE's
        (":env:.index-url='https://pypi.org/simple'", "'https://pypi.org/simple' (:env:.index-url)"),
        ("global.index-url='https://u:p@mirror.example/simple'",
         "'https://****@mirror.example/simple' (global.index-url)"),
        ("install.index-url='https://mirror.example/simple'", "'https://mirror.example/simple' (install.index-url)"),
    ],
)  # fmt: skip
def test_login_pip_refuses_another_index_pip_would_read_unless_allowed(ca, stub, capsys, fake_pip, line, said):
    calls, listing = fake_pip
    listing.write_text(f"global.timeout='60'\n{line}\n")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip") == (
        1,
        "",
        f"error: pip also looks in {said}, where a package of this project's name could stand in for it: remove it, "
        "or pass --allow-extra-index\n",
    )
    assert calls.read_text().splitlines() == PIP_STEPS[:1]  # refused before anything is installed or set
    calls.unlink()
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip", "--allow-extra-index")[0] == 0
    assert calls.read_text().splitlines() == PIP_STEPS


def test_login_pip_accepts_the_same_repositorys_token_url_that_aws_codeartifact_login_left(ca, stub, capsys, fake_pip):
    """`aws codeartifact login --tool pip` (README.md) writes the index with a token into the
    user's pip.conf; the environment's own index-url, without one, wins over it."""
    calls, listing = fake_pip
    listing.write_text(f"global.index-url='{INDEX_WITH_TOKEN}'\n")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip")[:2] == (
        0,
        f"installed keyring with keyrings.codeartifact; the pip of {sys.prefix} reads {INDEX}\n"
        f"keyrings.codeartifact reads {Path.home() / '.config/python_keyring/keyringrc.cfg'}\n"
        f"{LOGGED_IN.format(tool='pip')}\n",
    )
    assert calls.read_text().splitlines() == PIP_STEPS


def test_login_pip_needs_a_virtual_environment(ca, stub, capsys, fake_pip, monkeypatch):
    calls, _ = fake_pip
    monkeypatch.setattr(sys, "base_prefix", sys.prefix)
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip") == (
        1,
        "",
        f"error: {sys.executable} is no virtual environment: . .venv/bin/activate\n",
    )
    assert not calls.exists()


@pytest.mark.parametrize(
    ("said", "why"),
    [
        ("{python}: No module named pip", "{python}: No module named pip"),  # uv runs scripts without pip
        ("Configuration file could not be loaded.\nFile contains no section headers.\n"
         "file: '{home}/.config/pip/pip.conf', line: 1\n'garbage'",
         "Configuration file could not be loaded. File contains no section headers. file: "
         "'{home}/.config/pip/pip.conf', line: 1 'garbage'"),  # pip 23.2's words
    ],
    ids=["no-pip", "malformed-pip-conf"],
)  # fmt: skip
def test_a_pip_that_cannot_read_its_settings_is_pips_own_words(ca, stub, capsys, tmp_path, monkeypatch, said, why):
    """Not "no virtual environment": what pip said, with the file it could not read, and nothing changed."""
    home = Path.home()
    python = tmp_path / "env" / "bin" / "python"
    fake_program(python, f'echo "$@" >> {tmp_path}/calls\necho "{said.format(python=python, home=home)}" >&2\nexit 1')
    monkeypatch.setattr(sys, "executable", str(python))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "env"))
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "pip") == (
        1,
        "",
        f"error: `{python} -m pip config list` failed: {why.format(python=python, home=home)}\n",
    )
    assert (tmp_path / "calls").read_text().splitlines() == ["-m pip config list"]


def test_a_pip_install_that_fails_is_pips_error(ca, tmp_path, fake_pip):
    calls, _ = fake_pip
    (tmp_path / "install-fails").touch()
    with pytest.raises(ca.Fault) as failed:
        ca.login_pip("https://unused/", None)
    assert str(failed.value) == f"`{sys.executable} -m pip …` failed: ERROR: No matching distribution"
    assert calls.read_text().splitlines() == PIP_STEPS[:2]


def poetry(bin_dir: Path, tmp_path: Path, has_backend: bool, pipx: bool = False, adds: bool = True) -> Path:
    """A Poetry whose own environment is tmp_path/venvs/poetry (a pipx venv if ``pipx``): `poetry
    debug info` names its python, which imports the backend once it is there; `poetry self add`
    and `pipx inject` put it there (unless not ``adds``), and `poetry self show` always lists it,
    as Poetry's own pyproject.toml still does after `pipx reinstall poetry`."""
    venv = tmp_path / "venvs" / "poetry"
    there = venv / "backend-installed"
    fake_program(venv / "bin" / "python", f"[ -e {there} ] || {{ echo \"ModuleNotFoundError: No module named "
                 f"'keyrings'\" >&2; exit 1; }}")  # fmt: skip
    if pipx:
        (venv / "pipx_metadata.json").write_text("{}")
    if has_backend:
        there.touch()
    put = f"touch {there}" if adds else "true"
    fake_program(bin_dir / "pipx", f'echo "pipx $@" >> {tmp_path}/poetry-calls\n{put}')
    return fake_program(
        bin_dir / "poetry",
        f'echo "poetry $@" >> {tmp_path}/poetry-calls\n'
        f'[ "$1" = debug ] && printf "\\nPoetry\\nVersion:    2.5.1\\nPython:     3.12.3\\nPath:       {venv}\\n'
        f"Executable: {venv}/bin/python\\n\\nVirtualenv\\nPython:         3.12.3\\nPath:           NA\\n"
        'Executable:     NA\\n"\n'
        f'[ "$2" = add ] && {put}\nexit 0',
    )


def poetry_calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "poetry-calls").read_text().splitlines()


PLUGINS = "keyrings.codeartifact botocore[crt]"


@pytest.mark.parametrize(
    ("has_backend", "pipx", "calls"),
    [(True, False, []), (False, False, [f"poetry self add {PLUGINS}"]), (True, True, []),
     (False, True, [f"pipx inject poetry {PLUGINS}"])],
    ids=["there", "added", "pipx-there", "pipx-injected"],
)  # fmt: skip
def test_login_poetry_puts_the_backend_where_poetry_imports_it(ca, stub, capsys, private_home, tmp_path, bin_dir,
                                                              has_backend, pipx, calls):  # fmt: skip
    """Checked by importing it with Poetry's own python, not by `poetry self show`, which lists
    it after `pipx reinstall poetry` took it away; pipx's own `inject` where pipx made Poetry's
    environment, as it survives a reinstall (python-poetry/poetry#8618)."""
    poetry(bin_dir, tmp_path, has_backend, pipx)
    client, stubber = stub
    expect_credentials(stubber)
    rc = private_home / ".config" / "python_keyring" / "keyringrc.cfg"
    assert run(ca, capsys, client, "login", "--tool", "poetry") == (
        0,
        f"keyrings.codeartifact is in Poetry's environment\nkeyrings.codeartifact reads {rc}\n"
        f"{LOGGED_IN.format(tool='poetry')}\n",
        "",
    )
    assert poetry_calls(tmp_path) == ["poetry debug info", *calls]


def test_a_poetry_that_cannot_add_the_backend_or_is_missing_is_named(ca, tmp_path, bin_dir):
    with pytest.raises(ca.Fault) as missing:
        ca.login_poetry("https://unused/", None)
    assert (
        str(missing.value)
        == "`poetry debug info …` failed: cannot run poetry: [Errno 2] No such file or directory: 'poetry'"
    )
    poetry(bin_dir, tmp_path, has_backend=False, pipx=True, adds=False)
    with pytest.raises(ca.Fault) as failed:
        ca.login_poetry("https://unused/", None)
    python = tmp_path / "venvs" / "poetry" / "bin" / "python"
    assert str(failed.value) == f"`{python} -I -c …` failed: ModuleNotFoundError: No module named 'keyrings'"
    assert poetry_calls(tmp_path) == ["poetry debug info", f"pipx inject poetry {PLUGINS}"]


def test_a_poetry_whose_debug_info_names_no_python_is_added_to_and_then_named(ca, tmp_path, bin_dir, monkeypatch):
    """A `poetry debug info` with no Executable line (not Poetry 2's): the backend goes in with
    `poetry self add`, and the check that it imports says it cannot run Poetry's python."""
    monkeypatch.chdir(tmp_path)
    fake_program(bin_dir / "poetry", f'echo "poetry $@" >> {tmp_path}/poetry-calls\n'
                 '[ "$1" = debug ] && printf "\\nPoetry\\nVersion:    1.1.15\\n"\nexit 0')  # fmt: skip
    with pytest.raises(ca.Fault) as failed:
        ca.login_poetry("https://unused/", None)
    assert (str(failed.value).partition(" failed: ")[2], failed.value.code) == (
        """cannot run poetry's python: [Errno 2] No such file or directory: "poetry's python\"""",
        1,
    )
    assert poetry_calls(tmp_path) == ["poetry debug info", f"poetry self add {PLUGINS}"]


def test_keyringrc_cfg_is_made_once_and_a_users_own_is_kept(ca, private_home, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    rc = tmp_path / "config" / "python_keyring" / "keyringrc.cfg"
    assert ca.keyring_settings() == f"keyrings.codeartifact reads {rc}"
    assert rc.read_text() == KEYRINGRC
    rc.unlink()  # the folder is there, without the file
    assert ca.keyring_settings() == f"keyrings.codeartifact reads {rc}"
    assert rc.read_text() == KEYRINGRC
    rc.write_text("[backend]\ndefault-keyring = keyrings.codeartifact.CodeArtifactBackend\n")
    assert ca.keyring_settings() == f"keyrings.codeartifact reads {rc}"
    assert rc.read_text() == "[backend]\ndefault-keyring = keyrings.codeartifact.CodeArtifactBackend\n"


@pytest.mark.parametrize(
    ("platform_name", "variables", "folder"),
    [
        ("linux", {}, "home/.config/python_keyring"),
        ("linux", {"XDG_CONFIG_HOME": ""}, "home/.config/python_keyring"),
        ("linux", {"XDG_CONFIG_HOME": "{tmp}/x"}, "x/python_keyring"),
        ("darwin", {}, "home/.config/python_keyring"),
        ("win32", {"LOCALAPPDATA": "{tmp}/local", "XDG_CONFIG_HOME": "{tmp}/x"}, "local/Python Keyring"),
        ("win32", {"LOCALAPPDATA": ""}, "home/AppData/Local/Python Keyring"),
    ],
)
def test_keyringrc_cfg_is_where_each_system_keeps_it(ca, monkeypatch, tmp_path, platform_name, variables, folder):
    monkeypatch.setattr(sys, "platform", platform_name)
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert ca.keyring_settings() == f"keyrings.codeartifact reads {tmp_path / folder / 'keyringrc.cfg'}"
    assert (tmp_path / folder / "keyringrc.cfg").read_text() == KEYRINGRC


@pytest.mark.parametrize(
    ("system", "platform_name", "variables"),
    [("Linux", "linux", {}), ("Linux", "linux", {"XDG_CONFIG_HOME": "{tmp}/c"}), ("Darwin", "darwin", {}),
     ("Windows", "win32", {"LOCALAPPDATA": "{tmp}/l"})],
)  # fmt: skip
def test_keyringrc_cfg_is_where_keyring_itself_looks(ca, tmp_path, monkeypatch, system, platform_name, variables):
    """keyring.util.platform_ picks its function by platform.system() when imported: imported
    again as on each system, keyring and the tool agree on the file keyrings.codeartifact reads."""
    import keyring.util.platform_ as keyring_platform

    monkeypatch.delenv("XDG_CONFIG_HOME")
    for name, value in variables.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    monkeypatch.setattr(platform, "system", lambda: system)
    monkeypatch.setattr(sys, "platform", platform_name)
    try:
        importlib.reload(keyring_platform)
        expected = Path(keyring_platform.config_root()) / "keyringrc.cfg"
        assert ca.keyring_settings() == f"keyrings.codeartifact reads {expected}"
    finally:
        monkeypatch.undo()
        importlib.reload(keyring_platform)


def test_a_keyringrc_cfg_that_cannot_be_made_is_one_line_and_code_74(ca, stub, capsys, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "a-file"))
    monkeypatch.setattr(ca, "login_poetry", lambda endpoint, args: "poetry is ready")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "login", "--tool", "poetry") == (
        74,
        "",
        f"error: cannot write {tmp_path / 'a-file' / 'python_keyring'}: Not a directory\n",
    )


def test_a_full_disk_leaves_no_empty_keyringrc_cfg_and_an_empty_one_is_repaired(ca, private_home, monkeypatch):
    """A full disk creates the file and then fails to write it: keyring would read an empty file
    ever after. The tool writes a new file and renames it, and an empty keyringrc.cfg (which holds
    nothing of the user's) is made again."""
    rc = private_home / ".config" / "python_keyring" / "keyringrc.cfg"
    write_text = Path.write_text

    def full_disk(self: Path, *args, **kwargs):
        self.touch()  # open() made it; the write found no space
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        ca.keyring_settings()
    assert not rc.parent.exists() or list(rc.parent.iterdir()) == []  # nothing half-written left behind
    monkeypatch.setattr(Path, "write_text", write_text)
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text("")  # as an earlier version left it
    assert ca.keyring_settings() == f"keyrings.codeartifact reads {rc}"
    assert rc.read_text() == KEYRINGRC


@pytest.mark.parametrize(
    ("tool", "names"),
    [("uv", ["UV_INDEX_CODEARTIFACT_USERNAME", "UV_INDEX_CODEARTIFACT_PASSWORD"]),
     ("poetry", ["POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD"]), ("pip", ["PIP_INDEX_URL"])],
)  # fmt: skip
def test_login_after_eval_env_says_the_exported_token_outranks_the_keyring(ca, stub, capsys, monkeypatch, tool, names):
    """`eval "$(… env --tool uv)"` exports a token that uv uses before any keyring: a login that
    said "logged in" would leave the next `uv lock --upgrade` to fail when it expires. Refused
    before anything is asked or installed, with the command that clears them."""
    for name in names:
        monkeypatch.setenv(name, "aws" if name.endswith("USERNAME") else TOKEN)
    client, _ = stub  # no call queued: none may be made
    monkeypatch.setattr(ca, "run", lambda *args, **kwargs: pytest.fail("nothing runs"))
    assert run(ca, capsys, client, "login", "--tool", tool) == (
        1,
        "",
        f"error: {' and '.join(names)} (from env) outrank the keyring: unset {' '.join(names)}\n",
    )
