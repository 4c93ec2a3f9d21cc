"""Write copier's generated parts from cookiecutter.json and the pre-gen hook, or report them stale.

One source serves both generators, as scientific-python/cookie does: cookiecutter.json holds the
questions, defaults, choices and computed variables, and the RULES of hooks/pre_gen_project.py
the validation. copier.yml itself is kept by hand (settings, messages, ``_migrations``); it
includes what this writes into copier-parts/:

- ``questions.yml``: each question, with its prompt, default and choices, and a validator that
  calls ``refusal`` of ``rules.jinja``, so copier asks again with the rule in words;
- ``rules.jinja``: each rule's pattern and words, and ``refusal``, which also reads
  hooks/rule_data.json (standard-library names per Python, Unicode's invisible characters);
- ``namespace.jinja``: cookiecutter's namespace (every answer, the private data and the ``__``
  variables, rendered from the same Jinja as cookiecutter.json's), which the ``cookiecutter``
  question computes, so every template file renders unchanged.

What it writes depends only on those files, never on the Python that runs it.

    python maintenance/copier_yml.py            # rewrite copier-parts/*.yml and copier-parts/*.jinja
    python maintenance/copier_yml.py --check    # exit 1 if any of them is not what this writes
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIER = ROOT / "copier-parts"
WIDTH = 100  # the longest line a generated part may have, where the source allows
HEADER = "Written by maintenance/copier_yml.py from {}: change that, then run it."
# python-slugify's job for the one default that takes it, in the filters copier bundles
# (jinja2-ansible-filters): letters it would transliterate are dropped instead.
SLUGIFY = "lower | regex_replace('[^a-z0-9]+', '-') | trim('-')"
# copier asks in this file's order, and a validator sees only the answers given before it:
# import_name's rule depends on python_min_version, so that comes first.
ASKED_BEFORE = {"import_name": "python_min_version"}


def load_rules() -> tuple:
    spec = importlib.util.spec_from_file_location("pre_gen_project", ROOT / "hooks" / "pre_gen_project.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RULES


def jinja_string(text: str, first: int, words: bool = False) -> str:
    """``text`` as a Jinja string expression, in pieces joined by ``~`` that keep each line within
    WIDTH: the first line already holds ``first`` characters, the others start with ``    ~ ``."""
    parts = re.findall(r"\S+\s*", text) if words else list(text)  # words, or single characters
    pieces, budget = [""], WIDTH - first
    for part in parts:
        if pieces[-1] and len(json.dumps(pieces[-1] + part)) > budget:
            pieces.append("")
            budget = WIDTH - len("    ~ ")
        pieces[-1] += part
    return "\n    ~ ".join(json.dumps(piece) for piece in pieces)


def pattern_body(rule) -> str:
    """The rule's pattern as copier's regex_search takes it: it knows no inline flags, so a
    verbose pattern loses its whitespace, as re.VERBOSE would, and its case rule goes to ``IGNORECASE``."""
    if rule.pattern.startswith("(?xi)"):
        return re.sub(r"\s+", "", rule.pattern.removeprefix("(?xi)"))
    return rule.pattern


def rules_jinja(rules: list) -> str:
    lines = [
        "{#- " + HEADER.format("the hook's rules").replace("that,", "them,") + " -#}",
        "{#- refusal(key, value): nothing when question key may take value, else the rule in words -#}",
        "{%- set data %}{% include 'hooks/rule_data.json' %}{% endset %}",
        "{%- set data = data | from_json %}",
        "{%- set invisible = namespace(characters='') %}",
        "{%- for first, last in data.invisible.ranges %}",
        '  {%- set invisible.characters = invisible.characters ~ "\\\\U%08x-\\\\U%08x" | format(first, last) %}',
        "{%- endfor %}",
        f"{{%- set ignorecase = {json.dumps([r.key for r in rules if r.pattern.startswith('(?xi)')])} %}}",
        "{%- set patterns = {",
    ]
    lines += [f'  "{r.key}": {jinja_string(pattern_body(r), len(r.key) + 6)},' for r in rules]
    lines += ["} %}", "{%- set words = {"]
    lines += [
        f'  "{r.key}": {jinja_string(f"It must be {r.rule}; for example {r.example}.", len(r.key) + 6, words=True)},'
        for r in rules
    ]
    lines += [
        "} %}",
        "{%- macro refusal(key, value, python_min_version='') -%}",
        '  {%- set pattern = "\\\\A(?!.*[" ~ invisible.characters ~ "])(?:" ~ patterns[key] ~ ")\\\\Z" %}',
        "  {%- set found = value | regex_search(pattern, ignorecase=key in ignorecase) %}",
        "  {%- set verdict = namespace(valid=found is not none) %}",
        "  {#- import_name: not a standard-library module of a Python from python_min_version on #}",
        "  {%- set oldest = python_min_version or data.stdlib_module_names | first %}",
        "  {%- set oldest = oldest.split('.') | map('int') | list %}",
        "  {%- for version, names in data.stdlib_module_names.items() if key == 'import_name' %}",
        "    {%- if version.split('.') | map('int') | list >= oldest and value in names %}",
        "      {%- set verdict.valid = false %}",
        "    {%- endif %}",
        "  {%- endfor %}",
        "  {%- if not verdict.valid %}{{ words[key] }}{% endif %}",
        "{%- endmacro %}",
    ]
    return "\n".join(lines) + "\n"


def copier_default(template: str) -> str:
    return template.replace("cookiecutter.", "").replace("| slugify", "| " + SLUGIFY)


def copier_jinja(template: str) -> str:
    """cookiecutter's jinja2-time tag in the filters copier bundles (local time, not UTC)."""
    return re.sub(r"\{% now 'utc', ('[^']*') %\}", r"{{ \1 | strftime }}", template)


def namespace_jinja(context: dict) -> str:
    """cookiecutter's context, computed as it does, for the ``cookiecutter`` question."""
    answers = [key for key in context if not key.startswith("_")]
    private = {key: value for key, value in context.items() if key.startswith("_") and not key.startswith("__")}
    computed = {key: value for key, value in context.items() if key.startswith("__") and key != "__prompts__"}
    lines = ["{#- " + HEADER.format("cookiecutter.json") + " -#}"]
    lines += ["{%- set cookiecutter = dict(", *json.dumps(private, indent=2).splitlines()]
    lines[-1] += ","
    lines += [f"  {key}={key}," for key in answers]
    lines[-1] = lines[-1].removesuffix(",")
    lines += [") -%}"]
    lines += [f"{{%- set {key[2:]} %}}{copier_jinja(value)}{{% endset -%}}" for key, value in computed.items()]
    lines += ["{{ dict(", "  cookiecutter,", *[f"  {key}={key[2:]}," for key in computed]]
    lines[-1] = lines[-1].removesuffix(",")
    lines += [") | tojson }}"]
    return "\n".join(lines) + "\n"


def asked_order(context: dict) -> list[str]:
    keys = [key for key in context if not key.startswith("_")]
    for key, before in ASKED_BEFORE.items():
        keys.remove(before)
        keys.insert(keys.index(key), before)
    return keys


def question(key: str, value, prompt, rule) -> list[str]:
    help_text = prompt["__prompt__"] if isinstance(prompt, dict) else prompt
    lines = [f"{key}:", "  type: str", f"  help: {json.dumps(help_text)}"]
    if isinstance(value, list):
        labels = prompt if isinstance(prompt, dict) else {}
        lines += [f"  default: {json.dumps(value[0])}", "  choices:"]
        lines += [f"    {json.dumps(labels.get(choice, choice))}: {json.dumps(choice)}" for choice in value]
    else:
        lines += [f"  default: {json.dumps(copier_default(value), ensure_ascii=False)}"]
    if rule:
        extra = "".join(f", {before}" for asked, before in ASKED_BEFORE.items() if asked == key)
        lines += ["  validator: >-", "    {% from 'copier-parts/rules.jinja' import refusal %}"]
        lines += [f"    {{{{- refusal('{key}', {key}{extra}) }}}}"]
    return lines


def questions_yml(context: dict, rules: dict) -> str:
    prompts = context["__prompts__"]
    lines = [
        "# " + HEADER.format("cookiecutter.json and\n# hooks/pre_gen_project.py").replace("that,", "those,"),
        "",
    ]
    for key in asked_order(context):
        lines += [*question(key, context[key], prompts.get(key, key), rules.get(key)), ""]
    lines += [
        "# cookiecutter's namespace, which the template's files read: computed, never asked or recorded",
        "cookiecutter:",
        "  type: json",
        "  when: false",
        "  default: \"{% include 'copier-parts/namespace.jinja' %}\"",
    ]
    return "\n".join(lines) + "\n"


def generated() -> dict[Path, str]:
    context = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    rules = load_rules()
    return {
        COPIER / "questions.yml": questions_yml(context, {rule.key: rule for rule in rules}),
        COPIER / "rules.jinja": rules_jinja(list(rules)),
        COPIER / "namespace.jinja": namespace_jinja(context),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated part is stale")
    args = parser.parse_args(argv)
    files = generated()
    if args.check:
        stale = [path for path, text in files.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run python maintenance/copier_yml.py")
        print("" if stale else "copier's generated parts are current", end="" if stale else "\n")
        return int(bool(stale))
    COPIER.mkdir(exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
