"""CI files and CloudFormation for every ci_provider: schemas, linters, security rules, no drift."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import cfnlint.api
import pytest
import tomllib
import yaml

from tests.conftest import DEFAULTS, MANAGERS, load_release_tool
from tests.support.ci import ci_commands, workflows
from tests.support.cloudformation import load_yaml

PROVIDERS = DEFAULTS["ci_provider"]
CI_FILES = {
    "github": {
        ".github/workflows/ci.yml",
        ".github/workflows/release.yml",
        ".github/workflows/template-update.yml",
        ".github/dependabot.yml",
    },
    "gitlab": {".gitlab-ci.yml"},
    "codebuild": {"buildspec.yml", "buildspec-release.yml"},
    "none": set(),
}
SCHEMAS = {
    ".github/workflows/ci.yml": "vendor.github-workflows",
    ".github/workflows/release.yml": "vendor.github-workflows",
    ".github/workflows/template-update.yml": "vendor.github-workflows",
    ".github/dependabot.yml": "vendor.dependabot",
    ".gitlab-ci.yml": "vendor.gitlab-ci",
}
# The newest tags of each action, and the commits they point at, read from each action's own
# repository (github.com/OWNER/ACTION/tags); Dependabot keeps the baked pins current.
PINNED_ACTIONS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "astral-sh/setup-uv": ("20cfd1bf945f4377ade1205e4dbc17946fc9a30d", "v10.0.1"),
    "aws-actions/configure-aws-credentials": ("e6de054238d6b7531b4efff3b6587d9aade6a06c", "v6.2.3"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    "actions/create-github-app-token": ("1b10c78c7865c340bc4f6099eb2f838309f1e8c3", "v3.1.1"),
}
# Least privilege, per the CodeArtifact IAM reference:
# https://docs.aws.amazon.com/codeartifact/latest/ug/get-set-up-provision-user.html
READ_ACTIONS = {
    "codeartifact:GetAuthorizationToken",
    "sts:GetServiceBearerToken",
    "codeartifact:GetRepositoryEndpoint",
    "codeartifact:ReadFromRepository",
}
PUBLISH_ACTIONS = {
    "codeartifact:PublishPackageVersion",
    "codeartifact:ListPackageVersionAssets",
}


def infra(project: Path) -> dict:
    return load_yaml(project / "infra" / "codeartifact.yaml")


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def statements(document: dict) -> list[dict]:
    return as_list(document["Statement"])


MANAGER_NAMES = DEFAULTS["package_manager"]


@pytest.fixture(scope="module", params=PROVIDERS)
def provider(request) -> str:
    return request.param


@pytest.fixture(scope="module", params=MANAGER_NAMES)
def manager(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def project(bake, provider, manager) -> Path:
    return bake(ci_provider=provider, package_manager=manager)


@pytest.fixture(scope="module")
def infra_project(bake, provider) -> Path:
    """The CloudFormation depends on the CI provider only."""
    return bake(ci_provider=provider)


# --- files ---------------------------------------------------------------------------


def ci_files(provider: str, manager: str) -> set[str]:
    """The CI files of a bake: the same for every package manager."""
    return CI_FILES[provider]


def test_only_the_chosen_provider_leaves_files(project, provider, manager):
    every = set().union(*CI_FILES.values())
    present = {name for name in every if (project / name).exists()}
    assert present == ci_files(provider, manager)
    assert (project / "infra" / "codeartifact.yaml").is_file()
    assert not [p for p in project.rglob("*") if p.is_dir() and not any(p.iterdir())], "empty folders"


SCHEMA_CHECKED = [(provider, name) for provider in PROVIDERS for name in sorted(CI_FILES[provider]) if name in SCHEMAS]


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
@pytest.mark.parametrize(("provider_name", "name"), SCHEMA_CHECKED)
def test_ci_files_pass_their_vendored_schemas(bake, manager_name, provider_name, name):
    """CodeBuild has no published buildspec schema: its files are checked as data below."""
    project = bake(ci_provider=provider_name, package_manager=manager_name)
    proc = subprocess.run(
        [Path(sys.executable).with_name("check-jsonschema"), "--builtin-schema", SCHEMAS[name], project / name],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, f"{name}:\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_zizmor_finds_nothing_in_the_github_files(bake, manager_name):
    """zizmor, offline, as an auditor: every audit, every confidence."""
    project = bake(ci_provider="github", package_manager=manager_name)
    proc = subprocess.run(
        [Path(sys.executable).with_name("zizmor"), "--offline", "--persona=auditor", project / ".github"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout + proc.stderr


def test_cfn_lint_finds_no_error_or_warning(infra_project):
    assert cfnlint.api.lint_file(infra_project / "infra" / "codeartifact.yaml") == []


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_the_test_buildspec_never_publishes(bake, manager_name):
    project = bake(ci_provider="codebuild", package_manager=manager_name)
    buildspec = yaml.safe_load((project / "buildspec.yml").read_text(encoding="utf-8"))
    assert buildspec["version"] == 0.2
    assert set(buildspec["phases"]) == {"install", "pre_build", "build"}
    commands = [line for phase in buildspec["phases"].values() for line in phase["commands"]]
    assert len(commands) >= 8
    assert not [line for line in commands if "publish" in line]


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_the_release_buildspec_publishes_only_after_a_build_and_check_that_passed(bake, manager_name):
    """CodeBuild stops a phase at its first failing command and, with on-failure ABORT, the build;
    a post_build phase would run after a failed build, so there is none. The tag is checked
    against the version built, so a version from the tag is checked too."""
    project = bake(ci_provider="codebuild", package_manager=manager_name)
    table = MANAGERS[manager_name]
    buildspec = yaml.safe_load((project / "buildspec-release.yml").read_text(encoding="utf-8"))
    assert list(buildspec["phases"]) == ["install", "pre_build", "build"]
    assert all(phase["on-failure"] == "ABORT" for phase in buildspec["phases"].values())
    assert buildspec["phases"]["build"]["commands"] == [
        table["build"],
        f"{table['twine']} check --strict dist/*",
        f'{table["tool"]} check-tag "${{CODEBUILD_WEBHOOK_TRIGGER#tag/}}" --dist dist',
        f"{table['release_tool']} publish --dist dist",
    ]


# --- security ------------------------------------------------------------------------


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_workflows_grant_least_permissions(bake, manager_name):
    """Only OIDC tokens are written: the template update pushes with a GitHub App's token."""
    for name, workflow in workflows(bake(ci_provider="github", package_manager=manager_name)).items():
        assert workflow["permissions"] == {}, name
        for job_name, job in workflow["jobs"].items():
            granted = job["permissions"]
            assert granted != "write-all", (name, job_name)
            writes = {scope for scope, level in granted.items() if level == "write"}
            assert writes <= {"id-token"}, (name, job_name, writes)
            assert job["timeout-minutes"] <= 30


def test_the_template_update_is_opt_in_and_runs_copier_or_cruft(bake):
    update = workflows(bake(ci_provider="github"))["template-update.yml"]
    assert update[True] == {"schedule": [{"cron": "17 6 * * 1"}], "workflow_dispatch": None}
    script = template_update_script(update)
    assert update["jobs"]["update"]["if"] == "vars.TEMPLATE_UPDATES == 'true'"
    assert "if cruft check; then exit 0; fi" in script and "cruft update -y" in script
    assert "if copier check-update --quiet; then exit 0; fi" in script and "copier update --defaults" in script
    assert script.index("cruft check") < script.index("cruft update") < script.index("git bundle create")
    assert script.index("copier check-update") < script.index("copier update") < script.index("git bundle create")


def template_update_script(workflow: dict) -> str:
    """The step of the update job that runs copier or cruft."""
    return next(step["run"] for step in workflow["jobs"]["update"]["steps"] if step.get("id") == "apply")


@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_no_write_token_is_near_the_template_s_code(bake, provider):
    """copier's tasks and cruft's hooks run in a job that holds no write token, in its
    environment, its git configuration or its permissions; the job that pushes runs neither."""
    project = bake(ci_provider=provider)
    if provider == "github":
        jobs = workflows(project)["template-update.yml"]["jobs"]
        runner, pusher = jobs["update"], jobs["pull-request"]
        assert runner["permissions"] == {"contents": "read"}
        assert pusher["permissions"] == {} and pusher["needs"] == "update"
        assert runner["environment"] != pusher["environment"]  # the App's key is not the runner's
        for job in (runner, pusher):
            checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
            assert checkout["with"]["persist-credentials"] is False
        secrets = [str(step.get("env", {})) + str(step.get("with", {})) for step in runner["steps"]]
        assert not [s for s in secrets if "secrets." in s and "TEMPLATE_READ_TOKEN" not in s]
        app = next(s for s in pusher["steps"] if s.get("uses", "").startswith("actions/create-github-app-token@"))
        assert app["with"]["permission-workflows"] == "write"
        pushed = " ".join(step.get("run", "") for step in pusher["steps"])
    else:
        config = load_yaml(project / ".gitlab-ci.yml")
        runner, pusher = config["template-update"], config["template-merge-request"]
        assert "extends" not in runner and "environment" not in runner and "id_tokens" not in runner
        assert pusher["extends"] == ".push-merge-request" and pusher["needs"] == ["template-update"]
        assert runner["artifacts"]["paths"] == ["update/"]
        pushed = " ".join(pusher["script"])
    for tool in ("copier", "cruft", "pip install"):
        assert tool not in pushed


@pytest.mark.parametrize("provider", ["github", "gitlab"])
def test_the_update_tools_install_from_hashes(bake, provider):
    project = bake(ci_provider=provider)
    name = ".github/workflows/template-update.yml" if provider == "github" else ".gitlab-ci.yml"
    text = (project / name).read_text(encoding="utf-8")
    assert "python -m pip install --require-hashes -r scripts/update-requirements.txt" in text
    assert not re.search(r"(copier|cruft)==", text)
    locked = (project / "scripts" / "update-requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^cruft==\S+ \\\n    --hash=sha256:", locked, re.M)  # cookiecutter's bake: cruft's lock
    assert not re.search(r"^copier==", locked, re.M)
    assert not (bake(ci_provider="codebuild") / "scripts" / "update-requirements.txt").exists()


def test_github_template_updates_stop_in_one_line_without_the_app(bake, tmp_path):
    """No App set up: the first step says what to set up, and the job stops before any work."""
    first = workflows(bake(ci_provider="github"))["template-update.yml"]["jobs"]["update"]["steps"][0]
    proc = subprocess.run(["bash", "-e", "-c", first["run"]], env={"APP_CLIENT_ID": "", "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "::error::template updates need a GitHub App: set the variable TEMPLATE_UPDATE_APP_CLIENT_ID and the secret "
        'TEMPLATE_UPDATE_APP_PRIVATE_KEY (README.md, "Continuous integration"); nothing was pushed'
    ]
    assert first["env"] == {"APP_CLIENT_ID": "${{ vars.TEMPLATE_UPDATE_APP_CLIENT_ID }}"}


@pytest.mark.parametrize("provider", ["github", "gitlab", "codebuild"])
def test_uv_is_pinned_by_version_and_hash_wherever_it_is_installed(bake, provider):
    project = bake(ci_provider=provider, package_manager="uv")
    locked = (project / "scripts" / "uv-requirements.txt").read_text(encoding="utf-8")
    version = re.search(r"^uv==(\S+) \\\n    --hash=sha256:", locked, re.M).group(1)
    assert MANAGERS["uv"]["ci_uv"] == f"uv=={version}"
    if provider == "github":
        for workflow in workflows(project).values():
            for job in workflow["jobs"].values():
                for step in job["steps"]:
                    if step.get("uses", "").startswith("astral-sh/setup-uv@"):
                        assert step["with"]["version"] == version
    else:
        text = "".join(path.read_text(encoding="utf-8") for path in project.glob("*.yml"))
        assert "pip install uv" not in text
        assert text.count("python -m pip install --require-hashes -r scripts/uv-requirements.txt") >= 2


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_no_buildspec_installs_a_thing_twice(bake, manager_name):
    project = bake(ci_provider="codebuild", package_manager=manager_name)
    for name in ("buildspec.yml", "buildspec-release.yml"):
        buildspec = yaml.safe_load((project / name).read_text(encoding="utf-8"))
        installs = [
            part.strip()
            for phase in buildspec["phases"].values()
            for line in phase["commands"]
            for part in line.split("&&")
            if "install" in part
        ]
        assert len(installs) == len(set(installs)), (name, installs)
        files = [file for part in installs for file in re.findall(r"-r (\S+)", part)]
        assert len(files) == len(set(files)), (name, files)


def test_ci_files_and_infrastructure_never_hold_long_lived_aws_keys(project, provider, manager):
    for name in [*ci_files(provider, manager), "infra/codeartifact.yaml"]:
        text = (project / name).read_text(encoding="utf-8")
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws-access-key-id", "aws-secret-access-key"):
            assert key not in text, (name, key)
    assert "AWS::IAM::AccessKey" not in (project / "infra" / "codeartifact.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_every_action_is_pinned_to_a_full_commit(bake, manager_name):
    project = bake(ci_provider="github", package_manager=manager_name)
    for path in (project / ".github" / "workflows").glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                uses = re.fullmatch(r"\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})  # (v[\d.]+)", line)
                assert uses, f"{path.name}: {line.strip()}"
                assert PINNED_ACTIONS[uses.group(1)] == (uses.group(2), uses.group(3)), line


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_the_release_publishes_from_a_protected_environment_by_oidc(bake, manager_name):
    release = workflows(bake(ci_provider="github", package_manager=manager_name))["release.yml"]
    assert release[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as true
    publish = release["jobs"]["publish"]
    assert publish["needs"] == "build"
    assert publish["environment"] == "release"
    assert publish["permissions"] == {"contents": "read", "id-token": "write"}
    credentials = next(s for s in publish["steps"] if s.get("uses", "").startswith("aws-actions/"))
    assert credentials["with"]["role-to-assume"] == "${{ vars.CODEARTIFACT_PUBLISH_ROLE_ARN }}"
    table = MANAGERS[manager_name]
    runs = [step["run"] for step in publish["steps"] if "run" in step]
    expected = [f"{table['release_tool']} publish --dist dist"]
    if table["release_setup"]:  # only the release tool's locked dependencies, nothing of the project
        expected.insert(0, table["release_setup"])
    assert runs == expected
    build_runs = [step.get("run", "") for step in release["jobs"]["build"]["steps"]]
    built = next(i for i, run in enumerate(build_runs) if table["build"] in run)
    assert build_runs[built + 1] == f'{table["tool"]} check-tag "$GITHUB_REF_NAME" --dist dist'  # the version built


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_a_newer_tag_never_cancels_a_release_and_ci_cancels_only_itself(bake, manager_name):
    found = workflows(bake(ci_provider="github", package_manager=manager_name))
    release_group = {"group": "release-${{ github.ref_name }}", "cancel-in-progress": False}
    assert found["release.yml"]["concurrency"] == release_group
    assert found["ci.yml"]["concurrency"] == {"group": "ci-${{ github.ref }}", "cancel-in-progress": True}


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_dependabot_waits_a_week_for_every_ecosystem(bake, manager_name):
    config = load_yaml(bake(ci_provider="github", package_manager=manager_name) / ".github" / "dependabot.yml")
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    python = "uv" if manager_name == "uv" else "pip"  # Dependabot's pip ecosystem updates poetry.lock
    assert set(ecosystems) == {python, "github-actions", "pre-commit"}
    assert all(update["cooldown"]["default-days"] >= 7 for update in ecosystems.values())


def test_policies_grant_only_the_listed_actions_on_exact_resources(infra_project):
    resources = infra(infra_project)["Resources"]
    read = statements(resources["ReadPolicy"]["Properties"]["PolicyDocument"])
    publish = statements(resources["PublishPolicy"]["Properties"]["PolicyDocument"])
    assert {a for s in read for a in as_list(s["Action"])} == READ_ACTIONS
    assert {a for s in publish for a in as_list(s["Action"])} == PUBLISH_ACTIONS
    for statement in read + publish:
        actions = as_list(statement["Action"])
        assert not any("*" in action for action in actions), statement
        assert statement["Effect"] == "Allow"
        if statement["Resource"] == "*":
            assert actions == ["sts:GetServiceBearerToken"]
            assert statement["Condition"] == {"StringEquals": {"sts:AWSServiceName": "codeartifact.amazonaws.com"}}
        else:
            assert "*" not in statement["Resource"]["Fn::Sub"], statement
    (package_statement,) = publish
    assert package_statement["Resource"]["Fn::Sub"].endswith(
        ":package/${DomainName}/${RepositoryName}/pypi//${PackageName}"
    )


def test_the_package_is_blocked_from_upstreams(infra_project, bake):
    template = infra(infra_project)
    group = template["Resources"]["PackageOrigin"]["Properties"]
    assert group["Pattern"] == {"Fn::Sub": "/pypi//${PackageName}$"}
    assert group["OriginConfiguration"]["Restrictions"] == {
        "Publish": {"RestrictionMode": "ALLOW"},
        "ExternalUpstream": {"RestrictionMode": "BLOCK"},
        "InternalUpstream": {"RestrictionMode": "BLOCK"},
    }
    assert template["Resources"]["UpstreamRepository"]["Properties"]["ExternalConnections"] == ["public:pypi"]
    assert template["Parameters"]["PackageName"]["Default"] == "acme-utils"
    assert (
        infra(bake(package_name="Acme.Utils_2", ci_provider="none"))["Parameters"]["PackageName"]["Default"]
        == "acme-utils-2"
    )


# --- no drift: every CI command names a tool and a path the baked project has --------

# Lines of shell that glue the tools together, each allowed exactly as written.
SHELL_GLUE = {
    'eval "$credentials"',
    'AWS_WEB_IDENTITY_TOKEN_FILE="$(mktemp)"',
    "export AWS_WEB_IDENTITY_TOKEN_FILE",
    "apt-get update -qq && apt-get install -y -qq --no-install-recommends git",  # GitLab's slim image
    'printf \'%s\' "$AWS_WEB_IDENTITY_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"',
}


def table_commands(manager: str) -> set[str]:
    """The commands of the package manager table that CI may run as they are."""
    table = MANAGERS[manager]
    commands = {table["ci_setup"], table["release_setup"], table["locked_sync"], table["build"]}
    return commands | {f"{table['twine']} check --strict dist/*"}


def dev_tools(project: Path) -> set[str]:
    """The names of the project's development dependencies (its PEP 735 dev group)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    return {re.split(r"[<>=!~ \[]", requirement)[0] for requirement in pyproject["dependency-groups"]["dev"]}


def check_command(line: str, project: Path, manager: str, tools: set[str], parser) -> None:
    """Fail unless ``line`` runs a tool the baked project has, on paths it has."""
    if inner := re.fullmatch(r'credentials="\$\((.*)\)"', line):
        return check_command(inner.group(1), project, manager, tools, parser)
    if line in SHELL_GLUE or line in table_commands(manager):
        return None
    words = shlex.split(line)
    for release_tool in (MANAGERS[manager]["tool"].split(), MANAGERS[manager]["release_tool"].split()):
        if words[: len(release_tool)] == release_tool:
            assert (project / "scripts" / "codeartifact.py").is_file()
            parser.parse_args(words[len(release_tool) :])  # exits 2 on an unknown command or option
            return None
    project_tool = MANAGERS[manager]["run"].split()
    if words[: len(project_tool)] != project_tool or words[len(project_tool)] not in tools:
        pytest.fail(f"CI runs a command the template does not know: {line}")
    return None


@pytest.mark.parametrize(
    "line",
    ["if true; then", "printf '%s' x > /tmp/anything", "uv run scripts/codeartifact.py publsh", "uv run black ."],
)
def test_the_drift_check_refuses_unknown_lines(bake, line):
    project = bake()
    with pytest.raises((pytest.fail.Exception, SystemExit)):
        check_command(line, project, "uv", dev_tools(project), load_release_tool(project).parser())


def test_ci_commands_refer_to_the_project(project, provider):
    lines = ci_commands(project, provider)
    if provider == "none":
        assert lines == []
        return
    manager = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["codeartifact"][
        "package-manager"
    ]
    parser = load_release_tool(project).parser()
    for line in lines:
        check_command(line, project, manager, dev_tools(project), parser)
    tool = MANAGERS[manager]["tool"]
    assert f'credentials="$({tool} env --tool {manager})"' in lines
    assert f"{MANAGERS[manager]['release_tool']} publish --dist dist" in lines
    tools = (tool, MANAGERS[manager]["release_tool"])
    assert any(line.startswith(f"{name} check-tag ") for line in lines for name in tools)


def test_a_failing_env_stops_the_ci_step(project, provider, tmp_path):
    """CI shells run with -e; `eval "$(… env …)"` would hide the failure, the captured form does not."""
    lines = ci_commands(project, provider)
    if provider == "none":
        assert lines == []
        return
    capture = next(line for line in lines if line.startswith('credentials="$('))
    assert lines[lines.index(capture) + 1] == 'eval "$credentials"'
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for name in ("uv", "pipx", "python"):  # the release tool, failing as with no AWS credentials
        (fake_bin / name).write_text("#!/bin/sh\necho 'error: no usable AWS credentials' >&2\nexit 3\n")
        (fake_bin / name).chmod(0o755)
    env = {"PATH": f"{fake_bin}:/usr/bin:/bin"}

    def step(*commands: str) -> subprocess.CompletedProcess[str]:
        script = "\n".join([*commands, "echo the next command ran"])
        return subprocess.run(["bash", "-e", "-c", script], capture_output=True, text=True, env=env)

    captured = step(capture, 'eval "$credentials"')
    assert captured.returncode == 3
    assert "the next command ran" not in captured.stdout
    hidden = step(capture.replace('credentials="$(', 'eval "$('))
    assert hidden.returncode == 0  # the old form: the failure vanished


def test_a_template_update_pull_request_names_the_release_tool_it_brings(bake):
    """The workflow reads the tool's version before and after the update with this line
    (tests/test_template_updates.py runs the whole job)."""
    project = bake(ci_provider="github")
    workflow = yaml.safe_load((project / ".github" / "workflows" / "template-update.yml").read_text(encoding="utf-8"))
    script = template_update_script(workflow)
    (definition,) = [line.strip() for line in script.splitlines() if line.strip().startswith("tool_version()")]
    proc = subprocess.run(["bash", "-c", f"{definition}\ntool_version"], cwd=project, capture_output=True, text=True)
    assert proc.stdout == load_release_tool(project).VERSION + "\n"
    assert 'title="Update from the template ${before:-?} → $after ($tool)"' in script


@pytest.mark.parametrize("version_from", ["tag", "pyproject"])
def test_a_release_build_sees_the_tags_when_the_version_comes_from_one(bake, version_from):
    """The build of a release takes its version from the tag only if the clone has the history
    and the tags: GitHub's checkout fetches one commit unless told otherwise, GitLab a few."""
    github = workflows(bake(ci_provider="github", version_from=version_from))["release.yml"]
    checkout = next(s for s in github["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    gitlab = load_yaml(bake(ci_provider="gitlab", version_from=version_from) / ".gitlab-ci.yml")
    if version_from == "tag":
        assert checkout["with"]["fetch-depth"] == 0
        assert gitlab["build"]["variables"]["GIT_DEPTH"] == 0
    else:
        assert "fetch-depth" not in checkout["with"]
        assert "variables" not in gitlab["build"]


# --- dependency and template updates ----------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_no_bot_needs_a_stored_codeartifact_token(bake, provider, manager_name):
    project = bake(ci_provider=provider, package_manager=manager_name)
    for path in project.rglob("*"):
        if path.is_file() and path.suffix in (".yml", ".yaml", ".md"):
            assert "CODEARTIFACT_TOKEN" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_dependabot_reads_codeartifact_by_oidc_with_the_role_the_stack_makes(bake, manager_name):
    """GitHub's "Configuring access to private registries for Dependabot" (AWS CodeArtifact): a
    python-index registry with the role's account and name, and no secret. Dependabot's uv
    updater matches the registry to pyproject.toml's index ignoring a user in the URL, and Poetry
    must find its source under the registry's URL."""
    project = bake(ci_provider="github", package_manager=manager_name)
    dependabot = load_yaml(project / ".github" / "dependabot.yml")
    settings = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["codeartifact"]
    endpoint = "https://my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/"
    infra_parameters = infra(project)["Parameters"]
    assert dependabot["registries"] == {
        "codeartifact": {
            "type": "python-index",
            "url": endpoint + "simple/",
            "replaces-base": True,
            "aws-region": settings["region"],
            "account-id": settings["domain-owner"],
            "role-name": infra_parameters["DependabotRoleName"]["Default"],
            "domain": settings["domain"],
            "domain-owner": settings["domain-owner"],
        }
    }
    (python,) = [update for update in dependabot["updates"] if update["package-ecosystem"] in ("uv", "pip")]
    assert python["registries"] == ["codeartifact"]
    tool = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    index = tool["uv"]["index"][0]["url"] if manager_name == "uv" else tool.get("poetry", {}).get("source", [{}])[0]
    if manager_name != "pip":
        assert (index if manager_name == "uv" else index["url"]).replace("aws@", "") == endpoint + "simple/"


def test_dependabots_role_may_only_read_and_trusts_only_this_repositorys_tokens(bake):
    resources = infra(bake(ci_provider="github"))["Resources"]
    role = resources["DependabotRole"]["Properties"]
    assert role["RoleName"] == {"Ref": "DependabotRoleName"}
    assert role["ManagedPolicyArns"] == [{"Ref": "ReadPolicy"}]
    (trust,) = statements(role["AssumeRolePolicyDocument"])
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"]["Federated"]["Fn::Sub"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    assert trust["Condition"] == {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": {"Fn::Sub": "repo:${GitHubRepository}:*"}},
    }
    for provider in ("gitlab", "codebuild", "none"):
        assert "DependabotRole" not in infra(bake(ci_provider=provider))["Resources"]


def test_a_long_package_name_still_makes_a_valid_role_name(bake):
    """IAM role names: at most 64 of [\\w+=,.@-] (the IAM API reference, CreateRole)."""
    name = "a-" + "very-long-name-" * 6 + "x"
    project = bake(ci_provider="github", project_name=name)
    role = infra(project)["Parameters"]["DependabotRoleName"]["Default"]
    assert re.fullmatch(r"[\w+=,.@-]{1,64}", role) and role.endswith("-dependabot")
    assert load_yaml(project / ".github" / "dependabot.yml")["registries"]["codeartifact"]["role-name"] == role


@pytest.mark.parametrize("manager_name", MANAGER_NAMES)
def test_gitlab_runs_the_updates_only_from_schedules_and_gives_the_push_token_to_the_pushers(bake, manager_name):
    config = load_yaml(bake(ci_provider="gitlab", package_manager=manager_name) / ".gitlab-ci.yml")
    assert config[".develop"]["rules"] == [  # branch and tag pipelines only, as without rules
        {"if": '$CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "merge_request_event"', "when": "never"},
        {"when": "on_success"},
    ]
    updates = {name: job for name, job in config.items() if isinstance(job, dict) and job.get("stage") == "update"}
    expected = {"template-update", "template-merge-request"} | (
        {"dependency-lock", "dependency-merge-request"} if manager_name != "pip" else set()
    )
    assert set(updates) == expected
    for name, job in updates.items():
        (rule,) = job["rules"]
        assert rule["if"].startswith('$CI_PIPELINE_SOURCE == "schedule" && $UPDATE == '), name
        pushes = job.get("extends") == ".push-merge-request"
        assert pushes == (name not in ("dependency-lock", "template-update")), name
        assert ("UPDATE_PUSH_TOKEN" in str(job)) is False  # only the shared push setup names it
    assert config[".push-merge-request"]["environment"] == {"name": "updates", "action": "prepare"}
    assert "UPDATE_PUSH_TOKEN" in " ".join(config[".push-merge-request"]["before_script"])
    if manager_name != "pip":
        lock = updates["dependency-lock"]
        assert lock["extends"] == ".codeartifact"  # its ID token, for the read role
        assert MANAGERS[manager_name]["upgrade"] in lock["script"]
        pushed = " ".join(updates["dependency-merge-request"]["script"])
        assert "merge_request.create" in pushed and 'merge_request.description="$(cat' not in pushed  # no line breaks
    assert "cruft update -y; fi" in " ".join(updates["template-update"]["script"])
    assert "UPDATE_PUSH_TOKEN" not in str(updates["template-update"])
