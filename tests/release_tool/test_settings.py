"""Settings: [tool.codeartifact], the environment, durations and the indexes uv reads."""

from __future__ import annotations

import argparse

import pytest

from tests.release_tool.helpers import wheel_archive


def test_environment_variables_override_pyproject(ca):
    environ = {
        "CODEARTIFACT_DOMAIN": "other",
        "CODEARTIFACT_DOMAIN_OWNER": "999988887777",
        "CODEARTIFACT_REPOSITORY": "release",
        "CODEARTIFACT_REGION": "eu-west-1",
        "AWS_REGION": "ap-south-1",
    }
    settings = ca.load_settings(ca.read_pyproject(), environ)
    assert (settings.domain, settings.domain_owner, settings.repository, settings.region) == (
        "other",
        "999988887777",
        "release",
        "eu-west-1",
    )


def test_aws_region_never_overrides_the_projects_region_but_fills_a_missing_one(ca):
    """CodeBuild sets AWS_REGION to the build's own region, which need not be the domain's."""
    assert ca.load_settings(ca.read_pyproject(), {"AWS_REGION": "ap-south-1"}).region == "us-east-1"
    table = {"tool": {"codeartifact": {"domain": "d1", "domain-owner": "111122223333", "repository": "r1"}}}
    assert ca.load_settings(table, {"AWS_REGION": "ap-south-1"}).region == "ap-south-1"


def test_missing_settings_are_named(ca):
    with pytest.raises(ca.ToolError, match="missing CodeArtifact settings: domain, domain-owner"):
        ca.load_settings({"tool": {"codeartifact": {"repository": "r", "region": "us-east-1"}}}, {})


def test_names_and_versions_are_the_canonical_pep_503_and_pep_440_forms(ca, tmp_path):
    project = ca.load_project({"project": {"name": "Acme.Utils__Extra", "version": "1.0.0-RC.1"}})
    assert (project.name, project.version) == ("Acme.Utils__Extra", "1.0.0rc1")
    wheel = tmp_path / "acme_utils-1.0.0rc1-py3-none-any.whl"
    wheel.write_bytes(wheel_archive("1.0.0-RC.1", name="Acme.Utils__Extra"))
    package = ca.package_of(wheel)
    assert (package.normalized_name, package.version) == ("acme-utils-extra", "1.0.0rc1")


def test_a_dynamic_version_is_left_to_the_build(ca):
    project = ca.load_project({"project": {"name": "acme-utils", "dynamic": ["version"]}})
    assert (project.version, project.new_version) == (None, "tag a new version")
    assert ca.load_project({"project": {"name": "a", "version": "1"}}).new_version == (
        "set a new version in pyproject.toml"
    )


def test_an_invalid_version_is_a_one_line_refusal(ca):
    with pytest.raises(ca.ToolError, match="use a PEP 440 version"):
        ca.load_project({"project": {"name": "a", "version": "one"}})


@pytest.mark.parametrize(
    ("duration", "reason"),
    [
        ("soon", "must be a whole number of seconds"),
        ("1", "must be 0 or 900 to 43200 seconds (15 minutes to 12 hours)"),
        ("899", "must be 0 or 900 to 43200 seconds (15 minutes to 12 hours)"),
        ("43201", "must be 0 or 900 to 43200 seconds (15 minutes to 12 hours)"),
    ],
)
def test_a_token_duration_is_refused_with_its_rule(ca, duration, reason):
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        ca.duration_seconds(duration)
    assert str(refused.value) == reason


@pytest.mark.parametrize("duration", ["0", "900", "43200"])
def test_a_token_duration_at_the_edges_is_taken(ca, duration):
    assert ca.duration_seconds(duration) == int(duration)


def test_a_project_without_settings_is_told_every_way_to_give_them(ca):
    with pytest.raises(ca.ToolError) as missing:
        ca.load_settings({}, {})
    assert str(missing.value) == (
        "missing CodeArtifact settings: domain, domain-owner, repository, region; set them in "
        "[tool.codeartifact] in pyproject.toml or with CODEARTIFACT_DOMAIN, CODEARTIFACT_DOMAIN_OWNER, "
        "CODEARTIFACT_REPOSITORY and CODEARTIFACT_REGION"
    )
    table = {"domain": "d1", "domain-owner": "111122223333", "repository": "r1", "region": "eu-west-1"}
    assert ca.load_settings({"tool": {"codeartifact": table}}, {}).package_manager == "pip"


def test_the_token_expiry_is_told_in_local_time(ca, utc):
    assert ca.expiry_note(1700000000) == "; the token expires at 2023-11-14 22:13 UTC"
    assert ca.expiry_note(0) == ""


@pytest.mark.parametrize(
    ("variables", "pyproject", "uv_toml", "found"),
    [
        ({"UV_INDEX_URL": "u", "UV_FIND_LINKS": "f", "UV_INDEX": ""}, {}, "", [
            "the environment variable UV_INDEX_URL", "the environment variable UV_FIND_LINKS",
        ]),
        ({}, {"tool": {"uv": {"index": [
            {"name": "codeartifact", "url": "x"}, {"url": "https://mirror.example/simple"},
            {"name": "torch", "url": "y", "explicit": True}, {"name": "pypi", "url": "z"},
        ]}}}, "", [
            "[[tool.uv.index]] https://mirror.example/simple in pyproject.toml, not explicit",
            "[[tool.uv.index]] pypi in pyproject.toml, not explicit",
        ]),
        ({}, {}, 'index-url = "u"\nextra-index-url = ["e"]\nfind-links = ["f"]\n', [
            "extra-index-url in {config}", "index-url in {config}", "find-links in {config}",
        ]),
    ],
)  # fmt: skip
def test_every_other_index_uv_would_read_is_named(ca, tmp_path, variables, pyproject, uv_toml, found):
    config = tmp_path / "uv.toml"
    if uv_toml:
        config.write_text(uv_toml)
    assert ca.uv_index_settings(variables, pyproject, config) == [line.format(config=config) for line in found]
