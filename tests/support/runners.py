"""The CI files of a baked project, run job by job as their runners run them.

Each job starts from what its image or runner gives, and nothing of this machine:

- ``python:*-slim`` (GitLab): a Python built from source with pip and an empty site-packages
  (``Runner.image_python``: not a virtual environment, which uv would skip, and not "externally
  managed"), the basic tools of /usr/bin, and no git, uv, twine, build, Poetry or pipx; PATH
  has no ``~/.local/bin``. ``apt-get install … git`` puts this machine's git on the job's PATH,
  as Debian's package would.
- GitHub's ``ubuntu-latest``: git, the distribution's python3 and ``~/.local/bin`` on PATH;
  ``actions/setup-python`` adds such a Python with pip, nothing else.
- CodeBuild's standard image: its runtime's Python with pip, and git; every phase in one shell.

``uses:`` steps are replaced by their documented effects: checkout clones the pushed ref (one
commit, or the whole history and tags with ``fetch-depth: 0``, never a token in .git/config with
``persist-credentials: false``); setup-uv puts uv at the pinned version on PATH;
configure-aws-credentials sets the role's credentials in the environment; upload- and
download-artifact copy files between jobs; create-github-app-token outputs a token. Every job
clones the pushed ref afresh, in a HOME of its own, and reaches the CodeArtifact of
tests/support/codeartifact_host.py by its real host names. GitLab's keys that the template uses
(``default``, ``extends``, ``rules``, ``needs``, ``variables``, ``parallel: matrix``,
``artifacts``, ``id_tokens``, environment-scoped variables) are read here. gitlab-ci-local
4.65.1 (npm; the last release that declares Node >=18) runs on this machine's Node 20 and lists
the same jobs for a tag and a scheduled pipeline, but it runs a job in Docker (no daemon here) or in
this machine's own shell, with its PATH (git, uv and the rest): what these runs must not have.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs

import yaml

from tests.support.codeartifact_host import LoopbackCodeArtifact
from tests.support.servers import LoopbackServer
from tests.support.tools import ProjectTools

# What no image here has unless a step installs it: Python tools, git, and this machine's extras.
NOT_IN_IMAGES = re.compile(r"^(python|pip|pydoc|2to3|idle|git|uv|uvx|twine|poetry|pipx|node|npm|npx|docker|gh)")
# The images' Python is built from source (/usr/local in python:*-slim, the tool cache of
# setup-python, pyenv in CodeBuild): not a virtual environment, which uv would skip, and not
# "externally managed" as a distribution's is. The test environment's base Python is one.
SOURCE_PYTHON = Path(sys.base_prefix)
PYTHON_VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"
REMOTE_URL = "https://git.example.com/org/project.git"
ROLE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "role-session-token",
}


@dataclass
class JobResult:
    name: str
    status: int
    output: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 0


@dataclass
class Runner:
    """A runner's machine: the repository it clones, the stand-in it reaches, shared caches."""

    root: Path
    remote: Path  # a bare repository: the project as pushed
    codeartifact: LoopbackCodeArtifact
    tools: ProjectTools
    results: list[JobResult] = field(default_factory=list)
    artifacts: dict[str, Path] = field(default_factory=dict)  # name -> folder
    last: tuple[Path, dict[str, str]] | None = None  # where and with what the last step ran
    sts: StsStandIn | None = None  # with one, jobs trade ID tokens for roles there

    def basic_tools(self) -> Path:
        """A folder of /usr/bin's tools less NOT_IN_IMAGES: every image's coreutils, sed, awk."""
        folder = self.root / "usr-bin"
        if not folder.exists():
            folder.mkdir(parents=True)
            for entry in Path("/usr/bin").iterdir():
                if not NOT_IN_IMAGES.match(entry.name):
                    (folder / entry.name).symlink_to(entry)
        return folder

    def image_python(self, prefix: Path) -> Path:
        """A Python install of its own at ``prefix`` with pip and nothing else: the interpreter
        and the standard library of SOURCE_PYTHON, an empty site-packages. Returns its bin folder."""
        template = self.root / "image-python"
        if not template.exists():
            (template / "bin").mkdir(parents=True)
            shutil.copy2(SOURCE_PYTHON / "bin" / PYTHON_VERSION, template / "bin" / PYTHON_VERSION)
            for name in ("python", "python3"):
                (template / "bin" / name).symlink_to(PYTHON_VERSION)
            library = template / "lib" / PYTHON_VERSION
            library.mkdir(parents=True)
            for entry in (SOURCE_PYTHON / "lib" / PYTHON_VERSION).iterdir():
                if entry.name != "site-packages":
                    (library / entry.name).symlink_to(entry)
            (library / "site-packages").mkdir()
            subprocess.run([template / "bin" / "python", "-m", "ensurepip", "--default-pip"], check=True,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(self.root)}, capture_output=True)  # fmt: skip
        shutil.copytree(template, prefix, symlinks=True)
        for script in (prefix / "bin").glob("pip*"):  # their first line names the template's Python
            script.write_text(script.read_text().replace(str(template), str(prefix)))
        return prefix / "bin"

    def job_machine(self, name: str, *, git: bool, python: bool, apt: bool = False) -> tuple[Path, dict[str, str]]:
        """A new machine for one job: (its work folder, its environment)."""
        home = self.root / "jobs" / re.sub(r"[^\w.-]", "_", name)
        shutil.rmtree(home, ignore_errors=True)
        bin_folder = home / "image-bin"
        bin_folder.mkdir(parents=True)
        path = [bin_folder]
        if python:
            path.insert(0, self.image_python(home / "image-python"))
        if git:
            (bin_folder / "git").symlink_to(shutil.which("git", path="/usr/bin"))
        if apt:  # Debian's apt-get, as far as the jobs use it: `apt-get install … git`
            (bin_folder / "apt-get").write_text(
                f'#!/bin/sh\ncase " $* " in *" install "*" git "*) ln -sf /usr/bin/git {bin_folder}/git;; esac\n'
            )
            (bin_folder / "apt-get").chmod(0o755)
        path.append(self.basic_tools())
        env = {
            "HOME": str(home / "home"),
            "PATH": os.pathsep.join(map(str, path)),
            "LANG": "C.UTF-8",
            "GIT_CONFIG_NOSYSTEM": "1",
            "UV_CACHE_DIR": str(self.tools.cache / "uv"),
            "PIP_CACHE_DIR": str(self.tools.cache / "pip"),
            "POETRY_CACHE_DIR": str(self.tools.cache / "poetry"),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "UV_PYTHON_DOWNLOADS": "never",  # no internet but the package index here
            # The network: the project's https remote is the bare repository.
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"url.file://{self.remote}.insteadOf",
            "GIT_CONFIG_VALUE_0": REMOTE_URL,
            **self.codeartifact.client_environment,
        }
        (home / "home").mkdir()
        return home, env

    def clone(self, where: Path, ref: str, full: bool) -> None:
        depth = [] if full else ["--depth", "1"]
        subprocess.run(["git", "clone", "--quiet", *depth, "--branch", ref, f"file://{self.remote}", where],
                       check=True, capture_output=True)  # fmt: skip
        # No token stays behind: origin is the plain https URL a runner without credentials leaves.
        subprocess.run(["git", "remote", "set-url", "origin", REMOTE_URL], cwd=where, check=True)

    def shell(self, name: str, script: str, cwd: Path, env: dict[str, str]) -> JobResult:
        """Run a step's script as a file, with bash -eo pipefail (both runners' way)."""
        file = cwd.parent / f"step-{len(self.results)}.sh"
        file.write_text(script, encoding="utf-8")
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", file], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        result = JobResult(name, proc.returncode, proc.stdout + proc.stderr, env)
        self.results.append(result)
        self.last = (cwd, env)
        return result

    def commit(self, ref: str) -> str:
        command = ["git", "rev-parse", f"{ref}^{{commit}}"]
        proc = subprocess.run(command, cwd=self.remote, capture_output=True, text=True)
        return proc.stdout.strip()

    def save_artifact(self, name: str, source: Path) -> None:
        target = self.root / "artifacts" / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        self.artifacts[name] = target

    def load_artifact(self, name: str, target: Path) -> None:
        shutil.copytree(self.artifacts[name], target, dirs_exist_ok=True)

    def summary(self) -> list[tuple[str, int]]:
        return [(result.name, result.status) for result in self.results]


# --- GitHub Actions ---------------------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class GitHubContext:
    ref: str  # the pushed ref: refs/tags/v0.1.0, refs/heads/main
    vars: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    needs: dict[str, dict[str, str]] = field(default_factory=dict)
    matrix: dict[str, str] = field(default_factory=dict)
    temp: str = ""
    path_prefix: str = ""  # tools of the runner's image that the test stands in for (gh)
    environment: str = ""  # the running job's

    def value(self, expression: str) -> str:
        """The value of one of the expressions the template writes: a context path, or a comparison."""
        if "==" in expression:
            left, right = (part.strip() for part in expression.split("==", 1))
            return "true" if self.value(left) == right.strip("'") else ""
        parts = expression.split(".")
        github = {"ref": self.ref, "ref_name": self.ref.rsplit("/", 1)[-1], "token": "ghs_workflow_token",
                  "repository": "org/project"}  # fmt: skip
        contexts = {"github": github, "vars": self.vars, "secrets": self.secrets, "env": self.env,
                    "matrix": self.matrix, "runner": {"temp": self.temp}}  # fmt: skip
        if parts[0] in ("steps", "needs"):
            return (self.steps if parts[0] == "steps" else self.needs).get(parts[1], {}).get(parts[3], "")
        return str(contexts[parts[0]].get(parts[1], ""))

    def render(self, text: str) -> str:
        return EXPRESSION.sub(lambda match: self.value(match.group(1)), str(text))

    def condition(self, text: str | None) -> bool:
        return text is None or bool(self.value(EXPRESSION.sub(r"\1", text)))


def github_workflow(runner: Runner, workflow_file: Path, context: GitHubContext, uv_version: str) -> dict[str, str]:
    """Run each job of a workflow in order (the template's ``needs`` form a chain); returns
    each job's conclusion: success, failure or skipped."""
    workflow = yaml.safe_load(workflow_file.read_text(encoding="utf-8"))
    conclusions: dict[str, str] = {}
    outputs: dict[str, dict[str, str]] = {}
    for job_name, job in workflow["jobs"].items():
        needs = [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", [])
        context.needs = {need: outputs.get(need, {}) for need in needs}
        if any(conclusions.get(need) != "success" for need in needs) or not context.condition(job.get("if")):
            conclusions[job_name] = "skipped"
            continue
        matrix = job.get("strategy", {}).get("matrix", {})
        context.matrix = {key: values[0] for key, values in matrix.items()}  # the oldest Python only
        ok, outputs[job_name] = github_job(runner, f"{workflow_file.name} {job_name}", job, workflow, context,
                                           uv_version)  # fmt: skip
        conclusions[job_name] = "success" if ok else "failure"
    return conclusions


def github_job(
    runner: Runner, name: str, job: dict, workflow: dict, context: GitHubContext, uv_version: str
) -> tuple[bool, dict[str, str]]:
    home, env = runner.job_machine(name, git=True, python=False)
    (home / "image-bin" / "python3").symlink_to("/usr/bin/python3")  # ubuntu-latest's own python3
    if context.path_prefix:
        env["PATH"] = f"{context.path_prefix}:{env['PATH']}"
    env["PATH"] = f"{env['HOME']}/.local/bin:{env['PATH']}"  # on the PATH of GitHub's Ubuntu images
    workspace, temp = home / "work", home / "runner-temp"
    workspace.mkdir()  # GitHub's workspace is there, empty, before any checkout
    temp.mkdir()
    context.steps, context.temp, context.environment = {}, str(temp), job.get("environment", "")
    context.env = {**{k: str(v) for k, v in workflow.get("env", {}).items()}}
    context.env |= {k: context.render(v) for k, v in job.get("env", {}).items()}
    env |= context.env | {
        "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_REF": context.ref,
        "GITHUB_REF_NAME": context.ref.rsplit("/", 1)[-1], "GITHUB_REPOSITORY": "org/project",
        "GITHUB_SHA": runner.commit(context.ref),
        "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(temp),
    }  # fmt: skip
    for number, step in enumerate(job["steps"]):
        if not context.condition(step.get("if")):
            continue
        label = f"{name} / {step.get('name') or step.get('uses', '').split('@')[0] or step['run'].splitlines()[0]}"
        step_env = {k: context.render(v) for k, v in step.get("env", {}).items()}
        given = {k: context.render(v) for k, v in step.get("with", {}).items()}
        outputs: dict[str, str] = {}
        if "uses" in step:
            result = github_action(runner, label, step["uses"].split("@")[0], given, env, workspace, context,
                                   uv_version, outputs)  # fmt: skip
        else:
            output_file = temp / f"output-{number}"
            output_file.touch()
            env_file = temp / f"env-{number}"
            env_file.touch()
            files = {"GITHUB_OUTPUT": str(output_file), "GITHUB_ENV": str(env_file)}
            result = runner.shell(label, context.render(step["run"]), workspace, env | step_env | files)
            outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        if "id" in step:
            context.steps[step["id"]] = outputs
        if not result.ok:
            return False, {}
    job_outputs = {key: context.render(value) for key, value in job.get("outputs", {}).items()}
    return True, job_outputs


def github_action(
    runner: Runner, label: str, action: str, given: dict[str, str], env: dict[str, str], workspace: Path,
    context: GitHubContext, uv_version: str, outputs: dict[str, str],
) -> JobResult:  # fmt: skip
    """The documented effect of each action the template uses."""
    status, said = 0, ""
    if action == "actions/checkout":
        ref = context.ref.rsplit("/", 1)[-1]
        runner.clone(workspace, ref, full=str(given.get("fetch-depth")) == "0")
        assert given.get("persist-credentials") == "False", f"{label}: checkout keeps its token in .git/config"
    elif action == "actions/setup-python":
        env["PATH"] = f"{runner.image_python(workspace.parent / 'setup-python')}:{env['PATH']}"
    elif action == "astral-sh/setup-uv":
        if given.get("version") != uv_version:
            status, said = 1, f"setup-uv installs uv {given.get('version') or 'latest'}, not the pinned {uv_version}"
        else:
            folder = workspace.parent / "setup-uv"
            folder.mkdir()
            (folder / "uv").symlink_to(runner.tools.uv_bin)
            (folder / "uvx").symlink_to(Path(runner.tools.uv_bin).with_name("uvx"))
            env["PATH"] = f"{folder}:{env['PATH']}"
    elif action == "aws-actions/configure-aws-credentials":
        # The job's subject once the repository sends repo, context and ref (README.md).
        context_claim = f"environment:{context.environment}" if context.environment else f"ref:{context.ref}"
        subject = f"repo:org/project:{context_claim}:ref:{context.ref}"
        token = web_identity_token("https://token.actions.githubusercontent.com", subject)
        if not given.get("role-to-assume"):
            status, said = 1, "configure-aws-credentials: no role-to-assume"
        elif runner.sts is not None and not runner.sts.assume(given["role-to-assume"], token):
            status, said = 1, "Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity"
        env |= ROLE_CREDENTIALS | {"AWS_REGION": given["aws-region"], "AWS_DEFAULT_REGION": given["aws-region"]}
    elif action == "actions/upload-artifact":
        source = Path(given["path"]) if given["path"].startswith("/") else workspace / given["path"]
        if not source.exists() or not any(source.iterdir()):
            status, said = 1, f"no files were found at {given['path']}"
        else:
            runner.save_artifact(given["name"], source)
    elif action == "actions/download-artifact":
        target = Path(given["path"]) if given["path"].startswith("/") else workspace / given["path"]
        runner.load_artifact(given["name"], target)
    elif action == "actions/create-github-app-token":
        if not given.get("client-id") or not given.get("private-key"):
            status, said = 1, "create-github-app-token: client-id and private-key are required"
        outputs["token"] = "ghs_app_installation_token"
    else:
        status, said = 1, f"no stand-in for {action}"
    result = JobResult(label, status, said)
    runner.results.append(result)
    return result


# --- GitLab CI --------------------------------------------------------------------------------


def merged(base: dict, extra: dict) -> dict:
    """GitLab's ``extends``: hashes merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def resolved(config: dict, name: str) -> dict:
    job = config[name]
    parents = job.get("extends", [])
    base: dict = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        base = merged(base, resolved(config, parent))
    return merged(base, {k: v for k, v in job.items() if k != "extends"})


def gitlab_rule(expression: str, variables: dict[str, str]) -> bool:
    """The template's rule expressions: ==, =~ /regex/, && and ||, over $VARIABLES."""

    def term(text: str) -> bool:
        text = text.strip()
        if match := re.fullmatch(r"\$(\w+)\s*=~\s*/(.*)/", text):
            return re.search(match[2], variables.get(match[1], "")) is not None
        if match := re.fullmatch(r'\$(\w+)\s*==\s*"(.*)"', text):
            return variables.get(match[1], "") == match[2]
        if match := re.fullmatch(r"\$(\w+)", text):
            return bool(variables.get(match[1]))
        raise ValueError(f"no rule of that shape here: {text}")

    return any(all(term(part) for part in alternative.split("&&")) for alternative in expression.split("||"))


def gitlab_runs(job: dict, variables: dict[str, str]) -> bool:
    for rule in job.get("rules", [{"when": "on_success"}]):
        if "if" not in rule or gitlab_rule(rule["if"], variables):
            return rule.get("when", "on_success") != "never"
    return False


def expand(value: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$(\w+)", lambda match: variables.get(match[1], ""), str(value))


def gitlab_pipeline(
    runner: Runner, project: Path, variables: dict[str, str], scoped: dict[str, str] | None = None
) -> dict[str, str]:
    """Run the jobs the rules select, stage by stage; returns each job's status. ``scoped``
    maps a CI/CD variable to the environment it is scoped to: other jobs do not get it."""
    config = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    default = config.get("default", {})
    jobs = {name: merged(default, resolved(config, name)) for name, job in config.items()
            if isinstance(job, dict) and not name.startswith(".") and name not in ("default", "variables")}  # fmt: skip
    statuses: dict[str, str] = {}
    for stage in config["stages"]:
        for name, job in jobs.items():
            if job.get("stage", "test") != stage or not gitlab_runs(job, variables):
                continue
            needs = job.get("needs")
            earlier = [other for other in statuses if other in jobs]
            if any(statuses[need] != "success" for need in (needs if needs is not None else earlier)):
                statuses[name] = "skipped"
                continue
            sources = needs if needs is not None else earlier
            environment = job.get("environment", {}).get("name")
            given = {k: v for k, v in variables.items() if (scoped or {}).get(k, environment) == environment}
            statuses[name] = "success" if gitlab_job(runner, name, job, config, given, sources) else "failed"
    return statuses


def gitlab_job(runner: Runner, name: str, job: dict, config: dict, given: dict[str, str], sources: list[str]) -> bool:
    home, env = runner.job_machine(f"gitlab {name}", git=False, python=True, apt=True)
    workspace = home / "work"
    runner.clone(workspace, given["CI_COMMIT_REF_NAME"], full=str(job.get("variables", {}).get("GIT_DEPTH")) == "0")
    for source in sources:
        if source in runner.artifacts:
            runner.load_artifact(source, workspace)
    variables = dict(given) | {"CI_JOB_ID": str(len(runner.results) + 1), "CI_PROJECT_DIR": str(workspace),
                               "CI_COMMIT_SHA": runner.commit(given["CI_COMMIT_REF_NAME"])}  # fmt: skip
    for key, value in {**config.get("variables", {}), **job.get("variables", {})}.items():
        if key != "PYTHON_IMAGE":
            variables[key] = expand(value, variables)
    ref_type = "tag" if given.get("CI_COMMIT_TAG") else "branch"
    subject = f"project_path:{given['CI_PROJECT_PATH']}:ref_type:{ref_type}:ref:{given['CI_COMMIT_REF_NAME']}"
    for token in job.get("id_tokens", {}):
        variables[token] = web_identity_token("https://gitlab.com", subject)
        if runner.sts is None:
            env |= ROLE_CREDENTIALS  # the role boto3 would assume with that token (AWS_ROLE_ARN)
    script = "\n".join([*job.get("before_script", []), *job.get("script", [])])
    result = runner.shell(f"gitlab {name}", script, workspace, env | variables)
    paths = job.get("artifacts", {}).get("paths", [])
    if result.ok and paths:
        kept = home / "artifacts"
        for path in paths:
            if (workspace / path).exists():
                shutil.copytree(workspace / path, kept / path)
        if kept.exists():
            runner.save_artifact(name, kept)
    return result.ok


# --- AWS CodeBuild ----------------------------------------------------------------------------


def codebuild_build(runner: Runner, project: Path, buildspec: str, ref: str, variables: dict[str, str]) -> list[str]:
    """Run a buildspec's phases in order in one shell, as CodeBuild does; stop at the first
    failing command. Returns the phases that succeeded."""
    home, env = runner.job_machine(f"codebuild {buildspec}", git=True, python=True)
    workspace = home / "work"
    runner.clone(workspace, ref, full=True)
    spec = yaml.safe_load((project / buildspec).read_text(encoding="utf-8"))
    env |= ROLE_CREDENTIALS | {"CODEBUILD_SRC_DIR": str(workspace), "CODEBUILD_BUILD_ID": "build:1"} | variables
    passed = []
    state = home / "state.sh"  # what one phase leaves for the next: CodeBuild keeps one shell
    state.write_text("")
    for phase, body in spec["phases"].items():
        lines = [f". {shlex.quote(str(state))}", *body["commands"], f"export -p > {shlex.quote(str(state))}"]
        if not runner.shell(f"codebuild {buildspec} {phase}", "\n".join(lines), workspace, env).ok:
            break
        passed.append(phase)
    return passed


def pushed_project(project: Path, remote: Path, tag: str | None) -> str:
    """Commit a bake, push it to a bare repository as main (and the tag); returns the commit."""
    git = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "First version"]):
        subprocess.run([*git, *command], cwd=project, check=True, capture_output=True)
    if tag:
        subprocess.run([*git, "tag", tag], cwd=project, check=True)
    subprocess.run(["git", "clone", "-q", "--bare", project, remote], check=True, capture_output=True)
    subprocess.run(["git", "config", "receive.advertisePushOptions", "true"], cwd=remote, check=True)  # as GitLab
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True).stdout.strip()


# --- STS: AssumeRoleWithWebIdentity against the baked trust policies --------------------------

ISSUERS = {"https://gitlab.com": "gitlab.com", "https://token.actions.githubusercontent.com":
           "token.actions.githubusercontent.com"}  # fmt: skip
STS_XML = "https://sts.amazonaws.com/doc/2011-06-15/"


def web_identity_token(issuer: str, subject: str) -> str:
    """A JWT as the CI provider issues it (the signature is not checked here)."""
    claims = {"iss": issuer, "sub": subject, "aud": "sts.amazonaws.com"}
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature"


class StsStandIn(LoopbackServer):
    """STS's AssumeRoleWithWebIdentity: a token's issuer and subject against the trust policy of
    the role asked for (``roles``: ARN -> its statement of the baked infra/codeartifact.yaml,
    with the stack's parameters). Records (role, subject, granted) for every request."""

    def __init__(self, roles: dict[str, dict], parameters: dict[str, str], tls) -> None:
        self.roles, self.parameters = roles, parameters
        self.requests: list[tuple[str, str, bool]] = []
        super().__init__(tls)

    def assume(self, role_arn: str, token: str) -> bool:
        from tests.test_trust import may_assume  # the IAM matching the trust tests use

        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        issuer = ISSUERS.get(claims.get("iss", ""), "")
        statement = self.roles.get(role_arn)
        granted = bool(statement and issuer and may_assume(statement, issuer, claims["sub"], self.parameters))
        self.requests.append((role_arn.rsplit("/", 1)[-1], claims.get("sub", ""), granted))
        return granted

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sts = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
                field = lambda name: form.get(name, [""])[0]  # noqa: E731
                if field("Action") == "AssumeRoleWithWebIdentity" and sts.assume(
                    field("RoleArn"), field("WebIdentityToken")
                ):
                    status, body = 200, (
                        f'<AssumeRoleWithWebIdentityResponse xmlns="{STS_XML}"><AssumeRoleWithWebIdentityResult>'
                        f"<Credentials><AccessKeyId>{ROLE_CREDENTIALS['AWS_ACCESS_KEY_ID']}</AccessKeyId>"
                        f"<SecretAccessKey>{ROLE_CREDENTIALS['AWS_SECRET_ACCESS_KEY']}</SecretAccessKey>"
                        f"<SessionToken>{ROLE_CREDENTIALS['AWS_SESSION_TOKEN']}</SessionToken>"
                        "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
                        f"<AssumedRoleUser><Arn>{field('RoleArn')}/{field('RoleSessionName')}</Arn>"
                        "<AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId></AssumedRoleUser>"
                        "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
                    )  # fmt: skip
                else:
                    status, body = 403, (
                        f'<ErrorResponse xmlns="{STS_XML}"><Error><Type>Sender</Type><Code>AccessDenied</Code>'
                        "<Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error>"
                        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
                    )  # fmt: skip
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@contextmanager
def sts_stand_in(codeartifact: LoopbackCodeArtifact, project: Path, parameters: dict[str, str],
                 arns: dict[str, str]) -> Iterator[StsStandIn]:  # fmt: skip
    """STS on its regional and global host names, through the stand-in's proxy; ``arns`` maps a
    role ARN to the logical name of its role in the project's infra/codeartifact.yaml."""
    from tests.support.cloudformation import load_yaml

    resources = load_yaml(project / "infra" / "codeartifact.yaml")["Resources"]
    roles = {arn: resources[name]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
             for arn, name in arns.items()}  # fmt: skip
    hosts = [f"sts.{codeartifact.account.region}.amazonaws.com", "sts.amazonaws.com"]
    with StsStandIn(roles, parameters, codeartifact.authority.server_context(*hosts)) as sts:
        codeartifact.proxy.routes.update(dict.fromkeys(hosts, sts.port))
        try:
            yield sts
        finally:
            for host in hosts:
                codeartifact.proxy.routes.pop(host, None)
