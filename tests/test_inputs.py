"""The answer rules of hooks/pre_gen_project.py: refusals, valid edges, and no drift from botocore."""

from __future__ import annotations

import functools
import shlex
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.loaders
import pytest
import tomllib
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from tests.conftest import DEFAULTS, TEMPLATE_DIR, load_hook

hook = load_hook("pre_gen_project")

# (key, value, why it is refused, the fix the message suggests or None)
INVALID = [
    ("project_name", "", "it has 0 characters", None),
    ("project_name", "x" * 101, "it has 101 characters", "x" * 100),
    ("project_name", "two\nlines", "more than one line", "'two lines'"),
    ("package_name", "-acme", "start with a letter or digit", "acme"),
    ("package_name", "acme utils", "spaces are not allowed", "acme-utils"),
    ("package_name", "acme_", "end with a letter or digit", "acme"),
    ("package_name", "café", "only ASCII", "cafe"),
    ("package_name", "../evil", "start with a letter or digit", "evil"),
    ("package_name", "a/b", "not allowed", "a-b"),
    ("package_name", "a\\b", "not allowed", "a-b"),
    ("import_name", "1abc", "not a Python identifier", "pkg_1abc"),
    ("import_name", "class", "a Python keyword", "class_lib"),
    ("import_name", "json", "standard-library module", "json_lib"),
    ("import_name", "acme-utils", "not a Python identifier", "acme_utils"),
    ("import_name", "a" * 248, "would make the file name tests/test_aaa", "a" * 247),
    ("project_name", "Acme\u202eUtils", "invisible formatting characters", "AcmeUtils"),
    ("author_name", "Jane\u200bDoe", "invisible formatting characters", "JaneDoe"),
    ("description", "Reads \udcff files", "not valid Unicode", "'Reads  files'"),
    ("project_name", "Acme\x1b[31mRed", "control characters", "'Acme[31mRed'"),
    ("description", "first line\nsecond line", "more than one line", "'first line second line'"),
    ("author_name", "", "it has 0 characters", None),
    ("author_email", "jane", "not an e-mail address", None),
    ("author_email", "Jane Doe <jane@example.com>", "not an e-mail address", "jane@example.com"),
    ("author_email", "jane@example", "not an e-mail address", None),
    ("version", "v1.0", "leading 'v'", "1.0"),
    ("version", "one", "not allowed", None),
    ("version", "1.0 final", "not allowed", None),
    ("aws_region", "us-east", "end in '-' and a number", None),
    ("aws_region", "useast1", "end in '-' and a number", None),
    ("aws_region", "US-EAST-1", "uppercase letters are not allowed", "us-east-1"),
    ("aws_region", "us_east_1", "underscores are not allowed", "us-east-1"),
    ("codeartifact_domain", "my_domain", "underscores are not allowed", "my-domain"),
    ("codeartifact_domain", "a", "it has 1 characters", None),
    ("codeartifact_domain", "d" * 51, "it has 51 characters", "d" * 50),
    ("codeartifact_domain", "My-Domain", "uppercase letters are not allowed", "my-domain"),
    ("codeartifact_domain", "1domain", "start with a lowercase letter", "domain"),
    ("codeartifact_domain", "domain-", "must not end with a hyphen", "domain"),
    ("codeartifact_domain_owner", "12345", "it has 5 characters", None),
    ("codeartifact_domain_owner", "1" * 11, "it has 11 characters", None),
    ("codeartifact_domain_owner", "1" * 13, "it has 13 characters", None),
    ("codeartifact_domain_owner", "1111-2222-3333", "digits only", "111122223333"),
    ("codeartifact_domain_owner", "abcdefghijkl", "digits only", None),
    ("codeartifact_repository", "r", "it has 1 characters", None),
    ("codeartifact_repository", "my repo", "spaces are not allowed", "my-repo"),
    ("codeartifact_repository", "-repo", "start with a letter or digit", "repo"),
    ("codeartifact_repository", "r" * 101, "it has 101 characters", "r" * 100),
    ("codeartifact_repository", "team/repo", "not allowed", "team-repo"),
    # cookiecutter itself refuses a value that is not one of a choice variable's choices
    ("python_min_version", "3.9", "but the choices are", None),
    ("license", "GPL-3.0", "but the choices are", None),
]


@pytest.mark.parametrize(("key", "value", "reason", "fix"), INVALID, ids=[f"{k}={v[:20]!r}" for k, v, *_ in INVALID])
def test_a_wrong_answer_is_refused_and_leaves_nothing_behind(cookies, capfd, tmp_path, key, value, reason, fix):
    result = cookies.bake(extra_context={key: value}, template=str(TEMPLATE_DIR))
    out, err = capfd.readouterr()
    message = out + err + str(result.exception or "")

    assert result.exit_code != 0
    assert key in message
    assert reason in message
    if fix:
        assert f"; try {fix}." in message
    leftovers = [p for p in (Path(str(tmp_path)) / "cookies").rglob("*") if not p.name.startswith("bake")]
    assert leftovers == []
    assert not any((Path(str(tmp_path)) / "cookies").glob("bake*/*"))


def test_every_problem_is_reported_at_once():
    answers = {**hook_defaults(), "codeartifact_domain": "my_domain", "version": "v2", "aws_region": "moon"}
    keys = [problem.rule.key for problem in hook.validate(answers)]
    assert keys == ["version", "aws_region", "codeartifact_domain"]


@functools.cache
def hook_defaults() -> dict[str, str]:
    """The default answers, rendered the way cookiecutter renders them."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(context_file=str(TEMPLATE_DIR / "cookiecutter.json"))
    return dict(prompt_for_config(context, no_input=True))


def test_the_default_answers_are_valid():
    assert hook.validate(hook_defaults()) == []


VALID_EDGES = {
    "two-character domain": {"codeartifact_domain": "ab"},
    "fifty-character domain": {"codeartifact_domain": "a" + "b" * 48 + "c"},
    "hundred-character repository": {"codeartifact_repository": "R" * 99 + "9"},
    "repository with dots and underscores": {"codeartifact_repository": "Team_Repo.v2"},
    "quotes in every free text": {
        "project_name": 'Seán O\'Brien "Bob" Tools',
        "author_name": 'Seán O\'Brien "Bob"',
        "description": 'Parses "C:\\path\\to" files: 100% safe, isn\'t it? {braces} & <tags> 🚀',
    },
    "non-ASCII project name": {"project_name": "Ünïcödé Wörk"},
    "dotted package name": {"package_name": "Acme.Utils_2"},
    "pre-release version": {"version": "2.0.0rc1"},
    "a newer region": {"aws_region": "il-central-1"},
}


@pytest.mark.parametrize("answers", VALID_EDGES.values(), ids=VALID_EDGES.keys())
def test_valid_edge_values_bake(bake, answers):
    project = bake(**answers)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    config = pyproject["tool"]["codeartifact"]
    expected = {**hook_defaults(), **answers}
    assert pyproject["project"]["description"] == expected["description"]
    assert pyproject["project"]["authors"] == [{"name": expected["author_name"], "email": expected["author_email"]}]
    assert pyproject["project"]["version"] == expected["version"]
    assert config["domain"] == expected["codeartifact_domain"]
    assert config["repository"] == expected["codeartifact_repository"]
    assert (project / "README.md").read_text(encoding="utf-8").startswith(f"# {expected['project_name']}\n")


def test_a_derived_name_follows_the_project_name(bake):
    project = bake(project_name="Ünïcödé Wörk")
    assert project.name == "unicode-work"
    assert (project / "src" / "unicode_work" / "__init__.py").is_file()


def test_a_region_unknown_to_botocore_is_kept_with_a_warning(cookies, capfd):
    result = cookies.bake(extra_context={"aws_region": "il-central-1"}, template=str(TEMPLATE_DIR))
    assert result.exit_code == 0
    assert "warning: aws_region: il-central-1 is not a CodeArtifact region" in capfd.readouterr().err


INJECTIONS = [
    "'''); import os; os.system('touch PWNED'); print(('",
    '"""; import os; os.system("touch PWNED") #',
    "\\u0027\\u0027\\u0027 + __import__('os').system('touch PWNED')",
    "$(touch PWNED) `touch PWNED`",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_answers_are_data_not_code(bake, text):
    project = bake(description=text, author_name=text)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == text
    assert pyproject["project"]["authors"][0]["name"] == text
    assert not list(project.parent.rglob("PWNED"))
    assert not (TEMPLATE_DIR / "PWNED").exists()


def cookiecutter_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    cli = Path(sys.executable).with_name("cookiecutter")
    return subprocess.run([str(cli), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_printed_command_rebakes_with_the_fixes(tmp_path):
    """A newcomer copies the suggested command from the error and gets the project."""
    answers = {
        "project_name": 'Seán\'s "Quoted" Lib',
        "codeartifact_domain": "my_domain",
        "codeartifact_domain_owner": "1111 2222 3333",
        "version": "v1.2.0",
    }
    first = cookiecutter_cli(str(TEMPLATE_DIR), "--no-input", *[f"{k}={v}" for k, v in answers.items()], cwd=tmp_path)
    assert first.returncode != 0
    assert list(tmp_path.iterdir()) == []
    command = printed_command(first.stderr)

    words = shlex.split(command.replace("\\\n", " "))
    assert words[:4] == [sys.executable, "-m", "cookiecutter", str(TEMPLATE_DIR)]
    second = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert second.returncode == 0, second.stderr
    project = tmp_path / "sean-s-quoted-lib"
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == "1.2.0"
    assert pyproject["tool"]["codeartifact"]["domain"] == "my-domain"
    assert pyproject["tool"]["codeartifact"]["domain-owner"] == "111122223333"
    assert (project / "README.md").read_text(encoding="utf-8").startswith('# Seán\'s "Quoted" Lib\n')


def printed_command(stderr: str) -> str:
    return stderr.split("(edit any value first if you like):\n\n", 1)[1].split("\n\n", 1)[0]


def test_an_answer_with_no_fix_cannot_be_baked_by_running_the_printed_command_unchanged(tmp_path):
    first = cookiecutter_cli(
        str(TEMPLATE_DIR), "--no-input", "author_email=bob@", "codeartifact_domain_owner=12345",
        "project_name=Acme\x1b[2J\u202eUtils", cwd=tmp_path,
    )  # fmt: skip
    assert first.returncode != 0
    assert "\x1b" not in first.stderr and "\u202e" not in first.stderr  # shown escaped, never raw
    assert 'got "Acme\\x1b[2J\\u202eUtils"' in first.stderr
    command = printed_command(first.stderr)
    assert command.splitlines()[0] == "# first replace the ... of: author_email, codeartifact_domain_owner"
    assert "author_email=... " in command.replace("\\\n", " ")
    again = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode != 0
    assert 'author_email: got "..."' in again.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_newcomer_can_accept_every_default_interactively(tmp_path):
    answers = "Billing Client\n" + "\n" * 20  # a name, then Enter at every other prompt
    cli = Path(sys.executable).with_name("cookiecutter")
    proc = subprocess.run(
        [str(cli), str(TEMPLATE_DIR)], cwd=tmp_path, input=answers, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "AWS account ID that owns the CodeArtifact domain (12 digits)" in proc.stdout
    assert "cd billing-client" in proc.stdout
    assert (tmp_path / "billing-client" / "src" / "billing_client" / "__init__.py").is_file()


# --- the rules never drift from their sources ------------------------------------------


def botocore_shape(name: str) -> dict:
    model = botocore.loaders.Loader().load_service_model("codeartifact", "service-2")
    return model["shapes"][name]


@pytest.mark.parametrize(
    ("shape", "pattern", "length"),
    [
        ("DomainName", hook.DOMAIN_PATTERN, hook.DOMAIN_LENGTH),
        ("AccountId", hook.ACCOUNT_ID_PATTERN, hook.ACCOUNT_ID_LENGTH),
        ("RepositoryName", hook.REPOSITORY_PATTERN, hook.REPOSITORY_LENGTH),
    ],
)
def test_codeartifact_rules_are_botocore_rules(shape, pattern, length):
    model = botocore_shape(shape)
    assert pattern == model["pattern"]
    assert length == (model["min"], model["max"])


def test_package_name_length_is_botocore_rule():
    model = botocore_shape("PackageName")
    assert (model["min"], model["max"]) == hook.PACKAGE_NAME_LENGTH


def test_regions_are_botocore_codeartifact_regions():
    assert sorted(hook.CODEARTIFACT_REGIONS) == sorted(boto3.session.Session().get_available_regions("codeartifact"))
    assert all(hook.region_problem(region) is None for region in hook.CODEARTIFACT_REGIONS)


@pytest.mark.parametrize(
    "version",
    ["0.1.0", "1.0", "2.0.0rc1", "1!2.0.post1.dev3+local.7", "1.0-beta", "1.0.0.DEV1", "v1.0", "1.0 final",
     "one", "1.0.", "1..0", "1.0+", "", "1.0-beta.x", "2024.1.1"],
)  # fmt: skip
def test_version_rule_agrees_with_packaging(version):
    try:
        Version(version)
        packaging_accepts = not version.lower().startswith("v")  # the hook also refuses tag style
    except InvalidVersion:
        packaging_accepts = False
    assert (hook.version_problem(version) is None) == packaging_accepts


@pytest.mark.parametrize(
    "name", ["acme", "Acme.Utils_2", "a", "a-", "-a", "a b", "a..b", "café", "a/b", "a_b-c.d", "9lives"]
)
def test_package_name_rule_agrees_with_packaging(name):
    try:
        packaging_accepts = Requirement(name).name == name
    except InvalidRequirement:
        packaging_accepts = False
    assert (hook.package_name_problem(name) is None) == packaging_accepts


def test_every_suggested_fix_follows_its_rule():
    for key, value, _, suggestion in INVALID:
        if isinstance(DEFAULTS[key], list):
            continue  # a choice, refused by cookiecutter
        problems = hook.validate({**hook_defaults(), key: value}) + hook.path_problems({key: value}, "/tmp")
        (problem,) = [p for p in problems if p.rule.key == key][:1]
        assert (hook.shell_word(problem.fixed) if problem.fixed else None) == suggestion, (key, value)
        if problem.fixed is not None:
            assert hook.validate({**hook_defaults(), key: problem.fixed}) == [], (key, value, problem.fixed)


def test_every_rule_example_follows_its_rule():
    for rule in hook.RULES:
        assert rule.problem(rule.example) is None, rule.key


def test_every_free_text_answer_has_a_rule_and_every_answer_a_prompt():
    """Choice variables need no rule: cookiecutter refuses a value that is not a choice."""
    asked = [key for key in DEFAULTS if not key.startswith("_")]
    free_text = [key for key in asked if not isinstance(DEFAULTS[key], list)]
    assert [rule.key for rule in hook.RULES] == free_text
    assert sorted(DEFAULTS["__prompts__"]) == sorted(asked)
