"""Shared fixtures: bake each answer set once per session, and run the tools of a baked project."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.tools import ProjectTools

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
DEFAULTS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))

Bake = Callable[..., Path]


def pytest_configure(config: pytest.Config) -> None:
    config.option.template = str(TEMPLATE_DIR)  # pytest-cookies bakes this template


@pytest.fixture(scope="session")
def bake(cookies_session) -> Bake:
    """``bake(**answers)`` returns the folder of a baked project, baking each answer set once."""
    baked: dict[tuple, Path] = {}

    def bake_once(**answers: str) -> Path:
        key = tuple(sorted(answers.items()))
        if key not in baked:
            result = cookies_session.bake(extra_context=answers)
            assert result.exit_code == 0, f"bake failed for {answers}: {result.exception}"
            baked[key] = result.project_path
        return baked[key]

    return bake_once


@pytest.fixture(scope="session")
def bake_copy(bake, tmp_path_factory: pytest.TempPathFactory) -> Bake:
    """``bake_copy(**answers)``: a private copy of a bake, for tests that run tools in it."""

    def copy(**answers: str) -> Path:
        project = bake(**answers)
        return Path(shutil.copytree(project, tmp_path_factory.mktemp("work") / project.name))

    return copy


@pytest.fixture(scope="session")
def tools(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ProjectTools:
    """Package caches shared by every baked project, kept between runs in pytest's cache folder."""
    cache = Path(request.config.cache.mkdir("package-caches"))
    return ProjectTools(cache=cache, config_home=tmp_path_factory.mktemp("xdg-config"))
