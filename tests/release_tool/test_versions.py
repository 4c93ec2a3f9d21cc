"""Versions and distributions: the one wheel and sdist of the project in a folder, the version
they were built for, and the refusal of development and local versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.release_tool.helpers import SDIST, WHEEL


def folder_with(folder: Path, *names: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text(name)
    return folder


def test_the_distributions_are_the_wheel_then_the_sdist_of_this_version(ca, tmp_path):
    others = ["acme_utils-0.0.9-py3-none-any.whl", "acme_utils-0.0.9.tar.gz", "other-0.1.0-py3-none-any.whl",
              "acme_utils_extra-0.1.0-py3-none-any.whl", "notes.txt"]  # fmt: skip
    dist = folder_with(tmp_path / "dist", SDIST, WHEEL, *others)
    assert ca.distributions(dist, "acme-utils", "0.1.0") == ([dist / WHEEL, dist / SDIST], "0.1.0")


def test_file_names_are_found_by_the_normalized_name(ca, tmp_path):
    """Wheels and sdists name the project as PEP 427 and PEP 625 say: lower case, runs of
    -_. as one underscore."""
    names = ["acme_utils_extra-2.0-py3-none-any.whl", "acme_utils_extra-2.0.tar.gz"]
    dist = folder_with(tmp_path / "dist", *names)
    assert ca.distributions(dist, "Acme.Utils__Extra", "2.0") == ([dist / name for name in names], "2.0")


def test_without_a_version_the_one_build_in_the_folder_gives_it(ca, tmp_path):
    names = ["acme_utils-0.3.0.post1-1-py2.py3-none-any.whl", "acme_utils-0.3.0.post1.tar.gz"]
    dist = folder_with(tmp_path / "dist", *names)
    assert ca.distributions(dist, "acme-utils", None) == ([dist / name for name in names], "0.3.0.post1")


@pytest.mark.parametrize(
    ("names", "version"),
    [
        ([WHEEL], "0.1.0"),
        ([SDIST], "0.1.0"),
        ([WHEEL, "acme_utils-0.1.1.tar.gz"], "0.1.0"),
        ([WHEEL, SDIST, "acme_utils-0.1.0-py2-none-any.whl"], "0.1.0"),
        ([WHEEL, SDIST, "acme_utils-0.2.0-py3-none-any.whl", "acme_utils-0.2.0.tar.gz"], None),
        (["acme_utils-0.1.1-py3-none-any.whl", "acme_utils-0.1.1.tar.gz"], "0.1.0"),
        ([], None),
    ],
    ids=["no-sdist", "no-wheel", "other-sdist", "two-wheels", "two-versions", "other-version", "empty"],
)
def test_a_folder_needs_exactly_one_wheel_and_its_sdist(ca, tmp_path, names, version):
    dist = folder_with(tmp_path / "dist", *names)
    with pytest.raises(ca.Fault) as refused:
        ca.distributions(dist, "acme-utils", version)
    assert (str(refused.value), refused.value.code) == (
        f"{dist} must hold one wheel and one sdist of acme-utils; it holds: {sorted(names)}",
        1,
    )


def test_a_folder_that_is_not_there_holds_nothing(ca, tmp_path):
    with pytest.raises(ca.Fault) as refused:
        ca.distributions(tmp_path / "dist", "acme-utils", "0.1.0")
    assert (
        str(refused.value) == f"{tmp_path / 'dist'} must hold one wheel and one sdist of acme-utils; it holds: nothing"
    )
    (tmp_path / "dist").write_text("a file")
    with pytest.raises(ca.Fault, match=r"; it holds: nothing$"):
        ca.distributions(tmp_path / "dist", "acme-utils", "0.1.0")


@pytest.mark.parametrize("version", ["0.1.0", "1.0.0rc1", "2.0.0.post1", "1!3.0", "0.3.1.dev2"])
@pytest.mark.parametrize("static", [True, False])
def test_a_release_version_is_releasable_and_a_development_one_with_dev(ca, version, static):
    assert ca.check_releasable(version, static, dev=True) is None
    if "dev" not in version:
        assert ca.check_releasable(version, static, dev=False) is None


@pytest.mark.parametrize(
    ("version", "static", "dev", "refusal"),
    [
        ("0.3.1.dev2", True, False,
         "0.3.1.dev2 is a development version: set a release version such as 0.3.1 in pyproject.toml, or pass --dev"),
        ("0.3.1.dev2", False, False,
         "0.3.1.dev2 is a development version, built from a commit with no tag v<version>: tag the commit "
         "(git tag v0.3.1, then push the tag), or pass --dev"),
        ("1.0rc1.dev0", False, False,
         "1.0rc1.dev0 is a development version, built from a commit with no tag v<version>: tag the commit "
         "(git tag v1.0, then push the tag), or pass --dev"),
        ("0.3.0+g1a2b3c4", False, True,
         "0.3.0+g1a2b3c4 has a local label (+g1a2b3c4), never published: tag the commit (git tag v0.3.0, then push "
         "the tag)"),
        ("0.3.1.dev2+g1a2b3c4", False, False,
         "0.3.1.dev2+g1a2b3c4 has a local label (+g1a2b3c4), never published: tag the commit (git tag v0.3.1, then "
         "push the tag)"),
        ("0.1.0+local.7", True, True,
         "0.1.0+local.7 has a local label (+local.7), never published: set a release version such as 0.1.0 in "
         "pyproject.toml"),
    ],
    ids=["dev-static", "dev-from-tag", "dev-of-a-pre-release", "local", "local-dev", "local-static"],
)  # fmt: skip
def test_a_development_or_local_version_is_refused_with_how_to_release(ca, version, static, dev, refusal):
    with pytest.raises(ca.Fault) as refused:
        ca.check_releasable(version, static, dev)
    assert (str(refused.value), refused.value.code) == (refusal, 1)
