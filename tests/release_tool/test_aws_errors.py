"""AWS errors and credentials: every botocore fault as one line and its exit code."""

from __future__ import annotations

import datetime
import os
import re
import sys
from pathlib import Path

import pytest
from botocore import exceptions as aws

from tests.conftest import MANAGERS, load_release_tool
from tests.release_tool.helpers import (
    BROKEN_CREDENTIAL_SOURCES,
    CONTROL_PLANE_FAULTS,
    CREDENTIAL_FAULTS,
    ENDPOINT,
    NETWORK_FAULTS,
    OWNER,
    REPO,
    TOKEN,
    FailingClient,
    client_error,
    fake_program,
    mode,
    real_aws,
    run,
)
from tests.support.faults import MODES as FAULT_MODES
from tests.support.faults import FaultServer
from tests.support.servers import free_port


@pytest.mark.parametrize(
    ("error_code", "status", "exit_code", "words"),
    [
        ("AccessDeniedException", 403, 4, "may not call codeartifact:GetAuthorizationToken"),
        ("ExpiredTokenException", 400, 3, "run `aws sso login`"),
        ("UnrecognizedClientException", 403, 3, "AWS rejected your credentials"),
        ("ThrottlingException", 429, 6, "ThrottlingException to GetAuthorizationToken 1 times"),
        ("InternalServerException", 500, 6, "try again in a minute"),
        ("ResourceNotFoundException", 404, 8, "check [tool.codeartifact]"),
        ("ValidationException", 400, 1, "CodeArtifact refused GetAuthorizationToken"),
        ("502", 502, 7, "a proxy?) answered HTTP 502"),
    ],
)
def test_aws_errors_become_one_clear_line(ca, stub, capsys, error_code, status, exit_code, words):
    client, stubber = stub
    stubber.add_client_error("get_authorization_token", error_code, "the service says no", status)
    code, _, err = run(ca, capsys, client, "env")
    assert code == exit_code
    assert err.startswith("error: ") and err.count("\n") == 1
    assert words in err


def test_the_throttling_message_counts_the_attempts_made(ca):
    error = aws.ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "slow"}, "ResponseMetadata": {"RetryAttempts": 2}},
        "GetRepositoryEndpoint",
    )
    translated = ca.translate_aws_error(error)
    assert (translated.exit_code, str(translated)) == (
        6,
        "CodeArtifact answered ThrottlingException to GetRepositoryEndpoint 3 times; try again in a minute",
    )


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [(error, 3) for error in CREDENTIAL_FAULTS] + [(error, 7) for error in NETWORK_FAULTS],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_credential_and_network_errors_end_in_their_codes(ca, capsys, error, exit_code):
    code, out, err = run(ca, capsys, FailingClient(error), "login", "--tool", "pip")
    assert code == exit_code
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1


def test_an_unexpected_error_is_one_line_and_never_exit_1(ca, capsys):
    code, _, err = run(ca, capsys, FailingClient(KeyError("authorizationToken")), "env")
    assert code == ca.Exit.BUG == 70
    assert err == "error: KeyError: 'authorizationToken'\n"


def test_the_exit_codes_in_the_help_are_the_enum(ca, capsys):
    with pytest.raises(SystemExit):
        ca.main(["--help"])
    help_text = capsys.readouterr().out
    for code in ca.Exit:
        assert f"{code.value:>3}  {code.meaning}" in help_text


def test_the_readme_table_of_exit_codes_is_the_enum(ca, bake):
    readme = (bake() / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.*) \|$", readme, re.MULTILINE)
    assert rows == [(str(code.value), code.meaning) for code in ca.Exit]


@pytest.mark.parametrize("manager", MANAGERS)
def test_the_tools_own_commands_are_the_package_manager_table(bake, manager, tmp_path):
    module = load_release_tool(bake(package_manager=manager))
    table = MANAGERS[manager]
    argv = module.BUILD_COMMANDS[manager](tmp_path)
    expected = [*table["build_into"].split(), str(tmp_path)]
    assert argv == ([sys.executable, *expected[1:]] if expected[0] == "python" else expected)
    assert module.TOOL_COMMANDS[manager] == table["tool"]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", CONTROL_PLANE_FAULTS)
def test_a_fault_of_the_control_plane_is_one_line_with_its_code(ca, capsys, monkeypatch, tmp_path, fault):
    exit_code, words = CONTROL_PLANE_FAULTS[fault]
    with FaultServer(fault if fault in FAULT_MODES else "500") as server:
        url = {
            "refused": f"http://127.0.0.1:{free_port()}",
            "unresolvable": "http://codeartifact.us-east-1.invalid",
            "tls": server.url.replace("http://", "https://"),
        }.get(fault, server.url)
        real_aws(monkeypatch, tmp_path, AWS_ENDPOINT_URL_CODEARTIFACT=url)
        code, out, err = run(ca, capsys, None, "url")
    assert code == exit_code, err
    assert words in err and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize("fault", BROKEN_CREDENTIAL_SOURCES)
def test_broken_credentials_end_in_code_3_before_any_call(ca, capsys, monkeypatch, tmp_path, fault):
    variables, words = BROKEN_CREDENTIAL_SOURCES[fault]
    (tmp_path / "aws-config").write_text(
        "[profile failing]\ncredential_process = false\n[profile missing]\ncredential_process = /nonexistent/helper\n"
    )
    (tmp_path / "token").write_text("a-web-identity-token")
    with FaultServer("500") as server:
        real_aws(monkeypatch, tmp_path, AWS_ENDPOINT_URL_CODEARTIFACT=server.url)
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
        for name, value in variables.items():
            monkeypatch.setenv(name, value.format(token=tmp_path / "token"))
        code, _, err = run(ca, capsys, None, "url")
    assert code == 3, err
    assert words in err and err.count("\n") == 1
    assert server.requests == 0  # found out before any call


@pytest.mark.parametrize(
    ("error", "message", "exit_code"),
    [
        (aws.UnauthorizedSSOTokenError(), "the AWS SSO session has expired: run `aws sso login`", 3),
        (
            client_error("AccessDeniedException", "not authorized", "DescribeDomain"),
            "access denied: your AWS identity may not call codeartifact:DescribeDomain (not authorized)",
            4,
        ),
        (
            client_error("AccessDeniedException", "no", "GetAuthorizationToken"),
            "access denied: your AWS identity may not call codeartifact:GetAuthorizationToken and "
            "sts:GetServiceBearerToken (no)",
            4,
        ),
        (
            aws.ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "GetRepositoryEndpoint"),
            "not found: ; check [tool.codeartifact] in pyproject.toml",
            8,
        ),
        (
            client_error("ValidationException", "bad domain", "GetRepositoryEndpoint"),
            "CodeArtifact refused GetRepositoryEndpoint: ValidationException: bad domain",
            1,
        ),
    ],
    ids=["sso", "unknown-operation", "token", "no-message", "other"],
)
def test_an_aws_error_becomes_a_sentence_and_an_exit_code(ca, error, message, exit_code):
    translated = ca.translate_aws_error(error)
    assert (str(translated), int(translated.exit_code)) == (message, exit_code)


def test_the_token_comes_with_its_expiry(ca, stub):
    client, stubber = stub
    expires = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    response = {"authorizationToken": TOKEN, "expiration": expires}
    stubber.add_response("get_authorization_token", response, {**OWNER, "durationSeconds": 900})
    stubber.add_response("get_authorization_token", {"authorizationToken": TOKEN}, dict(OWNER))
    settings = ca.load_settings(ca.read_pyproject(), {})
    assert ca.fetch_token(client, settings, 900) == (TOKEN, 1700000000)
    assert ca.fetch_token(client, settings) == (TOKEN, 0)


def test_the_client_has_short_timeouts_standard_retries_and_the_projects_region(ca, private_home, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")  # the client's own retry mode wins over the user's
    settings = ca.Settings("my-domain", "111122223333", "my-repo", "eu-west-1", "uv")
    config = ca.make_client(settings, {}).meta.config
    assert (config.connect_timeout, config.read_timeout, config.retries["mode"]) == (10, 30, "standard")
    assert config.region_name == "eu-west-1"
    environ = {"CODEARTIFACT_CONNECT_TIMEOUT": "3", "CODEARTIFACT_READ_TIMEOUT": "4.5"}
    config = ca.make_client(settings, environ).meta.config
    assert (config.connect_timeout, config.read_timeout) == (3, 4.5)


def test_a_file_is_replaced_whole_with_the_mode_its_secrets_need(ca, tmp_path):
    shared, private = tmp_path / "conf" / "shared.cfg", tmp_path / "conf" / "private.cfg"
    ca.write_file(ca.ConfigWrite(shared, "é\n", "é\n", private=False))
    ca.write_file(ca.ConfigWrite(private, "secret\n", "****\n"))
    assert (shared.read_bytes(), mode(shared)) == ("é\n".encode(), 0o644)
    assert (private.read_text(), mode(private)) == ("secret\n", 0o600)
    assert sorted(path.name for path in (tmp_path / "conf").iterdir()) == ["private.cfg", "shared.cfg"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_one(ca, tmp_path, monkeypatch):
    target = tmp_path / "conf" / "pip.conf"
    target.parent.mkdir()
    target.write_text("old\n")

    def full_disk(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ca.os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        ca.write_file(ca.ConfigWrite(target, "new\n", "new\n"))
    assert [path.name for path in target.parent.iterdir()] == ["pip.conf"]
    assert target.read_text() == "old\n"


def test_the_new_file_is_made_beside_the_old_one_so_that_the_rename_is_atomic(ca, tmp_path, monkeypatch):
    target = tmp_path / "conf" / "pip.conf"
    renames = []
    real = os.replace
    monkeypatch.setattr(
        ca.os, "replace", lambda source, destination: renames.append(source) or real(source, destination)
    )
    ca.write_file(ca.ConfigWrite(target, "new\n", "new\n"))
    (source,) = renames
    assert Path(source).parent == target.parent and Path(source).name.startswith(".pip.conf.")


def test_uv_gets_the_token_on_standard_input_and_keeps_it_in_its_store(ca, tmp_path, capfd):
    uv = fake_program(tmp_path / "uv", f'echo "$@" > {tmp_path}/args; cat > {tmp_path}/stdin; echo "stored"')
    environ = {"UV": str(uv), "PATH": "/usr/bin:/bin"}
    command = f"{uv} auth login {ENDPOINT} --username aws --password -"
    assert ca.uv_login(ENDPOINT, TOKEN, environ, dry_run=True) == (
        f"would run: {command}   # the token on standard input"
    )
    assert not (tmp_path / "args").exists()
    done = ca.uv_login(ENDPOINT, TOKEN, environ, dry_run=False)
    assert done == f"uv will use the token for {ENDPOINT} (stored with `uv auth login`)"
    assert (tmp_path / "args").read_text() == command[len(str(uv)) + 1 :] + "\n"
    assert (tmp_path / "stdin").read_text() == TOKEN
    assert capfd.readouterr() == ("", "")


def test_an_error_without_the_usual_fields_still_makes_a_sentence(ca):
    bare = aws.ClientError({}, "GetAuthorizationToken")
    assert (ca.error_code(bare), ca.attempts_made(bare)) == ("", 1)
    assert str(ca.translate_aws_error(bare)) == "CodeArtifact refused GetAuthorizationToken: : "


def test_an_endpoint_keeps_a_repository_name_that_ends_in_x(ca, stub):
    client, stubber = stub
    endpoint = ENDPOINT.replace("my-repo", "pypiX").rstrip("/")
    stubber.add_response("get_repository_endpoint", {"repositoryEndpoint": endpoint}, {**REPO, "format": "pypi"})
    settings = ca.load_settings(ca.read_pyproject(), {})
    assert ca.fetch_endpoint(client, settings) == endpoint + "/"
    assert ca.without_credentials(f"https://aws:x@{endpoint[8:]}/") == endpoint
