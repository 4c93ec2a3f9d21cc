"""The shell commands of a baked project's CI files."""

from __future__ import annotations

from pathlib import Path

import yaml


def workflows(project: Path) -> dict[str, dict]:
    folder = project / ".github" / "workflows"
    return {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yml"))}


def workflow_commands(workflow: dict) -> list[str]:
    """The ``run:`` blocks of a GitHub Actions workflow, in order."""
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


# The scheduled updates: git, cruft, awk and gh around the package manager's upgrade, which
# tests/test_ci.py checks job by job.
UPDATE_WORKFLOWS = ("template-update.yml", "dependency-update.yml")


def ci_commands(project: Path, provider: str) -> list[str]:
    """The shell lines of the project's CI files that build, test and release (not the updates)."""
    lines: list[str] = []
    if provider == "github":
        for name, workflow in workflows(project).items():
            if name not in UPDATE_WORKFLOWS:
                lines += workflow_commands(workflow)
    elif provider == "gitlab":
        config = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
        for name, job in config.items():
            if isinstance(job, dict) and job.get("stage") != "update" and name != ".push-merge-request":
                lines += job.get("before_script", []) + job.get("script", [])
    elif provider == "codebuild":
        for name in ("buildspec.yml", "buildspec-release.yml"):
            buildspec = yaml.safe_load((project / name).read_text(encoding="utf-8"))
            for phase in buildspec["phases"].values():
                lines += phase["commands"]
    return shell_lines(lines)


def shell_lines(blocks: list[str]) -> list[str]:
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
