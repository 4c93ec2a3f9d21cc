"""The template's one Jinja extension, a cookiecutter local extension: it hands
hooks/pre_gen_project.py the data its rules read, hooks/rule_data.json, since cookiecutter runs a
rendered copy of the hook from a temporary file, where nothing beside it can be read.

cruft imports a local extension once per process and keeps it through an update (cruft#253), so
this module has a name no earlier template version used, reads the data of the template checked
out at the time (the same folder for both versions an update renders), and must keep its name,
its class and the name rule_data for as long as projects update from this template.
"""

import json
from pathlib import Path

from jinja2.ext import Extension

RULE_DATA = Path(__file__).resolve().parent / "hooks" / "rule_data.json"


class RuleData(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["rule_data"] = json.loads(RULE_DATA.read_text(encoding="utf-8"))
