"""Mutation testing of the template's Python code: do the tests fail when the code is wrong?

mutmut (https://mutmut.readthedocs.io) changes the code one small bug at a time (a mutant) and
runs, for each mutant, the tests of the fast layer that call the function it changed. A mutant
is killed when one of them fails. The code under test is the two hooks and
the release tool; each mutant no test can tell from the original, because no behaviour a user
could see changes, is listed with the reason in mutation/equivalent.txt.

mutmut wants the code to mutate at the top of a folder of its own, and runs the tests there.
This script builds that folder from the working tree (committed or not), beside a pristine
copy of the template that the tests bake from: cookiecutter runs the hooks as scripts, in a
process that must not see mutated code, while the tests import the mutated code in-process
(tests/conftest.py, ``load_code``), and tests/support/mutation.py, a pytest plugin that
tests/conftest.py loads when MUTATED_CODE is set, shares the first run's bakes with every
mutant. The last line printed is ``mutation score: K/N killed``.

    .venv/bin/uv pip install -r mutation/requirements.txt   # into the test environment of .ci/run
    python mutation/run.py            # about 18 minutes on 2 cores
    python mutation/run.py --keep     # keep the work folder, to look at survivors with mutmut show
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASE_TOOL = "{{cookiecutter.__project_dir}}/scripts/codeartifact.py"
# Where mutmut finds each file (its path decides the module name the tests import it as).
CODE = {
    "hooks/pre_gen_project.py": "hooks/pre_gen_project.py",
    "hooks/post_gen_project.py": "hooks/post_gen_project.py",
    "codeartifact.py": RELEASE_TOOL,
}
EQUIVALENT = ROOT / "mutation" / "equivalent.txt"
KILLED = {"killed", "timeout", "segfault"}  # mutmut's names for a mutant the tests stopped

# The fast layer, in one process: mutmut runs the mutants side by side itself.
SETUP_CFG = """\
[mutmut]
source_paths =
{sources}
also_copy =
    pytest.ini
    hooks/rule_data.json
pytest_add_cli_args =
    -o
    addopts=
    -p
    no:xdist
    -m
    not slow
pytest_add_cli_args_test_selection =
    tests
"""


def tracked_files(root: Path) -> list[str]:
    """The files git would commit: tracked ones and new ones it does not ignore."""
    listing = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout
    return [name for name in os.fsdecode(listing).split("\0") if name and (root / name).is_file()]


def copy_template(work: Path) -> Path:
    """A git repository holding the template as it is now (tests read its commit)."""
    template = work / "template"
    for name in tracked_files(ROOT):
        target = template / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    identity = ["-c", "user.name=mutation", "-c", "user.email=mutation@example.invalid"]
    for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", "template under test"]):
        subprocess.run(["git", "-C", str(template), *command], check=True)
    return template


def lay_out_for_mutmut(work: Path, template: Path) -> None:
    for target, source in CODE.items():
        (work / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(template / source, work / target)
    shutil.copytree(template / "tests", work / "tests")
    shutil.copy2(template / "pytest.ini", work / "pytest.ini")
    shutil.copy2(template / "hooks" / "rule_data.json", work / "hooks" / "rule_data.json")  # the hook reads it
    sources = "\n".join(f"    {path}" for path in CODE)
    (work / "setup.cfg").write_text(SETUP_CFG.format(sources=sources), encoding="utf-8")


def read_equivalents() -> dict[str, str]:
    """The mutants of mutation/equivalent.txt, as ``{signature: reason}``.

    A ``## reason`` line gives the reason for the signatures below it; ``#`` starts a comment.
    """
    equivalents, reason = {}, ""
    for number, line in enumerate(EQUIVALENT.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            reason = line[3:].strip()
        elif line.strip() and not line.startswith("#"):
            if not reason:
                raise SystemExit(f"error: {EQUIVALENT.name} line {number}: a mutant without a '## reason' above it")
            equivalents[line.strip()] = reason
    return equivalents


# mutmut names a mutant by its function and a number that changes when the function does; a
# signature names it by what it changes, so a listing stays right while the function grows.
# get_diff_for_mutant is mutmut's own (3.8.1, pinned in requirements.txt).
SIGNATURES = """
import json, sys
from mutmut.__main__ import get_diff_for_mutant
signatures = {}
for name in json.load(sys.stdin):
    changed = [line[0] + line[1:].strip() for line in get_diff_for_mutant(name).splitlines()
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    signatures[name] = name.rpartition("__mutmut_")[0] + ": " + " | ".join(changed)
print(json.dumps(signatures))
"""


def signatures(work: Path, env: dict[str, str], names: list[str]) -> dict[str, str]:
    """``{mutant name: signature}``: the function, then each changed line, ``-`` old and ``+`` new."""
    proc = subprocess.run(
        [sys.executable, "-c", SIGNATURES],
        input=json.dumps(names),
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def statuses(work: Path, env: dict[str, str]) -> dict[str, str]:
    """Every mutant's status, from ``mutmut results --all true`` (lines ``    name: status``)."""
    listing = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(re.findall(r"^\s+(\S+): (.+)$", listing, flags=re.MULTILINE))


def score(found: dict[str, str], equivalent: set[str]) -> tuple[int, int, list[str]]:
    """Killed and counted mutants (equivalent ones are not counted), and the survivors."""
    counted = {name: status for name, status in found.items() if name not in equivalent}
    survivors = sorted(name for name, status in counted.items() if status not in KILLED)
    return len(counted) - len(survivors), len(counted), survivors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print where it is")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1, help="mutants tested at once")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="template-mutation-"))
    try:
        template = copy_template(work)
        lay_out_for_mutmut(work, template)
        env = {**os.environ, "TEMPLATE_UNDER_TEST": str(template), "MUTATED_CODE": str(work / "mutants")}
        run = subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)], cwd=work, env=env
        )
        if run.returncode != 0:
            print(f"error: mutmut run exited with {run.returncode}", file=sys.stderr)
            return run.returncode
        found = statuses(work, env)
        equivalents = read_equivalents()
        alive = signatures(work, env, [name for name, status in found.items() if status not in KILLED])
        equivalent = {name for name, signature in alive.items() if signature in equivalents}
        killed, counted, survivors = score(found, equivalent)
        for name in survivors:
            print(f"survived ({found[name]}): {alive[name]}")
        for signature in sorted(set(equivalents) - set(alive.values())):
            print(f"warning: listed as equivalent but not alive (killed, or no longer made): {signature}")
        print(f"{len(equivalent)} mutants are equivalent (listed in {EQUIVALENT.relative_to(ROOT)})")
        if args.keep:
            print(f"work folder kept: {work} (run mutmut there with TEMPLATE_UNDER_TEST and MUTATED_CODE set)")
        print(f"mutation score: {killed}/{counted} killed ({killed / max(counted, 1):.0%})")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
