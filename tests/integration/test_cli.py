"""The ``raschet`` command lists the project's own commands first."""

import subprocess
import sys


def test_help_lists_project_commands_before_djangos():
    result = subprocess.run([sys.executable, "-m", "raschet.cli", "--help"], capture_output=True, text=True,
                            timeout=60, check=True)
    text = result.stdout
    for command in ("demo", "scenario", "calc"):
        assert f"  {command} " in text
    assert text.index("  demo ") < text.index("Остальные команды Django") < text.index("dumpdata")
