"""`make audit` (also part of `make test`): known vulnerabilities in the installed
dependencies, by pip-audit against PyPI's advisory data.

A vulnerability found fails the build. An advisory service that cannot be reached does
not: the build prints a warning and goes on, because an offline machine (an office
without internet, a mirror without PyPI's JSON API) must still be able to run the tests,
and "could not look" is not "vulnerable". pip-audit itself reports packages it could not
look up as skipped and still says "No known vulnerabilities found"; this wrapper counts
them and says plainly how much was audited.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = 300


def run_pip_audit(report: Path) -> tuple[int, str]:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--skip-editable",  # welcome-center itself is not on PyPI
        "--progress-spinner",
        "off",
        "--timeout",
        "15",
        "--format",
        "json",
        "--output",
        str(report),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return -1, f"no answer within {TIMEOUT_SECONDS} s"
    return done.returncode, (done.stderr or done.stdout).strip()


def summarise(report: dict[str, Any]) -> tuple[list[str], list[str], int]:
    """(vulnerabilities as lines, skipped package names, packages audited)."""
    found: list[str] = []
    skipped: list[str] = []
    audited = 0
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            skipped.append(str(dep.get("name")))
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            found.append(f"{dep['name']} {dep.get('version', '?')}: {vuln.get('id')} ({fixed})")
    return found, skipped, audited


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.json"
        code, output = run_pip_audit(path)
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            report = None
    if report is None:
        print(f"WARNING: pip-audit could not run its audit (exit {code}): {output[-500:]}")
        print("WARNING: dependencies NOT audited (advisory service unreachable?)")
        return 0
    found, skipped, audited = summarise(report)
    if found:
        print(f"pip-audit: {len(found)} known vulnerabilities in the installed dependencies:")
        for line in found:
            print(f"  {line}")
        return 1
    if audited == 0:
        print(
            f"WARNING: pip-audit could look up none of the {len(skipped)} dependencies "
            "(advisory service unreachable?): NOT audited"
        )
        return 0
    if skipped:
        print(f"WARNING: pip-audit could not look up {len(skipped)}: {', '.join(skipped)}")
    print(f"pip-audit: no known vulnerabilities in {audited} audited dependencies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
