"""Fast checks of baked projects: their trees, their files and their metadata."""

from __future__ import annotations

import datetime
import functools
import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from validate_pyproject import api as validate_pyproject

from tests.conftest import DEFAULTS, MANAGERS
from tests.support.cloudformation import load_yaml

DEFAULT_TREE = {
    ".cruft.json",
    ".github/dependabot.yml",
    ".github/workflows/ci.yml",
    ".github/workflows/release.yml",
    ".github/workflows/template-update.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "CHANGELOG.md",
    "LICENSE",
    "README.md",
    "infra/codeartifact.yaml",
    "pyproject.toml",
    "scripts/codeartifact.py",
    "scripts/codeartifact.py.lock",
    "scripts/update-requirements.txt",
    "scripts/uv-requirements.txt",
    "src/acme_utils/__init__.py",
    "src/acme_utils/py.typed",
    "tests/test_acme_utils.py",
}

OPTIONS = {key: DEFAULTS[key] for key in DEFAULTS if isinstance(DEFAULTS[key], list) and not key.startswith("_")}


def option_sets() -> list[dict[str, str]]:
    """Every package_manager x ci_provider x version_from, every python x license pair, each value at least once.

    The choices that change which files exist and what they run are baked in full; the versions
    and licenses, which change only a few lines, rotate through them and are also crossed with
    each other, so the set stays near 40 bakes instead of 288.
    """
    tooling = list(itertools.product(OPTIONS["package_manager"], OPTIONS["ci_provider"], OPTIONS["version_from"]))
    metadata = list(itertools.product(OPTIONS["python_min_version"], OPTIONS["license"]))
    sets = [
        {"package_manager": pm, "ci_provider": ci, "version_from": version_from,
         "python_min_version": metadata[i % len(metadata)][0], "license": metadata[(i * 5) % len(metadata)][1]}
        for i, (pm, ci, version_from) in enumerate(tooling)
    ] + [{"python_min_version": python, "license": license} for python, license in metadata]  # fmt: skip
    assert {key for options in sets for key in options} == set(OPTIONS)
    for key, values in OPTIONS.items():
        assert {options.get(key, values[0]) for options in sets} == set(values), key
    return sets


EVERY_OPTION_SET = option_sets()


def files_of(project: Path) -> dict[str, str]:
    return {
        path.relative_to(project).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


def pyproject_of(project: Path) -> dict:
    return tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))


def test_defaults_bake_the_expected_tree(bake):
    project = bake()
    assert project.name == "acme-utils"
    assert set(files_of(project)) == DEFAULT_TREE


def test_the_default_pyproject_describes_the_package(bake):
    pyproject = pyproject_of(bake())
    project = pyproject["project"]
    assert project["name"] == "acme-utils"
    assert project["version"] == "0.1.0"
    assert project["requires-python"] == ">=3.11"
    assert project["license"] == "LicenseRef-Proprietary"
    assert "Private :: Do Not Upload" in project["classifiers"]
    assert pyproject["dependency-groups"]["dev"]
    assert pyproject["build-system"] == {"requires": ["uv_build>=0.7.19,<0.14"], "build-backend": "uv_build"}
    assert pyproject["tool"]["uv"]["build-backend"] == {"module-name": "acme_utils"}


def test_codeartifact_is_the_one_uv_index(bake):
    endpoint = "https://my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/"
    pyproject = pyproject_of(bake())
    assert pyproject["tool"]["uv"]["index"] == [
        {
            "name": "codeartifact",
            "url": endpoint.replace("https://", "https://aws@") + "simple/",  # the keyring's user
            "publish-url": endpoint,
            "default": True,
        }
    ]
    assert pyproject["tool"]["codeartifact"] == {
        "domain": "my-domain",
        "domain-owner": "111122223333",
        "repository": "my-repo",
        "region": "us-east-1",
        "package-manager": "uv",
    }


@functools.cache
def pyproject_validator() -> validate_pyproject.Validator:
    return validate_pyproject.Validator()  # loads every tool's schema once


def assert_tidy(name: str, text: str) -> None:
    assert text.strip(), f"{name} is empty"
    assert text.endswith("\n") and not text.endswith("\n\n"), f"{name} does not end with one newline"
    # GitHub Actions expressions are ${{ ... }}; anything else with {{, {% or {# is a leftover.
    assert not re.search(r"(?<!\$)\{\{|\{%|\{#", text), f"{name} has template leftovers"
    if name != "scripts/update-requirements.txt":  # cruft's lock: cruft runs cookiecutter
        assert "cookiecutter" not in text.lower(), f"{name} mentions the template engine"
    assert not re.search(r"<built-in|object at 0x|\bNone\b`", text), f"{name} shows a Python object"
    if not name.endswith(".py"):  # PEP 8 puts two blank lines between definitions
        assert "\n\n\n" not in text, f"{name} has runs of blank lines"
    assert not re.search(r"[ \t]+$", text, re.MULTILINE), f"{name} has trailing whitespace"


@pytest.mark.parametrize("options", EVERY_OPTION_SET, ids=lambda o: "-".join(o.values()))
def test_every_option_set_bakes_a_clean_valid_project(bake, options):
    project = bake(**options)
    files = files_of(project)
    for name, text in files.items():
        if name == ".cruft.json":  # cruft's record of the answers, template engine and all
            continue
        assert_tidy(name, text)
        if name.endswith((".yml", ".yaml")):
            assert load_yaml(project / name), name
    assert not any("{" in name or "cookiecutter" in name for name in files)

    pyproject = pyproject_of(project)
    pyproject_validator()(pyproject)
    minimum = options["python_min_version"]
    assert pyproject["project"]["requires-python"] == f">={minimum}"
    classifiers = pyproject["project"]["classifiers"]
    versions = [c.rsplit(" ", 1)[1] for c in classifiers if c.startswith("Programming Language :: Python :: 3.")]
    assert versions == [v for v in DEFAULTS["_python_versions"] if int(v.split(".")[1]) >= int(minimum.split(".")[1])]


@pytest.mark.parametrize(
    ("license", "first_words", "spdx"),
    [
        ("Proprietary", "Copyright (c) ", "LicenseRef-Proprietary"),
        ("MIT", "MIT License\n\nCopyright (c) ", "MIT"),
        ("Apache-2.0", "                                 Apache License\n", "Apache-2.0"),
    ],
)
def test_the_license_file_matches_the_choice(bake, license, first_words, spdx):
    project = bake(license=license, author_name="Ana Núñez")
    text = (project / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith(first_words)
    assert "Ana Núñez" in text
    assert pyproject_of(project)["project"]["license"] == spdx


def test_the_changelog_keeps_a_changelog(bake):
    text = (bake(version="3.1.4") / "CHANGELOG.md").read_text(encoding="utf-8")
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert f"## [Unreleased]\n\n## [3.1.4] - {today}\n\n### Added\n\n- First version of acme-utils.\n" in text


def test_the_readme_gives_the_real_endpoint_and_names(bake):
    project = bake(codeartifact_domain="platform", codeartifact_domain_owner="444455556666", aws_region="eu-west-1",
                   codeartifact_repository="python", project_name="Ledger")  # fmt: skip
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "https://platform-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/python/simple/" in readme
    assert "uv add ledger" in readme
    assert "import ledger" in readme


@pytest.mark.parametrize(
    "text",
    ['quote " and backslash \\ and colon :', "Seán O'Brien", "emoji 🚀 and CJK 漢字", "'''\"\"\"", "\\u0041 \\n"],
)
def test_free_text_reaches_pyproject_toml_unchanged(bake, text):
    """TOML's basic strings need only '\\' and '"' escaped in text the pre-gen hook lets through
    (one line, no control characters), so Jinja's own replace filter does it: no local extension."""
    pyproject = (bake(description=text, author_name=text) / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(pyproject)["project"]
    assert (project["description"], project["authors"][0]["name"]) == (text, text)


def test_free_text_keeps_letters_readable_in_pyproject_toml(bake):
    assert 'description = "Seán 🚀"' in (bake(description="Seán 🚀") / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("manager", MANAGERS)
@pytest.mark.parametrize(
    "invocation",
    ["login --tool {manager}", "env --tool", "url --simple", "publish --dry-run", "publish", "publish --dist dist",
     "publish --dev", "verify", "check-tag"],
)  # fmt: skip
def test_the_readme_documents_each_release_command(bake, manager, invocation):
    readme = (bake(package_manager=manager) / "README.md").read_text(encoding="utf-8")
    assert f"{MANAGERS[manager]['tool']} {invocation.format(manager=manager)}" in readme


# What each package manager's dev group must hold: the owner's tools, and for pip the build
# and upload tools that uv and Poetry bring themselves.
DEV_GROUP = {
    "uv": {"mypy", "pytest", "ruff"},
    "poetry": {"mypy", "pytest", "ruff"},
    "pip": {"build", "mypy", "pytest", "ruff", "twine"},
}


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_dev_group_is_one_pep_735_group_of_the_owners_tools(bake, manager):
    pyproject = pyproject_of(bake(package_manager=manager))
    names = {re.split(r"[<>=!~ ]", requirement)[0] for requirement in pyproject["dependency-groups"]["dev"]}
    assert names == DEV_GROUP[manager]
    assert "group" not in pyproject["tool"].get("poetry", {})  # one form of the group for all three


def test_poetry_takes_every_package_from_codeartifact_first(bake):
    """A primary source replaces PyPI; supplemental or explicit would let PyPI answer first."""
    endpoint = "https://my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/"
    pyproject = pyproject_of(bake(package_manager="poetry"))
    assert pyproject["tool"]["poetry"]["source"] == [
        {"name": "codeartifact", "url": endpoint + "simple/", "priority": "primary"}
    ]
    assert pyproject["tool"]["poetry"]["requires-poetry"] == ">=2.2"


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_baked_tests_and_type_checks_are_the_owners_only(bake, manager):
    project = bake(package_manager=manager)
    assert sorted(p.name for p in (project / "tests").iterdir()) == ["test_acme_utils.py"]
    pyproject = pyproject_of(project)
    assert pyproject["tool"]["mypy"]["files"] == ["src", "tests"]
    assert "overrides" not in pyproject["tool"]["mypy"]
    assert "scripts" not in (project / "pyproject.toml").read_text(encoding="utf-8").split("[tool.codeartifact]")[1]


# --- outside judges: repo-review, codespell, mdformat --------------------------------

REPO_REVIEW_IGNORED = {"PY004", "PY007", "PC901", "PC902", "PC903"}


@pytest.mark.parametrize("ci_provider", ["github", "gitlab"])
def test_repo_review_fails_nothing_and_skips_only_what_the_project_explains(bake, ci_provider):
    """Scientific Python's repo-review, as a maintainer would run it on a fresh bake (3 s a run:
    GitHub, and GitLab for the providers without GitHub Actions)."""
    from repo_review.processor import process

    _, results = process(bake(ci_provider=ci_provider))
    failed = {result.name: result.err_msg for result in results if result.result is False}
    passed = {result.name for result in results if result.result}
    ignored = {result.name for result in results if result.result is None and result.skip_reason}
    assert failed == {}
    assert ignored == REPO_REVIEW_IGNORED | ({"GH100"} if ci_provider != "github" else set())
    assert len(passed) >= (55 if ci_provider == "github" else 44)
    assert {"MY103", "MY104", "MY105", "MY106", "PP302", "PP304", "PC140", "PC160", "PC191"} <= passed
    if ci_provider == "github":
        assert "SEC001" in passed


@pytest.mark.parametrize("ci_provider", DEFAULTS["ci_provider"])
def test_every_repo_review_exception_has_a_reason(bake, ci_provider):
    ignore = pyproject_of(bake(ci_provider=ci_provider))["tool"]["repo-review"]["ignore"]
    assert set(ignore) == REPO_REVIEW_IGNORED | ({"GH100"} if ci_provider != "github" else set())
    assert all(len(reason) > 20 for reason in ignore.values())


def test_the_projects_own_pre_commit_checks_find_nothing_to_change(bake):
    """codespell and mdformat, as the baked pre-commit configuration runs them, over one bake
    of each package manager and CI provider (one run of each tool, for speed)."""
    projects = [bake(**options) for options in EVERY_OPTION_SET[:12]]
    config = load_yaml(projects[0] / ".pre-commit-config.yaml")
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    markdown = [str(path) for project in projects for path in sorted(project.rglob("*.md"))]
    bin_dir = Path(sys.executable).parent
    for command in (
        [bin_dir / "codespell", *projects],
        [bin_dir / "mdformat", "--check", *hooks["mdformat"]["args"], *markdown],
    ):
        proc = subprocess.run(command, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_pre_commit_hook_is_pinned_to_a_commit_or_says_why_not(bake):
    text = (bake() / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    revs = re.findall(r"^    rev: (\S+)(.*)$", text, re.MULTILINE)
    assert len(revs) == 7  # six hooks, and zizmor for the GitHub workflows
    for rev, comment in revs:
        pinned = re.fullmatch(r"[0-9a-f]{40}", rev) and re.fullmatch(r"  # frozen: v?[0-9.]+", comment)
        assert pinned or "autoupdate --freeze" in comment, (rev, comment)
    ruff = re.search(r"ruff-pre-commit\n    rev: ([0-9a-f]{40})  # frozen: v0\.\d+\.\d+\n", text)
    assert ruff, "the ruff hook is pinned to a commit"
