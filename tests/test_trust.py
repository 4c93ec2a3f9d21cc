"""Who can publish: the IAM trust of every CI provider, read as data and matched as IAM matches.

Each role's trust policy is parsed from the baked CloudFormation; its subject patterns are
matched against the subjects that real jobs present (GitHub's and GitLab's documented formats),
so that a pattern that would let a branch or a pull request publish fails a test, whatever it
looks like.
"""

from __future__ import annotations

import re
from pathlib import Path

import botocore.loaders
import cfnlint.api
import pytest
import tomllib

from tests.conftest import load_hook
from tests.support.cloudformation import load_yaml

GITHUB = "token.actions.githubusercontent.com"
GITLAB = "gitlab.com"


def infra(project: Path) -> dict:
    return load_yaml(project / "infra" / "codeartifact.yaml")


def trust_of(resources: dict, role: str) -> dict:
    (statement,) = resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    return statement


def substitute(value: dict | str, parameters: dict[str, str]) -> str:
    """``{"Fn::Sub": "repo:${GitHubRepository}:*"}`` with the parameters given."""
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    return re.sub(r"\$\{([\w:]+)\}", lambda m: parameters[m.group(1)], text)


def string_like(pattern: str, value: str) -> bool:
    """IAM's StringLike: ``*`` is any run of characters, ``?`` any one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def may_assume(statement: dict, issuer: str, subject: str, parameters: dict[str, str]) -> bool:
    """Would AWS let a web-identity token with this subject (and audience sts) assume the role?"""
    conditions = statement["Condition"]
    assert set(conditions) <= {"StringEquals", "StringLike"}, conditions
    claims = {f"{issuer}:aud": "sts.amazonaws.com", f"{issuer}:sub": subject}
    for operator, tests in conditions.items():
        for key, expected in tests.items():
            pattern = substitute(expected, parameters)
            if key not in claims:
                return False
            matched = string_like(pattern, claims[key]) if operator == "StringLike" else pattern == claims[key]
            if not matched:
                return False
    return True


def managed_policies(resources: dict, role: str) -> list[str]:
    return [ref["Ref"] for ref in resources[role]["Properties"]["ManagedPolicyArns"]]


# --- GitHub Actions ----------------------------------------------------------------------

GITHUB_PARAMETERS = {"GitHubRepository": "acme/ledger", "ReleaseEnvironment": "release"}
# Subjects of jobs in acme/ledger once its subject is customized to repo, context and ref
# (https://docs.github.com/en/actions/reference/security/oidc), and the default ones.
GITHUB_SUBJECTS = {
    "release job on tag v1.2.0": ("repo:acme/ledger:environment:release:ref:refs/tags/v1.2.0", True),
    "release environment on a branch": ("repo:acme/ledger:environment:release:ref:refs/heads/main", False),
    "release environment in a pull request": ("repo:acme/ledger:environment:release:ref:refs/pull/7/merge", False),
    "another environment on a tag": ("repo:acme/ledger:environment:staging:ref:refs/tags/v1.2.0", False),
    "a tag without the environment": ("repo:acme/ledger:ref:refs/tags/v1.2.0:ref:refs/tags/v1.2.0", False),
    "a push to main": ("repo:acme/ledger:ref:refs/heads/main:ref:refs/heads/main", False),
    "a pull request": ("repo:acme/ledger:pull_request:ref:refs/pull/7/merge", False),
    "the default subject of the environment": ("repo:acme/ledger:environment:release", False),
    "another repository's release": ("repo:acme/ledger-fork:environment:release:ref:refs/tags/v1.2.0", False),
    "a tag that is not v*": ("repo:acme/ledger:environment:release:ref:refs/tags/1.2.0", False),
}


@pytest.fixture(scope="module")
def github(bake) -> dict:
    return infra(bake(ci_provider="github"))["Resources"]


@pytest.mark.parametrize("case", GITHUB_SUBJECTS)
def test_only_a_release_job_on_a_v_tag_may_assume_the_github_publish_role(github, case):
    subject, allowed = GITHUB_SUBJECTS[case]
    statement = trust_of(github, "PublishRole")
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert may_assume(statement, GITHUB, subject, GITHUB_PARAMETERS) is allowed


@pytest.mark.parametrize(
    ("subject", "allowed"),
    [
        ("repo:acme/ledger:pull_request:ref:refs/pull/7/merge", True),
        ("repo:acme/ledger:ref:refs/heads/main:ref:refs/heads/main", True),
        ("repo:acme/ledger:pull_request", True),
        ("repo:acme/ledger-fork:pull_request", False),
        ("repo:acme/ledgerx:ref:refs/heads/main", False),
        ("repo:other/ledger:pull_request", False),
    ],
)
def test_the_github_read_role_trusts_every_job_of_this_repository_only(github, subject, allowed):
    statement = trust_of(github, "CiReadRole")
    assert statement["Condition"]["StringLike"][f"{GITHUB}:sub"] == {"Fn::Sub": "repo:${GitHubRepository}:*"}
    assert may_assume(statement, GITHUB, subject, GITHUB_PARAMETERS) is allowed


def test_the_github_roles_hold_what_their_jobs_need(github):
    assert managed_policies(github, "PublishRole") == ["ReadPolicy", "PublishPolicy"]
    assert managed_policies(github, "CiReadRole") == ["ReadPolicy"]
    for role in ("PublishRole", "CiReadRole"):
        assert trust_of(github, role)["Condition"]["StringEquals"] == {f"{GITHUB}:aud": "sts.amazonaws.com"}


# --- GitLab CI -----------------------------------------------------------------------------

GITLAB_PARAMETERS = {"GitLabProjectPath": "acme/ledger"}
GITLAB_SUBJECTS = {
    "tag pipeline of v1.2.0": ("project_path:acme/ledger:ref_type:tag:ref:v1.2.0", True),
    "a branch named v1.2.0": ("project_path:acme/ledger:ref_type:branch:ref:v1.2.0", False),
    "a branch": ("project_path:acme/ledger:ref_type:branch:ref:main", False),
    "a tag that is not v*": ("project_path:acme/ledger:ref_type:tag:ref:1.2.0", False),
    "another project's tag": ("project_path:acme/ledger-fork:ref_type:tag:ref:v1.2.0", False),
    "a project in a subgroup": ("project_path:acme/ledger/sub:ref_type:tag:ref:v1.2.0", False),
}


@pytest.fixture(scope="module")
def gitlab(bake) -> dict:
    return infra(bake(ci_provider="gitlab"))["Resources"]


@pytest.mark.parametrize("case", GITLAB_SUBJECTS)
def test_only_a_v_tag_pipeline_may_assume_the_gitlab_publish_role(gitlab, case):
    subject, allowed = GITLAB_SUBJECTS[case]
    assert may_assume(trust_of(gitlab, "PublishRole"), GITLAB, subject, GITLAB_PARAMETERS) is allowed


@pytest.mark.parametrize(
    ("subject", "allowed"),
    [
        ("project_path:acme/ledger:ref_type:branch:ref:main", True),
        ("project_path:acme/ledger:ref_type:tag:ref:v1.2.0", True),
        ("project_path:acme/ledgerx:ref_type:branch:ref:main", False),
        ("project_path:acme/ledger-fork:ref_type:branch:ref:main", False),
    ],
)
def test_the_gitlab_read_role_trusts_this_project_only(gitlab, subject, allowed):
    assert may_assume(trust_of(gitlab, "CiReadRole"), GITLAB, subject, GITLAB_PARAMETERS) is allowed
    assert managed_policies(gitlab, "CiReadRole") == ["ReadPolicy"]
    assert managed_policies(gitlab, "PublishRole") == ["ReadPolicy", "PublishPolicy"]


@pytest.mark.parametrize("manager", ["uv", "poetry", "pip"])
def test_the_gitlab_release_job_runs_only_for_protected_v_tags_with_only_the_release_tool(bake, manager):
    from tests.conftest import MANAGERS

    config = load_yaml(bake(ci_provider="gitlab", package_manager=manager) / ".gitlab-ci.yml")
    release, table = config["release"], MANAGERS[manager]
    assert release["rules"] == [{"if": '$CI_COMMIT_TAG =~ /^v/ && $CI_COMMIT_REF_PROTECTED == "true"'}]
    assert release["interruptible"] is False
    assert release["variables"]["AWS_ROLE_ARN"] == "$CODEARTIFACT_PUBLISH_ROLE_ARN"
    assert release["before_script"] == [
        'AWS_WEB_IDENTITY_TOKEN_FILE="$(mktemp)"',
        "export AWS_WEB_IDENTITY_TOKEN_FILE",
        'printf \'%s\' "$AWS_WEB_IDENTITY_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"',
        table["release_setup"] or table["ci_setup"],
        "apt-get update -qq && apt-get install -y -qq --no-install-recommends git",  # publish reads the checkout
    ]
    assert release["script"] == [
        f'{table["release_tool"]} check-tag "$CI_COMMIT_TAG" --dist dist',
        f"{table['release_tool']} publish --dist dist",
    ]
    assert config[".develop"]["interruptible"] is True
    assert "/tmp/" not in (bake(ci_provider="gitlab", package_manager=manager) / ".gitlab-ci.yml").read_text()


def test_every_gitlab_image_is_pinned_by_digest(bake):
    config = load_yaml(bake(ci_provider="gitlab", python_min_version="3.12") / ".gitlab-ci.yml")
    images = [config["default"]["image"], *config["test"]["parallel"]["matrix"][0]["PYTHON_IMAGE"]]
    assert config["test"]["image"] == "$PYTHON_IMAGE"
    assert [image.split("@")[0] for image in images] == ["python:3.12-slim", *(f"python:3.1{v}-slim" for v in "234")]
    assert all(re.fullmatch(r"python:3\.\d+-slim@sha256:[0-9a-f]{64}", image) for image in images)


# --- AWS CodeBuild -------------------------------------------------------------------------

PROJECT_ARN = "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/${%s}"


@pytest.fixture(scope="module")
def codebuild(bake) -> dict:
    return infra(bake(ci_provider="codebuild"))["Resources"]


@pytest.mark.parametrize(
    ("role", "project_name"), [("TestRole", "TestProjectName"), ("ReleaseRole", "ReleaseProjectName")]
)
def test_each_codebuild_role_trusts_its_own_project_in_this_account_only(codebuild, role, project_name):
    statement = trust_of(codebuild, role)
    assert statement["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": {"Ref": "AWS::AccountId"},
            "aws:SourceArn": {"Fn::Sub": PROJECT_ARN % project_name},
        }
    }


def test_only_the_release_project_may_publish(codebuild):
    assert managed_policies(codebuild, "TestRole") == ["ReadPolicy"]
    assert managed_policies(codebuild, "ReleaseRole") == ["ReadPolicy", "PublishPolicy"]
    assert codebuild["TestProject"]["Properties"]["ServiceRole"] == {"Fn::GetAtt": ["TestRole", "Arn"]}
    assert codebuild["ReleaseProject"]["Properties"]["ServiceRole"] == {"Fn::GetAtt": ["ReleaseRole", "Arn"]}
    assert codebuild["TestProject"]["Properties"]["Source"]["BuildSpec"] == "buildspec.yml"
    assert codebuild["ReleaseProject"]["Properties"]["Source"]["BuildSpec"] == "buildspec-release.yml"


def head_ref_patterns(project: dict) -> list[list[str]]:
    groups = project["Properties"]["Triggers"]["FilterGroups"]
    return [[f["Pattern"] for f in group if isinstance(f, dict) and f.get("Type") == "HEAD_REF"] for group in groups]


@pytest.mark.parametrize(
    ("ref", "release", "test"),
    [
        ("refs/tags/v1.2.0", True, False),
        ("refs/tags/1.2.0", False, False),
        ("refs/heads/main", False, True),
        ("refs/heads/v1.2.0", False, True),
    ],
)
def test_the_webhooks_start_releases_for_v_tags_and_tests_for_branches(codebuild, ref, release, test):
    """CodeBuild matches HEAD_REF patterns as regular expressions."""
    release_groups = head_ref_patterns(codebuild["ReleaseProject"])
    assert len(release_groups) == 1 and len(release_groups[0]) == 1
    assert bool(re.search(release_groups[0][0], ref)) is release
    push_groups = [group for group in head_ref_patterns(codebuild["TestProject"]) if group]
    assert any(re.search(pattern, ref) for group in push_groups for pattern in group) is test


def test_the_release_webhook_takes_pushes_only_and_an_optional_actor_allow_list(codebuild):
    (group,) = codebuild["ReleaseProject"]["Properties"]["Triggers"]["FilterGroups"]
    assert group[0] == {"Type": "EVENT", "Pattern": "PUSH"}
    assert group[2] == {
        "Fn::If": [
            "HasReleaseActors",
            {"Type": "ACTOR_ACCOUNT_ID", "Pattern": {"Ref": "ReleaseActorAccountIds"}},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert codebuild["ReleaseProject"]["Properties"]["ConcurrentBuildLimit"] == 1


# --- every provider ------------------------------------------------------------------------


@pytest.mark.parametrize("ci_provider", ["github", "gitlab", "codebuild", "none"])
def test_no_role_may_change_origin_controls_or_hold_a_wildcard_action(bake, ci_provider):
    resources = infra(bake(ci_provider=ci_provider))["Resources"]
    text = (bake(ci_provider=ci_provider) / "infra" / "codeartifact.yaml").read_text(encoding="utf-8")
    assert "PutPackageOriginConfiguration" not in text
    for name, resource in resources.items():
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not [action for action in actions if "*" in action], name


# Valid answers that YAML 1.1 would read as something else if written bare: a boolean, octal
# and hexadecimal and underscored numbers, a date, a float.
AWKWARD = {
    "boolean domain": {"codeartifact_domain": "yes"},
    "octal repository": {"codeartifact_repository": "017"},
    "hexadecimal repository": {"codeartifact_repository": "0x1F"},
    "underscored repository": {"codeartifact_repository": "1_000"},
    "date repository": {"codeartifact_repository": "2024-01-01"},
    "float repository": {"codeartifact_repository": "1.0"},
    "octal package": {"package_name": "017", "import_name": "pkg_017"},
}


@pytest.mark.parametrize("answers", AWKWARD.values(), ids=AWKWARD.keys())
def test_every_cloudformation_default_loads_back_as_the_exact_string(bake, answers):
    project = bake(ci_provider="codebuild", **answers)
    parameters = infra(project)["Parameters"]
    config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["codeartifact"]
    assert parameters["DomainName"]["Default"] == config["domain"] == answers.get("codeartifact_domain", "my-domain")
    assert parameters["RepositoryName"]["Default"] == config["repository"]
    assert parameters["RepositoryName"]["Default"] == answers.get("codeartifact_repository", "my-repo")
    assert parameters["PackageName"]["Default"] == answers.get("package_name", "acme-utils")
    for name, parameter in parameters.items():
        if "Default" in parameter:
            assert isinstance(parameter["Default"], str), name


# --- the parameters' own rules: the hook's constants, checked by CloudFormation at deploy time ---

NAME_RULES = {  # parameter: the pre-gen hook's constant its AllowedPattern is
    "DomainName": "DOMAIN_PATTERN",
    "RepositoryName": "REPOSITORY_PATTERN",
    "UpstreamRepositoryName": "REPOSITORY_PATTERN",
    "PackageName": "NORMALIZED_NAME_PATTERN",
    "ReleaseEnvironment": "ENVIRONMENT_PATTERN",
    "TestProjectName": "CODEBUILD_PROJECT_PATTERN",
    "ReleaseProjectName": "CODEBUILD_PROJECT_PATTERN",
}


@pytest.mark.parametrize("ci_provider", ["github", "codebuild"])
def test_the_name_rules_of_the_parameters_are_the_hooks(bake, ci_provider):
    hook = load_hook("pre_gen_project")
    parameters = infra(bake(ci_provider=ci_provider))["Parameters"]
    rules = {name: rule for name, rule in NAME_RULES.items() if name in parameters}
    assert {name: parameters[name]["AllowedPattern"] for name in rules} == {
        name: getattr(hook, rule) for name, rule in rules.items()
    }
    for name in rules:  # every default follows its rule, and no rule lets an IAM wildcard through
        assert re.fullmatch(parameters[name]["AllowedPattern"], parameters[name]["Default"]), name
        assert not re.fullmatch(parameters[name]["AllowedPattern"], "*"), name


def test_the_codebuild_project_name_rule_is_botocores():
    model = botocore.loaders.Loader().load_service_model("codebuild", "service-2")
    assert model["shapes"]["ProjectName"]["pattern"] == load_hook("pre_gen_project").CODEBUILD_PROJECT_PATTERN


def test_the_longest_package_name_gives_codebuild_project_names_within_its_limit(bake):
    project = bake(ci_provider="codebuild", package_name="p" * 251 + ".lib", import_name="p_lib")
    parameters = infra(project)["Parameters"]
    pattern = load_hook("pre_gen_project").CODEBUILD_PROJECT_PATTERN
    for name in ("TestProjectName", "ReleaseProjectName"):
        assert re.fullmatch(pattern, parameters[name]["Default"]), parameters[name]["Default"]
    assert parameters["PackageName"]["Default"] == "p" * 251 + "-lib"
    assert cfnlint.api.lint_file(project / "infra" / "codeartifact.yaml") == []


def test_a_fork_pull_request_runs_only_once_a_maintainer_approves_it(codebuild):
    model = botocore.loaders.Loader().load_service_model("codebuild", "service-2")
    policy = codebuild["TestProject"]["Properties"]["Triggers"]["PullRequestBuildPolicy"]
    assert policy == {"RequiresCommentApproval": "FORK_PULL_REQUESTS"}
    assert policy["RequiresCommentApproval"] in model["shapes"]["PullRequestBuildCommentApproval"]["enum"]


# CloudFormation: a stack name starts with a letter, then letters, digits and '-', 128 at most.
STACK_NAME = r"[A-Za-z][-A-Za-z0-9]{0,127}"


@pytest.mark.parametrize("package_name", ["acme-utils", "017", "p" * 251 + ".lib"])
def test_the_stack_name_the_readme_deploys_is_one_cloudformation_takes(bake, package_name):
    readme = (bake(package_name=package_name, import_name="p_lib") / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r"--stack-name (\S+)", readme))
    assert len(names) == 1 and re.fullmatch(STACK_NAME, names.pop()), names
    if package_name == "acme-utils":  # a name that fits keeps the stack name projects already have
        assert "--stack-name acme-utils-codeartifact " in readme
