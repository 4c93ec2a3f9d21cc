"""Record where the project came from, and print the next steps for it.

Which files exist is decided by conditional file names in the template; this hook removes
the folders such names left empty and no other (cookiecutter cannot skip a folder by its name),
writes a ``.cruft.json`` that cruft (https://cruft.github.io/cruft/) can check and update the project
from, and prints the commands to run next, from the package manager table (``_managers`` in
cookiecutter.json). Under cruft, which writes its own ``.cruft.json`` and regenerates the
project in temporary folders to compute updates, it stays quiet there.

copier runs none of this: copier.yml excludes .github without GitHub Actions, and prints the
same next steps from copier-parts/next_steps.jinja (tests/test_copier.py keeps the two equal).
"""

import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys

CI_SETUP = {
    "github": "set the repository variables CODEARTIFACT_READ_ROLE_ARN and CODEARTIFACT_PUBLISH_ROLE_ARN "
    "and send the ref in the OIDC subject (README.md, 'Continuous integration', gives the command)",
    "gitlab": "set the CI/CD variables CODEARTIFACT_READ_ROLE_ARN and CODEARTIFACT_PUBLISH_ROLE_ARN "
    "and protect the tags v*",
    "codebuild": "connect CodeBuild to the repository: the stack makes a test project and a release project",
    "none": "attach ReadPolicyArn (and PublishPolicyArn) to the people who install (and publish)",
}
# In the words README.rst uses: a clean shell has neither tool, uvx runs them.
UPDATES = {
    "cruft": "`uvx cruft update -y` brings the template's changes (.cruft.json records it).",
    "copier": "`uvx copier update --defaults` brings the template's changes (.copier-answers.yml records it).",
}
# cookiecutter's abbreviations, as cruft needs the full URL to clone the template again.
ABBREVIATIONS = {"gh": "https://github.com/{}.git", "gl": "https://gitlab.com/{}.git", "bb": "https://bitbucket.org/{}"}


# The folders that conditional file names can leave empty (.github of a bake without GitHub),
# deepest first. Only these: cruft update runs this hook again, and a project holds .git, .venv
# and the owner's own empty folders.
TEMPLATE_FOLDERS = (".github/workflows", ".github")


def remove_empty_folders(root: str) -> None:
    for folder in TEMPLATE_FOLDERS:
        with contextlib.suppress(OSError):  # not there, or not empty
            os.rmdir(os.path.join(root, folder))


def template_url(template: str, repo_dir: str) -> str:
    """The template as cruft can clone it later, from any folder: a full URL, or an absolute path."""
    template = template.removeprefix("git+")  # cookiecutter's mark of a git URL; git knows none
    prefix, _, rest = template.partition(":")
    if prefix in ABBREVIATIONS and rest and "//" not in rest:
        return ABBREVIATIONS[prefix].format(rest)
    return repo_dir if local_path(template) and os.path.isabs(repo_dir) else template


def local_path(template: str) -> bool:
    """A template given as a folder, not a URL (``https://…``, ``gh:…``, ``git@host:…``) or a zip file."""
    path = template[2:] if template[1:3] in (":\\", ":/") else template  # past a Windows drive
    return bool(template) and ":" not in path and "@" not in path and not template.endswith(".zip")


def template_folder(answers: dict) -> str:
    """The template's folder, absolute. cookiecutter gives ``_repo_dir`` as the user typed it, and a
    relative one (``.`` from inside a clone) is relative to where cookiecutter started, which this
    hook, run inside the new project, learns from the shell's ``PWD``, or from ``_output_dir`` when
    the bake writes there. A folder is taken only if it holds this template."""
    repo_dir = str(answers.get("_repo_dir", ""))
    if not repo_dir or os.path.isabs(repo_dir):
        return repo_dir
    for start in (os.environ.get("PWD", ""), str(answers.get("_output_dir", ""))):
        folder = os.path.normpath(os.path.join(start, repo_dir))
        if os.path.isabs(start) and os.path.isfile(os.path.join(folder, "hooks", "post_gen_project.py")):
            return folder
    return repo_dir


def template_commit(repo_dir: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", repo_dir, "rev-parse", "HEAD"], capture_output=True, text=True)
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def provenance(answers: dict) -> dict:
    """What cruft records in ``.cruft.json``, so that ``cruft check`` and ``cruft update`` work."""
    repo_dir = template_folder(answers)
    context = {key: value for key, value in answers.items() if key not in ("_output_dir", "_repo_dir", "_checkout")}
    return {
        "template": template_url(str(answers.get("_template", "")), repo_dir),
        "commit": template_commit(repo_dir) if os.path.isabs(repo_dir) else None,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": None,
    }


def missing_identity() -> list[str]:
    """The git settings a commit needs that git has none of (all of them without git)."""
    needed = ["user.name", "user.email"]
    try:  # one git process for both
        command = ["git", "config", "--get-regexp", r"^user\.(name|email)$"]
        found = subprocess.run(command, capture_output=True, text=True)
    except OSError:
        return needed
    values = dict(line.partition(" ")[::2] for line in found.stdout.splitlines())
    return [key for key in needed if not values.get(key, "").strip()]


def identity_commands(answers: dict, missing: list[str]) -> list[str]:
    """``git config --global`` for each missing setting, with the bake's author as the value."""
    values = {"user.name": answers["author_name"], "user.email": answers["author_email"]}
    return [f"git config --global {key} {shlex.quote(values[key])}" for key in missing]


def next_steps(
    answers: dict, missing_tools: list[str] | None, missing_git: list[str], generator: str = "cruft", folder: str = ""
) -> str:
    """The commands from here to a published package, each block one paste.

    ``missing_tools`` None: not known (copier's message), so the install commands come as a comment.
    """
    pm = answers["_managers"][answers["package_manager"]]
    first = [pm["install"][tool] for tool in missing_tools or []]
    first += [f"cd {shlex.quote(folder or answers['package_name'])}"]
    first += pm["setup"].split(" && ") if pm["setup"] else []
    first += [f"{pm['tool']} {pm['login']}", pm["sync"], f"{pm['run']}pytest"]
    second = identity_commands(answers, missing_git)
    tagged = answers["version_from"] == "tag"  # the build takes the version from the tag
    # the branch the baked CI runs on, whatever git's init.defaultBranch
    second += ["git init -q -b main", "git add .", "git commit -qm 'First version'"]
    second += [f"git tag v{answers['version']}"] if tagged else []
    second += [f"{pm['tool']} publish"]
    lock = f" (it writes {pm['lock_file']}, which the commit takes)" if pm["lock_file"] else ""
    lines = [f"Created {answers['package_name']}. Next steps, one paste each:", ""]
    if missing_tools:
        lines += [f"  # {' and '.join(missing_tools)} not found on PATH: the first line installs {pm['label']}"]
    elif missing_tools is None and pm["install"]:
        lines += [f"  # without {' or '.join(pm['install'])} on PATH, first run: {' && '.join(pm['install'].values())}"]
    lines += [
        "  # set the project up with AWS credentials at hand" + lock,
        "  " + " \\\n    && ".join(first),
        "",
    ]
    if missing_git:
        lines += [f"  # git has no {' and '.join(missing_git)} yet: the first lines set them, once (edit them first)"]
    lines += [
        f"  # commit it{', tag it' if tagged else ''}, then publish the first version"
        " (it prints how to install it back)",
        "  " + " \\\n    && ".join(second),
        "",
        "To create the CodeArtifact repository and the CI roles, deploy infra/codeartifact.yaml,",
        f"then {CI_SETUP[answers['ci_provider']]}.",
        "README.md explains installing, developing, releasing and the infrastructure;",
        UPDATES[generator],
    ]
    return "\n".join(lines)


def run_by_cruft_for_a_diff(answers: dict) -> bool:
    """cruft regenerating the project to compute an update or a diff. It puts ``_commit`` in the
    answers (as ``cruft create`` does too) and bakes into a new temporary folder of its own,
    ``<temporary folder>/tmpXXXXXXXX/<project>`` (cruft's _generate_output), never where asked."""
    import tempfile  # only cruft's bakes get here

    own_folder = os.path.dirname(os.path.realpath(os.getcwd()))
    in_a_new_temporary_folder = os.path.dirname(own_folder) == os.path.realpath(tempfile.gettempdir())
    return "_commit" in answers and in_a_new_temporary_folder and os.path.basename(own_folder).startswith("tmp")


def say(text: str) -> None:
    """Print, but never fail the bake over the terminal: a closed pipe (``| head``) loses only text."""
    try:
        print(text, flush=True)
    except OSError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that the exit flush cannot fail either


def main(answers: dict) -> None:
    remove_empty_folders(os.getcwd())
    if "_commit" in answers:  # cruft writes .cruft.json itself
        if run_by_cruft_for_a_diff(answers):
            return
    else:
        record = provenance(answers)
        with open(".cruft.json", "w", encoding="utf-8") as recorded:
            recorded.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        if local_path(record["template"]) and not os.path.isabs(record["template"]):
            print(RELATIVE_TEMPLATE.format(shlex.quote(record["template"])), file=sys.stderr)
    say(next_steps(answers, missing_tools_of(answers), missing_identity()))


RELATIVE_TEMPLATE = (
    "warning: .cruft.json records the template as {}, a path relative to where cookiecutter ran,\n"
    "which cruft cannot find from the project: bake again with the template's absolute path\n"
    '("$PWD" from inside a clone), or set "template" in .cruft.json to it.'
)


def missing_tools_of(answers: dict) -> list[str]:
    return [tool for tool in answers["_managers"][answers["package_manager"]]["install"] if not shutil.which(tool)]


if __name__ == "__main__":
    main(json.loads(r"""{{ cookiecutter | tojson }}"""))  # tojson escapes every '
