"""Check every answer before cookiecutter writes a file of the project.

All rules live in ``RULES``, one row per free-text answer: what a valid value looks like, a
valid example, why a given value breaks the rule and, where one can be guessed, a fixed value.
Choice variables need no row: cookiecutter itself refuses a value that is not a choice.
On any failure the hook prints every problem at once, then a ready-to-run cookiecutter
command that carries all the answers with the fixes applied, and exits 1; cookiecutter
then removes the half-made project folder.

The answers arrive as JSON data (rendered with ``tojson``), never as code, so no answer
can change what this script does. Only the standard library is used: the hook runs on
whatever Python runs cookiecutter (3.10 or newer). What the rules need from a Python release
(its standard-library module names, Unicode's invisible characters) is data, in
hooks/rule_data.json, so the same answers get the same verdict on every Python.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import NamedTuple  # a tenth of what dataclasses costs a hook that runs on every bake


def read_rule_data() -> dict:
    """hooks/rule_data.json, as cookiecutter renders it into the copy of this file that it runs
    (rule_data_extension.py hands it over), or from beside this file where it is imported."""
    rendered = r"""{{ rule_data | tojson }}"""  # tojson escapes every '
    if not rendered.startswith("{" * 2):  # rendered, as cookiecutter runs it
        return json.loads(rendered)
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "rule_data.json"), encoding="utf-8") as data:
        return json.load(data)


RULE_DATA = read_rule_data()
STDLIB_MODULE_NAMES: dict[str, list[str]] = RULE_DATA["stdlib_module_names"]
INVISIBLE: list[list[int]] = RULE_DATA["invisible"]["ranges"]  # Unicode's Cf and Cs, as code point ranges

# shlex, shutil, sysconfig and pathlib are imported where an answer was refused: a bake with
# valid answers, the common case, does without them (python -X importtime).

# CodeArtifact input rules: the patterns and lengths of botocore's service model
# (shapes DomainName, AccountId, RepositoryName). tests/test_inputs.py reads the model
# and fails if these drift from it.
DOMAIN_PATTERN = r"[a-z][a-z0-9\-]{0,48}[a-z0-9]"
DOMAIN_LENGTH = (2, 50)
ACCOUNT_ID_PATTERN = r"[0-9]{12}"
ACCOUNT_ID_LENGTH = (12, 12)
REPOSITORY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._\-]{1,99}"
REPOSITORY_LENGTH = (2, 100)
PACKAGE_NAME_LENGTH = (1, 255)  # botocore PackageName: CodeArtifact refuses longer names
# infra/codeartifact.yaml's parameters take the patterns above as their AllowedPattern, and these
# (tests/test_trust.py checks both): a package name as CodeArtifact stores it (PEP 503), a
# CodeBuild project name (botocore's ProjectName), a GitHub environment, with no IAM wildcard.
NORMALIZED_NAME_PATTERN = r"[a-z0-9]+(-[a-z0-9]+)*"
CODEBUILD_PROJECT_PATTERN = r"[A-Za-z0-9][A-Za-z0-9\-_]{1,149}"
ENVIRONMENT_PATTERN = r"[A-Za-z0-9._-]{1,255}"

# boto3.session.Session().get_available_regions("codeartifact"); also checked by the tests.
CODEARTIFACT_REGIONS = (
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "us-east-1",
    "us-east-2",
    "us-west-2",
)
REGION_PATTERN = r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}"
REGION_LENGTH = (9, 30)

PEP508_NAME = r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?"
# PEP 440, appendix B (the canonical public + local version pattern).
PEP440_VERSION = r"""
    v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[-_\.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_\.]?(?P<post_l>post|rev|r)[-_\.]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[-_\.]?(?P<dev_l>dev)[-_\.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?
"""
# "v1.0" is a tag, not the version to write down; indexes refuse a local version (PEP 440: "+local")
VERSION = PEP440_VERSION.replace("v?", "", 1).replace(r"(?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?", "")
VERSION_LENGTH = (1, 255)  # botocore PackageVersion
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
EMAIL_LOCAL_PART = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
EMAIL_DOMAIN = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+"
EMAIL = EMAIL_LOCAL_PART + "@" + EMAIL_DOMAIN

Check = Callable[..., str | None]  # (value, answers=None): answers, for a rule that depends on another
Fix = Callable[[str], str | None]


class Rule(NamedTuple):
    key: str
    rule: str  # what a valid value looks like, in words
    example: str
    problem: Check  # why a value breaks the rule, or None when it is valid
    pattern: str  # the valid values as one regular expression, which copier's validators test
    fix: Fix = lambda value: None  # a value that follows the rule, or None


# --- checks ---------------------------------------------------------------------------


def fullmatch(pattern: str, value: str, flags: int = 0) -> bool:
    return re.fullmatch(pattern, value, flags | re.ASCII) is not None


def pattern_check(pattern: str, length: tuple[int, int], reasons: list[tuple[Check, str]], flags: int = 0) -> Check:
    """A check that accepts exactly ``pattern`` within ``length`` characters.

    ``reasons`` only explain a refusal in plain words; whether a value is valid is decided
    by the pattern and length alone, so the rule stays the one botocore enforces.
    """
    low, high = length

    def problem(value: str, answers: dict | None = None) -> str | None:
        if low <= len(value) <= high and fullmatch(pattern, value, flags):
            return None
        for applies, reason in reasons:
            if applies(value):
                return reason
        if not low <= len(value) <= high:
            return f"it has {len(value)} characters"
        return "it contains characters that are not allowed"

    return problem


def sized(pattern: str, length: tuple[int, int]) -> str:
    """``pattern`` within ``length`` characters, as one regular expression."""
    return "(?=.{" + f"{length[0]},{length[1]}" + r"}\Z)(?:" + pattern + ")"  # this file is a template


CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"  # what one_line_text refuses: Cc, and the two separators


def one_line(low: int, high: int) -> str:
    """What one_line_text accepts, as one regular expression."""
    space, letter, char = rf"[^\S{CONTROL}]*", rf"[^\s{CONTROL}]", rf"[^{CONTROL}]"
    text = letter + "(?:" + char + "{" + f"0,{high - 2}" + "}" + letter + ")?"
    return rf"{space}{text}{space}" if low else rf"{space}(?:{text})?{space}"


def one_line_text(low: int, high: int) -> Check:
    def problem(value: str, answers: dict | None = None) -> str | None:
        if any(char in value for char in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"):
            return "it spans more than one line"
        if any(unicodedata.category(char) == "Cc" for char in value):
            return "it contains control characters"
        if not low <= len(value.strip()) <= high:
            return f"it has {len(value.strip())} characters"
        return None

    return problem


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def stdlib_pythons(value: str, python_min_version: str) -> list[str]:
    """The supported Pythons, from ``python_min_version`` on, whose standard library has ``value``."""
    oldest = version_key(python_min_version)
    return [v for v, names in STDLIB_MODULE_NAMES.items() if version_key(v) >= oldest and value in names]


def import_name_problem(value: str, answers: dict | None = None) -> str | None:
    if not fullmatch(IDENTIFIER, value):
        return "it is not a Python identifier (ASCII letters, digits and '_', not starting with a digit)"
    if keyword.iskeyword(value):
        return "it is a Python keyword"
    # without the answers (a fix being tried), every supported Python counts
    python_min_version = (answers or {}).get("python_min_version") or min(STDLIB_MODULE_NAMES, key=version_key)
    pythons = stdlib_pythons(value, python_min_version)
    if pythons:
        return f"it is the name of a standard-library module of Python {pythons[0]}, which it would shadow"
    return None


# --- fixes ----------------------------------------------------------------------------


def ascii_fold(value: str) -> str:
    """``Café Ütils`` -> ``Cafe Utils``."""
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def valid_or_none(check: Check, value: str) -> str | None:
    return value if value and check(value) is None else None


def fix_one_line(value: str, high: int) -> str:
    """One line without control characters, at most ``high`` characters long."""
    printable = "".join(" " if char.isspace() else char for char in value if char.isspace() or char.isprintable())
    return " ".join(printable.split())[:high].strip()


def fix_package_name(value: str) -> str | None:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_fold(value)).strip("._-")
    return valid_or_none(package_name_problem, name[: PACKAGE_NAME_LENGTH[1]].strip("._-"))


def fix_import_name(value: str) -> str | None:
    name = re.sub(r"[^a-z0-9_]+", "_", ascii_fold(value).lower()).strip("_")
    if name[:1].isdigit():
        name = f"pkg_{name}"
    if name and import_name_problem(name) and fullmatch(r"[a-z_][a-z0-9_]*", name):
        name = f"{name}_lib"  # a keyword or a standard-library name
    return valid_or_none(import_name_problem, name)


def fix_email(value: str) -> str | None:
    found = re.search(EMAIL, value)  # EMAIL spells out its ASCII classes
    return found.group(0) if found else None


def fix_version(value: str) -> str | None:
    return valid_or_none(version_problem, value.strip().lstrip("vV").partition("+")[0])


def fix_region(value: str) -> str | None:
    return valid_or_none(region_problem, re.sub(r"[\s_]+", "-", value.strip().lower()))


def fix_domain(value: str) -> str | None:
    name = re.sub(r"[^a-z0-9]+", "-", ascii_fold(value).lower())
    name = re.sub(r"^[^a-z]+", "", name)[: DOMAIN_LENGTH[1]].rstrip("-")
    return valid_or_none(domain_problem, name)


def fix_account_id(value: str) -> str | None:
    return valid_or_none(account_id_problem, re.sub(r"[\s-]", "", value))


def fix_repository(value: str) -> str | None:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_fold(value))
    name = re.sub(r"^[^A-Za-z0-9]+", "", name)[: REPOSITORY_LENGTH[1]]
    return valid_or_none(repository_problem, name)


# --- the rules ------------------------------------------------------------------------

package_name_problem = pattern_check(
    PEP508_NAME,
    PACKAGE_NAME_LENGTH,
    [
        (lambda v: not v.isascii(), "only ASCII letters are allowed"),
        (lambda v: bool(re.search(r"\s", v)), "spaces are not allowed"),
        (lambda v: not fullmatch(r"[A-Za-z0-9].*", v), "it must start with a letter or digit"),
        (lambda v: not fullmatch(r".*[A-Za-z0-9]", v), "it must end with a letter or digit"),
    ],
)
version_problem = pattern_check(
    VERSION,
    VERSION_LENGTH,
    [
        (lambda v: v.startswith(("v", "V")), "a leading 'v' belongs in git tags, not in the version"),
        (lambda v: "+" in v, "a local version (+...) is for builds that are never published; indexes refuse it"),
    ],
    re.VERBOSE | re.IGNORECASE,
)
domain_problem = pattern_check(
    DOMAIN_PATTERN,
    DOMAIN_LENGTH,
    [
        (lambda v: "_" in v, "underscores are not allowed"),
        (lambda v: v != v.lower(), "uppercase letters are not allowed"),
        (lambda v: not fullmatch(r"[a-z].*", v), "it must start with a lowercase letter"),
        (lambda v: v.endswith("-"), "it must not end with a hyphen"),
    ],
)
account_id_problem = pattern_check(
    ACCOUNT_ID_PATTERN, ACCOUNT_ID_LENGTH, [(lambda v: not v.isdigit(), "it must be digits only")]
)
repository_problem = pattern_check(
    REPOSITORY_PATTERN,
    REPOSITORY_LENGTH,
    [
        (lambda v: bool(re.search(r"\s", v)), "spaces are not allowed"),
        (lambda v: not fullmatch(r"[A-Za-z0-9].*", v), "it must start with a letter or digit"),
    ],
)
region_problem = pattern_check(
    REGION_PATTERN,
    REGION_LENGTH,
    [
        (lambda v: v != v.lower(), "uppercase letters are not allowed"),
        (lambda v: "_" in v, "underscores are not allowed"),
        (lambda v: not fullmatch(r".*-[0-9]+", v), "it must end in '-' and a number"),
    ],
)

RULES = (
    Rule(
        key="project_name",
        rule="one line of 1-100 characters",
        example="Acme Utils",
        problem=one_line_text(1, 100),
        pattern=one_line(1, 100),
        fix=lambda value: fix_one_line(value, 100) or None,
    ),
    Rule(
        key="package_name",
        rule="a PEP 508 name of ASCII letters, digits, '.', '_' and '-', starting and ending with a "
        "letter or digit, at most 255 characters; it also names the project folder",
        example="acme-utils",
        problem=package_name_problem,
        pattern=sized(PEP508_NAME, PACKAGE_NAME_LENGTH),
        fix=fix_package_name,
    ),
    Rule(
        key="import_name",
        rule="a Python identifier that is not a keyword, nor a standard-library module of a Python "
        "from python_min_version on",
        example="acme_utils",
        problem=import_name_problem,
        # the standard-library names are checked apart: they depend on python_min_version
        pattern=rf"(?!(?:{'|'.join(keyword.kwlist)})\Z){IDENTIFIER}",
        fix=fix_import_name,
    ),
    Rule(
        key="description",
        rule="one line of at most 512 characters (the limit of PyPI-style indexes)",
        example="Shared helpers for Acme services.",
        problem=one_line_text(0, 512),
        pattern=one_line(0, 512),
        fix=lambda value: fix_one_line(value, 512),
    ),
    Rule(
        key="author_name",
        rule="one line of 1-100 characters",
        example="Jane Doe",
        problem=one_line_text(1, 100),
        pattern=one_line(1, 100),
        fix=lambda value: fix_one_line(value, 100) or None,
    ),
    Rule(
        key="author_email",
        rule="an e-mail address (ASCII) such as name@example.com",
        example="jane.doe@example.com",
        problem=lambda value, answers=None: None if fullmatch(EMAIL, value) else "it is not an e-mail address",
        pattern=EMAIL,
        fix=fix_email,
    ),
    Rule(
        key="version",
        rule="a PEP 440 version without a local part (+...), such as 0.1.0, 1.2.3rc1 or 2.0.0.dev1",
        example="0.1.0",
        problem=version_problem,
        pattern="(?xi)" + sized(VERSION, VERSION_LENGTH),
        fix=fix_version,
    ),
    Rule(
        key="aws_region",
        rule="an AWS region code such as us-east-1 (area-name-number, lowercase)",
        example="us-east-1",
        problem=region_problem,
        pattern=sized(REGION_PATTERN, REGION_LENGTH),
        fix=fix_region,
    ),
    Rule(
        key="codeartifact_domain",
        rule="a CodeArtifact domain name: 2-50 lowercase letters, digits and '-', starting with a "
        "letter and ending with a letter or digit",
        example="my-domain",
        problem=domain_problem,
        pattern=sized(DOMAIN_PATTERN, DOMAIN_LENGTH),
        fix=fix_domain,
    ),
    Rule(
        key="codeartifact_domain_owner",
        rule="the 12-digit AWS account ID that owns the domain",
        example="111122223333",
        problem=account_id_problem,
        pattern=sized(ACCOUNT_ID_PATTERN, ACCOUNT_ID_LENGTH),
        fix=fix_account_id,
    ),
    Rule(
        key="codeartifact_repository",
        rule="a CodeArtifact repository name: 2-100 ASCII letters, digits, '.', '_' and '-', "
        "starting with a letter or digit",
        example="my-repo",
        problem=repository_problem,
        pattern=sized(REPOSITORY_PATTERN, REPOSITORY_LENGTH),
        fix=fix_repository,
    ),
)


# --- reporting ------------------------------------------------------------------------


class Problem(NamedTuple):
    rule: Rule
    value: str
    reason: str
    fixed: str | None

    def message(self) -> str:
        advice = f"try {shell_word(self.fixed)}" if self.fixed else f"for example {self.rule.example}"
        return f"{self.rule.key}: got {shown(self.value)}, but {self.reason}; {advice}. It must be {self.rule.rule}."


def shown(value: str) -> str:
    """``value`` in double quotes, every character a terminal would act on (escape sequences,
    bidi controls, bytes that are not UTF-8) written as an escape instead."""
    return '"' + "".join(char if char.isprintable() else escaped(char) for char in value) + '"'


def escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shell_word(text: str) -> str:
    """``text`` as one shell word: quoted, or ANSI-C quoted ($'...') if it has non-printables."""
    if text.isprintable():
        import shlex

        return shlex.quote(text)
    body = "".join(char if char.isprintable() and char not in "'\\" else escaped(char) for char in text)
    return "$'" + body + "'"


def invisible(char: str) -> bool:
    """Unicode's Cf or Cs (RULE_DATA["invisible"]): bidi controls, zero-width characters, surrogates."""
    code = ord(char)
    return any(first <= code <= last for first, last in INVISIBLE)


def text_problem(value: str) -> str | None:
    """What no free-text answer may hold, whatever its rule."""
    if any("\ud800" <= char <= "\udfff" for char in value):  # Cs
        return "it is not valid Unicode (the terminal sent bytes that are not UTF-8)"
    if any(invisible(char) for char in value):
        return "it holds invisible formatting characters (bidi controls or zero-width characters)"
    return None


def visible_text(value: str) -> str:
    return "".join(char for char in value if not invisible(char))


def validate(answers: dict) -> list[Problem]:
    """Return one Problem for each answer that breaks its rule."""
    problems = []
    for rule in RULES:
        value = str(answers.get(rule.key, ""))
        reason = text_problem(value) or rule.problem(value, answers)
        if reason:
            cleaned = visible_text(value)
            fixed = cleaned if cleaned != value and rule.problem(cleaned, answers) is None else rule.fix(cleaned)
            problems.append(Problem(rule, value, reason, fixed))
    return problems


# The longest paths a bake writes, by the answer that makes them long. A file name longer than
# the file system allows (255 bytes on most) would stop the bake half-way.
LONGEST_PATHS = {"import_name": ("tests/test_{import_name}.py", "src/{import_name}/__init__.py")}


def path_problems(answers: dict, project_dir: str) -> list[Problem]:
    """Problems with the paths the answers make inside ``project_dir`` (where the bake writes)."""
    name_max = os.pathconf(project_dir, "PC_NAME_MAX")
    path_max = os.pathconf(project_dir, "PC_PATH_MAX")
    problems = []
    for key, templates in LONGEST_PATHS.items():
        rule = next(rule for rule in RULES if rule.key == key)
        value = str(answers.get(key, ""))
        paths = [path_lengths(project_dir, template.format(**{key: value})) for template in templates]
        too_long = [(relative, longest, length) for relative, longest, length in paths
                    if longest > name_max or length >= path_max]  # fmt: skip
        if too_long:
            relative, longest, length = too_long[0]
            size = f"{longest} bytes" if longest > name_max else f"a path of {length} bytes"
            reason = f"it would make the file name {relative} too long for the file system ({size})"
            # the most characters the value may have for every path to fit
            spare = min(
                min(name_max - (longest - len(value)), path_max - 1 - (length - len(value)))
                for _, longest, length in paths
            )
            problems.append(Problem(rule, value, reason, value[:spare] if spare > 0 else None))
    return problems


def path_lengths(project_dir: str, relative: str) -> tuple[str, int, int]:
    """``relative``, the bytes of its longest file name, and the bytes of its full path."""
    longest = max(len(os.fsencode(part)) for part in relative.split("/"))
    return relative, longest, len(os.fsencode(os.path.join(project_dir, relative)))


def warnings(answers: dict) -> list[str]:
    region = answers["aws_region"]
    if region_problem(region) is None and region not in CODEARTIFACT_REGIONS:
        return [
            f"aws_region: {region} is not a CodeArtifact region known to this template "
            f"({', '.join(CODEARTIFACT_REGIONS)}); it is kept, in case the region is newer."
        ]
    return []


UNFIXED = "..."  # what the re-run command gives an answer that no fix could be guessed for


def cookiecutter_command() -> list[str]:
    """How the user started the cookiecutter that runs now, in words that still work tomorrow.

    ``uvx cookiecutter`` and ``pipx run cookiecutter`` run it from an environment in their cache,
    which they clean: name the command, not the cached interpreter. Otherwise the environment's
    own ``cookiecutter`` (bare if that is the one on PATH), or ``python -m cookiecutter``.
    """
    import shutil
    import sysconfig
    from pathlib import Path

    prefix = Path(sys.prefix)
    if os.environ.get("UV") and any(part.startswith("archive-v") for part in prefix.parts):
        return ["uvx", "cookiecutter"]  # uv's cache: https://docs.astral.sh/uv/concepts/cache/
    if prefix.parent.name == "pipx" or (prefix.parent.name == ".cache" and "pipx" in prefix.parent.parent.name):
        return ["pipx", "run", "cookiecutter"]  # pipx run's cache (old layout: ~/.local/pipx/.cache)
    script = Path(sysconfig.get_path("scripts")) / "cookiecutter"
    if script.is_file():
        on_path = shutil.which("cookiecutter")
        return ["cookiecutter"] if on_path and Path(on_path).resolve() == script.resolve() else [str(script)]
    return [sys.executable, "-m", "cookiecutter"]


def rerun_command(answers: dict, problems: list[Problem]) -> str:
    """The command that bakes again with every answer kept and the fixes applied.

    It starts cookiecutter the way the user did (see cookiecutter_command). An answer with no
    fix is given as ``...``, which is refused again, and a comment line above names those answers.
    """
    fixed = {p.rule.key: p.fixed for p in problems if p.fixed is not None}
    unfixed = [p.rule.key for p in problems if p.fixed is None]
    words = [*cookiecutter_command(), answers.get("_template") or "TEMPLATE"]
    if answers.get("_checkout"):
        words += ["--checkout", answers["_checkout"]]
    output_dir = answers.get("_output_dir")
    if output_dir and os.path.realpath(output_dir) != os.path.realpath(os.environ.get("PWD", "")):
        words += ["--output-dir", output_dir]
    words.append("--no-input")
    asked = [key for key in answers if not key.startswith("_")]
    words += [f"{key}={UNFIXED if key in unfixed else fixed.get(key, answers[key])}" for key in asked]
    command = " \\\n    ".join(shell_word(str(word)) for word in words)
    if unfixed:
        command = f"# first replace the {UNFIXED} of: {', '.join(unfixed)}\n{command}"
    return command


def report(answers: dict, problems: list[Problem]) -> str:
    count = "1 answer" if len(problems) == 1 else f"{len(problems)} answers"
    lines = [f"error: {count} cannot be used, so no project was created:", ""]
    for problem in problems:
        lines += ["  - " + problem.message(), ""]
    lines += [
        "Run this to try again with every answer kept and the suggested fixes applied "
        "(edit any value first if you like):",
        "",
        rerun_command(answers, problems),
        "",
    ]
    return "\n".join(lines)


def main(answers: dict, project_dir: str) -> int:
    for warning in warnings(answers):
        print(f"warning: {warning}", file=sys.stderr)
    problems = validate(answers)
    checked = {problem.rule.key for problem in problems}
    problems += [p for p in path_problems(answers, project_dir) if p.rule.key not in checked]
    if problems:
        print(report(answers, problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Jinja's tojson escapes every ' as \u0027, so no answer can close this raw string.
    sys.exit(main(json.loads(r"""{{ cookiecutter | tojson }}"""), os.getcwd()))
