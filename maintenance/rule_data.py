"""Record in hooks/rule_data.json what the pre-gen hook's rules need from a Python release.

The rules must not depend on the Python that runs cookiecutter or writes copier.yml, so the
two facts that change between Python releases are data here, read by the hook and by
copier.yml's validators alike:

- ``stdlib_module_names``: ``sys.stdlib_module_names`` of each supported Python. An import name
  is refused when it is a standard-library module of any Python from ``python_min_version`` on.
- ``invisible``: the code points of Unicode's categories Cf and Cs (bidi controls, zero-width
  characters, surrogates), refused in every free-text answer, as ranges.

Run it with each new Python the template supports (``uv run --python 3.15
maintenance/rule_data.py``): it adds that Python's module names, and takes its Unicode data
when it is newer than the recorded one. Then run maintenance/copier_yml.py.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

RULE_DATA = Path(__file__).resolve().parents[1] / "hooks" / "rule_data.json"
WIDTH = 100


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def invisible_ranges() -> list[list[int]]:
    """Cf and Cs of this Python's unicodedata, as [first, last] code points."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) in ("Cf", "Cs"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return ranges


def wrapped(items: list[str], indent: str) -> list[str]:
    """``items`` (JSON values) as lines of at most WIDTH characters."""
    lines, line = [], indent
    for item in items:
        if line != indent and len(line) + len(item) + 2 > WIDTH:
            lines.append(line.rstrip())
            line = indent
        line += item + ", "
    return [*lines, line.removesuffix(", ")]


def dumps(data: dict) -> str:
    """The data as JSON a reviewer reads: short lines, one Python or range block each."""
    versions = sorted(data["stdlib_module_names"], key=version_key)
    about = [f"    {json.dumps(line)}," for line in data["about"]]
    lines = ["{", '  "about": [', *about, "  ],", '  "stdlib_module_names": {']
    lines[len(about) + 1] = lines[len(about) + 1].removesuffix(",")
    for number, version in enumerate(versions):
        names = [json.dumps(name) for name in sorted(data["stdlib_module_names"][version])]
        lines += [
            f'    "{version}": [',
            *wrapped(names, "      "),
            "    ]" + ("," if number < len(versions) - 1 else ""),
        ]
    ranges = [json.dumps(pair).replace(" ", "") for pair in data["invisible"]["ranges"]]
    lines += ["  },", '  "invisible": {', f'    "unicode": "{data["invisible"]["unicode"]}",', '    "ranges": [']
    lines += [*wrapped(ranges, "      "), "    ]", "  }", "}"]
    return "\n".join(lines) + "\n"


def record(data: dict) -> dict:
    """``data`` with this Python's module names, and its Unicode data if that is newer."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    # with the names already recorded: a later patch release may add a (private) module
    data["stdlib_module_names"][version] = sorted(
        {*data["stdlib_module_names"].get(version, ()), *sys.stdlib_module_names}
    )
    if version_key(unicodedata.unidata_version) > version_key(data["invisible"]["unicode"]):
        data["invisible"] = {"unicode": unicodedata.unidata_version, "ranges": invisible_ranges()}
    return data


def main() -> int:
    RULE_DATA.write_text(dumps(record(json.loads(RULE_DATA.read_text(encoding="utf-8")))), encoding="utf-8")
    print(f"hooks/rule_data.json records Python {sys.version_info.major}.{sys.version_info.minor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
