"""Slow: every job of every CI file, run as its runner runs it (tests/support/runners.py).

A release pipeline starts from a pushed tag v0.1.0: it builds, checks, publishes to the
CodeArtifact of tests/support/codeartifact_host.py, and the ``verify`` command that publish
prints installs the version back. A branch pipeline runs lint, tests and the build and publishes
nothing. A template-update pipeline applies a newer template in a job that holds no write token
and pushes the branch from one that runs nothing of the template. Each job has only what its
image gives. By default: a release per provider (pip's build on GitHub, the slim image and STS on
GitLab, uv on CodeBuild), GitHub's branch pipeline, GitHub's template update and a branch's
refused publish; the other package managers and version sources add no job and are ``weekly``.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import MANAGERS, commit_all, edit, git
from tests.support.codeartifact_host import loopback_codeartifact_host
from tests.support.runners import (
    ROLE_CREDENTIALS,
    GitHubContext,
    Runner,
    codebuild_build,
    github_job,
    github_workflow,
    gitlab_pipeline,
    pushed_project,
    sts_stand_in,
)
from tests.support.tools import BIN, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

TAG = "v0.1.0"
README = "{{cookiecutter.__project_dir}}/README.md"
UV_VERSION = MANAGERS["uv"]["ci_uv"].split("==")[1]
GITHUB_VARS = {"CODEARTIFACT_READ_ROLE_ARN": "arn:aws:iam::111122223333:role/read",
               "CODEARTIFACT_PUBLISH_ROLE_ARN": "arn:aws:iam::111122223333:role/publish"}  # fmt: skip
GITLAB_VARS = {
    **GITHUB_VARS, "CI_DEFAULT_BRANCH": "main", "CI_SERVER_HOST": "gitlab.example.com",
    "CI_PROJECT_PATH": "org/project",
    "GITLAB_USER_NAME": "Dev", "GITLAB_USER_EMAIL": "dev@example.com",
}  # fmt: skip


# The stack's parameters and the roles the CI variables name, for the STS stand-in.
PARAMETERS = {"GitHubRepository": "org/project", "ReleaseEnvironment": "release", "GitLabProjectPath": "org/project"}
ROLES = {
    GITHUB_VARS["CODEARTIFACT_READ_ROLE_ARN"]: "CiReadRole",
    GITHUB_VARS["CODEARTIFACT_PUBLISH_ROLE_ARN"]: "PublishRole",
}


def weekly(*values: str) -> pytest.param:
    return pytest.param(*values, marks=pytest.mark.weekly)


@pytest.fixture(scope="module")
def codeartifact(tmp_path_factory):
    with loopback_codeartifact_host(tmp_path_factory.mktemp("codeartifact"), "ca-" + secrets.token_urlsafe(24)) as ca:
        yield ca


def pushed(bake_copy, tmp_path: Path, codeartifact, tools, locked: bool = True, **answers: str) -> tuple[Runner, Path]:
    """A bake, locked as its developer locks it on the first day (unless no job installs it),
    pushed with the tag."""
    project = bake_copy(**answers)
    runner = Runner(tmp_path / "runner", tmp_path / "remote.git", codeartifact, tools)
    table = MANAGERS[answers["package_manager"]]
    if locked and table["upgrade"]:
        lock = f'eval "$({table["tool"]} env --tool {answers["package_manager"]})" && {table["upgrade"]}'
        assert runner.shell("developer: lock", lock, project, developer(runner)).ok, report(runner)
    pushed_project(project, runner.remote, TAG)
    return runner, project


def developer(runner: Runner) -> dict[str, str]:
    """A developer's terminal: uv, pipx and Poetry installed, AWS credentials at hand."""
    _, env = runner.job_machine("developer", git=True, python=True)
    env["PATH"] = f"{BIN}:{env['PATH']}"
    return env | ROLE_CREDENTIALS | {"AWS_REGION": "us-east-1", "PIPX_HOME": str(runner.tools.cache / "pipx")}


def release(runner: Runner, project: Path, provider: str) -> None:
    if provider == "github":
        context = GitHubContext(ref=f"refs/tags/{TAG}", vars=GITHUB_VARS)
        conclusions = github_workflow(runner, project / ".github/workflows/release.yml", context, UV_VERSION)
        assert conclusions == {"build": "success", "publish": "success"}, report(runner)
    elif provider == "gitlab":
        variables = {**GITLAB_VARS, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": TAG, "CI_COMMIT_REF_NAME": TAG,
                     "CI_COMMIT_REF_PROTECTED": "true"}  # fmt: skip
        statuses = gitlab_pipeline(runner, project, variables)
        assert statuses == {"lint": "success", "test": "success", "build": "success", "release": "success"}, report(
            runner
        )
    else:
        phases = codebuild_build(runner, project, "buildspec-release.yml", TAG,
                                 {"CODEBUILD_WEBHOOK_TRIGGER": f"tag/{TAG}", "AWS_REGION": "us-east-1"})  # fmt: skip
        assert phases == ["install", "pre_build", "build"], report(runner)


def report(runner: Runner) -> str:
    return "\n".join(f"--- {r.name}: exit {r.status}\n{r.output[-3000:]}" for r in runner.results)


RELEASES = [
    ("github", "pip", "pyproject"),  # pip's build tools come from build-requirements.txt
    ("gitlab", "uv", "tag"),  # the slim image: git only where a job installs it
    ("codebuild", "uv", "pyproject"),
    weekly("github", "uv", "tag"),
    weekly("github", "poetry", "pyproject"),
    weekly("gitlab", "pip", "pyproject"),
    weekly("gitlab", "poetry", "tag"),
    weekly("codebuild", "pip", "tag"),
    weekly("codebuild", "poetry", "tag"),
]


def a_pushed_tag_publishes_and_installs_back(bake_copy, tmp_path, codeartifact, tools, provider, manager,
                                                   version_from):  # fmt: skip
    name = f"{provider} {manager} {version_from}"
    runner, project = pushed(bake_copy, tmp_path, codeartifact, tools, project_name=name, ci_provider=provider,
                             package_manager=manager, version_from=version_from)  # fmt: skip
    if provider == "codebuild":  # its roles are service roles: no web identity to check
        release(runner, project, provider)
    else:
        with sts_stand_in(codeartifact, project, PARAMETERS, ROLES) as sts:
            runner.sts = sts
            release(runner, project, provider)
        ref = f"refs/tags/{TAG}" if provider == "github" else TAG
        assert [granted for role, subject, granted in sts.requests if role == "publish"] == [True], sts.requests
        assert all(granted and subject.endswith(ref) for role, subject, granted in sts.requests), sts.requests
    published = [r.output for r in runner.results if "check that it installs from there" in r.output][-1]
    printed = re.search(r"check that it installs from there: (.+)", published)
    assert printed, report(runner)
    checkout = tmp_path / "checkout"  # the developer checks the tag out and runs what publish printed
    runner.clone(checkout, TAG, full=False)
    verified = runner.shell("developer: verify", printed.group(1), checkout, developer(runner))
    normalized = name.replace(" ", "-")
    assert f"verified: {normalized}==0.1.0 installs from my-repo into a new environment" in verified.output.splitlines()
    wheel = normalized.replace("-", "_") + "-0.1.0"
    assert sorted(f for f in codeartifact.uploaded() if f.startswith(wheel)) == [f"{wheel}-py3-none-any.whl",
                                                                               f"{wheel}.tar.gz"]  # fmt: skip
    assert codeartifact.proxy.refused == []


BRANCHES = [
    ("github", "uv"),
    weekly("github", "poetry"),
    weekly("github", "pip"),
    weekly("gitlab", "poetry"),
    weekly("gitlab", "pip"),
    weekly("codebuild", "uv"),
    weekly("codebuild", "poetry"),
    weekly("codebuild", "pip"),
]


def a_branch_pipeline_lints_tests_and_builds_and_publishes_nothing(bake_copy, tmp_path, codeartifact, tools,
                                                                          provider, manager):  # fmt: skip
    """(GitLab's tag pipeline of the release tests runs the same jobs; its branch pipeline is
    the same less the release job, which its rules leave out.)"""
    name = f"branch {provider} {manager}"
    runner, project = pushed(bake_copy, tmp_path, codeartifact, tools, project_name=name, ci_provider=provider,
                             package_manager=manager)  # fmt: skip
    before = codeartifact.uploaded()
    if provider == "github":
        context = GitHubContext(ref="refs/heads/main", vars=GITHUB_VARS)
        conclusions = github_workflow(runner, project / ".github/workflows/ci.yml", context, UV_VERSION)
        assert conclusions == {"checks": "success", "test": "success"}, report(runner)
    elif provider == "gitlab":
        variables = {**GITLAB_VARS, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_REF_NAME": "main",
                     "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_PROTECTED": "true"}  # fmt: skip
        statuses = gitlab_pipeline(runner, project, variables)
        assert statuses == {"lint": "success", "test": "success", "build": "success"}, report(runner)
    else:
        phases = codebuild_build(runner, project, "buildspec.yml", "main", {"AWS_REGION": "us-east-1"})
        assert phases == ["install", "pre_build", "build"], report(runner)
    assert [line for result in runner.results for line in result.output.splitlines() if " passed" in line]
    assert codeartifact.uploaded() == before


def a_template_update_runs_the_template_without_a_write_token_and_pushes_from_a_job_that_runs_none_of_it(
    tmp_path, template_repository, codeartifact, tools, provider
):
    """copier for GitHub, cruft for GitLab, as tests/test_template_updates.py bakes them; the
    template then moves on, and the scheduled pipeline runs."""
    git("tag", "2026.12.0", cwd=template_repository)
    project = tmp_path / "ledger"
    if provider == "github":
        run(BIN / "copier", "copy", "--defaults", "--data", "project_name=Ledger", "--data",
            f"ci_provider={provider}", template_repository, project, cwd=tmp_path)  # fmt: skip
    else:
        options = json.dumps({"project_name": "Ledger", "ci_provider": provider})
        run(BIN / "cruft", "create", "--no-input", "--output-dir", tmp_path, "--extra-context", options,
            template_repository, cwd=tmp_path)  # fmt: skip
    runner = Runner(tmp_path / "runner", tmp_path / "remote.git", codeartifact, tools)
    pushed_project(project, runner.remote, None)
    edit(template_repository / README, "# {{ cookiecutter.project_name }}\n",
         "# The {{ cookiecutter.project_name }} library\n")  # fmt: skip
    commit_all(template_repository, "A new title")
    git("tag", "2026.12.1", cwd=template_repository)
    gh = tmp_path / "gh-bin"  # GitHub's runner has gh; this one records what it is asked
    gh.mkdir()
    (gh / "gh").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {tmp_path / "gh-calls"}\n')
    (gh / "gh").chmod(0o755)

    if provider == "github":
        context = GitHubContext(
            ref="refs/heads/main",
            vars={"TEMPLATE_UPDATES": "true", "TEMPLATE_UPDATE_APP_CLIENT_ID": "Iv23li"},
            secrets={"TEMPLATE_UPDATE_APP_PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----"},
            path_prefix=str(gh),
        )
        workflow = project / ".github/workflows/template-update.yml"
        conclusions = github_workflow(runner, workflow, context, UV_VERSION)
        assert conclusions == {"update": "success", "pull-request": "success"}, report(runner)
        (ran_template,) = [r for r in runner.results if "Apply the template's changes on a branch" in r.name]
        assert (tmp_path / "gh-calls").read_text().splitlines()[0] == "auth setup-git"
        assert "pr create --head template-update/" in (tmp_path / "gh-calls").read_text()
    else:
        variables = {**GITLAB_VARS, "CI_PIPELINE_SOURCE": "schedule", "UPDATE": "template",
                     "CI_COMMIT_REF_NAME": "main", "UPDATE_PUSH_TOKEN": "glpat-push",
                     # the remote .push-merge-request sets, with its token: the bare repository
                     "GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_1": f"url.file://{runner.remote}.insteadOf",
                     "GIT_CONFIG_VALUE_1": f"https://update-bot:glpat-push@{GITLAB_VARS['CI_SERVER_HOST']}/org/project.git",
                     }  # fmt: skip
        statuses = gitlab_pipeline(runner, project, variables, scoped={"UPDATE_PUSH_TOKEN": "updates"})
        assert statuses == {"template-update": "success", "template-merge-request": "success"}, report(runner)
        (ran_template,) = [r for r in runner.results if r.name == "gitlab template-update"]
    assert not [value for value in ran_template.env.values() if value.startswith(("ghs_", "glpat-"))]
    machine = Path(ran_template.env["HOME"])  # the job's HOME, beside its work folder
    for config in (machine.parent / "work" / ".git" / "config", machine / ".gitconfig"):
        assert not re.search(r"ghs_|glpat-|x-access-token", config.read_text() if config.exists() else "")
    (branch,) = subprocess.run(["git", "branch", "--list", "template-update/*", "--format=%(refname:short)"],
                               cwd=runner.remote, capture_output=True, text=True).stdout.split()  # fmt: skip
    shown = subprocess.run(["git", "show", f"{branch}:README.md"], cwd=runner.remote, capture_output=True, text=True)
    assert shown.stdout.startswith("# The Ledger library\n")


def only_a_release_ref_may_assume_the_publish_role(bake_copy, tmp_path, codeartifact, tools):
    """The publish job of release.yml run for a branch: STS refuses its subject, by the baked
    trust policy, and the job stops before it publishes."""
    runner, project = pushed(bake_copy, tmp_path, codeartifact, tools, locked=False, project_name="Branch Publish",
                             ci_provider="github", package_manager="uv")  # fmt: skip
    runner.artifacts["dist"] = tmp_path / "no-dist"
    runner.artifacts["dist"].mkdir()
    release = yaml.safe_load((project / ".github/workflows/release.yml").read_text(encoding="utf-8"))
    context = GitHubContext(ref="refs/heads/main", vars=GITHUB_VARS)
    with sts_stand_in(codeartifact, project, PARAMETERS, ROLES) as sts:
        runner.sts = sts
        ok, _ = github_job(runner, "publish", release["jobs"]["publish"], release, context, UV_VERSION)
    assert not ok
    assert runner.results[-1].output == (
        "Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity"
    )
    assert sts.requests == [("publish", "repo:org/project:environment:release:ref:refs/heads/main", False)]


# One class per provider: pytest-xdist (--dist loadscope) gives each class a worker of its own.


def of(provider: str, cases: list) -> list:
    """The cases of one provider, less the provider, with their marks."""
    chosen = []
    for case in cases:
        values, marks = (case.values, case.marks) if hasattr(case, "values") else (case, ())
        if values[0] == provider:
            chosen.append(pytest.param(*values[1:], marks=marks, id="-".join(values[1:])))
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    provider = getattr(metafunc.cls, "provider", "")
    if "version_from" in metafunc.fixturenames:
        metafunc.parametrize(("manager", "version_from"), of(provider, RELEASES))
    elif "manager" in metafunc.fixturenames:
        metafunc.parametrize("manager", of(provider, BRANCHES))


class Pipelines:
    provider = ""

    def test_a_pushed_tag_publishes_and_installs_back(self, bake_copy, tmp_path, codeartifact, tools, manager,
                                                       version_from):  # fmt: skip
        a_pushed_tag_publishes_and_installs_back(bake_copy, tmp_path, codeartifact, tools, self.provider, manager,
                                                 version_from)  # fmt: skip

    def test_a_branch_pipeline_lints_tests_and_builds_and_publishes_nothing(self, bake_copy, tmp_path, codeartifact,
                                                                           tools, manager):  # fmt: skip
        a_branch_pipeline_lints_tests_and_builds_and_publishes_nothing(bake_copy, tmp_path, codeartifact, tools,
                                                                       self.provider, manager)  # fmt: skip


class TemplateUpdates(Pipelines):
    def test_a_template_update_holds_no_write_token_while_the_template_runs(self, tmp_path, template_repository,
                                                                           codeartifact, tools):  # fmt: skip
        a_template_update_runs_the_template_without_a_write_token_and_pushes_from_a_job_that_runs_none_of_it(
            tmp_path, template_repository, codeartifact, tools, self.provider
        )


class TestGitHub(TemplateUpdates):
    provider = "github"

    def test_only_a_release_ref_may_assume_the_publish_role(self, bake_copy, tmp_path, codeartifact, tools):
        only_a_release_ref_may_assume_the_publish_role(bake_copy, tmp_path, codeartifact, tools)


class TestGitLab(TemplateUpdates):
    provider = "gitlab"

    @pytest.mark.weekly  # its GitHub twin runs every time
    def test_a_template_update_holds_no_write_token_while_the_template_runs(self, tmp_path, template_repository,
                                                                           codeartifact, tools):  # fmt: skip
        super().test_a_template_update_holds_no_write_token_while_the_template_runs(
            tmp_path, template_repository, codeartifact, tools
        )


class TestCodeBuild(Pipelines):
    provider = "codebuild"
