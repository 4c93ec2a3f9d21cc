"""Print the next steps for the project that was just baked.

Which files exist is decided by conditional file names in the template, so this hook
deletes nothing; it only tells the user the exact commands to run next.
"""

import json
import shlex

ANSWERS = json.loads(r'''{{ cookiecutter | tojson }}''')  # tojson escapes every '


def next_steps(answers: dict) -> str:
    folder = shlex.quote(answers["package_name"])
    return "\n".join(
        [
            f"Created {answers['package_name']}. Next steps:",
            "",
            f"  cd {folder}",
            "  git init && git add . && git commit -m 'Start from the CodeArtifact template'",
            "  uv run scripts/codeartifact.py login --tool uv   # needs AWS credentials",
            "  uv sync",
            "  uv run pytest",
            "",
            "README.md explains installing, developing and releasing.",
        ]
    )


if __name__ == "__main__":
    print(next_steps(ANSWERS))
