"""`make mutants`: plant each listed one-line bug in a copy of the repository, run its tests.

    python -m tests.mutants.run [ID ...] [--head | --source DIR] [--keep] [--timeout SECONDS]

The copy is made once in a temporary directory (the working tree as it is, with `--head`
the last commit via `git archive`, or another checkout with `--source`), never in the
shared working tree. The
listed tests run once on the clean copy first: a mutant only counts as killed when its
tests pass without it. Then every mutant is applied, its tests run (stopping at the
first failure), and the file is restored. Exit status 0 only when every mutant not
marked `known_survivor` is killed and none is stale (its original line is gone).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
LIST = Path(__file__).resolve().parent / "mutants.yaml"
SKIP = (".git", ".venv", "var", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache")
MARKS = "not browser and not postgres"


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    original: str
    replacement: str
    why: str
    tests: tuple[str, ...]
    known_survivor: str | None = None


def load(path: Path = LIST) -> list[Mutant]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return [
        Mutant(
            id=str(m["id"]),
            file=str(m["file"]),
            original=str(m["original"]).strip(),
            replacement=str(m.get("replacement") or ""),
            why=str(m["why"]),
            tests=tuple(m["tests"]),
            known_survivor=m.get("known_survivor"),
        )
        for m in data
    ]


def matches(mutant: Mutant, text: str) -> list[int]:
    """Indexes of the lines whose stripped text is the mutant's original line."""
    return [i for i, line in enumerate(text.splitlines()) if line.strip() == mutant.original]


def mutate(mutant: Mutant, text: str) -> str:
    """The file's text with the one original line replaced (indentation kept)."""
    found = matches(mutant, text)
    if len(found) != 1:
        raise ValueError(f"{mutant.id}: original line found {len(found)} times in {mutant.file}")
    lines = text.splitlines(keepends=True)
    line = lines[found[0]]
    indent = line[: len(line) - len(line.lstrip())]
    ending = "\n" if line.endswith("\n") else ""
    lines[found[0]] = f"{indent}{mutant.replacement}{ending}" if mutant.replacement else ""
    return "".join(lines)


def _copy(head: bool, source: Path = ROOT) -> Path:
    where = Path(tempfile.mkdtemp(prefix="welcome-mutants-")) / "repo"
    if head:
        where.mkdir()
        archive = subprocess.run(
            ["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    else:
        shutil.copytree(source, where, ignore=shutil.ignore_patterns(*SKIP, "*.db", "*.db-*"))
    return where


def _pytest(copy: Path, tests: Sequence[str], timeout: float, *, first: bool) -> tuple[str, float]:
    """'pass', 'fail', 'error' (nothing ran) or 'timeout', and the seconds it took."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", MARKS]
    cmd += ["-x"] if first else []
    start = time.monotonic()
    try:
        done = subprocess.run(
            [*cmd, *tests],
            cwd=copy,
            env=env,
            capture_output=True,
            timeout=timeout,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - start
    took = time.monotonic() - start
    if done.returncode == 0:
        return "pass", took
    if done.returncode in (1, 2):  # failed, or failed to import: the suite goes red
        return "fail", took
    tail = (done.stdout + done.stderr).decode(errors="replace").strip().splitlines()[-5:]
    print("   ", "\n    ".join(tail))
    return "error", took


def _check_imports(copy: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    out = subprocess.run(
        [sys.executable, "-c", "import app; print(app.__file__)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not out.startswith(str(copy)):
        raise SystemExit(f"the copy imports app from {out}, not from {copy}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="plant the listed bugs, one at a time")
    parser.add_argument("ids", nargs="*", help="only these mutants")
    parser.add_argument("--head", action="store_true", help="copy the last commit, not the tree")
    parser.add_argument("--source", type=Path, default=ROOT, help="copy this tree instead")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per test run")
    args = parser.parse_args(argv)
    mutants = [m for m in load() if not args.ids or m.id in args.ids]
    copy = _copy(args.head, args.source)
    results: dict[str, str] = {}
    try:
        _check_imports(copy)
        print(f"copy: {copy}")
        live = []
        for m in mutants:
            text = (copy / m.file).read_text(encoding="utf-8")
            if len(matches(m, text)) != 1:
                results[m.id] = "stale"
                print(f"STALE     {m.id}: `{m.original}` not found once in {m.file}")
            else:
                live.append(m)
        tests = sorted({t for m in live for t in m.tests})
        if tests:
            state, took = _pytest(copy, tests, args.timeout * 2, first=False)
            print(f"baseline  {state} in {took:.0f} s: {' '.join(tests)}")
            if state != "pass":
                print("the clean copy does not pass these tests: no mutant can be judged")
                return 2
        for m in live:
            path = copy / m.file
            text = path.read_text(encoding="utf-8")
            path.write_text(mutate(m, text), encoding="utf-8")
            try:
                state, took = _pytest(copy, m.tests, args.timeout, first=True)
            finally:
                path.write_text(text, encoding="utf-8")
            verdict = {"fail": "killed", "timeout": "killed"}.get(state, state)
            if verdict == "pass":
                verdict = "known survivor" if m.known_survivor else "SURVIVED"
            results[m.id] = verdict
            print(f"{verdict:<9} {m.id} ({took:.0f} s, {state}): {m.file}")
            if verdict == "known survivor":
                print(f"          why it lives: {m.known_survivor}")
    finally:
        if args.keep:
            print(f"kept: {copy}")
        else:
            shutil.rmtree(copy.parent, ignore_errors=True)
    counts = {v: sum(1 for r in results.values() if r == v) for v in sorted(set(results.values()))}
    print("mutants: " + " ".join(f"{k.replace(' ', '_')}={n}" for k, n in counts.items()))
    bad = [i for i, r in results.items() if r not in ("killed", "known survivor")]
    if bad:
        print("not killed: " + ", ".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
