"""The post-generation hook, in-process: what it prints, what it records for cruft, what it tidies.

tests/test_newcomer.py runs the same hook through the real cookiecutter command line; these tests
call its functions directly, so that mutation testing (mutation/run.py) sees them run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.conftest import MANAGERS, TEMPLATE_DIR, load_hook


@pytest.fixture
def post() -> ModuleType:
    """The hook, imported for each test (see test_inputs.hook)."""
    return load_hook("post_gen_project")


ANSWERS = {
    "package_name": "ledger-tools",
    "package_manager": "uv",
    "ci_provider": "github",
    "version": "0.1.0",
    "version_from": "pyproject",
    "author_name": "Zoë O'Brien",
    "author_email": "zoe@example.com",
    "_managers": MANAGERS,
}

UV_WITH_NOTHING_INSTALLED = """\
Created ledger-tools. Next steps, one paste each:

  # uv not found on PATH: the first line installs uv
  # set the project up with AWS credentials at hand (it writes uv.lock, which the commit takes)
  INSTALL_UV \\
    && cd ledger-tools \\
    && uv run scripts/codeartifact.py login --tool uv \\
    && uv sync \\
    && uv run pytest

  # commit it, then publish the first version (it prints how to install it back)
  git init -q -b main \\
    && git add . \\
    && git commit -qm 'First version' \\
    && uv run scripts/codeartifact.py publish

To create the CodeArtifact repository and the CI roles, deploy infra/codeartifact.yaml,
then set the repository variables CODEARTIFACT_READ_ROLE_ARN and CODEARTIFACT_PUBLISH_ROLE_ARN \
and send the ref in the OIDC subject (README.md, 'Continuous integration', gives the command).
README.md explains installing, developing, releasing and the infrastructure;
`uvx cruft update -y` brings the template's changes (.cruft.json records it).""".replace(
    "INSTALL_UV", MANAGERS["uv"]["install"]["uv"]
)


# What a fresh account sees: no uv, and no git identity.
UV_ON_A_FRESH_ACCOUNT = UV_WITH_NOTHING_INSTALLED.replace(
    """  # commit it, then publish the first version (it prints how to install it back)
  git init -q -b main \\
""",
    """  # git has no user.name and user.email yet: the first lines set them, once (edit them first)
  # commit it, then publish the first version (it prints how to install it back)
  git config --global user.name 'Zoë O'"'"'Brien' \\
    && git config --global user.email zoe@example.com \\
    && git init -q -b main \\
""",
)


def test_the_next_steps_install_what_is_missing_then_set_up_commit_and_publish(post):
    assert post.next_steps(ANSWERS, ["uv"], []) == UV_WITH_NOTHING_INSTALLED
    assert post.next_steps(ANSWERS, ["uv"], ["user.name", "user.email"]) == UV_ON_A_FRESH_ACCOUNT


def test_without_knowing_what_is_installed_the_install_commands_come_as_a_comment_under_the_heading(post):
    """copier's message (tests/test_copier.py): no PATH was looked at, so nothing is said to be missing."""
    steps = post.next_steps(ANSWERS, None, []).splitlines()
    install = MANAGERS["uv"]["install"]["uv"]
    assert steps[:4] == [
        "Created ledger-tools. Next steps, one paste each:",
        "",
        f"  # without uv on PATH, first run: {install}",
        "  # set the project up with AWS credentials at hand (it writes uv.lock, which the commit takes)",
    ]
    assert steps[4] == "  cd ledger-tools \\"


def test_a_version_from_the_tag_is_tagged_before_the_first_publish(post):
    steps = post.next_steps({**ANSWERS, "version": "0.3.0", "version_from": "tag"}, [], [])
    assert "  # commit it, tag it, then publish the first version (it prints how to install it back)\n" in steps
    assert (
        "git commit -qm 'First version' \\\n    && git tag v0.3.0 \\\n    && uv run scripts/codeartifact.py publish"
        in steps
    )
    assert "git tag" not in post.next_steps(ANSWERS, [], [])


def test_a_missing_git_setting_is_set_from_the_answers_and_only_that_one(post):
    steps = post.next_steps(ANSWERS, [], ["user.email"])
    assert "  # git has no user.email yet: the first lines set them, once (edit them first)\n" in steps
    assert "\n  git config --global user.email zoe@example.com \\\n    && git init -q -b main \\\n" in steps
    assert "user.name" not in steps


def test_git_settings_are_read_from_git(post, tmp_path, monkeypatch):
    config = tmp_path / "gitconfig"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    assert post.missing_identity() == ["user.name", "user.email"]
    config.write_text("[user]\n\tname = Zoë O Brien\n")
    assert post.missing_identity() == ["user.email"]
    config.write_text("[user]\n\tname = Zoë O Brien\n\temail = zoe@example.com\n")
    assert post.missing_identity() == []
    monkeypatch.setenv("PATH", str(tmp_path))  # no git at all: every setting is missing
    assert post.missing_identity() == ["user.name", "user.email"]


def test_the_next_steps_for_pip_make_a_virtual_environment_and_mention_no_lock_file(post):
    answers = {**ANSWERS, "package_manager": "pip", "ci_provider": "gitlab"}
    lines = post.next_steps(answers, [], []).splitlines()
    setup = lines[lines.index("  # set the project up with AWS credentials at hand") + 1 :]
    assert setup[:6] == [
        "  cd ledger-tools \\",
        "    && python3 -m venv .venv \\",
        "    && . .venv/bin/activate \\",
        "    && python -m pip install --upgrade pip \\",
        "    && python -m pip install --require-hashes -r scripts/requirements.txt \\",
        "    && python scripts/codeartifact.py login --tool pip \\",
    ]
    assert "not found on PATH" not in "\n".join(lines)
    assert "then set the CI/CD variables CODEARTIFACT_READ_ROLE_ARN and CODEARTIFACT_PUBLISH_ROLE_ARN" in lines[-3]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("gh:acme/template", "https://github.com/acme/template.git"),
        ("gl:acme/group/template", "https://gitlab.com/acme/group/template.git"),
        ("bb:acme/template", "https://bitbucket.org/acme/template"),
        ("https://github.com/acme/template.git", "https://github.com/acme/template.git"),
        ("git@github.com:acme/template.git", "git@github.com:acme/template.git"),
        ("gh:", "gh:"),
        ("gh:acme/tools:v2", "https://github.com/acme/tools:v2.git"),
        ("gh://acme/template", "gh://acme/template"),
        ("zz:acme/template", "zz:acme/template"),
        ("git+https://git.example.com/acme/template.git", "https://git.example.com/acme/template.git"),
        ("git+file:///srv/template", "file:///srv/template"),
    ],
)
def test_cruft_gets_the_full_url_of_an_abbreviated_template(post, template, expected):
    assert post.template_url(template, "/nowhere") == expected


def test_cruft_gets_the_absolute_folder_of_a_local_template(post, tmp_path, monkeypatch):
    (tmp_path / "template").mkdir()
    monkeypatch.chdir(tmp_path)
    assert post.template_url("template", str(tmp_path / "clone")) == str(tmp_path / "clone")


def git_repository(folder: Path) -> str:
    """A repository with one commit; returns the commit."""
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), *identity, "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    return subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_record_names_the_template_its_commit_and_every_answer_but_the_bakes_own_folders(post, tmp_path):
    commit = git_repository(tmp_path / "template")
    answers = {
        "project_name": "Grüße",
        "_template": "gh:acme/template",
        "_repo_dir": str(tmp_path / "template"),
        "_output_dir": str(tmp_path),
        "_checkout": "v2",
    }
    assert post.provenance(answers) == {
        "template": "https://github.com/acme/template.git",
        "commit": commit,
        "checkout": "v2",
        "context": {"cookiecutter": {"project_name": "Grüße", "_template": "gh:acme/template"}},
        "directory": None,
    }


def test_a_template_outside_git_or_without_git_has_no_commit(post, tmp_path, monkeypatch):
    assert post.template_commit(str(tmp_path)) is None
    monkeypatch.setenv("PATH", str(tmp_path))  # no git at all
    assert post.template_commit(str(tmp_path)) is None


def test_the_template_folders_left_empty_go_and_nothing_else(post, tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    for own in (".git/refs/tags", ".venv/include", "notebooks/empty", "kept"):  # the owner's, under copier
        (tmp_path / own).mkdir(parents=True)
    (tmp_path / "kept" / "file").write_text("x")
    post.remove_empty_folders(str(tmp_path))
    left = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*"))
    assert left == [".git", ".git/refs", ".git/refs/tags", ".venv", ".venv/include", "kept", "kept/file",
                    "notebooks", "notebooks/empty"]  # fmt: skip


def test_a_template_folder_with_files_stays(post, tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "dependabot.yml").write_text("version: 2\n")
    post.remove_empty_folders(str(tmp_path))
    assert [path.name for path in (tmp_path / ".github").iterdir()] == ["dependabot.yml"]


def test_cruft_is_recognised_only_when_it_regenerates_in_a_new_temporary_folder(post, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    for folder in ("tmp/tmpk2j4x8/ledger", "tmp/ledger", "tmp/project/ledger", "tmp2/tmpk2j4x8/ledger"):
        (tmp_path / folder).mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "tmp" / "tmpk2j4x8" / "ledger")  # cruft update's and cruft diff's bakes
    assert post.run_by_cruft_for_a_diff({"_commit": "abc"})
    assert not post.run_by_cruft_for_a_diff({})
    monkeypatch.chdir(tmp_path / "tmp" / "ledger")  # cruft create in /tmp
    assert not post.run_by_cruft_for_a_diff({"_commit": "abc"})
    monkeypatch.chdir(tmp_path / "tmp" / "project" / "ledger")  # cruft create --output-dir /tmp/project
    assert not post.run_by_cruft_for_a_diff({"_commit": "abc"})
    monkeypatch.chdir(tmp_path / "tmp2" / "tmpk2j4x8" / "ledger")  # a neighbour of the temporary folder
    assert not post.run_by_cruft_for_a_diff({"_commit": "abc"})


def test_a_relative_template_folder_is_found_from_where_cookiecutter_started(post, tmp_path, monkeypatch):
    (tmp_path / "clone" / "hooks").mkdir(parents=True)
    (tmp_path / "clone" / "hooks" / "post_gen_project.py").write_text("")
    (tmp_path / "clone" / "ledger").mkdir()
    monkeypatch.chdir(tmp_path / "clone" / "ledger")  # the hook runs in the new project
    monkeypatch.setenv("PWD", str(tmp_path / "clone"))  # the shell's folder: cookiecutter .
    assert post.template_folder({"_repo_dir": "."}) == str(tmp_path / "clone")
    assert post.template_folder({}) == ""  # no folder given: none recorded, even from inside a clone
    monkeypatch.setenv("PWD", str(tmp_path / "clone" / "ledger"))  # a shell elsewhere: the bake's folder
    answers = {"_repo_dir": "clone", "_output_dir": str(tmp_path)}
    assert post.template_folder(answers) == str(tmp_path / "clone")
    monkeypatch.delenv("PWD")  # no shell, and the bake elsewhere: kept as given, and the hook warns
    assert post.template_folder({"_repo_dir": "clone", "_output_dir": str(tmp_path / "out")}) == "clone"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A bake's folder, as the hook finds it: the working directory, outside any temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    folder = tmp_path / "ledger-tools"
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / "pyproject.toml").write_text("")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PATH", str(tmp_path))  # no package manager installed
    return folder


def test_a_bake_is_tidied_recorded_and_followed_by_the_next_steps(post, project, capsys):
    answers = {**ANSWERS, "project_name": "Grüße", "_template": "gh:acme/template"}
    post.main(answers)
    record = (project / ".cruft.json").read_text(encoding="utf-8")
    assert record.endswith("}\n") and '\n  "template": "https://github.com/acme/template.git",\n' in record
    assert '"project_name": "Grüße"' in record  # readable, not \u-escaped
    assert json.loads(record)["context"]["cookiecutter"]["package_manager"] == "uv"
    assert not (project / ".github").exists()
    assert capsys.readouterr() == (UV_ON_A_FRESH_ACCOUNT + "\n", "")  # no uv, no git on PATH; no warning for a URL


def test_the_record_is_utf8_whatever_the_locale(post, project, latin1_locale):
    post.main({**ANSWERS, "project_name": "Łódź Grüße"})
    assert '"project_name": "Łódź Grüße"' in (project / ".cruft.json").read_text(encoding="utf-8")


def test_under_cruft_the_record_is_crufts_own(post, project, capsys):
    post.main({**ANSWERS, "_commit": "abc"})
    assert not (project / ".cruft.json").exists()
    assert capsys.readouterr().out.startswith("Created ledger-tools. Next steps")


def test_cruft_regenerating_for_a_diff_hears_nothing(post, project, capsys, monkeypatch):
    (project.parent / "tmp" / "tmpk2j4x8").mkdir(parents=True)  # cruft's own new temporary folder
    monkeypatch.chdir(project.rename(project.parent / "tmp" / "tmpk2j4x8" / project.name))
    project = project.parent / "tmp" / "tmpk2j4x8" / project.name
    post.main({**ANSWERS, "_commit": "abc"})
    assert capsys.readouterr().out == ""
    assert not (project / ".cruft.json").exists() and not (project / ".github").exists()


class ClosedPipe:
    """A pipe whose reader has gone: writes are buffered, the flush fails."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_silences_the_rest_of_the_output(post, monkeypatch):
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    post.say("next steps")
    assert sys.stdout.name == os.devnull
    print("more", flush=True)  # what the interpreter's exit flush does too
    sys.stdout.close()


def test_the_record_of_a_local_template_is_its_folder_and_a_missing_answer_is_empty(post, tmp_path, monkeypatch):
    (tmp_path / "template").mkdir()
    monkeypatch.chdir(tmp_path)
    record = post.provenance({"_template": "template", "_repo_dir": str(tmp_path / "template")})
    assert (record["template"], record["commit"]) == (str(tmp_path / "template"), None)
    assert post.provenance({"_repo_dir": str(tmp_path / "template")})["template"] == ""


def test_every_missing_tool_is_named_and_installed_in_order(post):
    steps = post.next_steps({**ANSWERS, "package_manager": "poetry"}, ["pipx", "poetry"], [])
    assert "  # pipx and poetry not found on PATH: the first line installs Poetry\n" in steps
    install = MANAGERS["poetry"]["install"]
    assert f"  {install['pipx']} \\\n    && {install['poetry']} \\\n    && cd ledger-tools" in steps
    only_poetry = post.next_steps({**ANSWERS, "package_manager": "poetry"}, ["poetry"], [])
    assert f"  {install['poetry']} \\\n    && cd ledger-tools" in only_poetry


def test_the_printed_commit_paste_makes_the_branch_the_baked_ci_runs_on(cookies, capfd, tmp_path):
    """On a git without init.defaultBranch (git's own default is master), as a fresh account has."""
    result = cookies.bake(extra_context={"ci_provider": "github"}, template=str(TEMPLATE_DIR))
    printed = capfd.readouterr().out
    paste = printed.split("# commit it, then publish the first version (it prints how to install it back)\n")[1]
    commands = [line.strip().removeprefix("&& ").removesuffix(" \\") for line in paste.split("\n\n")[0].splitlines()]
    assert any(command.startswith("git init") for command in commands)
    (tmp_path / "gitconfig").write_text("")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Zoë", "GIT_AUTHOR_EMAIL": "zoe@example.com",
           "GIT_COMMITTER_NAME": "Zoë", "GIT_COMMITTER_EMAIL": "zoe@example.com"}  # fmt: skip
    until_publish = " && ".join(command for command in commands if command.startswith("git "))
    subprocess.run(["bash", "-c", until_publish], cwd=result.project_path, env=env, check=True)
    branch = subprocess.run(["git", "branch", "--show-current"], cwd=result.project_path, env=env,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    ci = yaml.safe_load((result.project_path / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    assert branch in ci[True]["push"]["branches"]  # YAML reads the key on as True


@pytest.mark.parametrize(
    ("template", "local"),
    [("../template", True), ("/srv/template", True), ("C:/templates/t", True), ("C:\\templates\\t", True),
     ("gh:acme/t", False), ("git@host:acme/t.git", False), ("https://host/acme/t", False), ("t.zip", False),
     ("", False), ("x:acme/t", False)],
)  # fmt: skip
def test_a_local_template_is_a_folder_not_a_url_or_a_zip_file(post, template, local):
    """x:acme/t: an abbreviation of one letter, as a user's cookiecutter config may define one."""
    assert post.local_path(template) is local


def test_a_relative_template_folder_that_cannot_be_found_is_recorded_as_given_with_a_warning(
    post, project, capsys, monkeypatch
):
    monkeypatch.delenv("PWD", raising=False)
    (project.parent / "git").symlink_to(shutil.which("git", path=os.defpath))  # on PATH, beside no package manager
    git_repository(project.parent / "template")  # what ../template is from the project: not the template
    post.main({**ANSWERS, "_template": "../template", "_repo_dir": "../template", "_output_dir": "/nowhere"})
    record = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert (record["template"], record["commit"]) == ("../template", None)
    assert capsys.readouterr().err == post.RELATIVE_TEMPLATE.format("../template") + "\n"
