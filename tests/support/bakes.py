"""Where the session's ``bake`` fixture (tests/conftest.py) keeps its bakes: a plugin may give
it a store of its own, and a way to keep a bake (tests/support/mutation.py does)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

BAKE_STORE = pytest.StashKey[dict[tuple, Path]]()
KEEP_BAKE = pytest.StashKey[Callable[[Path], Path]]()
