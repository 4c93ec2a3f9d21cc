"""Where each program keeps its configuration, on each system, asked of the program itself."""

from __future__ import annotations

import importlib
import os
import platform as platform_module
from pathlib import Path

import platformdirs.macos
import platformdirs.unix
import platformdirs.windows
import pytest


def test_pip_reads_its_files_where_the_pip_documentation_says(ca, on_platform, tmp_path):
    """https://pip.pypa.io/en/stable/topics/configuration/#location, in pip's order."""
    h = tmp_path / "h"
    linux = on_platform("linux", XDG_CONFIG_DIRS=f"/x1{os.pathsep}/x2", VIRTUAL_ENV="/venv")
    assert ca.pip_config_files(linux) == [
        ("global", Path("/x1/pip/pip.conf")),
        ("global", Path("/x2/pip/pip.conf")),
        ("global", Path("/etc/pip.conf")),
        ("user", h / ".pip" / "pip.conf"),
        ("user", h / ".config" / "pip" / "pip.conf"),
        ("site", Path("/venv/pip.conf")),
    ]
    assert ca.pip_config_files({"XDG_CONFIG_HOME": "/c"})[:2] == [
        ("global", Path("/etc/xdg/pip/pip.conf")),
        ("global", Path("/etc/pip.conf")),
    ]
    assert ca.pip_config_files({"XDG_CONFIG_HOME": "/c"})[-1] == ("user", Path("/c/pip/pip.conf"))

    darwin = on_platform("darwin")
    assert ca.pip_config_files(darwin) == [
        ("global", Path("/Library/Application Support/pip/pip.conf")),
        ("user", h / ".pip" / "pip.conf"),
        ("user", h / ".config" / "pip" / "pip.conf"),  # no ~/Library/Application Support/pip
    ]
    (h / "Library" / "Application Support" / "pip").mkdir(parents=True)
    assert ca.pip_config_files(darwin)[-1] == ("user", h / "Library" / "Application Support" / "pip" / "pip.conf")

    windows = on_platform("win32", APPDATA="/appdata", VIRTUAL_ENV="/venv")
    assert ca.pip_config_files(windows) == [
        ("global", Path("C:/ProgramData/pip/pip.ini")),
        ("user", h / "pip" / "pip.ini"),
        ("user", Path("/appdata/pip/pip.ini")),
        ("site", Path("/venv/pip.ini")),
    ]
    assert ca.pip_config_files({"PROGRAMDATA": "/pd"})[0] == ("global", Path("/pd/pip/pip.ini"))
    assert ca.pip_config_files({})[-1] == ("user", h / "AppData" / "Roaming" / "pip" / "pip.ini")


def test_pip_config_file_replaces_the_users_files_only_when_it_exists(ca, on_platform, tmp_path):
    given = tmp_path / "given.conf"
    linux = on_platform("linux", XDG_CONFIG_DIRS="/x", PIP_CONFIG_FILE=str(given))
    kinds = ["global", "global", "user", "user", "PIP_CONFIG_FILE"]
    assert [kind for kind, _ in ca.pip_config_files(linux)] == kinds
    given.write_text("")
    assert ca.pip_config_files(linux) == [
        ("global", Path("/x/pip/pip.conf")),
        ("global", Path("/etc/pip.conf")),
        ("PIP_CONFIG_FILE", given),
    ]
    assert ca.pip_config_file(linux) == given
    assert ca.pip_config_file({"XDG_CONFIG_HOME": "/c"}) == Path("/c/pip/pip.conf")


@pytest.mark.parametrize(
    ("platform", "variables", "folders"),
    [
        ("linux", {}, []),
        ("linux", {"XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d"}, []),
        ("darwin", {}, []),
        ("darwin", {}, ["h/Library/Application Support/pip"]),
        ("darwin", {"XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "DATA"}, []),
        ("darwin", {"XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "DATA"}, ["DATA/pip"]),
        ("win32", {"APPDATA": "/a", "LOCALAPPDATA": "/l"}, []),
    ],
)
def test_pip_user_file_is_the_one_pip_itself_finds(
    ca, on_platform, tmp_path, monkeypatch, platform, variables, folders
):
    """pip's own utils/appdirs.py, with its vendored platformdirs imported again as on each
    system, names the same file as the tool."""
    from pip._internal.utils import appdirs
    from pip._vendor import platformdirs as vendored

    variables = {key: value.replace("DATA", str(tmp_path / "data")) for key, value in variables.items()}
    environ = on_platform(platform, **variables)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for folder in folders:
        (tmp_path / folder.replace("DATA", "data")).mkdir(parents=True)
    if platform == "win32":
        monkeypatch.setattr(importlib.import_module("pip._vendor.platformdirs.windows"), "get_win_folder",
                            lambda csidl: variables["APPDATA"])  # fmt: skip
    try:
        importlib.reload(vendored)
        expected = Path(appdirs.user_config_dir("pip")) / ("pip.ini" if platform == "win32" else "pip.conf")
        assert ca.pip_user_file(environ) == expected
    finally:
        monkeypatch.undo()
        importlib.reload(vendored)


@pytest.mark.parametrize(
    ("platform", "variables", "uv"),
    [
        ("linux", {}, "h/.config/uv/uv.toml"),
        ("linux", {"XDG_CONFIG_HOME": "/c"}, "/c/uv/uv.toml"),
        ("darwin", {"XDG_CONFIG_HOME": "/c"}, "/c/uv/uv.toml"),
        ("win32", {"APPDATA": "/a", "LOCALAPPDATA": "/l"}, "/a/uv/uv.toml"),
        ("win32", {}, "h/AppData/Roaming/uv/uv.toml"),
    ],
)
def test_poetry_and_uv_keep_their_configuration_where_their_own_code_and_documentation_say(
    ca, on_platform, tmp_path, monkeypatch, platform, variables, uv
):
    """Poetry's folder is platformdirs' user_config_dir("pypoetry", appauthor=False, roaming=True)
    (poetry/locations.py), asked here of platformdirs' class for each system; uv's is in
    https://docs.astral.sh/uv/concepts/configuration-files/. A relative path is under HOME."""
    environ = on_platform(platform, **variables)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    system = {
        "linux": platformdirs.unix.Unix,
        "darwin": platformdirs.macos.MacOS,
        "win32": platformdirs.windows.Windows,
    }
    if platform == "win32":  # platformdirs asks Windows itself, or, elsewhere, these variables
        monkeypatch.setattr(platformdirs.windows, "get_win_folder", lambda csidl: {
            "CSIDL_APPDATA": variables.get("APPDATA", str(tmp_path / "h/AppData/Roaming")),
        }[csidl])  # fmt: skip
    poetry = system[platform](appname="pypoetry", appauthor=False, roaming=True).user_config_dir
    assert ca.user_config_dir("pypoetry", environ) == Path(poetry)
    assert ca.uv_config_file(environ) == tmp_path / uv


@pytest.mark.parametrize(
    ("system", "variables", "expected"),
    [
        ("Linux", {}, "h/.config/python_keyring/keyringrc.cfg"),
        ("Linux", {"XDG_CONFIG_HOME": "/c"}, "/c/python_keyring/keyringrc.cfg"),
        ("Darwin", {}, "h/.config/python_keyring/keyringrc.cfg"),  # keyring has no macOS case
        ("Windows", {"LOCALAPPDATA": "/l"}, "/l/Python Keyring/keyringrc.cfg"),
    ],
)
def test_the_keyring_configuration_is_where_keyring_itself_looks(
    ca, tmp_path, monkeypatch, system, variables, expected
):
    """keyring.util.platform_ picks its function by platform.system() when imported: imported
    again as on each system, keyring and the tool agree on the file keyrings.codeartifact reads."""
    import keyring.util.platform_ as keyring_platform

    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(platform_module, "system", lambda: system)
    try:
        importlib.reload(keyring_platform)
        assert ca.keyring_config_file() == tmp_path / expected
    finally:
        monkeypatch.undo()
        importlib.reload(keyring_platform)
