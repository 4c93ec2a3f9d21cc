"""AWS errors and credentials: every botocore fault as one line and its exit code, through
aws_fault, through a stubbed client, through a real client before a loopback fault server, and
through client_for with the credential sources that fail only when asked."""

from __future__ import annotations

import hashlib
import json
import re

import boto3
import botocore.credentials
import botocore.tokens
import pytest
from botocore import exceptions as aws
from botocore.config import Config

from tests.release_tool.helpers import HINT, OWNER, SSO_CONFIG, run
from tests.support.faults import FaultServer
from tests.support.servers import free_port

EXPIRED_SSO = (
    "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO "
    "session run aws sso login with the corresponding profile."
)


def client_error(code: str, message: str, call: str, attempts: int | None = None) -> aws.ClientError:
    response: dict = {"Error": {"Code": code, "Message": message}}
    if attempts is not None:
        response["ResponseMetadata"] = {"RetryAttempts": attempts}
    return aws.ClientError(response, call)


@pytest.mark.parametrize(
    ("error", "line", "code"),
    [
        (aws.SSOTokenLoadError(error_msg="no cached token"),
         "this AWS SSO profile never signed in on this machine: run `aws sso login`", 3),
        (aws.UnauthorizedSSOTokenError(), f"the AWS SSO session has expired ({EXPIRED_SSO}): run `aws sso login`", 3),
        (aws.TokenRetrievalError(provider="sso", error_msg="Token has expired and refresh failed"),
         "the AWS SSO session has expired (Error when retrieving token from sso: Token has expired and refresh "
         "failed): run `aws sso login`", 3),
        (aws.ProfileNotFound(profile="nobody"),
         "The config profile (nobody) could not be found: check AWS_PROFILE and ~/.aws/config", 3),
        (aws.NoCredentialsError(), f"no usable AWS credentials (Unable to locate credentials): {HINT}", 3),
        (aws.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
         f"no usable AWS credentials (Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY): {HINT}", 3),
        (aws.CredentialRetrievalError(provider="custom-process", error_msg="exit 1"),
         f"no usable AWS credentials (Error when retrieving credentials from custom-process: exit 1): {HINT}", 3),
        (aws.InvalidConfigError(error_msg="bad role_arn"), f"no usable AWS credentials (bad role_arn): {HINT}", 3),
        (aws.SSOError(), "no usable AWS credentials (An unspecified error happened when resolving AWS credentials or "
         f"an access token from SSO.): {HINT}", 3),
        (client_error("ExpiredTokenException", "expired", "GetAuthorizationToken"),
         "no usable AWS credentials (An error occurred (ExpiredTokenException) when calling the GetAuthorizationToken "
         f"operation: expired): {HINT}", 3),
        (client_error("InvalidClientTokenId", "bad key", "GetRepositoryEndpoint"),
         "no usable AWS credentials (An error occurred (InvalidClientTokenId) when calling the GetRepositoryEndpoint "
         f"operation: bad key): {HINT}", 3),
        (client_error("UnrecognizedClientException", "bad key", "GetRepositoryEndpoint"),
         "no usable AWS credentials (An error occurred (UnrecognizedClientException) when calling the "
         f"GetRepositoryEndpoint operation: bad key): {HINT}", 3),
        (client_error("AccessDeniedException", "not authorized", "GetAuthorizationToken"),
         "access denied: you may not call codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken "
         "(not authorized)", 4),
        (client_error("AccessDeniedException", "not authorized", "ListPackageVersionAssets"),
         "access denied: you may not call codeartifact:ListPackageVersionAssets (not authorized)", 4),
        (client_error("ResourceNotFoundException", "Domain not found", "GetRepositoryEndpoint"),
         "not found: Domain not found; check [tool.codeartifact] in pyproject.toml", 8),
        (client_error("ThrottlingException", "slow down", "GetRepositoryEndpoint"),
         "CodeArtifact answered ThrottlingException to GetRepositoryEndpoint 1 times: try again later", 6),
        (client_error("InternalServerException", "oops", "GetAuthorizationToken", attempts=2),
         "CodeArtifact answered InternalServerException to GetAuthorizationToken 3 times: try again later", 6),
        (client_error("ServiceUnavailableException", "later", "ListPackageVersionAssets", attempts=0),
         "CodeArtifact answered ServiceUnavailableException to ListPackageVersionAssets 1 times: try again later", 6),
        (aws.ConnectTimeoutError(endpoint_url="https://ca.example/"),
         'CodeArtifact did not answer in time (Connect timeout on endpoint URL: "https://ca.example/")', 7),
        (aws.ReadTimeoutError(endpoint_url="https://ca.example/"),
         'CodeArtifact did not answer in time (Read timeout on endpoint URL: "https://ca.example/")', 7),
        (aws.EndpointConnectionError(endpoint_url="https://ca.example/"),
         'cannot reach CodeArtifact (Could not connect to the endpoint URL: "https://ca.example/"): check the '
         "network, a proxy", 7),
        (aws.ConnectionClosedError(endpoint_url="https://ca.example/"),
         "cannot reach CodeArtifact (Connection was closed before we received a valid response from endpoint URL: "
         '"https://ca.example/".): check the network, a proxy', 7),
        (aws.SSLError(endpoint_url="https://ca.example/", error="bad certificate"),
         "cannot reach CodeArtifact (SSL validation failed for https://ca.example/ bad certificate): check the "
         "network, a proxy", 7),
        (aws.ProxyConnectionError(proxy_url="http://proxy.example"),
         'cannot reach CodeArtifact (Failed to connect to proxy URL: "http://proxy.example"): check the network, '
         "a proxy", 7),
        (aws.HTTPClientError(error="boom"),
         "cannot reach CodeArtifact (An HTTP Client raised an unhandled exception: boom): check the network, a proxy",
         7),
        (client_error("502", "Bad Gateway", "GetRepositoryEndpoint"),
         "a proxy between you and CodeArtifact answered HTTP 502 Bad Gateway", 7),
        (client_error("ValidationException", "bad domain", "GetRepositoryEndpoint"),
         "An error occurred (ValidationException) when calling the GetRepositoryEndpoint operation: bad domain; "
         "check [tool.codeartifact]", 8),
        (aws.MissingDependencyException(msg='You will need to pip install "botocore[crt]" before proceeding.'),
         'no usable AWS credentials (Missing Dependency: You will need to pip install "botocore[crt]" before '
         f"proceeding.): {HINT}", 3),
        (aws.LoginRefreshRequired(),
         "no usable AWS credentials (Your session has expired or credentials have changed. Please reauthenticate "
         f"using 'aws login'.): {HINT}", 3),
        (aws.ConfigParseError(path="~/.aws/config"),
         "Unable to parse config file: ~/.aws/config: check AWS_PROFILE and ~/.aws/config", 3),
        (aws.ParamValidationError(report="Invalid type for parameter domainOwner, value: 444455556666"),
         "Parameter validation failed:\nInvalid type for parameter domainOwner, value: 444455556666; check "
         "[tool.codeartifact]", 8),
        (aws.InvalidRegionError(region_name="us east 1"),
         "Provided region_name 'us east 1' doesn't match a supported format.; check [tool.codeartifact]", 8),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)  # fmt: skip
def test_each_botocore_fault_is_one_line_and_its_exit_code(ca, error, line, code):
    fault = ca.aws_fault(error)
    assert (str(fault), fault.code) == (line, code)


@pytest.mark.parametrize(
    "error",
    [
        aws.ClientError({}, "GetAuthorizationToken"),
        aws.ClientError({"Error": {"Message": "no code"}}, "GetAuthorizationToken"),
        KeyError("authorizationToken"),
        BrokenPipeError(32, "Broken pipe"),  # Python's own ConnectionError is no network fault of botocore's
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_what_is_not_an_aws_fault_is_left_to_the_caller(ca, error):
    assert ca.aws_fault(error) is None


@pytest.mark.parametrize(
    ("code", "status", "exit_code", "line"),
    [
        ("AccessDeniedException", 403, 4,
         "access denied: you may not call codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken (no)"),
        ("UnrecognizedClientException", 403, 3,
         "no usable AWS credentials (An error occurred (UnrecognizedClientException) when calling the "
         f"GetAuthorizationToken operation: no): {HINT}"),
        ("ThrottlingException", 429, 6,
         "CodeArtifact answered ThrottlingException to GetAuthorizationToken 1 times: try again later"),
        ("ResourceNotFoundException", 404, 8, "not found: no; check [tool.codeartifact] in pyproject.toml"),
        ("ValidationException", 400, 8, "An error occurred (ValidationException) when calling the "
         "GetAuthorizationToken operation: no; check [tool.codeartifact]"),
        ("ConflictException", 409, 1, "CodeArtifact refused GetAuthorizationToken: ConflictException: no"),
        ("504", 504, 7, "a proxy between you and CodeArtifact answered HTTP 504 no"),
    ],
)  # fmt: skip
def test_a_refused_call_ends_the_command_in_one_line(ca, stub, capsys, code, status, exit_code, line):
    client, stubber = stub
    stubber.add_client_error("get_authorization_token", code, "no", status, expected_params=OWNER)
    assert run(ca, capsys, client, "env") == (exit_code, "", f"error: {line}\n")


def test_an_unexpected_error_is_one_line_with_its_type_and_code_70(ca, stub, capsys):
    client, stubber = stub
    stubber.add_response("get_authorization_token", {}, OWNER)  # no token in the answer
    assert run(ca, capsys, client, "env") == (70, "", "error: KeyError: 'authorizationToken'\n")


def loopback_client(url: str) -> object:
    """A real CodeArtifact client, as the tool's own but quick: 1 s to connect, half a second
    for an answer, two attempts."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    config = Config(connect_timeout=1, read_timeout=0.5, retries={"mode": "standard", "total_max_attempts": 2})
    return session.client("codeartifact", region_name="us-east-1", endpoint_url=url, config=config)


CALLED = "v1/repository/endpoint?domain=my-domain&domain-owner=111122223333&repository=my-repo&format=pypi"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("mode", "exit_code", "line"),
    [
        ("refused", 7, 'cannot reach CodeArtifact (Could not connect to the endpoint URL: "{url}{called}"): check '
                       "the network, a proxy"),
        ("hang", 7, 'CodeArtifact did not answer in time (Read timeout on endpoint URL: "{url}{called}")'),
        ("drop", 7, "cannot reach CodeArtifact (Connection was closed before we received a valid response from "
                    'endpoint URL: "{url}{called}".): check the network, a proxy'),
        ("500", 6, "CodeArtifact answered InternalServerException to GetRepositoryEndpoint 2 times: try again later"),
        ("429", 6, "CodeArtifact answered ThrottlingException to GetRepositoryEndpoint 2 times: try again later"),
        ("502-html", 7, "a proxy between you and CodeArtifact answered HTTP 502 Bad Gateway"),
    ],
    ids=["refused", "hang", "drop", "500", "429", "502-html"],
)  # fmt: skip
def test_a_fault_between_the_tool_and_codeartifact_is_one_line_with_its_code(ca, capsys, mode, exit_code, line):
    with FaultServer("500" if mode == "refused" else mode) as server:
        url = f"http://127.0.0.1:{free_port()}/" if mode == "refused" else server.url
        code, out, err = run(ca, capsys, loopback_client(url), "url")
    assert (code, out, err) == (exit_code, "", f"error: {line.format(url=url, called=CALLED)}\n")


@pytest.mark.timeout(60)
def test_a_tls_handshake_that_fails_is_a_network_fault(ca, capsys):
    """HTTPS to a server that speaks plain HTTP: botocore's SSLError, which is also an OSError,
    is not taken for an output that cannot be written."""
    with FaultServer("500") as server:
        url = server.url.replace("http://", "https://")
        code, out, err = run(ca, capsys, loopback_client(url), "url")
    assert (code, out) == (7, "")
    assert re.fullmatch(rf"error: cannot reach CodeArtifact \(SSL validation failed for {url}{re.escape(CALLED)} "
                        r"\[SSL: \w+\] [^\n]+\): check the network, a proxy\n", err), err  # fmt: skip


@pytest.fixture
def aws_files(tmp_path, monkeypatch):
    """AWS settings of the test's own: a config file (returned), no credentials file, and
    CodeArtifact at a loopback server that counts the calls that reach it."""
    config = tmp_path / "aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    with FaultServer("500") as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", server.url)
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        yield config, server


def test_the_client_waits_10_s_to_connect_and_30_s_for_an_answer_in_the_projects_region(ca, aws_files, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")  # the tool's own retry mode wins over the user's
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    config = ca.client_for("eu-west-1").meta.config
    assert (config.connect_timeout, config.read_timeout, config.retries["mode"]) == (10, 30, "standard")
    assert config.region_name == "eu-west-1"


@pytest.mark.parametrize(
    ("variables", "profile", "line"),
    [
        ({}, "", f"no usable AWS credentials (Unable to locate credentials): {HINT}"),
        ({"AWS_PROFILE": "nobody"}, "",
         "The config profile (nobody) could not be found: check AWS_PROFILE and ~/.aws/config"),
        ({"AWS_WEB_IDENTITY_TOKEN_FILE": "{tmp}/no-token", "AWS_ROLE_ARN": "arn:aws:iam::444455556666:role/ci"}, "",
         f"no usable AWS credentials ([Errno 2] No such file or directory: '{{tmp}}/no-token'): {HINT}"),
        ({"AWS_PROFILE": "failing"}, """credential_process = sh -c 'echo "the  helper\\nrefused" >&2; exit 1'""",
         f"no usable AWS credentials (Error when retrieving credentials from custom-process: the helper refused ): "
         f"{HINT}"),
        ({"AWS_PROFILE": "failing"}, "credential_process = {tmp}/no-helper",
         f"no usable AWS credentials ([Errno 2] No such file or directory: '{{tmp}}/no-helper'): {HINT}"),
    ],
    ids=["none", "unknown-profile", "missing-web-identity-token-file", "failing-process", "missing-process"],
)  # fmt: skip
def test_credentials_that_cannot_be_had_end_in_code_3_before_any_call(
    ca, capsys, monkeypatch, tmp_path, aws_files, variables, profile, line
):
    config, server = aws_files
    config.write_text(f"[profile failing]\n{profile.format(tmp=tmp_path)}\n")
    for name, value in variables.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert run(ca, capsys, None, "url") == (3, "", f"error: {line.format(tmp=tmp_path)}\n")
    assert server.requests == 0


@pytest.mark.parametrize(
    ("profile", "cached", "line"),
    [
        ("legacy", None, "this AWS SSO profile never signed in on this machine: run `aws sso login`"),
        ("modern", None, "this AWS SSO profile never signed in on this machine: run `aws sso login`"),
        ("legacy", "https://example.awsapps.com/start",
         f"the AWS SSO session has expired ({EXPIRED_SSO}): run `aws sso login`"),
        ("modern", "corp", "the AWS SSO session has expired (Error when retrieving token from sso: Token has expired "
                           "and refresh failed): run `aws sso login`"),
    ],
)  # fmt: skip
def test_an_sso_profile_that_never_signed_in_is_not_called_expired(
    ca, capsys, monkeypatch, private_home, aws_files, profile, cached, line
):
    """Real botocore and real files: the profile's configuration, and no cached login or an
    expired one where `aws sso login` leaves it (~/.aws/sso/cache, named by the SHA-1 of the
    start URL or of the session's name)."""
    config, server = aws_files
    config.write_text(SSO_CONFIG)
    monkeypatch.setenv("AWS_PROFILE", profile)
    cache = private_home / ".aws" / "sso" / "cache"  # botocore found it by HOME when imported
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    if cached:
        cache.mkdir(parents=True)
        token = {"startUrl": "https://example.awsapps.com/start", "region": "us-east-1",
                 "accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z"}  # fmt: skip
        (cache / f"{hashlib.sha1(cached.encode()).hexdigest()}.json").write_text(json.dumps(token))
    assert run(ca, capsys, None, "url") == (3, "", f"error: {line}\n")
    assert server.requests == 0


def test_a_malformed_setting_is_named_before_any_call(ca, pyproject, capsys, monkeypatch):
    """An owner written as a number, or a region with spaces: botocore refuses them before a call
    is made, and the line says where to fix them (not exit 70's "please report it")."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    pyproject(domain_owner=444455556666)
    assert ca.main(["url"]) == 8
    assert "Invalid type for parameter domainOwner, value: 444455556666" in capsys.readouterr().err
    pyproject(region="us east 1")
    assert ca.main(["url"]) == 8
    assert capsys.readouterr().err == (
        "error: Provided region_name 'us east 1' doesn't match a supported format.; check [tool.codeartifact]\n"
    )


@pytest.mark.parametrize("url", ["not a url", "https://", "https://[::1"])
def test_a_malformed_endpoint_url_is_a_setting_to_fix_not_an_unexpected_error(ca, capsys, monkeypatch, url):
    """botocore refuses AWS_ENDPOINT_URL_CODEARTIFACT with a ValueError as it makes the client:
    exit 8 (a malformed setting), as the table says, not 70."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEARTIFACT", url)
    code, err = ca.main(["url"]), capsys.readouterr().err
    assert (code, err.count("\n")) == (8, 1)
    assert err.startswith("error: ") and err.endswith(": check AWS_ENDPOINT_URL_CODEARTIFACT\n")


def test_a_profile_of_aws_login_works_or_is_one_line_without_botocore_crt(ca, capsys, monkeypatch, tmp_path):
    """`aws login` (AWS CLI, November 2025) writes a login_session profile, which botocore reads
    only with botocore[crt]: the tool depends on it (the header and both locks), and a Python
    without it gets exit 3 in one line, not 70 and a traceback."""
    (tmp_path / "config").write_text("[profile signed]\nlogin_session = arn:aws:iam::111122223333:user/me\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_PROFILE", "signed")
    monkeypatch.setattr(botocore.credentials, "EC", None)  # as without awscrt
    code, err = ca.main(["url"]), capsys.readouterr().err
    assert (code, err) == (3, 'error: no usable AWS credentials (Missing Dependency: Using the login credential '
                              'provider requires an additional dependency. You will need to pip install '
                              f'"botocore[crt]" before proceeding.): {HINT}\n')  # fmt: skip
    header = (ca.ROOT / "scripts" / "codeartifact.py").read_text().split("# ///")[1]
    assert '"boto3[crt]>=1.35"' in header
    assert ca.PLUGINS == ("keyrings.codeartifact", "botocore[crt]")  # what login installs with the backend


def test_ctrl_c_while_codeartifact_does_not_answer_stops_at_once(ca, capsys):
    """botocore retries any Exception its HTTP client raises: the signal's Fault is none, so
    neither a retry nor a wrapping HTTPClientError swallows it."""
    import os
    import signal
    import threading
    import time

    with FaultServer("hang") as server:
        client = boto3.session.Session().client(
            "codeartifact", region_name="us-east-1", endpoint_url=server.url, aws_access_key_id="testing",
            aws_secret_access_key="testing", config=Config(read_timeout=30, retries={"mode": "standard"}),
        )  # fmt: skip
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
        started = time.monotonic()
        assert ca.main(["url"], client) == 130
        assert time.monotonic() - started < 10
    assert capsys.readouterr() == ("", "error: stopped by SIGINT\n")
