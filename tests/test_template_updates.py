"""Slow: a baked project takes the template's later versions, with copier and with cruft, as
the template-update jobs run them: across a change its owner also made, and across the change
that used to break cruft (cruft#253: a local Jinja extension stays imported at its old version)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

from tests.conftest import TEMPLATE_DIR, commit_all, edit, git
from tests.support.tools import run

pytestmark = pytest.mark.slow

TOOLS = Path(sys.executable).parent
README = "{{cookiecutter.__project_dir}}/README.md"


def test_copier_update_merges_the_next_template_version_with_the_owners_edits(tmp_path, template_repository):
    git("tag", "2026.12.0", cwd=template_repository)
    run(TOOLS / "copier", "copy", "--trust", "--defaults", "--data", "project_name=Ledger", template_repository,
        tmp_path / "ledger", cwd=tmp_path)  # fmt: skip
    project = tmp_path / "ledger"
    git("init", "-q", cwd=project)
    commit_all(project, "First version")
    edit(project / "README.md", "# Ledger\n", "# Ledger, by the payments team\n")  # the owner's title
    (project / "src" / "ledger" / "rates.py").write_text("RATE = 2\n", encoding="utf-8")
    commit_all(project, "Our own title and code")

    edit(
        template_repository / README,
        "# {{ cookiecutter.project_name }}\n",
        "# The {{ cookiecutter.project_name }} library\n",
    )
    gitignore = template_repository / "{{cookiecutter.__project_dir}}" / ".gitignore"
    gitignore.write_text(gitignore.read_text(encoding="utf-8") + "\n# Coverage\n.coverage\n", encoding="utf-8")
    commit_all(template_repository, "A new title, and .coverage ignored")
    git("tag", "2026.12.1", cwd=template_repository)

    checked = subprocess.run([TOOLS / "copier", "check-update", "--quiet"], cwd=project)
    assert checked.returncode == 2  # copier's "a newer version is available"
    updated = run(TOOLS / "copier", "update", "--trust", "--defaults", cwd=project)
    assert "Created" not in updated.stdout  # no first-day steps on an update
    readme = (project / "README.md").read_text(encoding="utf-8")
    conflict = ["<<<<<<< before updating", "# Ledger, by the payments team", "=======", "# The Ledger library"]
    assert readme.splitlines()[:5] == [*conflict, ">>>>>>> after updating"]  # both, inline, for the owner
    assert (project / ".gitignore").read_text(encoding="utf-8").endswith("# Coverage\n.coverage\n")
    assert (project / "src" / "ledger" / "rates.py").read_text(encoding="utf-8") == "RATE = 2\n"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))["_commit"] == "2026.12.1"


def with_the_old_extension(template: Path) -> None:
    """The template as it was before this change: a local_extensions.py whose filter
    pyproject.toml used, loaded through cookiecutter.json's _extensions."""
    (template / "local_extensions.py").write_text(
        "import json\nfrom jinja2.ext import Extension\n\n\nclass TemplateFilters(Extension):\n"
        "    def __init__(self, environment):\n        super().__init__(environment)\n"
        "        environment.filters['toml_string'] = json.dumps\n",
        encoding="utf-8",
    )
    context = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    context["_extensions"] = ["local_extensions.TemplateFilters"]
    (template / "cookiecutter.json").write_text(json.dumps(context, indent=2, ensure_ascii=False), encoding="utf-8")
    pyproject = template / "{{cookiecutter.__project_dir}}" / "pyproject.toml"
    edit(pyproject, "\"{{ cookiecutter.description | replace('\\\\', '\\\\\\\\') | replace('\"', '\\\\\"') }}\"",
         "{{ cookiecutter.description | toml_string }}")  # fmt: skip


def test_cruft_update_crosses_the_change_that_removed_the_local_extension(tmp_path, template_repository):
    now = (template_repository / "cookiecutter.json").read_text(encoding="utf-8")
    pyproject_now = (template_repository / "{{cookiecutter.__project_dir}}" / "pyproject.toml").read_text()
    with_the_old_extension(template_repository)
    commit_all(template_repository, "With a local extension")
    run(TOOLS / "cruft", "create", "--no-input", "--output-dir", tmp_path, "--extra-context",
        json.dumps({"project_name": "Ledger", "description": 'Rates "and" fees'}), template_repository,
        cwd=tmp_path)  # fmt: skip
    project = tmp_path / "ledger"
    git("init", "-q", cwd=project)
    commit_all(project, "First version")

    (template_repository / "local_extensions.py").unlink()
    (template_repository / "cookiecutter.json").write_text(now, encoding="utf-8")
    (template_repository / "{{cookiecutter.__project_dir}}" / "pyproject.toml").write_text(pyproject_now)
    edit(
        template_repository / README,
        "# {{ cookiecutter.project_name }}\n",
        "# The {{ cookiecutter.project_name | title }} library\n",
    )
    commit_all(template_repository, "No local extension; a new title")

    run(TOOLS / "cruft", "update", "--skip-apply-ask", "--allow-untracked-files", cwd=project)
    assert (project / "README.md").read_text(encoding="utf-8").startswith("# The Ledger library\n")
    assert 'description = "Rates \\"and\\" fees"' in (project / "pyproject.toml").read_text(encoding="utf-8")


# --- the template-update jobs, their own commands run on a project whose template moved on ---


def update_commands(project: Path, provider: str) -> str:
    """The job's shell commands from the baked CI file, less its install line (the same pins as
    the test group of pyproject.toml: the suite's own copier and cruft run instead)."""
    if provider == "github":
        workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text(encoding="utf-8"))
        install, script = workflow["jobs"]["update"]["steps"][-1]["run"].split("\n", 1)
    else:
        install, *lines = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))["template-update"][
            "script"
        ]
        script = "\n".join(lines)
    pins = set(
        tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["dependency-groups"]["test"]
    )
    assert install.split()[:4] == ["python", "-m", "pip", "install"] and set(install.split()[4:]) <= pins
    return script


@pytest.mark.parametrize(("provider", "generator"), [("github", "copier"), ("gitlab", "cruft")])
def test_the_template_update_job_opens_a_request_that_names_both_template_versions(
    tmp_path,
    template_repository,
    provider,
    generator,
):
    git("tag", "2026.12.0", cwd=template_repository)
    options = {"project_name": "Ledger", "ci_provider": provider}
    if generator == "copier":
        data = [word for key, value in options.items() for word in ("--data", f"{key}={value}")]
        run(
            TOOLS / "copier",
            "copy",
            "--trust",
            "--defaults",
            *data,
            template_repository,
            tmp_path / "ledger",
            cwd=tmp_path,
        )
    else:
        run(TOOLS / "cruft", "create", "--no-input", "--output-dir", tmp_path, "--extra-context", json.dumps(options),
            template_repository, cwd=tmp_path)  # fmt: skip
    project, remote = tmp_path / "ledger", tmp_path / "remote.git"
    git("init", "-q", "--bare", remote, cwd=tmp_path)
    git("config", "receive.advertisePushOptions", "true", cwd=remote)
    git("init", "-q", "-b", "main", cwd=project)
    git("remote", "add", "origin", remote, cwd=project)
    commit_all(project, "First version")
    started = git("rev-parse", "HEAD", cwd=template_repository).stdout.strip()
    edit(
        template_repository / README,
        "# {{ cookiecutter.project_name }}\n",
        "# The {{ cookiecutter.project_name }} library\n",
    )
    commit_all(template_repository, "A new title")
    git("tag", "2026.12.1", cwd=template_repository)
    moved = git("rev-parse", "HEAD", cwd=template_repository).stdout.strip()

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path / "gh-args"}\n', encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:{TOOLS}:/usr/bin:/bin", "HOME": str(tmp_path), "GH_TOKEN": "t", "TEMPLATE_READ_TOKEN": "",
        "GITHUB_REPOSITORY": "org/ledger", "CI_JOB_ID": "7", "CI_DEFAULT_BRANCH": "main",
        "GIT_CONFIG_COUNT": "3", "GIT_CONFIG_KEY_0": f"url.{remote}.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://x-access-token:t@github.com/org/ledger.git",
        "GIT_CONFIG_KEY_1": "user.name", "GIT_CONFIG_VALUE_1": "Bot",
        "GIT_CONFIG_KEY_2": "user.email", "GIT_CONFIG_VALUE_2": "bot@example.com",
    }  # fmt: skip
    job = subprocess.run(["bash", "-e", "-c", update_commands(project, provider)], cwd=project, env=env,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert job.returncode == 0, job.stdout + job.stderr

    names = {"copier": ("2026.12.0", "2026.12.1"), "cruft": (started[:12], moved[:12])}[generator]
    title = f"Update from the template {names[0]} → {names[1]} (release tool "
    (branch,) = git("branch", "--list", "template-update/*", "--format=%(refname:short)", cwd=remote).stdout.split()
    assert git("log", "-1", "--format=%s", branch, cwd=remote).stdout.startswith(title)
    shown = git("show", f"{branch}:README.md", cwd=remote).stdout
    assert shown.startswith("# The Ledger library\n")
    if provider == "github":
        arguments = (tmp_path / "gh-args").read_text(encoding="utf-8").splitlines()
        assert arguments[:4] == ["pr", "create", "--head", branch] and arguments[5].startswith(title)

    rerun = subprocess.run(["bash", "-e", "-c", update_commands(project, provider)], cwd=project, env=env,
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert rerun.returncode == 0 and git("branch", "--list", cwd=project).stdout.count("template-update/") == 1
