"""Time what a template user waits for, and print one line per figure.

Run from the root of a clone, in the test environment (``.venv``, see README.rst)::

    .venv/bin/python benchmarks/benchmark.py            # bake, baked pytest, dev group, newcomer loop
    .venv/bin/python benchmarks/benchmark.py --suite    # the test suite, layer by layer, instead
    .venv/bin/python benchmarks/benchmark.py --anchor ../cookiecutter-uv  # bakes, paired with its

``--suite`` runs each layer of the template's test suite once, as CI runs it (``pytest -n auto``,
pytest.ini's markers: fast, slow, weekly), prints its time, and appends a line per layer to
benchmarks/history.csv, to be committed, so that the suite's growth shows from one change to
the next. ``--layers fast slow`` times some of them. Caches are as they are: empty them
(``rm -r .pytest_cache``) for a cold figure.

``--anchor`` takes a clone of another template (cookiecutter-uv,
https://github.com/fpgmaas/cookiecutter-uv, the one this template's bake is measured against)
and bakes it with its defaults, alternating with this template's, so that both meet the same
load; it prints both medians and their ratio, and copier's bake of this template.

Every figure is the median of ``--repeat`` runs with warm package caches (the test suite's
caches in ``.pytest_cache``), a temporary HOME and PyPI in place of CodeArtifact, so that the
numbers compare one change with the next on the same machine. Nothing here is a test: speed
goals are read off this output, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CACHE = TEMPLATE / ".pytest_cache" / "d" / "package-caches"
HISTORY = Path(__file__).with_name("history.csv")
# Each layer of the suite by its markers (pytest.ini): what every change runs, fast then slow, and weekly.
LAYERS = {"fast": "not slow", "slow": "slow and not weekly", "weekly": "weekly"}


def environment(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_", "POETRY_", "AWS_", "VIRTUAL_ENV"))}
    return {
        **keep,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "UV_DEFAULT_INDEX": "https://pypi.org/simple",
        "UV_CACHE_DIR": str(CACHE / "uv"),
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
        "PATH": os.pathsep.join([str(BIN), keep.get("PATH", "")]),
    }


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_of(repeat: int, action: Callable[[], object]) -> float:
    return statistics.median(timed(action) for _ in range(repeat))


def bake(out: Path, env: dict[str, str], template: Path = TEMPLATE) -> Path:
    run(sys.executable, "-m", "cookiecutter", "--no-input", template, "--output-dir", out, cwd=out, env=env)
    return out / "acme-utils"


def paired_bakes(anchor: Path, repeat: int, fresh: Callable[[str], Path], env: dict[str, str]) -> None:
    """This template's bake and the anchor's, in turns; then copier's bake of this template."""
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(timed(lambda: bake(fresh("ours"), env)))
        theirs.append(timed(lambda: bake(fresh("anchor"), env, anchor)))
    report("bake (defaults), paired", statistics.median(ours), "s")
    report(f"bake of {anchor.name}", statistics.median(theirs), "s")
    report("bake / anchor's bake", statistics.median(ours) / statistics.median(theirs), "x")
    report("copier copy (defaults)", median_of(repeat, lambda: copier_bake(fresh("copier"), env)), "s")


def copier_bake(out: Path, env: dict[str, str]) -> None:
    """copier takes a git template at its last commit (and, with a warning, the uncommitted changes)."""
    run(BIN / "copier", "copy", "--defaults", "--quiet", TEMPLATE, out / "acme-utils", cwd=out, env=env)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def report(name: str, value: float, unit: str) -> None:
    print(f"{name:<32} {value:10.2f} {unit}")


def time_layer(layer: str) -> tuple[int, float]:
    """Run one layer of the suite as CI does; (how many tests passed, seconds)."""
    command = [sys.executable, "-m", "pytest", "-n", "auto", "-q", "-m", LAYERS[layer]]
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=TEMPLATE, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"the {layer} layer failed:\n{proc.stdout[-5000:]}{proc.stderr[-2000:]}")
    passed = re.search(r"(\d+) passed", proc.stdout)
    return int(passed.group(1)) if passed else 0, seconds


def commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=TEMPLATE, capture_output=True, text=True)
    return head.stdout.strip()


def time_suite(layers: list[str]) -> None:
    """Time each layer, print it, and append it to the history as soon as it is known."""
    for layer in layers:
        tests, seconds = time_layer(layer)
        report(f"{layer} layer ({tests} tests)", seconds, "s")
        when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
        python = ".".join(map(str, sys.version_info[:2]))
        new = not HISTORY.exists()
        with HISTORY.open("a", newline="", encoding="utf-8") as history:
            rows = csv.writer(history)
            if new:
                rows.writerow(["date", "commit", "layer", "tests", "seconds", "cpus", "python"])
            rows.writerow([when, commit(), layer, tests, f"{seconds:.0f}", os.cpu_count(), python])


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=5)
    options.add_argument("--suite", action="store_true", help="time the suite's layers instead, into history.csv")
    options.add_argument("--layers", nargs="+", choices=list(LAYERS), default=list(LAYERS), help="with --suite")
    options.add_argument("--anchor", type=Path, help="a clone of another template, to bake in turns with this one")
    args = options.parse_args()
    if args.suite:
        time_suite(args.layers)
        return
    uv = shutil.which("uv", path=str(BIN)) or "uv"

    with tempfile.TemporaryDirectory(prefix="template-benchmark-") as scratch:
        root = Path(scratch)
        env = environment(root / "home")

        def fresh(name: str) -> Path:
            folder = root / f"{name}-{time.monotonic_ns()}"
            folder.mkdir(parents=True)
            return folder

        report("bake (defaults)", median_of(args.repeat, lambda: bake(fresh("bake"), env)), "s")
        if args.anchor:
            paired_bakes(args.anchor.resolve(), max(args.repeat, 11), fresh, env)

        project = bake(fresh("project"), env)
        run(uv, "sync", cwd=project, env=env)
        pytest_time = median_of(args.repeat, lambda: run(uv, "run", "--offline", "pytest", "-q", cwd=project, env=env))
        report("baked `uv run pytest`", pytest_time, "s")
        site = next((project / ".venv" / "lib").glob("python*/site-packages"))
        report("baked dev environment", folder_size(site) / 1e6, "MB")

        def newcomer_loop() -> None:
            baked = bake(fresh("loop"), env)
            run(uv, "sync", cwd=baked, env=env)
            run(uv, "run", "pytest", "-q", cwd=baked, env=env)
            run(uv, "build", cwd=baked, env=env)
            dists = sorted(str(p) for p in (baked / "dist").glob("acme_utils-*"))
            run(BIN / "uvx", "twine", "check", "--strict", *dists, cwd=baked, env=env)

        report("newcomer loop (uv)", median_of(args.repeat, newcomer_loop), "s")


if __name__ == "__main__":
    main()
