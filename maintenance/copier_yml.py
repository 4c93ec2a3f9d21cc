"""Write copier.yml from cookiecutter.json and the pre-gen hook's rules, or report it stale (--check).

One source serves both generators, as scientific-python/cookie does: cookiecutter.json holds the
questions, defaults, choices and computed variables, and the RULES of hooks/pre_gen_project.py
the validation. copier (https://copier.readthedocs.io) gets:

- each question, with its prompt, default and choices; its validator tests the rule's pattern
  and answers with the rule in words, so copier asks again;
- ``cookiecutter``, a computed question (``when: false``, never recorded) that rebuilds
  cookiecutter's namespace: every answer, the private data and the ``__`` variables, rendered
  from the same Jinja as cookiecutter.json's. Every template file therefore renders unchanged;
- the post-gen hook as a task, which reads the answers copier records.

    python maintenance/copier_yml.py            # rewrite copier.yml
    python maintenance/copier_yml.py --check    # exit 1 if copier.yml is not what this writes
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIER_YML = ROOT / "copier.yml"
# python-slugify's job for the one default that takes it, in the filters copier bundles
# (jinja2-ansible-filters): letters it would transliterate are dropped instead.
SLUGIFY = "lower | regex_replace('[^a-z0-9]+', '-') | trim('-')"


def load_rules() -> tuple:
    spec = importlib.util.spec_from_file_location("pre_gen_project", ROOT / "hooks" / "pre_gen_project.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RULES


def invisible() -> str:
    """The characters every free-text answer is refused for (text_problem): Cf and Cs."""
    codes = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cf", "Cs")]
    ranges, start = [], codes[0]
    for previous, code in zip(codes, [*codes[1:], None], strict=True):
        if code != previous + 1:
            ranges.append(escape(start) + (f"-{escape(previous)}" if previous != start else ""))
            start = code
    return "[" + "".join(ranges) + "]"


def escape(code: int) -> str:
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def validator(rule, hidden: str) -> str:
    """Jinja that renders the rule in words when the answer breaks it (copier then asks again)."""
    # regex_search takes no inline flags: a verbose pattern loses its whitespace, as re.VERBOSE
    # would, and its case rule becomes the filter's argument
    verbose = rule.pattern.startswith("(?xi)")
    body = re.sub(r"\s+", "", rule.pattern.removeprefix("(?xi)")) if verbose else rule.pattern
    pattern = json.dumps(rf"\A(?!.*{hidden})(?:{body})\Z")
    flags = ", ignorecase=True" if verbose else ""
    # regex_search gives None for no match and "" for an empty one
    message = f"It must be {rule.rule}; for example {rule.example}."
    return f"{{% if {rule.key} | regex_search({pattern}{flags}) is none %}}{message}{{% endif %}}"


def copier_default(template: str) -> str:
    return template.replace("cookiecutter.", "").replace("| slugify", "| " + SLUGIFY)


def copier_jinja(template: str) -> str:
    """cookiecutter's jinja2-time tag in the filters copier bundles (local time, not UTC)."""
    return re.sub(r"\{% now 'utc', ('[^']*') %\}", r"{{ \1 | strftime }}", template)


def namespace(context: dict) -> str:
    """Jinja for the ``cookiecutter`` question: cookiecutter's context, computed as it does."""
    answers = [key for key in context if not key.startswith("_")]
    private = {key: value for key, value in context.items() if key.startswith("_") and not key.startswith("__")}
    computed = {key: value for key, value in context.items() if key.startswith("__") and key != "__prompts__"}
    lines = [f"{{%- set cookiecutter = dict({json.dumps(private)}, {', '.join(f'{k}={k}' for k in answers)}) -%}}"]
    lines += [f"{{%- set {key[2:]} %}}{copier_jinja(value)}{{% endset -%}}" for key, value in computed.items()]
    lines += [f"{{{{ dict(cookiecutter, {', '.join(f'{key}={key[2:]}' for key in computed)}) | tojson }}}}"]
    return "\n".join(lines)


def question(key: str, value, prompt, rule, hidden: str) -> list[str]:
    help_text = prompt["__prompt__"] if isinstance(prompt, dict) else prompt
    lines = [f"{key}:", "  type: str", f"  help: {json.dumps(help_text)}"]
    if isinstance(value, list):
        labels = prompt if isinstance(prompt, dict) else {}
        lines += [f"  default: {json.dumps(value[0])}", "  choices:"]
        lines += [f"    {json.dumps(labels.get(choice, choice))}: {json.dumps(choice)}" for choice in value]
    else:
        lines += [f"  default: {json.dumps(copier_default(value), ensure_ascii=False)}"]
    if rule:
        lines += ["  validator: |-", "    " + validator(rule, hidden)]
    return lines


def copier_yml() -> str:
    context = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    rules = {rule.key: rule for rule in load_rules()}
    prompts = context["__prompts__"]
    hidden = invisible()
    lines = [
        "# Written by maintenance/copier_yml.py from cookiecutter.json and the RULES of",
        "# hooks/pre_gen_project.py: edit those, then run it.",
        '_min_copier_version: "9.5"',
        '_subdirectory: "{% raw %}{{cookiecutter.__project_dir}}{% endraw %}"',
        '_templates_suffix: ""',
        "_tasks:",
        "  - command:",
        '      - "{{ _copier_python }}"',
        "      - \"{{ _copier_conf.src_path / 'hooks' / 'post_gen_project.py' }}\"",
        '      - "{{ _copier_operation }}"',
        '      - "{{ _copier_conf.dst_path }}"',
        '      - "{{ _copier_conf.answers_file }}"',
        "",
    ]
    for key, value in context.items():
        if not key.startswith("_"):
            lines += [*question(key, value, prompts.get(key, key), rules.get(key), hidden), ""]
    lines += ["cookiecutter:", "  type: json", "  when: false", "  default: |-"]
    lines += ["    " + line for line in namespace(context).splitlines()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if copier.yml is stale")
    args = parser.parse_args(argv)
    text = copier_yml()
    if args.check:
        stale = not COPIER_YML.is_file() or COPIER_YML.read_text(encoding="utf-8") != text
        print("copier.yml is stale: run python maintenance/copier_yml.py" if stale else "copier.yml is current")
        return int(stale)
    COPIER_YML.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
