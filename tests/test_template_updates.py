"""Slow: a baked project takes the template's later versions, with copier and with cruft, as
the template-update jobs run them: across a change its owner also made, and across the change
that used to break cruft (cruft#253: a local Jinja extension stays imported at its old version)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import commit_all, edit, git
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


# The template-update jobs themselves, run as their runners run them: tests/test_pipelines.py.
