"""Slow: a baked project takes the template's later versions, with copier and with cruft, as
README.rst and the template-update jobs run them: across a change its owner also made, and across
the change that used to break cruft (cruft#253: a local Jinja extension stays imported at its old
version). copier runs no code of the template, so none of its commands needs --trust."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import TEMPLATE_DIR, commit_all, edit, git
from tests.support.tools import run

pytestmark = pytest.mark.slow

TOOLS = Path(sys.executable).parent
README = "{{cookiecutter.__project_dir}}/README.md"


def test_copier_update_merges_the_next_template_version_with_the_owners_edits(tmp_path, template_repository):
    git("tag", "2026.12.0", cwd=template_repository)
    run(TOOLS / "copier", "copy", "--defaults", "--data", "project_name=Ledger", template_repository,
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
    updated = run(*readme_command("uvx copier update"), cwd=project)
    assert "Created" not in updated.stdout + updated.stderr  # no first-day steps on an update
    readme = (project / "README.md").read_text(encoding="utf-8")
    conflict = ["<<<<<<< before updating", "# Ledger, by the payments team", "=======", "# The Ledger library"]
    assert readme.splitlines()[:5] == [*conflict, ">>>>>>> after updating"]  # both, inline, for the owner
    assert (project / ".gitignore").read_text(encoding="utf-8").endswith("# Coverage\n.coverage\n")
    assert (project / "src" / "ledger" / "rates.py").read_text(encoding="utf-8") == "RATE = 2\n"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))["_commit"] == "2026.12.1"
    assert_the_conflict_is_found_as_readme_rst_says(project)


def readme_command(start: str) -> list[str]:
    """The command of README.rst's "Keeping projects up to date" that starts with ``start``, as
    words, with uvx's tool run from this environment."""
    section = (TEMPLATE_DIR / "README.rst").read_text(encoding="utf-8").split("Keeping projects up to date")[1]
    lines = [line.strip() for line in re.findall(r"\.\. code-block:: sh\n\n((?:   .*\n)+)", section)[0:2]]
    command = next(part.strip() for line in lines for part in line.split(";") if part.strip().startswith(start))
    words = shlex.split(command)
    return [str(TOOLS / words[1]), *words[2:]] if words[0] == "uvx" else words


def assert_the_conflict_is_found_as_readme_rst_says(project: Path) -> None:
    status = subprocess.run(["git", "status", "--short"], cwd=project, capture_output=True, text=True)
    assert " README.md" in status.stdout
    check = subprocess.run(["git", "diff", "--check"], cwd=project, capture_output=True, text=True)
    assert check.returncode != 0 and "README.md:1: leftover conflict marker" in check.stdout


def test_cruft_update_as_readme_rst_gives_it_updates_and_leaves_the_conflict_to_find(tmp_path, template_repository):
    run(TOOLS / "cookiecutter", "--no-input", template_repository, "project_name=Ledger", cwd=tmp_path)
    project = tmp_path / "ledger"
    git("init", "-q", cwd=project)
    commit_all(project, "First version")
    edit(project / "README.md", "# Ledger\n", "# Ledger, by the payments team\n")
    commit_all(project, "Our own title")
    edit(
        template_repository / README,
        "# {{ cookiecutter.project_name }}\n",
        "# The {{ cookiecutter.project_name }} library\n",
    )
    commit_all(template_repository, "A new title")

    assert subprocess.run([TOOLS / "cruft", "check"], cwd=project, capture_output=True).returncode == 1  # due
    updated = run(*readme_command("uvx cruft update"), cwd=project)
    assert "Good work!" in updated.stdout  # and exit status 0, with a conflict in README.md
    assert (
        json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"]
        == git("rev-parse", "HEAD", cwd=template_repository).stdout.strip()
    )
    assert_the_conflict_is_found_as_readme_rst_says(project)


def test_a_bake_from_inside_a_clone_records_the_clone_so_cruft_sees_its_next_commit(tmp_path, template_repository):
    """README.rst: from a clone, its path; a user in the clone types ``cookiecutter .``."""
    shell = {**os.environ, "PWD": str(template_repository)}  # what a shell in the clone sets
    baked = run(TOOLS / "cookiecutter", "--no-input", ".", "project_name=Ledger", cwd=template_repository, env=shell)
    assert "warning" not in baked.stderr
    project = template_repository / "ledger"
    record = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert record["template"] == str(template_repository)
    assert record["commit"] == git("rev-parse", "HEAD", cwd=template_repository).stdout.strip()
    assert run(TOOLS / "cruft", "check", cwd=project).returncode == 0
    (template_repository / "ledger").rename(tmp_path / "ledger")  # the project leaves the clone
    edit(template_repository / README, "# {{ cookiecutter.project_name }}\n", "# The {{ cookiecutter.project_name }}\n")
    commit_all(template_repository, "A new title")
    assert subprocess.run([TOOLS / "cruft", "check"], cwd=tmp_path / "ledger", capture_output=True).returncode == 1


def test_a_relative_template_that_cannot_be_found_again_is_warned_about(tmp_path, template_repository):
    no_shell = {key: value for key, value in os.environ.items() if key != "PWD"}
    baked = run(TOOLS / "cookiecutter", "--no-input", "template", "--output-dir", "out", cwd=tmp_path, env=no_shell)
    assert "warning: .cruft.json records the template as template, a path relative to" in baked.stderr


def test_cruft_create_in_the_temporary_folder_prints_the_next_steps(tmp_path, template_repository):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    created = run(TOOLS / "cruft", "create", "--no-input", template_repository, cwd=temporary,
                  env={**os.environ, "TMPDIR": str(temporary)})  # fmt: skip
    assert created.stdout.startswith("Created acme-utils. Next steps, one paste each:\n")
    last = created.stdout.splitlines()[-1]
    assert last == "`uvx cruft update -y` brings the template's changes (.cruft.json records it)."
    assert readme_command("uvx cruft update") == [str(TOOLS / "cruft"), "update", "-y"]


def test_copier_copies_without_trust_and_prints_readmes_update_command(tmp_path, template_repository):
    copied = run(TOOLS / "copier", "copy", "--defaults", "--data", "ci_provider=gitlab", template_repository,
                 tmp_path / "acme", cwd=tmp_path)  # fmt: skip
    assert "`uvx copier update --defaults` brings the template's changes" in copied.stderr
    assert readme_command("uvx copier update") == [str(TOOLS / "copier"), "update", "--defaults"]
    assert not (tmp_path / "acme" / ".github").exists()  # _exclude, where the hook used to tidy


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
    context["_extensions"] = [*context["_extensions"], "local_extensions.TemplateFilters"]
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


# The template-update jobs themselves, run as their runners run them: tests/test_pipelines.py.


def test_copier_given_a_relative_template_path_warns_that_update_cannot_find_it(tmp_path, template_repository):
    copied = run(TOOLS / "copier", "copy", "--defaults", "template", "ledger", cwd=tmp_path)
    assert yaml.safe_load((tmp_path / "ledger" / ".copier-answers.yml").read_text(encoding="utf-8"))["_src_path"] == (
        "template"
    )
    assert "warning: .copier-answers.yml records the template as template, a path relative to" in copied.stderr


def test_a_project_copied_when_copier_ran_a_task_needs_trust_once_as_readme_rst_says(tmp_path, template_repository):
    kept = (template_repository / "copier.yml").read_text(encoding="utf-8")
    edit(template_repository / "copier.yml", "_migrations: []\n", '_migrations: []\n_tasks: ["git --version"]\n')
    commit_all(template_repository, "A template version whose copier.yml runs a task")
    git("tag", "2026.12.0", cwd=template_repository)
    run(TOOLS / "copier", "copy", "--trust", "--defaults", template_repository, tmp_path / "acme", cwd=tmp_path)
    project = tmp_path / "acme"
    git("init", "-q", cwd=project)
    commit_all(project, "First version")
    (template_repository / "copier.yml").write_text(kept, encoding="utf-8")
    commit_all(template_repository, "copier runs no code of the template")
    git("tag", "2026.12.1", cwd=template_repository)

    refused = subprocess.run([TOOLS / "copier", "update", "--defaults"], cwd=project, capture_output=True, text=True)
    assert "unsafe feature: tasks" in refused.stderr and "2026.12.0" in (project / ".copier-answers.yml").read_text()
    run(TOOLS / "copier", "update", "--defaults", "--trust", cwd=project)  # once
    commit_all(project, "Template 2026.12.1")
    edit(template_repository / README, "# {{ cookiecutter.project_name }}\n", "# The {{ cookiecutter.project_name }}\n")
    commit_all(template_repository, "A new title")
    git("tag", "2026.12.2", cwd=template_repository)
    run(*readme_command("uvx copier update"), cwd=project)  # and never again
    assert (project / "README.md").read_text(encoding="utf-8").startswith("# The Acme Utils\n")
