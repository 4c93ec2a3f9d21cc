"""Slow: a release is a tag. A project baked with ``version_from=tag`` is made, tagged and
published from a fresh account exactly as printed, against the CodeArtifact of
tests/support/codeartifact_host.py; then the release workflow's own build and tag check (read
from the baked release.yml, not retyped) refuse a tag that is not the version built, and an
untagged commit is refused by ``publish`` in one line. A class per package manager, so that
pytest-xdist runs them side by side.
"""

from __future__ import annotations

import pytest
import yaml

from tests.support.clean_machine import Terminal
from tests.test_first_day import AUTHOR, paste, to_installed_back

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

FILES = ["tag_lib-0.3.0-py3-none-any.whl", "tag_lib-0.3.0.tar.gz"]


def release_steps(workflow: str) -> tuple[str, str]:
    """The release workflow's build script and its tag check, as GitHub would run them."""
    runs = [step.get("run", "") for step in yaml.safe_load(workflow)["jobs"]["build"]["steps"]]
    check_tag = next(run for run in runs if " check-tag " in run)
    return runs[runs.index(check_tag) - 1], check_tag


def refusal(terminal: Terminal, text: str) -> str:
    """The output of a paste that must fail, and fail in one line."""
    done = terminal.paste(text)
    assert not done.ok, f"{text} succeeded:\n{done.output[-3000:]}"
    errors = [line for line in done.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.output[-3000:]
    return errors[0]


class TagRelease:
    manager = ""

    def test_a_tag_is_published_and_an_untagged_commit_is_refused(self, machine):
        terminal = machine.terminal()
        try:
            given = {"project_name": "Tag Lib", **AUTHOR, "version": "0.3.0", "version_from": "tag"}
            published, verified = to_installed_back(terminal, self.manager, given)
            assert "git tag v0.3.0" in published.text

            workflow = (machine.home / "tag-lib" / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
            build, check_tag = release_steps(workflow)
            paste(terminal, build)
            matched = paste(terminal, f"export GITHUB_REF_NAME=v0.3.0 && {check_tag}")
            wrong_tag = refusal(terminal, f"export GITHUB_REF_NAME=v0.4.0 && {check_tag}")
            tool = verified.text.removesuffix(" verify")
            untagged = refusal(terminal, f"git commit -q --allow-empty -m 'Next' && {tool} publish")
        finally:
            terminal.close()
        assert "verified: tag-lib==0.3.0 installs from my-repo into a new environment" in verified.output
        assert machine.codeartifact.uploaded() == FILES  # and nothing of the untagged commit
        assert "the tag v0.3.0 matches the version 0.3.0 of the build in dist" in matched.output
        assert wrong_tag == "error: the tag v0.4.0 does not match the version 0.3.0 of the build in dist: build " \
            "the commit the tag names, with the tags fetched (a full clone)"  # fmt: skip
        assert untagged == (
            "error: 0.3.1.dev1 is a development version, built from a commit with no tag v<version>: tag the "
            "commit (git tag v0.3.1, then push the tag), or pass --dev"
        )
        assert machine.codeartifact.proxy.refused == []


class TestUvTagRelease(TagRelease):
    manager = "uv"


class TestPoetryTagRelease(TagRelease):
    manager = "poetry"


@pytest.mark.weekly  # per change: pip's tag release in test_first_day, check-tag with uv's and Poetry's
class TestPipTagRelease(TagRelease):
    manager = "pip"
