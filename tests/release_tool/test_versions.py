"""Versions: the tool takes the version from what the build made (the wheel's metadata), so that a
version set by the git tag (``dynamic = ["version"]``) is released like a static one, and refuses
development and local versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.release_tool.helpers import (
    FakeSteps,
    expect_assets,
    expect_credentials,
    expect_package,
    run,
    wheel_archive,
)


@pytest.fixture
def from_tag(ca, monkeypatch):
    """The project of a bake whose version comes from the git tag."""
    pyproject = ca.read_pyproject()
    project = {key: value for key, value in pyproject["project"].items() if key != "version"}
    monkeypatch.setattr(ca, "read_pyproject", lambda: {**pyproject, "project": {**project, "dynamic": ["version"]}})


def built_folder(folder: Path, version: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / f"acme_utils-{version}-py3-none-any.whl").write_bytes(wheel_archive(version))
    (folder / f"acme_utils-{version}.tar.gz").write_text("sdist")
    return folder


def test_publish_releases_the_version_the_build_made(ca, from_tag, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.build_makes("0.3.0")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None, version="0.3.0")
    expect_package(stubber, exists=True)
    code, out, err = run(ca, capsys, client, "publish")
    assert (code, err) == (0, "")
    assert steps.uploaded == ["acme_utils-0.3.0-py3-none-any.whl", "acme_utils-0.3.0.tar.gz"]
    assert "published acme_utils-0.3.0-py3-none-any.whl, acme_utils-0.3.0.tar.gz to" in out


def test_the_metadata_wins_over_pyproject_toml(ca, stub, capsys, monkeypatch):
    """A static version in a wheel named for it, with other metadata: the metadata is the truth."""
    steps = FakeSteps(ca, monkeypatch)
    steps.wheel_bytes = wheel_archive("0.1.0", name="other-name")
    client, stubber = stub
    expect_credentials(stubber)
    stubber.add_client_error(
        "list_package_version_assets", "ResourceNotFoundException", "no such version", 404,
        expected_params={"domain": "my-domain", "domainOwner": "111122223333", "repository": "my-repo",
                         "format": "pypi", "package": "other-name", "packageVersion": "0.1.0"},
        modeled_fields={"message": "no such version", "resourceType": "package-version"},
    )  # fmt: skip
    code, _, err = run(ca, capsys, client, "publish", "--dry-run")
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("version", "dynamic", "refusal"),
    [
        ("0.3.1.dev2", True,
         "0.3.1.dev2 is a development version, built from a commit with no tag v<version>: tag the commit "
         "(git tag v0.3.1, then push the tag), or pass --dev to publish it; nothing was uploaded"),
        ("0.3.1.dev2", False,
         "0.3.1.dev2 is a development version: set a release version such as 0.3.1 in pyproject.toml, "
         "or pass --dev to publish it; nothing was uploaded"),
        ("0.3.0+g1a2b3c4", True,
         "0.3.0+g1a2b3c4 has a local version label (+g1a2b3c4), which is for builds that are never "
         "published: tag the commit (git tag v0.3.0, then push the tag); nothing was uploaded"),
    ],
    ids=["dev-from-tag", "dev-static", "local"],
)  # fmt: skip
def test_a_development_or_local_version_is_refused_in_one_line(
    ca, stub, capsys, monkeypatch, request, version, dynamic, refusal
):
    if dynamic:
        request.getfixturevalue("from_tag")
    else:
        pyproject = ca.read_pyproject()
        static = {**pyproject, "project": {**pyproject["project"], "version": version}}
        monkeypatch.setattr(ca, "read_pyproject", lambda: static)
    steps = FakeSteps(ca, monkeypatch)
    steps.build_makes(version)
    client, stubber = stub
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "publish")
    assert (code, err) == (1, f"error: {refusal}\n")
    assert steps.uploaded == [] and not any("check" in command for command in steps.commands)


def test_dev_publishes_a_development_version_but_never_a_local_one(ca, from_tag, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.build_makes("0.3.1.dev2")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None, version="0.3.1.dev2")
    expect_package(stubber, exists=True)
    assert run(ca, capsys, client, "publish", "--dev")[0] == 0
    assert steps.uploaded == ["acme_utils-0.3.1.dev2-py3-none-any.whl", "acme_utils-0.3.1.dev2.tar.gz"]

    steps.build_makes("0.3.1.dev2+g1a2b3c4")
    expect_credentials(stubber)
    code, _, err = run(ca, capsys, client, "publish", "--dev")
    assert code == 1 and "has a local version label" in err


def test_a_version_from_the_tag_needs_a_git_repository(ca, from_tag, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch, git_state="none")
    client, _ = stub
    code, _, err = run(ca, capsys, client, "publish")
    assert (code, steps.commands) == (1, [])
    assert err == (
        "error: the version comes from the git tag, and this project is not in a git repository: commit it "
        "and tag the release (git init, git add ., git commit, git tag v1.0.0)\n"
    )


def test_a_replaced_file_asks_for_a_new_tag(ca, from_tag, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.build_makes("0.3.0")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {"acme_utils-0.3.0-py3-none-any.whl": b"other bytes"}, version="0.3.0")
    code, _, err = run(ca, capsys, client, "publish")
    assert code == 1 and err.endswith("versions cannot be replaced: tag a new version; nothing was uploaded\n")


def test_a_dist_folder_of_a_tagged_project_holds_one_version(ca, from_tag, tmp_path):
    project = ca.load_project(ca.read_pyproject())
    folder = built_folder(tmp_path / "dist", "0.3.0")
    assert [p.name for p in ca.distributions_in(folder, project)] == [
        "acme_utils-0.3.0-py3-none-any.whl", "acme_utils-0.3.0.tar.gz"]  # fmt: skip
    built_folder(folder, "0.2.0")
    with pytest.raises(ca.ToolError, match=r"must hold one wheel and one sdist of acme-utils of one version"):
        ca.distributions_in(folder, project)
    (folder / "acme_utils-0.2.0-py3-none-any.whl").unlink()
    with pytest.raises(ca.ToolError, match=r"of one version; it holds: \['acme_utils-0.2.0.tar.gz"):
        ca.distributions_in(folder, project)


@pytest.mark.parametrize(
    ("tag", "ok", "said"),
    [
        ("v0.3.0", True, "the tag v0.3.0 matches the version 0.3.0 of the build in DIST"),
        ("v0.4.0", False, "error: the tag v0.4.0 does not match the version 0.3.0 of the build in DIST: build from "
                          "the commit the tag names, with the tags fetched (a full clone)"),
    ],
)  # fmt: skip
def test_check_tag_compares_the_tag_with_the_version_built(ca, from_tag, capsys, monkeypatch, tmp_path, tag, ok, said):
    monkeypatch.setattr(ca, "make_client", lambda *args: pytest.fail("check-tag needs no AWS"))
    dist = built_folder(tmp_path / "dist", "0.3.0")
    code, out, err = run(ca, capsys, None, "check-tag", tag, "--dist", str(dist))
    assert (code, out + err) == (0 if ok else 1, said.replace("DIST", str(dist)) + "\n")


def test_check_tag_of_a_static_version_reads_the_build_too(ca, capsys, tmp_path):
    dist = built_folder(tmp_path / "dist", "0.1.0")
    code, out, _ = run(ca, capsys, None, "check-tag", "v0.1.0", "--dist", str(dist))
    assert (code, out) == (0, f"the tag v0.1.0 matches the version 0.1.0 of the build in {dist}\n")
    code, _, err = run(ca, capsys, None, "check-tag", "v0.2.0", "--dist", str(dist))
    assert code == 1 and "tag the release v0.1.0, or build the commit of the tag" in err


def test_check_tag_of_a_version_from_the_tag_needs_the_build(ca, from_tag, capsys):
    code, out, err = run(ca, capsys, None, "check-tag", "v0.3.0")
    assert (code, out) == (2, "")
    assert err == (
        "error: the version comes from the git tag when the project is built: build it, then pass the "
        "build's folder (check-tag v0.3.0 --dist dist)\n"
    )


def test_verify_installs_the_version_this_commit_builds_to(ca, from_tag, stub, capsys, monkeypatch):
    steps = FakeSteps(ca, monkeypatch)
    steps.build_makes("0.3.0")
    client, stubber = stub
    expect_credentials(stubber)
    code, out, err = run(ca, capsys, client, "verify")
    assert (code, out, err) == (0, "verified: acme-utils==0.3.0 installs from my-repo into a new environment\n", "")
    assert any("build" in command for command in steps.commands)
    assert any(command[-1] == "acme-utils==0.3.0" for command in steps.commands)
