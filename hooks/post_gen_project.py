"""Print the next steps for the project that was just baked.

Which files exist is decided by conditional file names in the template; this hook only
removes the folders such names left empty (cookiecutter cannot skip a folder by its name)
and tells the user the exact commands to run next, from the package manager table
(``_managers`` in cookiecutter.json).
"""

import json
import os
import shlex
import sys

CI_SETUP = {
    "github": "set the repository variables CODEARTIFACT_READ_ROLE_ARN and CODEARTIFACT_PUBLISH_ROLE_ARN "
    "and send the ref in the OIDC subject (README.md, 'Continuous integration', gives the command)",
    "gitlab": "set the CI/CD variables CODEARTIFACT_READ_ROLE_ARN and CODEARTIFACT_PUBLISH_ROLE_ARN "
    "and protect the tags v*",
    "codebuild": "connect CodeBuild to the repository: the stack makes a test project and a release project",
    "none": "attach ReadPolicyArn (and PublishPolicyArn) to the people who install (and publish)",
}


def remove_empty_folders(root: str) -> None:
    for folder, _, _ in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
        if not os.listdir(folder):
            os.rmdir(folder)


def next_steps(answers: dict) -> str:
    manager = answers["package_manager"]
    pm = answers["_managers"][manager]
    setup = pm["setup"].split(" && ") if pm["setup"] else []
    sync = pm["sync"] + (f"   # writes {pm['lock_file']}" if pm["lock_file"] else "")
    commands = [
        f"cd {shlex.quote(answers['package_name'])}",
        *setup,
        f"{pm['tool']} login --tool {manager}   # needs AWS credentials",
        sync,
        f"{pm['run']}pytest",
        "git init && git add . && git commit -m 'First version'",
    ]
    return "\n".join(
        [
            f"Created {answers['package_name']}. Next steps:",
            "",
            *(f"  {command}" for command in commands),
            "",
            "To create the CodeArtifact repository and the CI roles, deploy infra/codeartifact.yaml,",
            f"then {CI_SETUP[answers['ci_provider']]}.",
            "README.md explains installing, developing, releasing and the infrastructure.",
        ]
    )


def say(text: str) -> None:
    """Print, but never fail the bake over the terminal: a closed pipe (``| head``) loses only text."""
    try:
        print(text, flush=True)
    except OSError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that the exit flush cannot fail either


if __name__ == "__main__":
    remove_empty_folders(os.getcwd())
    say(next_steps(json.loads(r"""{{ cookiecutter | tojson }}""")))  # tojson escapes every '
