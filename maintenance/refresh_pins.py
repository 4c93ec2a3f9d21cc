"""Refresh every pin inside the template from its source, or report the stale ones (--check).

The template pins what its bakes use in files that Dependabot and Renovate cannot read (Jinja
templates, cookiecutter.json), so this command keeps them current:

- actions: ``uses: OWNER/REPO@SHA  # TAG`` in the baked and the template's own workflows, from
  the newest release of OWNER/REPO and the commit of its tag (GitHub's REST API);
- pre-commit hooks: ``rev: SHA  # frozen: TAG`` of the baked .pre-commit-config.yaml, likewise;
- images: ``_python_images`` of cookiecutter.json, the digest each tag has now (Docker Hub's
  registry API);
- tools from PyPI: ``NAME==VERSION`` where a bake or README.rst installs a tool (PyPI's JSON
  API), and the upper bound of ``uv_build``, which follows uv's newest minor release;
- the release tool's locks: ``uv lock --script --upgrade`` and ``uv export``;

then it writes copier's generated parts again (maintenance/copier_yml.py), which copy
cookiecutter.json's pins.

    python maintenance/refresh_pins.py            # rewrite the stale pins, then review the diff
    python maintenance/refresh_pins.py --check    # list them; exit 1 if any is stale

Each pin is one line of the report: ``stale``, ``current``, or ``unknown`` with the reason its
source could not be asked (no network, a rate limit). ``--answers FILE`` answers from a JSON
file of recorded answers (``{url: answer}``) instead of the network: the tests use it, as
GitHub and Docker Hub are out of their reach. Set GITHUB_TOKEN for GitHub's higher rate limit.
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
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "{{cookiecutter.__project_dir}}"
SCRIPT = PROJECT / "scripts" / "codeartifact.py"
# Each bake carries the one lock its release path uses: uv's, or pip's (pip and Poetry projects).
LOCKS = {
    "codeartifact.py.lock": SCRIPT.with_name(
        "{% if cookiecutter.package_manager == 'uv' %}codeartifact.py.lock{% endif %}"
    ),
    "requirements.txt": SCRIPT.with_name("{% if cookiecutter.package_manager != 'uv' %}requirements.txt{% endif %}"),
    # CI's own tools, hash-locked: uv where the release tool runs with uv, build and twine for pip.
    "uv-requirements.txt": SCRIPT.with_name(
        "{% if cookiecutter.package_manager == 'uv' %}uv-requirements.txt{% endif %}"
    ),
    "build-requirements.txt": SCRIPT.with_name(
        "{% if cookiecutter.package_manager == 'pip' %}build-requirements.txt{% endif %}"
    ),
}
# The template-update jobs' tool: copier for a project copier made, cruft for one cookiecutter baked.
UPDATE_TOOLS = {"copier": "is defined", "cruft": "is not defined"}  # copier's _copier_conf
LOCKS |= {
    f"{tool}-update-requirements.txt": SCRIPT.with_name(
        f"{{% if cookiecutter.ci_provider in ['github', 'gitlab'] and _copier_conf {test} %}}"
        "update-requirements.txt{% endif %}"
    )
    for tool, test in UPDATE_TOOLS.items()
}
CI_LOCK_HEADER = "# CI installs uv from here: python -m pip install --require-hashes -r scripts/uv-requirements.txt\n"

GITHUB = "https://api.github.com/repos/{}"
PYPI = "https://pypi.org/pypi/{}/json"
DOCKER_TOKEN = "https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/{}:pull"
DOCKER_MANIFEST = "https://registry-1.docker.io/v2/library/{}/manifests/{}"
MANIFEST_TYPES = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json"

# A GitHub repository's release pinned by its commit: an action, and a frozen pre-commit hook.
USES = re.compile(r"(?P<before>uses: (?P<repo>[\w.-]+/[\w.-]+)@)(?P<sha>[0-9a-f]{40})(?P<between>  # )(?P<tag>v[\w.]+)")
FROZEN_REV = re.compile(
    r"(?P<before>repo: https://github\.com/(?P<repo>[\w.-]+/[\w.-]+)\n    rev: )(?P<sha>[0-9a-f]{40})"
    r"(?P<between>  # frozen: )(?P<tag>v?[\w.]+)"
)
IMAGE = re.compile(r'("(\d\.\d+)": ")python:([\w.-]+)@(sha256:[0-9a-f]{64})(")')
PYPI_PIN = re.compile(r"\b(poetry|cruft|copier|cookiecutter|mdformat-gfm|uv)==(\d[\w.]*)")
UV_BUILD_CAP = re.compile(r"(uv_build>=[\d.]+,<)(0\.\d+)")


class Unreachable(Exception):
    """A source that could not be asked."""


class Sources:
    """Answers from the network, or from recorded answers (``{url: answer}``)."""

    def __init__(self, recorded: dict[str, object] | None = None) -> None:
        self.recorded = recorded

    def get(self, url: str, headers: dict[str, str] | None = None, header: str | None = None) -> object:
        """The JSON at ``url``, or, with ``header``, the value of that response header."""
        if self.recorded is not None:
            if url not in self.recorded:
                raise Unreachable(f"no recorded answer for {url}")
            return self.recorded[url]
        request = urllib.request.Request(url, headers={"User-Agent": "refresh-pins", **(headers or {})})
        if header:
            request.method = "HEAD"
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.headers.get(header) if header else json.load(response)
        except (OSError, ValueError) as error:
            raise Unreachable(f"{urllib.parse.urlsplit(url).hostname}: {error}") from None


def github_headers() -> dict[str, str]:
    token = os.environ.get("GITHUB_TOKEN")
    return {"Accept": "application/vnd.github+json", **({"Authorization": f"Bearer {token}"} if token else {})}


@dataclass
class Pin:
    path: Path
    what: str  # e.g. "actions/checkout"
    current: str
    latest: str | None = None
    problem: str = ""
    apply: Callable[[str], str] | None = None  # rewrites the file's text for ``latest``

    @property
    def state(self) -> str:
        if self.problem:
            return f"unknown ({self.problem})"
        return "current" if self.latest == self.current else f"stale: {self.current} -> {self.latest}"


def template_files() -> Iterator[Path]:
    """The files that hold pins: the project's YAML (whatever its Jinja name), the template's
    own workflows, cookiecutter.json, README.rst and the project's pyproject.toml."""
    yaml = [path for path in PROJECT.rglob("*") if path.is_file() and re.search(r"\.ya?ml\b", path.name)]
    yield from sorted([*yaml, *(ROOT / ".github").rglob("*.yml")])
    yield ROOT / "cookiecutter.json"
    yield ROOT / "README.rst"
    yield PROJECT / "pyproject.toml"


def replacing(pattern: re.Pattern[str], repository: str, tag: str, sha: str) -> Callable[[str], str]:
    """A rewrite of the text: each pin of ``repository`` that ``pattern`` finds, at ``sha`` and ``tag``."""

    def rewrite(text: str) -> str:
        def new(match: re.Match[str]) -> str:
            if match["repo"] != repository:
                return match.group(0)
            return f"{match['before']}{sha}{match['between']}{tag}"

        return pattern.sub(new, text)

    return rewrite


def newest_release(sources: Sources, repository: str) -> tuple[str, str]:
    """(tag, commit) of a GitHub repository's newest release."""
    release = sources.get(GITHUB.format(repository) + "/releases/latest", github_headers())
    tag = str(release["tag_name"])  # type: ignore[index]
    commit = sources.get(GITHUB.format(repository) + f"/commits/{tag}", github_headers())
    return tag, str(commit["sha"])  # type: ignore[index]


def release_pins(sources: Sources, path: Path, text: str) -> list[Pin]:
    """Actions (``uses: OWNER/REPO@SHA  # TAG``) and frozen hooks (``rev: SHA  # frozen: TAG``)."""
    found = {(m["repo"], m["sha"], m["tag"], pattern) for pattern in (USES, FROZEN_REV) for m in pattern.finditer(text)}
    pins = []
    for repository, sha, tag, pattern in sorted(found, key=lambda pin: pin[:3]):
        pin = Pin(path, repository, f"{tag} {sha[:12]}")
        try:
            new_tag, new_sha = newest_release(sources, repository)
            pin.latest = f"{new_tag} {new_sha[:12]}"
            pin.apply = replacing(pattern, repository, new_tag, new_sha)
        except (Unreachable, KeyError, TypeError) as error:
            pin.problem = str(error)
        pins.append(pin)
    return pins


def image_pins(sources: Sources, path: Path, text: str) -> list[Pin]:
    pins = []
    for match in IMAGE.finditer(text):
        tag, digest = match.group(3), match.group(4)
        pin = Pin(path, f"python:{tag}", digest[:19])
        try:
            token = sources.get(DOCKER_TOKEN.format("python"))["token"]  # type: ignore[index]
            headers = {"Accept": MANIFEST_TYPES, "Authorization": f"Bearer {token}"}
            new = str(sources.get(DOCKER_MANIFEST.format("python", tag), headers, header="Docker-Content-Digest"))
            if not new.startswith("sha256:"):
                raise Unreachable(f"registry gave no digest for python:{tag}")
            pin.latest = new[:19]
            pin.apply = lambda text, t=tag, d=digest, n=new: text.replace(f"python:{t}@{d}", f"python:{t}@{n}")
        except (Unreachable, KeyError, TypeError) as error:
            pin.problem = str(error)
        pins.append(pin)
    return pins


def pypi_version(sources: Sources, name: str) -> str:
    return str(sources.get(PYPI.format(name))["info"]["version"])  # type: ignore[index]


def pypi_pins(sources: Sources, path: Path, text: str) -> list[Pin]:
    pins = []
    for name, version in sorted(set(PYPI_PIN.findall(text))):
        pin = Pin(path, name, version)
        try:
            pin.latest = pypi_version(sources, name)
            pin.apply = lambda text, n=name, v=version, new=pin.latest: text.replace(f"{n}=={v}", f"{n}=={new}")
        except (Unreachable, KeyError, TypeError) as error:
            pin.problem = str(error)
        pins.append(pin)
    for match in UV_BUILD_CAP.finditer(text):
        pin = Pin(path, "uv_build upper bound", match.group(2))
        try:
            major, minor = pypi_version(sources, "uv").split(".")[:2]
            pin.latest = f"{major}.{int(minor) + 1}"
            pin.apply = lambda text, cap=pin.latest: UV_BUILD_CAP.sub(lambda m: m.group(1) + cap, text)
        except (Unreachable, KeyError, TypeError, ValueError) as error:
            pin.problem = str(error)
        pins.append(pin)
    return pins


def find_pins(sources: Sources) -> list[Pin]:
    pins = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        for finder in (release_pins, image_pins, pypi_pins):
            pins += finder(sources, path, text)
    return pins


def lock_pins(uv: str) -> list[Pin]:
    """The release tool's two locks against a fresh ``uv lock --script --upgrade``, made in a
    copy with the same layout (so that uv export writes the same header)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "scripts").mkdir()
        shutil.copy2(SCRIPT, Path(folder) / "scripts")
        commands = [
            [uv, "lock", "--script", "scripts/codeartifact.py", "--upgrade", "--quiet"],
            [uv, "export", "--script", "scripts/codeartifact.py", "--format", "requirements.txt",
             "-o", "scripts/requirements.txt", "--quiet"],
            [uv, "pip", "compile", "-", "--universal", "--generate-hashes", "--python-version", "3.11",
             "-c", "scripts/requirements.txt", "-o", "scripts/build-requirements.txt", "--quiet",
             "--custom-compile-command", "python maintenance/refresh_pins.py"],
            *([uv, "pip", "compile", "-", "--universal", "--generate-hashes", "--python-version", "3.11",
               "-o", f"scripts/{tool}-update-requirements.txt", "--quiet",
               "--custom-compile-command", "python maintenance/refresh_pins.py"] for tool in UPDATE_TOOLS),
        ]  # fmt: skip
        inputs = ["", "", "build\ntwine\n", *(f"{tool}\n" for tool in UPDATE_TOOLS)]
        try:
            for command, given in zip(commands, inputs, strict=True):
                subprocess.run(command, cwd=folder, check=True, capture_output=True, text=True, input=given)
        except (OSError, subprocess.CalledProcessError) as error:
            lines = (getattr(error, "stderr", "") or str(error)).strip().splitlines()
            return [Pin(SCRIPT, "release tool locks", "as locked", problem=lines[-1] if lines else "uv failed")]
        exported = (Path(folder) / "scripts" / "requirements.txt").read_text(encoding="utf-8")
        uv_pin = re.search(r"^uv==.*\n(?:    .*\n)*", exported, re.MULTILINE)
        (Path(folder) / "scripts" / "uv-requirements.txt").write_text(CI_LOCK_HEADER + (uv_pin[0] if uv_pin else ""))
        fresh = {path: (Path(folder) / "scripts" / name).read_text(encoding="utf-8") for name, path in LOCKS.items()}
    pins = []
    for path, text in fresh.items():
        same = path.exists() and path.read_text(encoding="utf-8") == text
        pin = Pin(path, "release tool lock", "as locked", "as locked" if same else "newer versions")
        pin.apply = lambda _, text=text: text
        pins.append(pin)
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report stale pins and change nothing; exit 1 if any")
    parser.add_argument("--answers", type=Path, help="a JSON file of recorded answers instead of the network")
    parser.add_argument("--no-locks", action="store_true", help="leave the release tool's locks alone")
    args = parser.parse_args(argv)
    recorded = json.loads(args.answers.read_text(encoding="utf-8")) if args.answers else None
    pins = find_pins(Sources(recorded))
    if not args.no_locks:
        uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
        pins += lock_pins(uv)
    for pin in pins:
        print(f"{pin.path.relative_to(ROOT)}: {pin.what}: {pin.state}")
    stale = [pin for pin in pins if pin.latest is not None and pin.latest != pin.current and not pin.problem]
    unknown = [pin for pin in pins if pin.problem]
    print(f"{len(pins)} pins: {len(stale)} stale, {len(unknown)} unknown")
    if args.check:
        return 1 if stale else 0
    for path in sorted({pin.path for pin in stale}):
        text = path.read_text(encoding="utf-8")
        for pin in (pin for pin in stale if pin.path == path and pin.apply):
            text = pin.apply(text)
        path.write_text(text, encoding="utf-8")
    if stale:  # copier's generated parts carry cookiecutter.json's pins: one command keeps both current
        subprocess.run([sys.executable, ROOT / "maintenance" / "copier_yml.py"], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
