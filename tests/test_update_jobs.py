"""Slow: GitLab's scheduled dependency update, run as its runner runs it. A project locks a
dependency that the CodeArtifact of tests/support/codeartifact_host.py holds at 1.0.0; then 1.1.0
arrives, and the update job's own commands (read from the baked .gitlab-ci.yml, never retyped)
move the lock to it, install it and run the project's tests. Nothing is pushed: the merge-request
job's command and rules are checked in tests/test_ci.py. GitHub projects leave this to Dependabot,
whose configuration tests/test_ci.py checks against the project's index and the stack's role.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest
import tomllib
import yaml

from tests.conftest import MANAGERS, TEMPLATE_DIR
from tests.support.clean_machine import readme_pastes
from tests.support.tools import BIN
from tests.test_first_day import SOURCE, paste

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

DEPENDENCY = "ledger-rates-fixture"  # a name that no upstream has


def publish_wheel(folder: Path, name: str, version: str) -> None:
    """A minimal valid wheel of ``name`` (PyPA's binary distribution format), put in the repository."""
    module = name.replace("-", "_")
    files = {
        f"{module}/__init__.py": f'VERSION = "{version}"\n'.encode(),
        f"{module}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{module}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = (
        "".join(
            f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
            for path, data in files.items()
        )
        + f"{module}-{version}.dist-info/RECORD,,\n"
    )
    files[f"{module}-{version}.dist-info/RECORD"] = record.encode()
    with zipfile.ZipFile(folder / f"{module}-{version}-py3-none-any.whl", "w") as wheel:
        for path, data in files.items():  # the same bytes on every run: Poetry's shared cache is keyed by URL
            wheel.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data)


def locked_version(lock: Path, name: str) -> str:
    packages = tomllib.loads(lock.read_text(encoding="utf-8"))["package"]
    return next(package["version"] for package in packages if package["name"] == name)


def gitlab_update_script(project: Path) -> str:
    config = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    return "\n".join(config["dependency-lock"]["script"])


def the_managers_tools(manager: str, root: Path) -> Path:
    """A folder with the package manager's tools from the test environment: the job's script is
    what this test runs (README.rst's installation of the tools is walked by test_first_day.py)."""
    folder = root / "tools"
    folder.mkdir()
    for name in {"uv": ["uv", "uvx"], "poetry": ["poetry", "pipx"]}[manager]:
        (folder / name).symlink_to(BIN / name)
    return folder


# Where each case takes its commands from, how its developer adds the dependency, and its lock.
CASES = {
    "uv": ("gitlab", gitlab_update_script, f"uv add '{DEPENDENCY}>=1'", "uv.lock"),
    "poetry": ("gitlab", gitlab_update_script, f"poetry add '{DEPENDENCY}>=1'", "poetry.lock"),
}


class UpdateJob:
    manager = ""

    def test_the_update_job_moves_the_lock_to_the_newer_version_and_runs_the_tests(self, machine):
        provider, update_script, add, lock_file = CASES[self.manager]
        packages = machine.codeartifact.repository.pypiserver.packages
        publish_wheel(packages, DEPENDENCY, "1.0.0")
        terminal = machine.terminal()
        try:
            paste(terminal, f"export PATH={the_managers_tools(self.manager, machine.root)}:$PATH")
            bake = readme_pastes((TEMPLATE_DIR / "README.rst").read_text(encoding="utf-8"), self.manager)[-1]
            options = f"--no-input project_name='Update Lib' package_manager={self.manager} ci_provider={provider}"
            paste(terminal, bake.replace(SOURCE, f"{TEMPLATE_DIR} {options}") + " && cd update-lib")
            project = machine.home / "update-lib"
            tool = MANAGERS[self.manager]["tool"]
            paste(terminal, f'eval "$({tool} env --tool {self.manager})" && {add}')
            paste(
                terminal,
                "git init -q && git add . && git -c user.name=Dev -c user.email=dev@example.com commit -qm First",
            )
            assert locked_version(project / lock_file, DEPENDENCY) == "1.0.0"

            publish_wheel(packages, DEPENDENCY, "1.1.0")
            script = machine.home / "update-step.sh"  # as both runners run a step: a file, bash -eo pipefail
            script.write_text(update_script(project), encoding="utf-8")
            updated = paste(terminal, f"bash --noprofile --norc -eo pipefail {script}")
        finally:
            terminal.close()
        assert locked_version(project / lock_file, DEPENDENCY) == "1.1.0"
        assert (project / "update" / "summary.md").read_text(encoding="utf-8") == f"- {DEPENDENCY}: 1.0.0 → 1.1.0\n"
        assert (project / "update" / lock_file).read_bytes() == (project / lock_file).read_bytes()
        assert " passed" in updated.output  # the project's tests ran on the new lock
        assert machine.codeartifact.proxy.refused == []


class TestUvUpdateOnGitLab(UpdateJob):
    manager = "uv"


class TestPoetryUpdateOnGitLab(UpdateJob):
    manager = "poetry"
