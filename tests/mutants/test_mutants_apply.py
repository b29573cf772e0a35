"""Every planted bug of `make mutants` still applies to the current source.

A refactor that removes or rewrites a mutant's original line would silently disable it;
this fails instead, naming the stale mutants, so their line gets updated.
"""

from __future__ import annotations

from pathlib import Path

from tests.mutants.run import ROOT, load, matches, mutate


def test_every_mutant_still_applies() -> None:
    stale = []
    for m in load():
        path = ROOT / m.file
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        found = len(matches(m, text))
        if found != 1:
            stale.append(f"{m.id}: `{m.original}` found {found} times in {m.file}")
        else:
            assert mutate(m, text) != text, m.id
    assert not stale, "stale mutants:\n" + "\n".join(stale)


def test_every_mutant_is_documented_and_has_tests() -> None:
    mutants = load()
    assert len({m.id for m in mutants}) == len(mutants), "duplicate ids"
    for m in mutants:
        assert m.why.strip(), m.id
        assert m.tests, m.id
        for target in m.tests:
            assert (ROOT / target.split("::")[0]).exists(), (m.id, target)


def test_a_patch_keeps_indentation_and_deletes_on_empty() -> None:
    from dataclasses import replace

    m = load()[0]
    text = f"def f():\n    {m.original}\n    return 1\n"
    assert mutate(m, text) == f"def f():\n    {m.replacement}\n    return 1\n"
    assert mutate(replace(m, replacement=""), text) == "def f():\n    return 1\n"
    assert Path(__file__).parent.joinpath("mutants.yaml").exists()
