"""Print the next steps for the project that was just baked.

Which files exist is decided by conditional file names in the template; this hook only
removes the folders such names left empty (cookiecutter cannot skip a folder by its name)
and tells the user the exact commands to run next.
"""

import json
import os
import shlex
from pathlib import Path

CI_SETUP = {
    "github": "set the repository variables CODEARTIFACT_READ_ROLE_ARN and CODEARTIFACT_PUBLISH_ROLE_ARN",
    "gitlab": "set the CI/CD variables CODEARTIFACT_READ_ROLE_ARN and CODEARTIFACT_PUBLISH_ROLE_ARN",
    "codebuild": "give the CodeBuild project the CodeBuildRole as its service role",
    "none": "attach ReadPolicyArn (and PublishPolicyArn) to the people who install (and publish)",
}


def remove_empty_folders(root: Path) -> None:
    for folder, _, _ in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
        if not os.listdir(folder):
            os.rmdir(folder)


BEFORE_LOGIN = {
    "pip": ["python3 -m venv .venv && . .venv/bin/activate", "python -m pip install --upgrade pip boto3"],
}
AFTER_LOGIN = {
    "uv": "uv sync                      # writes uv.lock",
    "poetry": "poetry install               # writes poetry.lock",
    "pip": "python -m pip install -e . --group dev",
}


def next_steps(answers: dict) -> str:
    manager = answers["package_manager"]
    commands = [
        f"cd {shlex.quote(answers['package_name'])}",
        *BEFORE_LOGIN.get(manager, []),
        f"{answers['__tool']} login --tool {manager}   # needs AWS credentials",
        AFTER_LOGIN[manager],
        f"{answers['__run']}pytest",
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


if __name__ == "__main__":
    remove_empty_folders(Path.cwd())
    print(next_steps(json.loads(r"""{{ cookiecutter | tojson }}""")))  # tojson escapes every '
