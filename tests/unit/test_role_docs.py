# SPDX-License-Identifier: GPL-3.0-or-later
"""Role READMEs carry the variable tables generated from meta/argument_specs.yml."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_role_readmes_match_argument_specs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "harness" / "role-docs"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
