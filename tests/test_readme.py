"""README.rst is the user's only guide: its commands must be the ones that are tested."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import DEFAULTS, MANAGERS, TEMPLATE_DIR
from tests.support.clean_machine import readme_pastes

README = (TEMPLATE_DIR / "README.rst").read_text(encoding="utf-8")
TEST_GROUP = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["dependency-groups"]["test"]


def code_blocks(text: str) -> list[str]:
    blocks = re.findall(r"\.\. code-block:: sh\n\n((?:   .*\n|\n)+)", text)
    return [re.sub(r"^   ", "", block, flags=re.MULTILINE).strip() for block in blocks]


def test_ci_runs_the_test_command_of_the_readme():
    test_command = next(block for block in code_blocks(README) if "pytest" in block)
    ci_lines = (TEMPLATE_DIR / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci_lines[-1] == test_command


def test_the_test_requirements_are_pinned_and_locked():
    """The ``test`` group pins each tool exactly (the bakes' own versions of copier, cruft,
    Poetry); uv.lock locks it (``uv sync --locked`` in .ci/run fails on a stale lock); and pip
    installs uv, which installs the rest, with hashes only."""
    assert TEST_GROUP and all(re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][^ ]*", line) for line in TEST_GROUP)
    locked = tomllib.loads((TEMPLATE_DIR / "uv.lock").read_text(encoding="utf-8"))["package"]
    assert {(package["name"], package["version"]) for package in locked} >= {
        (canonicalize_name(name), version) for name, version in (line.split("==") for line in TEST_GROUP)
    }
    files = [file for package in locked for file in [package.get("sdist"), *package.get("wheels", [])] if file]
    assert files and all(file["hash"].startswith("sha256:") for file in files)
    bootstrap = (TEMPLATE_DIR / ".ci" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    uv, *hashes = [line.strip() for line in bootstrap if line and not line.startswith("#")]
    assert re.fullmatch(r"uv==[0-9][^ ]* \\", uv) and hashes
    assert all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}( \\)?", line) for line in hashes)
    assert not (TEMPLATE_DIR / "tests" / "requirements.txt").exists()


def test_the_readme_lists_every_variable():
    for key in DEFAULTS:
        if not key.startswith("_"):
            assert f"``{key}``" in README, key


def test_the_template_code_passes_ruff():
    """``ruff check .`` and ``ruff format --check .`` at the root: the hooks, these tests and the
    maintainers' scripts follow ruff.toml, which leaves out the baked code (it has its own)."""
    ruff = [str(Path(sys.executable).with_name("ruff"))]
    for command in (["check", "."], ["format", "--check", "."]):
        proc = subprocess.run(ruff + command, cwd=TEMPLATE_DIR, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_package_manager_table_of_the_readme_is_cookiecutter_json():
    """README.rst shows the commands of ``_managers``; this keeps the two equal."""
    table = README.split(".. list-table::", 1)[1].split("\n\n", 2)[1]
    rows = [re.findall(r"``([^`]*)``", row) for row in table.split("   * - ")[2:]]
    assert rows == [[name, pm["tool"], pm["sync"], pm["run"] + "pytest", pm["build"]] for name, pm in MANAGERS.items()]


def test_a_fresh_account_installs_each_manager_as_the_bake_would():
    """README.rst's first paste for a project is what the bake prints when the tools are missing."""
    install = {name: " && ".join(pm["install"].values()) for name, pm in MANAGERS.items()}
    assert readme_pastes(README, "uv") == [install["uv"], "uvx cookiecutter gh:org/cookiecutter-codeartifact-python"]
    assert readme_pastes(README, "poetry") == [
        install["poetry"],
        "pipx run cookiecutter gh:org/cookiecutter-codeartifact-python",
    ]
    (pip,) = readme_pastes(README, "pip")
    assert install["pip"] == "" and pip.endswith("/bin/cookiecutter gh:org/cookiecutter-codeartifact-python")


def test_the_templates_own_ci_runs_the_test_command_of_the_readme_on_every_python():
    workflow = yaml.safe_load((TEMPLATE_DIR / ".github" / "workflows" / "test.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["test"]
    test_command = next(block for block in code_blocks(README) if "pytest" in block)
    assert [step.get("run") for step in job["steps"]][-1] == test_command
    assert job["strategy"]["matrix"]["python"] == DEFAULTS["_python_versions"]
    assert workflow["permissions"] == {} and job["permissions"] == {"contents": "read"}


def test_the_templates_own_ci_runs_the_weekly_layer_on_its_schedule_on_every_python():
    """The same install as the test command, then the layer pytest.ini leaves out."""
    workflow = yaml.safe_load((TEMPLATE_DIR / ".github" / "workflows" / "test.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["weekly"]
    install, tests = job["steps"][-1]["run"].splitlines()
    test_command = next(block for block in code_blocks(README) if "pytest" in block)
    assert f"{install} && {tests}" == f"{test_command} -m weekly"
    assert "schedule" in workflow[True] and "schedule" in job["if"]  # YAML 1.1 reads the key `on` as true
    assert job["strategy"]["matrix"]["python"] == DEFAULTS["_python_versions"]
    assert job["permissions"] == {"contents": "read"}
    assert '-m "not weekly"' in (TEMPLATE_DIR / "pytest.ini").read_text(encoding="utf-8")


def test_the_templates_own_github_files_pass_zizmor_and_their_schemas():
    github = TEMPLATE_DIR / ".github"
    zizmor = subprocess.run([Path(sys.executable).with_name("zizmor"), "--offline", "--persona=auditor", github],
                            capture_output=True, text=True)  # fmt: skip
    assert zizmor.returncode == 0 and "No findings to report" in zizmor.stdout + zizmor.stderr, zizmor.stdout
    for schema, path in [("vendor.github-workflows", "workflows/test.yml"), ("vendor.dependabot", "dependabot.yml")]:
        check = subprocess.run([Path(sys.executable).with_name("check-jsonschema"), "--builtin-schema", schema,
                                github / path], capture_output=True, text=True)  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_test_requirements_hold_every_dependency_of_the_release_tool():
    """The fast layer imports the release tool in the suite's own environment."""
    script = (TEMPLATE_DIR / "{{cookiecutter.__project_dir}}" / "scripts" / "codeartifact.py").read_text(
        encoding="utf-8"
    )
    header = "\n".join(
        line.removeprefix("# ") for line in script.split("# /// script\n", 1)[1].split("# ///")[0].splitlines()
    )
    needed = {canonicalize_name(Requirement(dep).name) for dep in tomllib.loads(header)["dependencies"]}
    pinned = {canonicalize_name(line.split("==")[0]) for line in TEST_GROUP}
    assert needed - pinned == set()


def test_the_commands_readme_rst_quotes_from_a_bake_are_the_baked_readmes(bake):
    """ "The project's README.md takes it from there (for uv: ``…``, …)": each quoted command is a
    line of a code block of a default bake's README.md."""
    sentence = README.split("The project's ``README.md`` takes it from there", 1)[1].split(")", 1)[0]
    quoted = re.findall(r"``([^`]+)``", sentence)
    readme = (bake() / "README.md").read_text(encoding="utf-8")
    lines = {line.strip() for block in re.findall(r"```sh\n(.*?)```", readme, re.DOTALL) for line in block.splitlines()}
    assert len(quoted) == 3 and set(quoted) <= lines
