"""Jinja filters that write user text safely into the file formats of a baked project.

cookiecutter loads this module through ``_extensions`` in cookiecutter.json.
"""

from __future__ import annotations

from jinja2 import Environment
from jinja2.ext import Extension

_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(value: object) -> str:
    """Return ``value`` as a TOML basic string, keeping non-ASCII letters readable.

    ``tojson`` is not enough for TOML: it writes astral characters (emoji) as UTF-16
    surrogate pairs, which TOML forbids, and turns every accented letter into ``\\uXXXX``.
    """
    out = []
    for char in str(value):
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


class TemplateFilters(Extension):
    """Registers the filters of this module with cookiecutter's Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["toml_string"] = toml_string
