"""A fresh account, and a terminal in it that takes pastes the way a person gives them.

The profile is what a new user of a Debian or Ubuntu machine has: an empty HOME, no git
identity, the distribution's own ``/usr/bin/python3`` (PEP 668 "externally managed") and git,
and nothing else on PATH until a pasted command puts it there. AWS credentials are in
``~/.aws/credentials``, as ``aws configure`` leaves them. The network is the loopback
CodeArtifact's proxy, and the trust store the system's plus the test authority's; the caches
of uv, pip and Poetry are shared between tests (a cache changes how fast, not what, a tool does).

A ``Terminal`` is one interactive bash on a pseudo-terminal: a paste is typed into it as it is
printed (comments, indentation and continuation lines included), a program's questions are
answered when they appear, and whatever a paste changes (the directory, PATH, an activated
virtual environment) is there for the next one, as in a real terminal.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import pty
import pwd
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.codeartifact_host import LoopbackCodeArtifact

READY = re.compile(r"__ready_(\d+)__")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")


@dataclass
class CleanMachine:
    root: Path
    codeartifact: LoopbackCodeArtifact
    caches: Path

    def __post_init__(self) -> None:
        self.home = self.root / "home"
        (self.home / ".aws").mkdir(parents=True)
        (self.home / ".aws" / "credentials").write_text(
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        )

    @property
    def env(self) -> dict[str, str]:
        user = pwd.getpwuid(os.getuid()).pw_name
        return {
            "HOME": str(self.home),
            "USER": user,
            "LOGNAME": user,
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            # No system git configuration (this machine's is not the distribution's), and no
            # guessed identity: as on a machine whose host name has no domain, git refuses to
            # commit until user.name and user.email are set.
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "user.useConfigOnly",
            "GIT_CONFIG_VALUE_0": "true",
            "UV_CACHE_DIR": str(self.caches / "uv"),
            "PIP_CACHE_DIR": str(self.caches / "pip"),
            "POETRY_CACHE_DIR": str(self.caches / "poetry"),
            **self.codeartifact.client_environment,
        }

    def terminal(self) -> Terminal:
        return Terminal(self.env, self.home)


@dataclass
class Paste:
    text: str  # as typed
    output: str  # what the terminal showed from the paste's echo to its last prompt
    statuses: list[int] = field(default_factory=list)  # one per command line of the paste

    @property
    def ok(self) -> bool:
        return bool(self.statuses) and not any(self.statuses)


class Terminal:
    """An interactive bash on a pseudo-terminal, 240 columns wide, in ``cwd``."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.pastes: list[Paste] = []
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the shell
            os.chdir(cwd)
            os.execve("/bin/bash", ["bash", "--noprofile", "--norc", "-i"], env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 240, 0, 0))
        self.screen = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")  # a character may span two reads
        # The harness's own prompt, so that it can tell when a command has finished and how.
        self._type("PS1='__ready_$?__\\n'; PS2=''\n")
        self._wait_for(READY, 30, start=0)

    def _type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def _read(self, seconds: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            raise EOFError("the terminal closed")
        self.screen += ESCAPES.sub("", self.decoder.decode(chunk))
        return True

    def _wait_for(self, pattern: re.Pattern[str] | str, seconds: float, start: int) -> re.Match[str]:
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + seconds
        while (found := regex.search(self.screen, start)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {seconds:g} s for {regex.pattern!r}; the screen ends:\n"
                                   + self.screen[-3000:])  # fmt: skip
            self._read(0.2)
        return found

    def paste(
        self, text: str, answers: Sequence[tuple[re.Pattern[str] | str, str]] = (), seconds: float = 900
    ) -> Paste:
        """Type ``text`` and Enter; type each answer when its question (a piece of its text)
        appears; return when every command line of the paste has finished."""
        begin = start = len(self.screen)
        self._type(text.rstrip("\n") + "\n")
        for question, answer in answers:
            found = self._wait_for(question, seconds, start)
            start = found.end()
            time.sleep(0.1)  # the question's last characters, then the program reads
            self._type(answer + "\r")
        statuses = []
        for _ in range(command_lines(text)):
            found = self._wait_for(READY, seconds, start)
            statuses.append(int(found.group(1)))
            start = found.end()
        paste = Paste(text, READY.sub("", self.screen[begin:start]), statuses)
        self.pastes.append(paste)
        return paste

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def command_lines(text: str) -> int:
    """How many lines bash runs for a paste: each line that is not continued with a backslash
    (a comment line too: bash shows its prompt again after it)."""
    count = 0
    continued = False
    for line in text.rstrip("\n").splitlines():
        if not continued:
            count += 1
        continued = line.endswith("\\") and not line.lstrip().startswith("#")
    return count


def cookiecutter_answers(template: dict, given: dict[str, str]) -> list[tuple[re.Pattern[str], str]]:
    """What to type at each of cookiecutter's questions, in its order: the answer ``given`` for
    a key (a choice by its value), or Enter for the default."""
    prompts = template["__prompts__"]
    answers = []
    for key, default in template.items():
        if key.startswith("_"):
            continue
        prompt = prompts[key] if isinstance(prompts[key], str) else prompts[key]["__prompt__"]
        words = r"\s+".join(map(re.escape, prompt.split()))  # the terminal may wrap the question
        if isinstance(default, list):
            question = re.compile(words + r"[\s\S]*?Choose from[\s\S]*?: ")
            typed = str(default.index(given[key]) + 1) if key in given else ""
        else:
            question = re.compile(words + r"[\s\S]*?: ")
            typed = given.get(key, "")
        answers.append((question, typed))
    return answers


def printed_pastes(output: str) -> list[str]:
    """The blocks of commands a program printed for pasting: runs of lines indented by two
    spaces (comments included), as a person selects them."""
    blocks = re.split(r"\n[ \t]*\n", output.replace("\r\n", "\n"))
    return [block for block in blocks if block.strip() and all(line.startswith("  ") for line in block.splitlines())]


# The paragraphs of README.rst's "From a fresh account" that the first pastes follow.
README_LABELS = {"uv": "For a uv project", "poetry": "For a Poetry project", "pip": "For a pip project"}


def readme_pastes(readme: str, manager: str) -> list[str]:
    """The code blocks right after the paragraph of README.rst that starts with the label."""
    section = readme.split("From a fresh account\n", 1)[1]
    rest = section.split(README_LABELS[manager], 1)[1].split("\n\n", 1)[1]
    blocks = []
    while found := re.match(r"\.\. code-block:: sh\n\n((?:   .*\n|\n)+)", rest):
        blocks.append(re.sub(r"^   ", "", found.group(1), flags=re.MULTILINE).strip())
        rest = rest[found.end() :]
    return blocks
