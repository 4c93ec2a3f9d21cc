"""copier (https://copier.readthedocs.io) bakes the tree cookiecutter bakes, from one source:
copier.yml's questions are written from cookiecutter.json and the pre-gen hook's rules by
maintenance/copier_yml.py, its validators refuse exactly what the hook refuses, and it runs no
code of the template, so it needs no --trust."""

from __future__ import annotations

import filecmp
import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest
import yaml
from copier._template import load_template_config
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from tests.conftest import DEFAULTS, TEMPLATE_DIR, load_hook
from tests.test_inputs import INVALID, VALID_BOUNDARIES, VALID_EDGES

# What the template's repository holds beside the template, which copier never reads.
NOT_THE_TEMPLATE = {".git", ".venv", ".pytest_cache", ".ruff_cache", "__pycache__", "tests", "mutation", "benchmarks"}
# The record each generator keeps of where a project came from: the one file the trees differ by.
RECORDS = {".cruft.json", ".copier-answers.yml"}


@pytest.fixture(scope="session")
def copier_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as a plain folder: copier would otherwise take the last commit of a clone."""

    def beside_the_template(folder: str, names: list[str]) -> set[str]:
        return NOT_THE_TEMPLATE.intersection(names) if folder == str(TEMPLATE_DIR) else set()

    template = tmp_path_factory.mktemp("copier") / "template"
    return Path(shutil.copytree(TEMPLATE_DIR, template, ignore=beside_the_template))


def copier_bake(template: Path, destination: Path, quiet: bool = True, **answers: str) -> Path:
    copier.run_copy(str(template), str(destination), data=answers, defaults=True, quiet=quiet)
    return destination


def tree(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} - RECORDS


def test_copier_yml_is_written_from_cookiecutter_json_and_the_rules():
    check = subprocess.run(
        [sys.executable, TEMPLATE_DIR / "maintenance" / "copier_yml.py", "--check"], capture_output=True, text=True
    )
    assert (check.returncode, check.stdout) == (0, "copier's generated parts are current\n")


# What differs between the Pythons the template supports (3.11 to 3.14): the standard library's
# module names (3.13 dropped telnetlib and 18 others) and the Unicode version (14.0 to 16.0).
ANOTHER_PYTHON = """
import runpy, sys, unicodedata
sys.stdlib_module_names = frozenset({"json", "tomllib"})
real_category = unicodedata.category
unicodedata.category = lambda char: "Cn" if char == "\\U00013439" else real_category(char)
sys.argv = ["maintenance/copier_yml.py", "--check"]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_every_python_writes_the_same_generated_parts():
    check = subprocess.run([sys.executable, "-c", ANOTHER_PYTHON], cwd=TEMPLATE_DIR, capture_output=True, text=True)
    assert (check.returncode, check.stdout, check.stderr) == (0, "copier's generated parts are current\n", "")


def copier_files() -> dict[str, str]:
    files = [TEMPLATE_DIR / "copier.yml", *sorted((TEMPLATE_DIR / "copier-parts").iterdir())]
    return {path.relative_to(TEMPLATE_DIR).as_posix(): path.read_text(encoding="utf-8") for path in files}


def test_copier_yml_and_its_rules_read_in_lines_of_at_most_100_characters():
    questions = copier_files()["copier-parts/questions.yml"].splitlines()
    verbatim = {line for line in questions if line.startswith(("  default", '    "'))}  # cookiecutter.json's
    long_lines = {
        (name, line)
        for name, text in copier_files().items()
        if name != "copier-parts/namespace.jinja"  # the computed variables and pins of cookiecutter.json
        for line in text.splitlines()
        if len(line) > 100 and line not in verbatim
    }
    assert long_lines == set()


def test_regeneration_leaves_the_hand_kept_copier_yml_alone(tmp_path):
    template = Path(shutil.copytree(TEMPLATE_DIR, tmp_path / "t", ignore=shutil.ignore_patterns(*NOT_THE_TEMPLATE)))
    kept = (
        (template / "copier.yml")
        .read_text(encoding="utf-8")
        .replace("_migrations: []", "_migrations:\n  - version: 2026.12.1\n    command: [git, mv, a, b]")
    )
    (template / "copier.yml").write_text(kept, encoding="utf-8")
    subprocess.run([sys.executable, template / "maintenance" / "copier_yml.py"], check=True)
    assert (template / "copier.yml").read_text(encoding="utf-8") == kept
    assert load_template_config(template / "copier.yml")["_migrations"][0]["version"] == "2026.12.1"


# Every package manager with every CI and both version sources; the licenses and the Python
# versions take turns, so that each of them is baked too.
OPTION_SETS = [
    dict(package_manager=manager, ci_provider=ci, version_from=source, license=license_, python_min_version=python)
    for (manager, ci, source), license_, python in zip(
        itertools.product(DEFAULTS["package_manager"], DEFAULTS["ci_provider"], DEFAULTS["version_from"]),
        itertools.cycle(DEFAULTS["license"]),
        itertools.cycle(DEFAULTS["python_min_version"]),
    )
]


def on_every_change(options: dict[str, str]) -> bool:
    """One set per package manager and CI, the version source alternating along them: every
    pair whose files have conditional names, each manager with both sources, and every license
    and Python. The other twelve only combine values these render through the same Jinja."""
    position = DEFAULTS["package_manager"].index(options["package_manager"])
    position += DEFAULTS["ci_provider"].index(options["ci_provider"])
    return DEFAULTS["version_from"].index(options["version_from"]) == position % 2


def copier_layer(number: int, options: dict[str, str]) -> list[pytest.MarkDecorator]:
    """The first set in the fast layer, the rest of every change's in the slow one, the others weekly."""
    if number == 0:
        return []
    return [pytest.mark.slow] if on_every_change(options) else [pytest.mark.slow, pytest.mark.weekly]


def test_the_sets_copier_bakes_on_every_change_cover_every_answer_and_pair():
    every_change = [options for options in OPTION_SETS if on_every_change(options)]
    assert OPTION_SETS[0] in every_change and len(every_change) == 12
    for key in OPTION_SETS[0]:
        assert {options[key] for options in every_change} == set(DEFAULTS[key]), key
    pairs = {(options["package_manager"], options["ci_provider"]) for options in every_change}
    assert pairs == set(itertools.product(DEFAULTS["package_manager"], DEFAULTS["ci_provider"]))
    sources = {(options["package_manager"], options["version_from"]) for options in every_change}
    assert sources == set(itertools.product(DEFAULTS["package_manager"], DEFAULTS["version_from"]))


@pytest.mark.parametrize(
    "options",
    [pytest.param(options, marks=copier_layer(number, options)) for number, options in enumerate(OPTION_SETS)],
    ids=["-".join(options.values()) for options in OPTION_SETS],
)
def test_copier_bakes_the_tree_cookiecutter_bakes(bake, copier_template, tmp_path, options):
    # copier has no python-slugify: only a name with letters outside ASCII gets another default
    answers = {**options, **VALID_EDGES["quotes in every free text"], "package_name": "Sean.Tools"}
    baked = bake(**answers)
    copied = copier_bake(copier_template, tmp_path / "copied", **answers)
    assert tree(copied) == tree(baked)
    _, mismatch, errors = filecmp.cmpfiles(baked, copied, sorted(tree(baked)), shallow=False)
    updated = options["ci_provider"] in ("github", "gitlab")  # by its generator's tool: copier or cruft
    assert (mismatch, errors) == (["scripts/update-requirements.txt"] if updated else [], [])
    if updated:
        assert re.search(r"^copier==", (copied / mismatch[0]).read_text(encoding="utf-8"), re.MULTILINE)
        assert re.search(r"^cruft==", (baked / mismatch[0]).read_text(encoding="utf-8"), re.MULTILINE)
    assert (baked / ".cruft.json").is_file() and not (baked / ".copier-answers.yml").exists()


@pytest.mark.parametrize("name", ["Acme Utils", "  ACME -- utils 2!  ", "Ledger"])
def test_an_ascii_project_name_gets_the_package_name_cookiecutter_gives(bake, copier_template, tmp_path, name):
    copied = yaml.safe_load(
        (copier_bake(copier_template, tmp_path / "copied", project_name=name) / ".copier-answers.yml").read_text()
    )
    baked = json.loads((bake(project_name=name) / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert (copied["package_name"], copied["import_name"]) == (baked["package_name"], baked["import_name"])


def test_copier_records_the_answers_and_nothing_it_computed(copier_template, tmp_path):
    copied = copier_bake(copier_template, tmp_path / "copied", project_name="Ledger", package_manager="pip")
    recorded = yaml.safe_load((copied / ".copier-answers.yml").read_text(encoding="utf-8"))
    asked = [key for key in DEFAULTS if not key.startswith("_")]
    assert sorted(recorded) == sorted([*asked, "_src_path"])
    assert (recorded["package_name"], recorded["package_manager"]) == ("ledger", "pip")
    assert not (copied / ".cruft.json").exists()


NEXT_STEPS_OPTIONS = [
    dict(package_manager="uv", ci_provider="github", version_from="pyproject"),
    dict(package_manager="poetry", ci_provider="gitlab", version_from="tag"),
    dict(package_manager="pip", ci_provider="codebuild", version_from="pyproject"),
    dict(package_manager="uv", ci_provider="none", version_from="tag"),
]


@pytest.mark.parametrize("options", NEXT_STEPS_OPTIONS, ids=["-".join(o.values()) for o in NEXT_STEPS_OPTIONS])
def test_copier_prints_the_next_steps_the_hook_prints_with_its_own_folder(copier_template, tmp_path, capfd, options):
    copied = copier_bake(copier_template, tmp_path / "ledger lib", quiet=False, project_name="Ledger", **options)
    printed = capfd.readouterr().err  # copier prints its messages on stderr
    answers = {**DEFAULTS, **yaml.safe_load((copied / ".copier-answers.yml").read_text(encoding="utf-8"))}
    post = load_hook("post_gen_project")
    expected = post.next_steps(answers, None, [], "copier", str(tmp_path / "ledger lib"))
    assert printed.endswith("\n" + expected + "\n\n")
    assert f"  cd '{tmp_path / 'ledger lib'}' \\\n" in printed
    assert "--trust" not in printed and "`uvx copier update --defaults`" in printed
    assert "warning" not in printed


def copier_refusal(key: str, value: str, python_min_version: str = "3.11") -> str:
    """What copier.yml's validator of ``key`` renders for ``value``: empty when it accepts it."""
    question = load_template_config(TEMPLATE_DIR / "copier.yml")[key]
    # the environment copier renders validators in (copier's Worker.jinja_env: the template's loader)
    env = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATE_DIR), extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
    )
    answers = {key: value, "python_min_version": python_min_version}
    return env.from_string(question["validator"]).render(answers).strip()


HOOK_RULES = {rule.key: rule for rule in load_hook("pre_gen_project").RULES}
CASES = [(key, value) for key, value, *_ in INVALID if key in HOOK_RULES]
CASES += [pair for answers in [*VALID_EDGES.values(), *VALID_BOUNDARIES.values()] for pair in answers.items()]
CASES += [(rule.key, rule.example) for rule in HOOK_RULES.values()]
CASES += [("description", "\u00a0padded\u00a0"), ("project_name", "tab\there"), ("version", "1!2.0.POST1+Local.7")]


@pytest.mark.parametrize(("key", "value"), CASES, ids=[f"{key}={value[:20]!r}" for key, value in CASES])
def test_copier_refuses_exactly_what_the_pre_gen_hook_refuses(key, value):
    hook = load_hook("pre_gen_project")
    rule = HOOK_RULES[key]
    refused = (hook.text_problem(value) or rule.problem(value)) is not None
    message = copier_refusal(key, value)
    assert bool(message) == refused
    if refused:  # the rule in the hook's words; copier then asks again
        assert message == f"It must be {rule.rule}; for example {rule.example}."


@pytest.mark.parametrize(("python_min_version", "refused"), [("3.11", True), ("3.12", True), ("3.13", False)])
def test_copier_refuses_a_standard_library_name_by_python_min_version(python_min_version, refused):
    assert bool(copier_refusal("import_name", "telnetlib", python_min_version)) == refused
    assert copier_refusal("import_name", "json", python_min_version)


def test_copier_asks_python_min_version_before_the_import_name_that_depends_on_it(copier_template, tmp_path):
    copied = copier_bake(copier_template, tmp_path / "c", import_name="telnetlib", python_min_version="3.13")
    assert (copied / "src" / "telnetlib" / "__init__.py").is_file()
    with pytest.raises(ValueError, match="Validation error for question 'import_name': It must be"):
        copier_bake(copier_template, tmp_path / "d", import_name="telnetlib", python_min_version="3.12")


def test_a_refused_answer_leaves_nothing_behind(copier_template, tmp_path):
    with pytest.raises(ValueError, match="Validation error for question 'codeartifact_domain': It must be"):
        copier_bake(copier_template, tmp_path / "refused", codeartifact_domain="my_domain")
    assert not (tmp_path / "refused").exists()


def test_every_question_has_the_prompt_default_and_choices_of_cookiecutter_json():
    questions = load_template_config(TEMPLATE_DIR / "copier.yml")
    asked = [key for key in DEFAULTS if not key.startswith("_")]
    asked.remove("python_min_version")  # asked before import_name, whose rule depends on it
    asked.insert(asked.index("import_name"), "python_min_version")
    assert [key for key in questions if not key.startswith("_")] == [*asked, "cookiecutter"]
    for key in asked:
        prompt = DEFAULTS["__prompts__"][key]
        assert questions[key]["help"] == (prompt["__prompt__"] if isinstance(prompt, dict) else prompt)
        if isinstance(DEFAULTS[key], list):
            assert list(questions[key]["choices"].values()) == DEFAULTS[key]
            assert questions[key]["default"] == DEFAULTS[key][0]
    assert questions["cookiecutter"]["when"] is False  # computed: never asked, never recorded
    namespace = (TEMPLATE_DIR / "copier-parts" / "namespace.jinja").read_text(encoding="utf-8")
    pins = [value for manager in DEFAULTS["_managers"].values() for value in manager.values() if isinstance(value, str)]
    assert all(json.dumps(pin) in namespace for pin in [*pins, *DEFAULTS["_python_images"].values()])
