"""`publish`: the checks before anything is built, the build, the comparison with what the
repository holds (by SHA-256), and the uploads of what it lacks, one file at a time, with what
to run when one fails."""

from __future__ import annotations

import io
import os
import signal
import sys
import time

import pytest

from tests.release_tool.helpers import (
    DYNAMIC,
    ENDPOINT,
    INDEX_WITH_TOKEN,
    ME,
    SDIST,
    SDIST_BYTES,
    TOKEN,
    WHEEL,
    WHEEL_BYTES,
    expect_assets,
    expect_credentials,
    http_error,
    run,
    sha256,
    uv_failed,
    uv_published,
)

PUBLISHED = f"published acme-utils 0.1.0 in my-repo\ncheck that it installs from there: {ME} verify\n"
BOTH = {WHEEL: sha256(WHEEL_BYTES), SDIST: sha256(SDIST_BYTES)}
OTHER = sha256(b"other bytes")


def publish_command(ca, file) -> list[str]:
    return [ca.uv(), "publish", "--no-config", "--no-progress", "--trusted-publishing", "never",
            "--publish-url", ENDPOINT, str(file)]  # fmt: skip


def with_files(folder, names=(WHEEL, SDIST)):
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(SDIST_BYTES if name.endswith(".tar.gz") else WHEEL_BYTES)
    return folder


def test_a_first_publish_builds_then_uploads_the_wheel_and_the_sdist(ca, stub, children, capsys, monkeypatch):
    monkeypatch.setenv("EMPTY_SETTING", "")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert run(ca, capsys, client, "publish") == (0, f"uploaded {WHEEL}\nuploaded {SDIST}\n{PUBLISHED}", "")
    out = children.out
    assert children.commands() == [
        ["git", "status", "--porcelain"],
        ["git", "log", "-1", "--format=%ct"],
        ["uv", "build", "--out-dir", str(out)],
        publish_command(ca, out / WHEEL),
        publish_command(ca, out / SDIST),
    ]
    assert out.name.startswith("codeartifact-dist-") and not out.exists()  # a temporary folder
    build = {name: value for name, value in os.environ.items() if value}
    assert children.environment("build") == {
        **build, "UV_INDEX_CODEARTIFACT_USERNAME": "aws", "UV_INDEX_CODEARTIFACT_PASSWORD": TOKEN,
        "SOURCE_DATE_EPOCH": "1700000000",
    }  # fmt: skip
    assert children.uploaded == [WHEEL, SDIST]
    assert not [command for command in children.commands() if TOKEN in " ".join(command)]


@pytest.mark.parametrize("case", [str.lower, str.upper])
def test_a_version_whose_files_are_all_there_with_the_same_sha256_is_published_already(
    ca, stub, children, capsys, case
):
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {name: case(digest) for name, digest in BOTH.items()})
    assert run(ca, capsys, client, "publish") == (0, "already published: acme-utils 0.1.0 in my-repo\n", "")
    assert children.uploaded == []


def test_a_half_published_version_gets_only_the_file_it_lacks(ca, stub, children, capsys):
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {WHEEL: BOTH[WHEEL]})
    assert run(ca, capsys, client, "publish") == (0, f"uploaded {SDIST}\n{PUBLISHED}", "")
    assert children.uploaded == [SDIST]


@pytest.mark.parametrize(
    ("stored", "name", "ours"),
    [
        ({WHEEL: OTHER}, WHEEL, BOTH[WHEEL]),
        ({WHEEL: BOTH[WHEEL], SDIST: OTHER.upper()}, SDIST, BOTH[SDIST]),
    ],
    ids=["wheel", "sdist"],
)
def test_a_file_there_with_other_content_stops_the_release_before_any_upload(
    ca, stub, children, capsys, stored, name, ours
):
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, stored)
    assert run(ca, capsys, client, "publish") == (
        1,
        "",
        f"error: {name} is in my-repo with other content (SHA-256 {stored[name]} there, {ours} here): publish a "
        "new version; nothing was uploaded\n",
    )
    assert children.uploaded == [] and not [command for command in children.commands() if "publish" in command]


def test_uncommitted_changes_are_refused_before_asking_aws_unless_allowed(ca, stub, children, capsys):
    children.git["status"] = " M src/acme_utils/__init__.py\n"
    client, stubber = stub
    assert run(ca, capsys, client, "publish") == (
        1,
        "",
        "error: the git work tree has uncommitted changes: commit them, or pass --allow-dirty\n",
    )
    assert children.commands() == [["git", "status", "--porcelain"]]
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert run(ca, capsys, client, "publish", "--allow-dirty") == (
        0,
        f"uploaded {WHEEL}\nuploaded {SDIST}\n{PUBLISHED}",
        "",
    )


def test_a_version_from_the_tag_needs_a_git_repository_or_a_built_folder(
    ca, stub, children, capsys, pyproject, tmp_path
):
    pyproject(project=DYNAMIC)
    children.git["status"] = None
    client, stubber = stub
    assert run(ca, capsys, client, "publish") == (
        1,
        "",
        "error: the version comes from the git tag, and this is no git repository: tag it\n",
    )
    assert children.commands() == [["git", "status", "--porcelain"]]
    dist = with_files(tmp_path / "dist")
    expect_credentials(stubber)
    expect_assets(stubber, BOTH)
    assert run(ca, capsys, client, "publish", "--dist", str(dist)) == (
        0,
        "already published: acme-utils 0.1.0 in my-repo\n",
        "",
    )


def test_a_static_version_outside_git_is_built_without_a_commit_time(ca, stub, children, capsys):
    children.git = {"status": None, "log": None}
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, BOTH)
    assert run(ca, capsys, client, "publish")[0] == 0
    assert "SOURCE_DATE_EPOCH" not in children.environment("build")


def test_a_source_date_epoch_of_the_users_wins(ca, stub, children, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, BOTH)
    assert run(ca, capsys, client, "publish")[0] == 0
    assert children.environment("build")["SOURCE_DATE_EPOCH"] == "315532800"


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        (None, f"dry run: would upload {WHEEL}, {SDIST}\n"),
        ({SDIST: BOTH[SDIST]}, f"dry run: would upload {WHEEL}\n"),
        (BOTH, "already published: acme-utils 0.1.0 in my-repo\n"),
    ],
)
def test_a_dry_run_builds_and_compares_and_uploads_nothing(ca, stub, children, capsys, stored, said):
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, stored)
    assert run(ca, capsys, client, "publish", "--dry-run") == (0, said, "")
    assert ["uv", "build", "--out-dir", str(children.out)] in children.commands()
    assert children.uploaded == []


def test_publish_dist_uploads_the_files_of_the_folder_without_building(ca, stub, children, capsys, tmp_path):
    older = ["acme_utils-0.0.9-py3-none-any.whl", "acme_utils-0.0.9.tar.gz"]  # an earlier build, left there
    dist = with_files(tmp_path / "dist", [WHEEL, SDIST, *older, "notes.txt"])
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert run(ca, capsys, client, "publish", "--dist", str(dist)) == (
        0,
        f"uploaded {WHEEL}\nuploaded {SDIST}\n{PUBLISHED}",
        "",
    )
    assert children.commands() == [
        ["git", "status", "--porcelain"],
        publish_command(ca, dist / WHEEL),
        publish_command(ca, dist / SDIST),
    ]


def test_a_failed_upload_says_what_is_in_what_is_not_and_how_to_finish(ca, stub, children, capsys):
    children.uploads = [uv_failed(WHEEL, http_error("403 Forbidden"))]
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert run(ca, capsys, client, "publish") == (
        5,
        "",
        f"error: uploading {WHEEL} failed: the repository answered HTTP 403 Forbidden; in the repository: none; "
        f"not yet: {WHEEL}, {SDIST}; finish with: {ME} publish\n",
    )
    assert children.uploaded == []


def test_after_a_failure_the_files_in_are_listed_in_order_and_the_finish_keeps_the_folder(
    ca, stub, children, capsys, tmp_path
):
    dist = with_files(tmp_path / "my dist")
    native = "acme_utils-0.1.0-py3-none-manylinux_2_17_x86_64.whl"  # there already, not ours
    children.uploads = [uv_published(WHEEL), uv_failed(SDIST, "Connection refused (os error 111)")]
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {native: OTHER})
    assert run(ca, capsys, client, "publish", "--dist", str(dist)) == (
        7,
        f"uploaded {WHEEL}\n",
        f"error: uploading {SDIST} failed: Connection refused (os error 111); in the repository: {WHEEL}, {native}; "
        f"not yet: {SDIST}; finish with: {ME} publish --dist '{dist}'\n",
    )


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_an_upload_ends_with_its_code_and_how_to_finish(ca, stub, children, capsys, signum, code):
    def interrupted(command):
        os.kill(os.getpid(), signum)
        time.sleep(5)  # the tool's handler raises here, as it would while uv uploads
        raise AssertionError("not stopped")

    children.uploads = [uv_published(WHEEL), interrupted]
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert run(ca, capsys, client, "publish") == (
        code,
        f"uploaded {WHEEL}\n",
        f"error: stopped by {signal.Signals(signum).name}; in the repository: {WHEEL}; perhaps: {SDIST}; not yet: "
        f"none; finish with: {ME} publish\n",
    )


def test_a_signal_during_the_first_upload_says_that_file_may_be_there(ca, stub, children, capsys):
    """The signal may come after the last byte of the file: "in the repository: none" would be
    untrue. The finishing command compares what is there and uploads the rest."""

    def interrupted(command):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        raise AssertionError("not stopped")

    children.uploads = [interrupted]
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert run(ca, capsys, client, "publish") == (
        130,
        "",
        f"error: stopped by SIGINT; in the repository: none; perhaps: {WHEEL}; not yet: {SDIST}; finish with: {ME} "
        "publish\n",
    )


def test_each_uploaded_file_is_shown_at_once(ca, stub, children, monkeypatch):
    """A job killed in the middle (a CI time limit) still shows what is in the repository."""
    shown: list[str] = []

    class Console(io.StringIO):
        def flush(self) -> None:
            shown.append(self.getvalue())

    monkeypatch.setattr(sys, "stdout", Console())
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert ca.main(["publish"], client) == 0
    assert shown[:2] == [f"uploaded {WHEEL}\n", f"uploaded {WHEEL}\nuploaded {SDIST}\n"]


def test_a_build_that_fails_ends_in_its_cause_with_the_token_masked(ca, stub, children, capsys):
    children.build = (1, "Building sdist\n", f"error: Failed to fetch {INDEX_WITH_TOKEN}hatchling/\n  hint: retry\n")
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "publish") == (
        1,
        "",
        f"error: `uv build --out-dir …` failed: error: Failed to fetch {INDEX_WITH_TOKEN.replace(TOKEN, '****')}"
        "hatchling/\n",
    )


@pytest.mark.parametrize(
    ("project", "built", "argv", "refusal"),
    [
        ({"name": "acme-utils", "version": "0.2.0.dev1"}, "0.2.0.dev1", [],
         "0.2.0.dev1 is a development version: set a release version such as 0.2.0 in pyproject.toml, or pass --dev"),
        (DYNAMIC, "0.3.1.dev2", [],
         "0.3.1.dev2 is a development version, built from a commit with no tag v<version>: tag the commit "
         "(git tag v0.3.1, then push the tag), or pass --dev"),
        (DYNAMIC, "0.3.0+g1a2b3c4", ["--dev"],
         "0.3.0+g1a2b3c4 has a local label (+g1a2b3c4), never published: tag the commit (git tag v0.3.0, then push "
         "the tag)"),
    ],
    ids=["dev-static", "dev-from-tag", "local"],
)  # fmt: skip
def test_a_development_or_local_build_is_refused_before_the_repository_is_asked(
    ca, stub, children, capsys, pyproject, project, built, argv, refusal
):
    pyproject(project=project)
    children.version = built
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "publish", *argv) == (1, "", f"error: {refusal}\n")
    assert children.uploaded == []


def test_a_build_of_a_tagged_commit_with_an_edited_file_is_named_as_such(ca, stub, children, capsys, pyproject):
    """v1.2.0 is tagged, a file is edited, --allow-dirty: hatch-vcs builds 1.2.1.dev0. Tagging
    v1.2.1 would be wrong advice; the uncommitted change is the cause."""
    pyproject(project=DYNAMIC)
    children.git["status"] = " M src/acme_utils/__init__.py\n"
    children.version = "1.2.1.dev0"
    client, stubber = stub
    expect_credentials(stubber)
    assert run(ca, capsys, client, "publish", "--allow-dirty") == (
        1,
        "",
        "error: 1.2.1.dev0 is a development version, built from uncommitted changes: commit them (`git status` "
        "lists them), or pass --dev\n",
    )
    assert ["git", "status", "--porcelain", "--untracked-files=no"] in children.commands()
    assert children.uploaded == []


def test_dev_publishes_a_development_version(ca, stub, children, capsys, pyproject):
    pyproject(project=DYNAMIC)
    children.version = "0.3.1.dev2"
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None, packageVersion="0.3.1.dev2")
    code, out, _ = run(ca, capsys, client, "publish", "--dev")
    assert (code, out.splitlines()[-2]) == (0, "published acme-utils 0.3.1.dev2 in my-repo")
    assert children.uploaded == ["acme_utils-0.3.1.dev2-py3-none-any.whl", "acme_utils-0.3.1.dev2.tar.gz"]


def test_a_version_from_the_tag_is_the_one_the_build_made(ca, stub, children, capsys, pyproject):
    pyproject(project=DYNAMIC)
    children.version = "0.3.0"
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {"acme_utils-0.3.0-py3-none-any.whl": OTHER}, packageVersion="0.3.0")
    assert run(ca, capsys, client, "publish") == (
        1,
        "",
        f"error: acme_utils-0.3.0-py3-none-any.whl is in my-repo with other content (SHA-256 {OTHER} there, "
        f"{BOTH[WHEEL]} here): publish a new version; nothing was uploaded\n",
    )


def test_the_package_is_asked_for_by_its_normalized_name(ca, stub, children, capsys, pyproject):
    pyproject(project={"name": "Acme.Utils__Extra", "version": "0.1.0"})
    children.stem = "acme_utils_extra"
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, {"acme_utils_extra-0.1.0-py3-none-any.whl": BOTH[WHEEL], "acme_utils_extra-0.1.0.tar.gz":
                            BOTH[SDIST]}, package="acme-utils-extra")  # fmt: skip
    assert run(ca, capsys, client, "publish") == (0, "already published: acme-utils-extra 0.1.0 in my-repo\n", "")


@pytest.mark.parametrize(
    ("manager", "build", "credentials", "me"),
    [
        ("poetry", ["poetry", "build", "--output"],
         {"POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME": "aws", "POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD": TOKEN},
         "pipx run scripts/codeartifact.py"),
        ("pip", [sys.executable, "-m", "build", "--outdir"], {"PIP_INDEX_URL": INDEX_WITH_TOKEN},
         "python scripts/codeartifact.py"),
    ],
)  # fmt: skip
def test_each_package_manager_builds_with_its_own_tool_and_index_credentials(
    ca, stub, children, capsys, pyproject, manager, build, credentials, me
):
    pyproject(package_manager=manager)
    children.uploads = [uv_published(WHEEL), uv_failed(SDIST, http_error("409 Conflict"))]
    client, stubber = stub
    for _ in range(2):
        expect_credentials(stubber)
        expect_assets(stubber, {WHEEL: BOTH[WHEEL]} if _ else None)
    assert run(ca, capsys, client, "publish") == (
        1,
        f"uploaded {WHEEL}\n",
        f"error: uploading {SDIST} failed: the repository answered HTTP 409 Conflict; in the repository: {WHEEL}; "
        f"not yet: {SDIST}; finish with: {me} publish\n",
    )
    assert children.commands()[2] == [*build, str(children.out)]
    assert children.environment(build[-2]) == {
        **{k: v for k, v in os.environ.items() if v},
        **credentials,
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    verify = f"check that it installs from there: {me} verify"
    assert run(ca, capsys, client, "publish") == (
        0,
        f"uploaded {SDIST}\npublished acme-utils 0.1.0 in my-repo\n{verify}\n",
        "",
    )


def test_the_files_there_are_read_across_pages_by_their_sha256(ca, stub):
    client, stubber = stub
    first = [{"name": WHEEL, "hashes": {"SHA-256": "a" * 64, "SHA-1": "b" * 40}}, {"name": "x.whl", "hashes": {}}]
    package = {"domain": "my-domain", "domainOwner": "111122223333", "repository": "my-repo", "format": "pypi",
               "package": "acme-utils", "packageVersion": "0.1.0"}  # fmt: skip
    stubber.add_response("list_package_version_assets", {"assets": first, "nextToken": "2"}, package)
    stubber.add_response("list_package_version_assets", {"assets": [{"name": SDIST, "hashes": {"SHA-256": "c" * 64}}]},
                         {**package, "nextToken": "2"})  # fmt: skip
    assert ca.stored(client, package) == {WHEEL: "a" * 64, "x.whl": "", SDIST: "c" * 64}
    stubber.add_client_error("list_package_version_assets", "ResourceNotFoundException", "no", 404)
    assert ca.stored(client, package) == {}


def test_a_repository_that_will_not_list_the_version_ends_the_release(ca, stub, children, capsys):
    client, stubber = stub
    expect_credentials(stubber)
    stubber.add_client_error("list_package_version_assets", "AccessDeniedException", "not allowed", 403)
    assert run(ca, capsys, client, "publish") == (
        4,
        "",
        "error: access denied: you may not call codeartifact:ListPackageVersionAssets (not allowed)\n",
    )
    assert children.uploaded == []


def test_a_git_that_fails_counts_as_no_repository(ca, children):
    assert ca.git("status", "--porcelain") == ""
    children.git["status"] = None
    assert ca.git("status", "--porcelain") is None
    assert children.calls[-1] == (["git", "status", "--porcelain"], None)


def test_a_relative_dist_is_the_folder_where_the_command_runs_and_those_files_are_uploaded(
    ca, stub, children, capsys, tmp_path, monkeypatch
):
    """uv publish runs in the project's folder: the files it is given are the ones hashed, by
    their full path, whatever the folder the command was typed in."""
    with_files(tmp_path / "dist")
    monkeypatch.chdir(tmp_path)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert run(ca, capsys, client, "publish", "--dist", "dist")[0] == 0
    assert children.commands()[1:] == [
        publish_command(ca, tmp_path / "dist" / WHEEL),
        publish_command(ca, tmp_path / "dist" / SDIST),
    ]


def test_a_repository_that_git_cannot_read_is_refused_not_taken_for_none(ca, stub, children, capsys, tmp_path,
                                                                        monkeypatch):  # fmt: skip
    """Such as git's "dubious ownership" in a container: the uncommitted-changes check must not
    be skipped silently."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_bytes((ca.ROOT / "pyproject.toml").read_bytes())
    monkeypatch.setattr(ca, "ROOT", tmp_path)
    children.git["status"] = None
    client, _ = stub
    assert run(ca, capsys, client, "publish") == (
        1,
        "",
        "error: git cannot read this repository: `git status` says why\n",
    )
    assert children.commands() == [["git", "status", "--porcelain"]]


def test_an_output_that_is_lost_midway_stops_no_upload(ca, stub, children, capsys, monkeypatch):
    """A closed pipe or a full disk after the first file: the release goes on, then ends as
    main says for the output (141, or 74 with one line)."""
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)

    class Lost(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Lost())
    assert ca.main(["publish"], client) == 141
    assert children.uploaded == [WHEEL, SDIST]


def test_a_table_without_a_package_manager_builds_with_build(ca, stub, children, capsys, pyproject):
    pyproject(package_manager=None)
    client, stubber = stub
    expect_credentials(stubber)
    expect_assets(stubber, None)
    assert run(ca, capsys, client, "publish")[0] == 0
    assert children.commands()[2] == [sys.executable, "-m", "build", "--outdir", str(children.out)]
    assert children.environment("build")["PIP_INDEX_URL"] == INDEX_WITH_TOKEN
