"""The pytest plugin of mutation testing (mutation/run.py), which tests/conftest.py loads only
when MUTATED_CODE is set: the bakes of mutmut's first run are shared with the run of every
mutant.

mutmut runs the fast layer once in its own process, then each mutant's tests in a fork of that
process. A bake takes a third of a second and most mutants' tests need one, so the first run's
bakes are kept, out of pytest's temporary folders (later sessions prune those), and every fork
finds them in the same store.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support.bakes import BAKE_STORE, KEEP_BAKE

_BAKES_OF_THE_FIRST_RUN: dict[tuple, Path] = {}


def kept_for_the_forks(project: Path) -> Path:
    """A copy of a bake beside the mutated code, in mutation/run.py's work folder, which goes
    when the run ends."""
    folder = Path(tempfile.mkdtemp(prefix="bake-", dir=Path(os.environ["MUTATED_CODE"]).parent))
    return Path(shutil.copytree(project, folder / project.name, symlinks=True))


def pytest_configure(config: pytest.Config) -> None:
    config.stash[BAKE_STORE] = _BAKES_OF_THE_FIRST_RUN
    config.stash[KEEP_BAKE] = kept_for_the_forks
