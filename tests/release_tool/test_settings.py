"""Settings: pyproject.toml as the tool reads it, [tool.codeartifact] with the AWS_REGION
fallback, and how each package manager runs the tool."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import MANAGERS, load_release_tool


def test_the_settings_are_the_table_and_how_the_project_runs_the_tool(ca):
    assert ca.settings() == {
        "domain": "my-domain",
        "domain-owner": "111122223333",
        "repository": "my-repo",
        "region": "us-east-1",
        "package-manager": "uv",
        "me": "uv run scripts/codeartifact.py",
    }


@pytest.mark.parametrize("manager", MANAGERS)
def test_each_package_manager_runs_and_builds_as_its_table_says(bake, manager, tmp_path, monkeypatch):
    """The command the messages print (``finish with: …``, ``verify``) and the build command are
    the package manager table's (cookiecutter.json), which the baked README prints too."""
    tool = load_release_tool(bake(package_manager=manager))
    where = tool.settings()
    assert (where["package-manager"], where["me"]) == (manager, MANAGERS[manager]["tool"])
    commands = []
    monkeypatch.setattr(tool, "checked", lambda command, env=None, token="\0": commands.append(command) or "")
    done = subprocess.CompletedProcess([], 0, "1700000000\n", "")
    monkeypatch.setattr(tool, "run", lambda command, env=None: commands.append(command) or done)  # git
    tool.build(where, tmp_path, "https://x/", "t")
    build_into = MANAGERS[manager]["build_into"].replace("python", sys.executable, 1).split()
    assert commands == [["git", "log", "-1", "--format=%ct"], [*build_into, str(tmp_path)]]


@pytest.mark.parametrize(
    ("manager", "me"),
    [("uv", "uv run"), ("poetry", "pipx run"), ("pip", "python"), ("hatch", "python"), (None, "python")],
)
def test_a_package_manager_the_tool_does_not_know_runs_it_with_python(ca, pyproject, manager, me):
    pyproject(package_manager=manager)
    assert ca.settings()["me"] == f"{me} scripts/codeartifact.py"


def test_aws_region_fills_a_missing_region_and_never_overrides_the_projects(ca, pyproject, monkeypatch):
    """CodeBuild sets AWS_REGION to the build's own region, which need not be the domain's."""
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert ca.settings()["region"] == "us-east-1"
    pyproject(region=None)
    assert ca.settings()["region"] == "ap-south-1"
    pyproject(region="")
    assert ca.settings()["region"] == "ap-south-1"


@pytest.mark.parametrize(
    ("table", "lacking"),
    [
        ({"region": None}, "region"),
        ({"region": ""}, "region"),
        ({"domain": "", "repository": None}, "domain, repository"),
        ({"domain_owner": None, "region": None}, "domain-owner, region"),
    ],
)
def test_missing_settings_are_named_together(ca, pyproject, table, lacking):
    pyproject(**table)
    with pytest.raises(ca.Fault) as refused:
        ca.settings()
    assert (str(refused.value), refused.value.code) == (f"pyproject.toml's [tool.codeartifact] lacks {lacking}", 1)


def test_a_project_without_the_table_is_told_every_setting_it_lacks(ca, monkeypatch, capsys):
    monkeypatch.setattr(ca, "pyproject", lambda: {"tool": {"ruff": {}}})
    assert ca.main(["url"], client=object()) == 1
    assert capsys.readouterr() == (
        "",
        "error: pyproject.toml's [tool.codeartifact] lacks domain, domain-owner, repository, region\n",
    )
    monkeypatch.setattr(ca, "pyproject", lambda: {})
    with pytest.raises(ca.Fault, match=r"lacks domain, domain-owner, repository, region$"):
        ca.settings()


def test_pyproject_toml_is_read_from_the_project_as_utf8_whatever_the_locale(ca, monkeypatch, tmp_path, latin1_locale):
    monkeypatch.setattr(ca, "ROOT", tmp_path)
    (tmp_path / "pyproject.toml").write_bytes('[project]\nname = "café"\nversion = "1.0"\n'.encode())
    assert ca.pyproject() == {"project": {"name": "café", "version": "1.0"}}
    assert ca.project() == ("café", "1.0")


def test_a_missing_or_broken_pyproject_toml_is_one_line(ca, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(ca, "ROOT", tmp_path)
    assert ca.main(["check-tag", "v1"]) == 1
    assert capsys.readouterr() == (
        "",
        f"error: cannot read pyproject.toml: [Errno 2] No such file or directory: '{tmp_path / 'pyproject.toml'}'\n",
    )
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(ca.Fault) as broken:
        ca.pyproject()
    assert (str(broken.value), broken.value.code) == (
        "cannot read pyproject.toml: Expected ']' at the end of a table declaration (at line 1, column 9)",
        1,
    )


@pytest.mark.parametrize(
    ("table", "found"),
    [
        ({"name": "acme-utils", "version": "0.1.0"}, ("acme-utils", "0.1.0")),
        ({"name": "Acme.Utils", "version": "1.0.0-RC.1"}, ("Acme.Utils", "1.0.0rc1")),
        ({"name": "acme-utils", "version": "v2"}, ("acme-utils", "2")),
        ({"name": "acme-utils", "dynamic": ["version"]}, ("acme-utils", None)),
        ({"name": "acme-utils", "version": "0.1.0", "dynamic": ["readme"]}, ("acme-utils", "0.1.0")),
    ],
)
def test_the_project_is_its_name_and_its_version_in_pep_440_form(ca, pyproject, table, found):
    pyproject(project=table)
    assert ca.project() == found


def test_a_pyproject_toml_without_a_project_table_is_refused_in_one_line(ca, monkeypatch):
    monkeypatch.setattr(ca, "pyproject", lambda: {"tool": {}})
    with pytest.raises(ca.Fault, match=r"^pyproject.toml needs \[project\] name and a PEP 440 version: 'name'$"):
        ca.project()


@pytest.mark.parametrize(
    ("table", "why"),
    [
        ({}, "'name'"),
        ({"version": "1.0"}, "'name'"),
        ({"dynamic": ["version"]}, "'name'"),
        ({"name": "acme-utils"}, "'version'"),
        ({"name": "acme-utils", "dynamic": ["readme"]}, "'version'"),
        ({"name": "acme-utils", "version": "one"}, "Invalid version: 'one'"),
    ],
)
def test_a_project_without_a_name_or_a_version_is_refused_in_one_line(ca, pyproject, table, why):
    pyproject(project=table)
    with pytest.raises(ca.Fault) as refused:
        ca.project()
    assert (str(refused.value), refused.value.code) == (
        f"pyproject.toml needs [project] name and a PEP 440 version: {why}",
        1,
    )
    assert refused.value.__suppress_context__


def test_a_pyproject_toml_that_is_not_utf8_is_one_line(ca, monkeypatch, tmp_path):
    monkeypatch.setattr(ca, "ROOT", tmp_path)
    (tmp_path / "pyproject.toml").write_bytes('[project]\nname = "José"\n'.encode("cp1252"))
    with pytest.raises(ca.Fault) as broken:
        ca.pyproject()
    assert (str(broken.value), broken.value.code) == (
        "cannot read pyproject.toml: 'utf-8' codec can't decode byte 0xe9 in position 21: invalid continuation byte",
        1,
    )


def test_a_table_without_a_package_manager_builds_as_a_pip_project(ca, pyproject):
    pyproject(package_manager=None)
    where = ca.settings()
    assert "package-manager" not in where and where["me"] == "python scripts/codeartifact.py"
    assert ca.variables(where.get("package-manager", ""), "https://e/", "t") == [
        ("PIP_INDEX_URL", "https://aws:t@e/simple/")
    ]
