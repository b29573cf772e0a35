"""`make audit`: a vulnerability fails, an unreachable advisory service only warns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tools import audit


def report(*deps: dict[str, Any]) -> dict[str, Any]:
    return {"dependencies": list(deps), "fixes": []}


VULN = {"id": "PYSEC-2099-1", "fix_versions": ["2.0.1"]}


def fake(monkeypatch: pytest.MonkeyPatch, written: str | None, code: int = 0) -> None:
    def run(path: Path) -> tuple[int, str]:
        if written is not None:
            path.write_text(written, encoding="utf-8")
        return code, "ConnectionError: no route to host"

    monkeypatch.setattr(audit, "run_pip_audit", run)


def test_summarise() -> None:
    found, skipped, audited = audit.summarise(
        report(
            {"name": "a", "version": "1", "vulns": []},
            {"name": "b", "version": "2.0", "vulns": [VULN]},
            {"name": "c", "skip_reason": "Dependency not found on PyPI"},
        )
    )
    assert found == ["b 2.0: PYSEC-2099-1 (2.0.1)"]
    assert skipped == ["c"] and audited == 2


def test_a_vulnerability_fails(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import json

    fake(monkeypatch, json.dumps(report({"name": "b", "version": "2.0", "vulns": [VULN]})), 1)
    assert audit.main() == 1
    assert "PYSEC-2099-1" in capsys.readouterr().out


def test_nothing_looked_up_warns_and_passes(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import json

    fake(monkeypatch, json.dumps(report({"name": "c", "skip_reason": "not found"})))
    assert audit.main() == 0
    assert "NOT audited" in capsys.readouterr().out
    fake(monkeypatch, None, 1)  # no report at all: pip-audit failed to reach anything
    assert audit.main() == 0
    assert "NOT audited" in capsys.readouterr().out
