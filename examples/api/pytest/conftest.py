"""A pytest fixture: the emulator as a subprocess on a free port, ready when it prints its ready line.

STS_EMULATOR_CMD is the command that runs the CLI (default: npx sts-emulator, for a project that installed it).
"""
import os
import re
import shlex
import subprocess

import pytest


@pytest.fixture(scope="session")
def sts_endpoint():
    cmd = shlex.split(os.environ.get("STS_EMULATOR_CMD", "npx sts-emulator")) + ["serve", "--port", "0", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if match is None:
        proc.kill()
        raise RuntimeError(f"the emulator did not start: {line!r}")
    yield match.group(1)
    proc.terminate()
    proc.wait(timeout=15)


@pytest.fixture(scope="session")
def mint():
    """A token from the emulator's built-in CircleCI issuer, for a branch."""
    base = shlex.split(os.environ.get("STS_EMULATOR_CMD", "npx sts-emulator"))

    def mint_for(branch):
        return subprocess.run(base + ["token", "--preset", "circleci", "--branch", branch], check=True, capture_output=True, text=True).stdout.strip()

    return mint_for
