"""The template's one local Jinja extension (cookiecutter's "local extensions"; cruft puts the
template on sys.path too): it hands hooks/pre_gen_project.py the data its rules read,
hooks/rule_data.json, since cookiecutter runs a rendered copy of the hook from a temporary file."""

import json
from pathlib import Path

from jinja2.ext import Extension

RULE_DATA = Path(__file__).resolve().parent / "hooks" / "rule_data.json"


class RuleData(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["rule_data"] = json.loads(RULE_DATA.read_text(encoding="utf-8"))
