"""The quickstart of the package README is a program: run it against the server."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

from conftest import Server

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def quickstart(readme: pathlib.Path = README) -> str:
    section = readme.read_text().split("## Quickstart", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, f"{readme} has no quickstart block"
    return found.group(1)


def run(code_or_path: str, server: Server, is_path: bool = False) -> str:
    argv = [sys.executable, code_or_path] if is_path else [sys.executable, "-c", code_or_path]
    env = dict(os.environ, KIMBERLITE_ADDRESS=server.address)
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_readme_quickstart_runs(server: Server) -> None:
    output = run(quickstart(), server)
    found = re.search(r"appended 2 events at offset (\d+)", output)
    assert found, output
    first = int(found.group(1))
    assert f"verified {first}: hello\nverified {first + 1}: world\n" in output
    assert "a stale expected offset is refused: OffsetMismatch" in output
    assert f"row {first}: world now, hello at SQL log position" in output


def test_root_readme_carries_the_same_quickstart() -> None:
    assert quickstart(README.parents[1] / "README.md") == quickstart()


def test_examples_run(server: Server) -> None:
    for example in sorted(EXAMPLES.glob("*.py")):
        output = run(str(example), server, is_path=True)
        assert output.strip(), f"{example.name} printed nothing"
