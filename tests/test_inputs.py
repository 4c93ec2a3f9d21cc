"""The answer rules of hooks/pre_gen_project.py: refusals, valid edges, and no drift from botocore."""

from __future__ import annotations

import functools
import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import ModuleType

import boto3
import botocore.loaders
import pytest
import tomllib
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from tests.conftest import DEFAULTS, TEMPLATE_DIR, load_hook


@pytest.fixture
def hook() -> ModuleType:
    """The pre-generation hook as a module, imported for each test: under mutation testing, the
    rules it builds at import time are then built by the mutated code in every test."""
    return load_hook("pre_gen_project")


NOT_ALLOWED = "it contains characters that are not allowed"
NOT_AN_IDENTIFIER = "it is not a Python identifier (ASCII letters, digits and '_', not starting with a digit)"
INVISIBLE = "it holds invisible formatting characters (bidi controls or zero-width characters)"

# (key, value, why it is refused, the fix the message suggests or None)
LOCAL_VERSION = "a local version (+...) is for builds that are never published; indexes refuse it"
STDLIB_311 = "it is the name of a standard-library module of Python 3.11, which it would shadow"
INVALID = [
    ("project_name", "", "it has 0 characters", None),
    ("project_name", "x" * 101, "it has 101 characters", "x" * 100),
    ("project_name", "   ", "it has 0 characters", None),
    ("description", "d" * 513, "it has 513 characters", "d" * 512),
    ("package_name", "p" * 256, "it has 256 characters", "p" * 255),
    ("project_name", "two\nlines", "it spans more than one line", "'two lines'"),
    ("package_name", "-acme", "it must start with a letter or digit", "acme"),
    ("package_name", "acme utils", "spaces are not allowed", "acme-utils"),
    ("package_name", "acme_", "it must end with a letter or digit", "acme"),
    ("package_name", "café", "only ASCII letters are allowed", "cafe"),
    ("package_name", "../evil", "it must start with a letter or digit", "evil"),
    ("package_name", "a/b", NOT_ALLOWED, "a-b"),
    ("package_name", "a\\b", NOT_ALLOWED, "a-b"),
    ("import_name", "1abc", NOT_AN_IDENTIFIER, "pkg_1abc"),
    ("import_name", "class", "it is a Python keyword", "class_lib"),
    ("import_name", "json", STDLIB_311, "json_lib"),
    ("import_name", "telnetlib", STDLIB_311, "telnetlib_lib"),  # gone in 3.13; the default python_min_version is 3.11
    # cookiecutter would stop at "directory already exists", naming no field
    ("package_name", ".", "it must start with a letter or digit", None),
    ("package_name", "..", "it must start with a letter or digit", None),
    ("import_name", "acme-utils", NOT_AN_IDENTIFIER, "acme_utils"),
    ("import_name", "-acme-", NOT_AN_IDENTIFIER, "acme"),
    (
        "import_name",
        "a" * 248,
        f"it would make the file name tests/test_{'a' * 248}.py too long for the file system (256 bytes)",
        "a" * 247,
    ),
    ("project_name", "Acme\u202eUtils", INVISIBLE, "AcmeUtils"),
    ("author_name", "Jane\u200bDoe", INVISIBLE, "JaneDoe"),
    (
        "description",
        "Reads \udcff files",
        "it is not valid Unicode (the terminal sent bytes that are not UTF-8)",
        "'Reads  files'",
    ),
    ("project_name", "Acme\x1b[31mRed", "it contains control characters", "'Acme[31mRed'"),
    ("description", "first line\nsecond line", "it spans more than one line", "'first line second line'"),
    ("author_name", "", "it has 0 characters", None),
    ("author_email", "jane", "it is not an e-mail address", None),
    ("author_email", "Jane Doe <jane@example.com>", "it is not an e-mail address", "jane@example.com"),
    ("author_email", "jane@example", "it is not an e-mail address", None),
    ("version", "v1.0", "a leading 'v' belongs in git tags, not in the version", "1.0"),
    ("version", "V2.0", "a leading 'v' belongs in git tags, not in the version", "2.0"),
    ("version", "1.0.0+local", LOCAL_VERSION, "1.0.0"),
    ("version", "one", NOT_ALLOWED, None),
    ("version", "X1.0", NOT_ALLOWED, None),  # only a leading v or V is taken off
    ("version", "1.0 final", NOT_ALLOWED, None),
    ("aws_region", "us-east", "it must end in '-' and a number", None),
    ("aws_region", "useast1", "it must end in '-' and a number", None),
    ("aws_region", "US-EAST-1", "uppercase letters are not allowed", "us-east-1"),
    ("aws_region", "us_east_1", "underscores are not allowed", "us-east-1"),
    ("codeartifact_domain", "my_domain", "underscores are not allowed", "my-domain"),
    ("codeartifact_domain", "a", "it has 1 characters", None),
    ("codeartifact_domain", "d" * 51, "it has 51 characters", "d" * 50),
    ("codeartifact_domain", "My-Domain", "uppercase letters are not allowed", "my-domain"),
    ("codeartifact_domain", "1domain", "it must start with a lowercase letter", "domain"),
    ("codeartifact_domain", "domain-", "it must not end with a hyphen", "domain"),
    ("codeartifact_domain_owner", "12345", "it has 5 characters", None),
    ("codeartifact_domain_owner", "1" * 11, "it has 11 characters", None),
    ("codeartifact_domain_owner", "1" * 13, "it has 13 characters", None),
    ("codeartifact_domain_owner", "1111-2222-3333", "it must be digits only", "111122223333"),
    ("codeartifact_domain_owner", "abcdefghijkl", "it must be digits only", None),
    ("codeartifact_repository", "r", "it has 1 characters", None),
    ("codeartifact_repository", "my repo", "spaces are not allowed", "my-repo"),
    ("codeartifact_repository", "-Team Repo", "spaces are not allowed", "Team-Repo"),
    ("codeartifact_repository", "-repo", "it must start with a letter or digit", "repo"),
    ("codeartifact_repository", "r" * 101, "it has 101 characters", "r" * 100),
    ("codeartifact_repository", "team/repo", NOT_ALLOWED, "team-repo"),
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


def test_a_module_python_removed_is_a_valid_import_name_from_that_python_on(cookies):
    result = cookies.bake(extra_context={"import_name": "telnetlib", "python_min_version": "3.13"})
    assert result.exit_code == 0, result.exception
    assert (result.project_path / "src" / "telnetlib" / "__init__.py").is_file()


def test_the_verdict_is_the_same_on_every_python_that_bakes(hook, monkeypatch):
    """The standard-library names and Unicode's invisible characters are data (hooks/rule_data.json),
    not the baking interpreter's: 3.11 knows telnetlib and not U+13439 (Unicode 15), 3.13 the reverse."""
    answers = {**hook_defaults(), "import_name": "telnetlib", "project_name": "Acme\U00013439Utils"}
    for names in (frozenset({"telnetlib"}), frozenset()):
        monkeypatch.setattr(sys, "stdlib_module_names", names)
        assert [problem.rule.key for problem in hook.validate(answers)] == ["project_name", "import_name"]
    assert hook.validate({**answers, "python_min_version": "3.13", "project_name": "Acme"}) == []
    cases = [("telnetlib", "3.12", True), ("distutils", "3.11", True), ("distutils", "3.12", False),
             ("annotationlib", "3.11", True)]  # fmt: skip
    for name, python_min_version, refused in cases:
        answers = {**hook_defaults(), "import_name": name, "python_min_version": python_min_version}
        assert bool(hook.validate(answers)) is refused, (name, python_min_version)


def test_every_problem_is_reported_at_once(hook):
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


def test_the_default_answers_are_valid(hook):
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


# Answers at the very edge of their rules, checked in-process only.
VALID_BOUNDARIES = {
    "one-character project name": {"project_name": "X"},
    "hundred-character project name, padded": {"project_name": "  " + "X" * 100 + "  "},
    "no description": {"description": ""},
    "512-character description": {"description": "D" * 512},
    "one-character package name": {"package_name": "a"},
    "255-character package name": {"package_name": "p" * 255},
    "uppercase e-mail": {"author_email": "JANE.DOE@EXAMPLE.COM"},
}


@pytest.mark.parametrize(
    "answers", [*VALID_EDGES.values(), *VALID_BOUNDARIES.values()], ids=[*VALID_EDGES, *VALID_BOUNDARIES]
)
def test_valid_edge_values_are_accepted(hook, tmp_path, answers):
    answers = {**hook_defaults(), **answers}
    assert hook.validate(answers) + hook.path_problems(answers, str(tmp_path)) == []


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


CLI = str(Path(sysconfig.get_path("scripts")) / "cookiecutter")  # the test environment's cookiecutter


def cookiecutter_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """cookiecutter started by its path, as from a virtual environment that is not on PATH."""
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    return subprocess.run([CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


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
    assert words[:2] == [CLI, str(TEMPLATE_DIR)]  # what the user ran
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
        ("DomainName", "DOMAIN_PATTERN", "DOMAIN_LENGTH"),
        ("AccountId", "ACCOUNT_ID_PATTERN", "ACCOUNT_ID_LENGTH"),
        ("RepositoryName", "REPOSITORY_PATTERN", "REPOSITORY_LENGTH"),
    ],
)
def test_codeartifact_rules_are_botocore_rules(hook, shape, pattern, length):
    model = botocore_shape(shape)
    assert getattr(hook, pattern) == model["pattern"]
    assert getattr(hook, length) == (model["min"], model["max"])


def test_package_name_length_is_botocore_rule(hook):
    model = botocore_shape("PackageName")
    assert (model["min"], model["max"]) == hook.PACKAGE_NAME_LENGTH


def test_regions_are_botocore_codeartifact_regions(hook):
    assert sorted(hook.CODEARTIFACT_REGIONS) == sorted(boto3.session.Session().get_available_regions("codeartifact"))
    assert all(hook.region_problem(region) is None for region in hook.CODEARTIFACT_REGIONS)


@pytest.mark.parametrize(
    "version",
    ["0.1.0", "1.0", "2.0.0rc1", "1!2.0.post1.dev3+local.7", "1.0-beta", "1.0.0.DEV1", "v1.0", "1.0 final",
     "one", "1.0.", "1..0", "1.0+", "", "1.0-beta.x", "2024.1.1"],
)  # fmt: skip
def test_version_rule_agrees_with_packaging(hook, version):
    try:
        # the hook also refuses tag style, and local versions, which indexes refuse
        packaging_accepts = not version.lower().startswith("v") and Version(version).local is None
    except InvalidVersion:
        packaging_accepts = False
    assert (hook.version_problem(version) is None) == packaging_accepts


@pytest.mark.parametrize(
    "name", ["acme", "Acme.Utils_2", "a", "a-", "-a", "a b", "a..b", "café", "a/b", "a_b-c.d", "9lives"]
)
def test_package_name_rule_agrees_with_packaging(hook, name):
    try:
        packaging_accepts = Requirement(name).name == name
    except InvalidRequirement:
        packaging_accepts = False
    assert (hook.package_name_problem(name) is None) == packaging_accepts


FREE_TEXT_INVALID = [row for row in INVALID if not isinstance(DEFAULTS[row[0]], list)]  # choices: cookiecutter's


@pytest.mark.parametrize(
    ("key", "value", "reason", "fix"), FREE_TEXT_INVALID, ids=[f"{k}={v[:20]!r}" for k, v, *_ in FREE_TEXT_INVALID]
)
def test_the_refusal_names_the_answer_the_rule_and_a_fix_that_follows_it(hook, tmp_path, key, value, reason, fix):
    """The hook's own functions, in-process (the bakes above run it as a script)."""
    answers = {**hook_defaults(), key: value}
    problems = hook.validate(answers) + hook.path_problems(answers, str(tmp_path))
    (problem,) = [p for p in problems if p.rule.key == key]
    rule = problem.rule
    advice = f"try {fix}" if fix else f"for example {rule.example}"
    assert problem.message() == f"{key}: got {shown(value)}, but {reason}; {advice}. It must be {rule.rule}."
    if problem.fixed is not None:
        fixed = {**hook_defaults(), key: problem.fixed}
        assert hook.validate(fixed) + hook.path_problems(fixed, str(tmp_path)) == [], (key, value, problem.fixed)


# What the messages write for the characters a terminal would act on, in the answers above.
ESCAPES = {"\n": "\\x0a", "\x1b": "\\x1b", "\u200b": "\\u200b", "\u202e": "\\u202e", "\udcff": "\\udcff"}


def shown(value: str) -> str:
    return '"' + "".join(ESCAPES.get(char, char) for char in value) + '"'


def test_an_answer_is_shown_with_every_character_a_terminal_acts_on_escaped(hook):
    assert hook.shown("a\x07\x9b\u2028\U000e0001 é 😀") == '"a\\x07\\x9b\\u2028\\U000e0001 é 😀"'


def test_every_rule_example_follows_its_rule(hook):
    for rule in hook.RULES:
        assert rule.problem(rule.example) is None, rule.key


def test_every_free_text_answer_has_a_rule_and_every_answer_a_prompt(hook):
    """Choice variables need no rule: cookiecutter refuses a value that is not a choice."""
    asked = [key for key in DEFAULTS if not key.startswith("_")]
    free_text = [key for key in asked if not isinstance(DEFAULTS[key], list)]
    assert [rule.key for rule in hook.RULES] == free_text
    assert sorted(DEFAULTS["__prompts__"]) == sorted(asked)


# --- the report, in-process (the bakes above run the hook as a script) ---------------------


@pytest.mark.parametrize(
    "text", ["plain", "it's", "two words", "tab\there", "é 😀", "\x1b[31mred", "back\\slash", "new\nline", "it's\x07"]
)
def test_a_shell_word_reads_back_as_the_text(hook, text):
    word = hook.shell_word(text)
    echoed = subprocess.run(["bash", "-c", f"printf %s {word}"], capture_output=True, text=True, check=True).stdout
    assert echoed == text
    assert word.startswith("$'") == (not text.isprintable())


def rerun_words(command: str) -> list[str]:
    return shlex.split(command.replace("\\\n", " "))


@pytest.mark.parametrize(
    ("prefix", "uv", "on_path", "expected"),
    [
        ("/home/me/.cache/uv/archive-v0/Wcjyhq5d", "/home/me/.local/bin/uv", False, ["uvx", "cookiecutter"]),
        ("/home/me/.cache/pipx/e430887edfb100b", "", False, ["pipx", "run", "cookiecutter"]),
        ("/home/me/Library/Caches/pipx/e430887edfb100b", "", False, ["pipx", "run", "cookiecutter"]),
        ("/home/me/.local/pipx/.cache/e430887edfb100b", "", False, ["pipx", "run", "cookiecutter"]),
        ("/home/me/.local/share/pipx/venvs/cookiecutter", "", True, ["cookiecutter"]),
        ("/home/me/.venvs/cookiecutter", "/usr/bin/uv", False, ["SCRIPT"]),  # uv run without uvx: no cache
    ],
)
def test_the_command_starts_cookiecutter_as_the_user_did(hook, tmp_path, monkeypatch, prefix, uv, on_path, expected):
    """Not the interpreter of uvx's or pipx's cache (they clean it), nor a script off PATH."""
    scripts = tmp_path / "bin"
    scripts.mkdir()
    (scripts / "cookiecutter").write_text("#!/bin/sh\n")
    (scripts / "cookiecutter").chmod(0o755)
    monkeypatch.setattr(sys, "prefix", prefix)
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(scripts))
    monkeypatch.setenv("UV", uv)
    monkeypatch.setenv("PATH", f"{scripts}:/usr/bin:/bin" if on_path else "/usr/bin:/bin")
    assert hook.cookiecutter_command() == [str(scripts / "cookiecutter") if w == "SCRIPT" else w for w in expected]
    (scripts / "cookiecutter").unlink()
    if not expected[0].endswith("x"):  # without the script: this very Python
        assert hook.cookiecutter_command() == [sys.executable, "-m", "cookiecutter"]


def test_the_report_lists_every_problem_then_the_command_with_every_answer(hook, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PWD", str(tmp_path))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    asked = {**hook_defaults(), "codeartifact_domain": "my_domain", "codeartifact_domain_owner": "12345"}
    answers = {**asked, "_template": "gh:acme/template", "_checkout": "v2", "_output_dir": str(tmp_path / "out")}

    assert hook.main(answers, str(tmp_path)) == 1

    report = capsys.readouterr().err
    problems = hook.validate(answers)
    head, command = report.split("(edit any value first if you like):\n\n")
    assert head == "\n".join([
        "error: 2 answers cannot be used, so no project was created:",
        "",
        "  - " + problems[0].message(),
        "",
        "  - " + problems[1].message(),
        "",
        "Run this to try again with every answer kept and the suggested fixes applied ",
    ])  # fmt: skip
    comment, command = command.split("\n", 1)
    assert comment == "# first replace the ... of: codeartifact_domain_owner"
    lines = command.rstrip("\n").splitlines()
    assert command.endswith("\n\n") and all(line.endswith(" \\") for line in lines[:-1])
    fixed = {**asked, "codeartifact_domain": "my-domain", "codeartifact_domain_owner": "..."}
    given = [f"{key}={value}" for key, value in fixed.items() if not key.startswith("_")]
    assert rerun_words(command) == [
        CLI, "gh:acme/template", "--checkout", "v2",
        "--output-dir", str(tmp_path / "out"), "--no-input", *given,
    ]  # fmt: skip


def test_one_problem_is_one_answer_and_the_folder_the_user_is_in_goes_unsaid(hook, tmp_path, monkeypatch):
    monkeypatch.setenv("PWD", str(tmp_path))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    answers = {**hook_defaults(), "version": "v1.0", "_output_dir": str(tmp_path)}
    report = hook.report(answers, hook.validate(answers))
    assert report.startswith("error: 1 answer cannot be used, so no project was created:\n")
    command = report.split("(edit any value first if you like):\n\n")[1]
    assert not command.startswith("#")
    assert rerun_words(command)[:3] == [CLI, "TEMPLATE", "--no-input"]
    assert "version=1.0" in rerun_words(command)


def test_a_region_unknown_to_this_template_is_kept_with_one_warning(hook, tmp_path, capsys):
    assert hook.main({**hook_defaults(), "aws_region": "il-central-1"}, str(tmp_path)) == 0
    known = ", ".join(hook.CODEARTIFACT_REGIONS)
    assert capsys.readouterr().err == (
        f"warning: aws_region: il-central-1 is not a CodeArtifact region known to this template ({known}); "
        "it is kept, in case the region is newer.\n"
    )
    assert hook.warnings({"aws_region": "us-east-1"}) == hook.warnings({"aws_region": "US-EAST-1"}) == []


def test_valid_answers_pass_in_silence(hook, tmp_path, capsys):
    assert hook.main(hook_defaults(), str(tmp_path)) == 0
    assert capsys.readouterr() == ("", "")


def deep_folder(root: Path, length: int) -> Path:
    """An existing folder whose path is ``length`` bytes long."""
    folder = root
    while len(str(folder)) < length - 201:
        folder /= "d" * 200
    folder /= "e" * (length - len(str(folder)) - 1)
    folder.mkdir(parents=True)
    assert len(str(folder)) == length
    return folder


def test_an_import_name_that_would_make_too_long_a_path_gets_the_longest_that_fits(hook, tmp_path):
    path_max = os.pathconf(tmp_path, "PC_PATH_MAX")
    folder = deep_folder(tmp_path, path_max - 100)
    (problem,) = hook.path_problems({"import_name": "a" * 90}, str(folder))
    # tests/test_{name}.py is too long first (14 bytes beside the name), src/{name}/__init__.py
    # is the longest (16): the fix must fit both.
    assert problem.reason == (
        f"it would make the file name tests/test_{'a' * 90}.py too long for the file system "
        f"(a path of {path_max - 100 + 1 + 14 + 90} bytes)"
    )
    assert problem.fixed == "a" * (100 - 1 - 16 - 1)
    assert hook.path_problems({"import_name": problem.fixed}, str(folder)) == []
    assert hook.path_problems({"import_name": problem.fixed + "a"}, str(folder)) != []


def test_a_folder_too_deep_for_any_import_name_gets_no_fix(hook, tmp_path):
    folder = deep_folder(tmp_path, os.pathconf(tmp_path, "PC_PATH_MAX") - 10)
    (problem,) = hook.path_problems({"import_name": "a"}, str(folder))
    assert problem.fixed is None
    assert problem.message().endswith("; for example acme_utils. It must be " + problem.rule.rule + ".")


def test_the_command_names_the_output_folder_only_when_it_is_not_the_current_one(hook, tmp_path, monkeypatch):
    monkeypatch.delenv("PWD", raising=False)
    monkeypatch.chdir(tmp_path)
    answers = {**hook_defaults(), "version": "v1", "author_email": "x", "codeartifact_domain_owner": "1"}
    here = hook.rerun_command({**answers, "_output_dir": str(tmp_path)}, hook.validate(answers))
    elsewhere = hook.rerun_command({**answers, "_output_dir": "/srv/bakes"}, hook.validate(answers))
    assert "--output-dir" not in here
    assert rerun_words(elsewhere.split("\n", 1)[1])[2:4] == ["--output-dir", "/srv/bakes"]
    assert here.splitlines()[0] == "# first replace the ... of: author_email, codeartifact_domain_owner"


def test_an_answer_refused_by_its_rule_is_not_refused_again_for_its_path(hook, tmp_path, capsys):
    folder = deep_folder(tmp_path, os.pathconf(tmp_path, "PC_PATH_MAX") - 100)
    assert hook.main({**hook_defaults(), "import_name": "1" + "a" * 150}, str(folder)) == 1
    assert capsys.readouterr().err.count("  - import_name: ") == 1
