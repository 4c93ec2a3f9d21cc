"""Shared fixtures: bake each answer set once per session, and run the tools of a baked project."""

from __future__ import annotations

import builtins
import functools
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType, ModuleType

import pytest

from tests.support.bakes import BAKE_STORE, KEEP_BAKE
from tests.support.clean_machine import CleanMachine
from tests.support.codeartifact_host import loopback_codeartifact_host
from tests.support.tools import ProjectTools

# mutation/run.py runs the fast layer on a copy of the template, against mutated copies of its
# Python code: the template's own files are then read from TEMPLATE_UNDER_TEST, and the code
# the tests import in-process from MUTATED_CODE (see load_code).
TEMPLATE_DIR = Path(os.environ.get("TEMPLATE_UNDER_TEST") or Path(__file__).resolve().parents[1])
MUTATED_CODE = os.environ.get("MUTATED_CODE")
DEFAULTS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
MANAGERS: dict[str, dict] = DEFAULTS["_managers"]  # the package manager table

Bake = Callable[..., Path]
PRIVATE_HOME = pytest.StashKey[Path]()
# mutation/run.py's plugin (tests/support/mutation.py), only when it runs the tests.
pytest_plugins = ["tests.support.mutation"] if MUTATED_CODE else []


def pytest_configure(config: pytest.Config) -> None:
    config.option.template = str(TEMPLATE_DIR)  # pytest-cookies bakes this template
    # pytest-cookies renders cookiecutter.json itself before cookiecutter puts the template on
    # sys.path, so the template's _extensions (rule_data_extension) must import from there too,
    # wherever pytest runs (mutation/run.py runs it from another folder).
    if str(TEMPLATE_DIR) not in sys.path:
        sys.path.append(str(TEMPLATE_DIR))
    # The suite starts hundreds of Python processes (hooks, the release tool, pip, twine): let
    # them keep compiled modules, in one folder of the clone rather than beside any source
    # (and so never inside a bake), even where the machine sets PYTHONDONTWRITEBYTECODE.
    pycache = str(TEMPLATE_DIR / ".pytest_cache" / "pycache")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = pycache
    sys.dont_write_bytecode = False
    sys.pycache_prefix = pycache
    # Every tool the suite starts (cookiecutter's replay, virtualenv, uv, pipx, pip, Poetry)
    # writes under this HOME, never under the developer's own. One per session: mutmut runs
    # sessions side by side, in forks of one process.
    home = Path(tempfile.mkdtemp(prefix="template-tests-home-"))
    config.stash[PRIVATE_HOME] = home
    os.environ.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash[PRIVATE_HOME], ignore_errors=True)


@pytest.fixture(scope="session")
def bake(cookies_session, pytestconfig: pytest.Config) -> Bake:
    """``bake(**answers)`` returns the folder of a baked project, baking each answer set once
    (in the store a plugin may give, tests/support/bakes.py)."""
    baked = pytestconfig.stash.get(BAKE_STORE, {})
    keep = pytestconfig.stash.get(KEEP_BAKE, lambda project: project)

    def bake_once(**answers: str) -> Path:
        key = tuple(sorted(answers.items()))
        if key not in baked:
            result = cookies_session.bake(extra_context=answers)
            assert result.exit_code == 0, f"bake failed for {answers}: {result.exception}"
            baked[key] = keep(result.project_path)
        return baked[key]

    return bake_once


@pytest.fixture(scope="session")
def bake_copy(bake, tmp_path_factory: pytest.TempPathFactory) -> Bake:
    """``bake_copy(**answers)``: a private copy of a bake, for tests that run tools in it."""

    def copy(**answers: str) -> Path:
        project = bake(**answers)
        return Path(shutil.copytree(project, tmp_path_factory.mktemp("work") / project.name))

    return copy


def load_code(name: str, path: Path, mutated: str) -> ModuleType:
    """Import the file at ``path`` as module ``name``, or under mutation testing the mutated
    copy ``MUTATED_CODE/mutated`` in its place (``__file__`` stays ``path``, so a script finds
    its project). mutmut tells its mutants apart by ``name``, the module it made them for."""
    source = Path(MUTATED_CODE, mutated) if MUTATED_CODE else path
    module = ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    stat = source.stat()
    exec(compiled(source, stat.st_mtime_ns, stat.st_size), module.__dict__)
    return module


@functools.cache
def compiled(source: Path, mtime_ns: int, size: int) -> CodeType:
    """The code of ``source``, compiled once: a mutated release tool takes a second and a half."""
    return compile(source.read_text(encoding="utf-8"), str(source), "exec")


def load_release_tool(project: Path) -> ModuleType:
    """Import a baked project's scripts/codeartifact.py as a module."""
    return load_code("codeartifact", project / "scripts" / "codeartifact.py", "codeartifact.py")


def load_hook(name: str) -> ModuleType:
    """Import a hook as a module; its Jinja line only runs under __main__."""
    return load_code(f"hooks.{name}", TEMPLATE_DIR / "hooks" / f"{name}.py", f"hooks/{name}.py")


@pytest.fixture
def latin1_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text files opened without an encoding get Latin-1, as on a Windows machine set to cp1252."""
    real_open = io.open

    def locale_open(file, mode="r", buffering=-1, encoding=None, *args, **kwargs):
        if "b" not in mode and encoding in (None, "locale"):  # pathlib passes "locale" for None
            encoding = "latin-1"
        return real_open(file, mode, buffering, encoding, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", locale_open)
    monkeypatch.setattr(io, "open", locale_open)
    monkeypatch.setattr(os, "fdopen", lambda fd, *args, **kwargs: locale_open(fd, *args, **kwargs))


@pytest.fixture
def machine(tmp_path: Path, tools: ProjectTools) -> Iterator[CleanMachine]:
    """A fresh account (tests/support/clean_machine.py) before a CodeArtifact that answers like
    the real one (tests/support/codeartifact_host.py), for the slow tests that paste commands."""
    with loopback_codeartifact_host(tmp_path / "codeartifact", "ca-" + secrets.token_urlsafe(24)) as codeartifact:
        yield CleanMachine(tmp_path / "machine", codeartifact, tools.cache)


@pytest.fixture(scope="session")
def tools(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ProjectTools:
    """Package caches shared by every baked project, kept between runs in pytest's cache folder."""
    cache = Path(request.config.cache.mkdir("package-caches"))
    return ProjectTools(cache=cache, config_home=tmp_path_factory.mktemp("xdg-config"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest first: the tests that reach a loopback CodeArtifact end to end (a fresh
    account's walks, the pipelines, the releases), then the rest of the slow layer, then the fast
    one. pytest-xdist (--dist loadscope, --no-loadscope-reorder) hands out whole modules and
    classes in this order, so the long ones start at once and the short ones fill the gaps."""

    def end_to_end(item: pytest.Item) -> bool:
        return bool({"machine", "codeartifact"} & set(getattr(item, "fixturenames", ())))

    items.sort(key=lambda item: (item.get_closest_marker("slow") is None, not end_to_end(item)))


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook; the suite also runs without xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than there are CPUs. About a third of the suite's time is
    spent waiting on child processes and loopback servers, which a spare worker fills."""
    return (os.cpu_count() or 1) + 1


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    identity = ["-c", "user.name=Platform", "-c", "user.email=platform@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *identity, *args], cwd=cwd, capture_output=True, text=True, check=True)


def commit_all(folder: Path, message: str) -> None:
    git("add", "-A", cwd=folder)
    git("commit", "-qm", message, cwd=folder)


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a file, as a developer does in an editor; ``old`` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def template_repository(tmp_path) -> Path:
    """A git repository of the template as it is now, as a platform team would host it."""
    copy = tmp_path / "template"
    ignore = shutil.ignore_patterns(".venv", ".git", ".pytest_cache", "__pycache__", ".ruff_cache")
    shutil.copytree(TEMPLATE_DIR, copy, ignore=ignore)
    git("init", "-q", cwd=copy)
    commit_all(copy, "Template 1")
    return copy
