"""The cycle collector's pause (:func:`dataflow_graph._speed.cyclic_gc_paused`) frees what it should.

Each case runs in a fresh interpreter: the collector's generations and frozen objects are
process-wide state that other tests (and ``dfg`` commands run in-process) change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PRELUDE = """
import gc, json, weakref
from dataflow_graph import _lifetime
from dataflow_graph._speed import cyclic_gc_paused

class Node:
    __slots__ = ("other", "__weakref__")

def made(n):
    '''n acyclic records kept, and one reference cycle dropped (garbage only a scan frees).'''
    kept = [Node() for _ in range(n)]
    a, b = Node(), Node()
    a.other, b.other = b, a
    cycle = weakref.ref(a)
    del a, b
    return kept, cycle

def young(objs):
    ids = {id(o) for o in objs}
    return sum(id(o) in ids for g in (0, 1) for o in gc.get_objects(g))
"""


def _run(body: str) -> dict[str, object]:
    code = _PRELUDE + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this tree's code, whatever the current folder
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_records_made_leave_the_young_generations_unscanned_and_cycles_are_still_freed() -> None:
    """A library caller: the records end in the oldest generation, nothing stays frozen,
    and a cycle made under the pause is freed by the next full collection."""
    out = _run(
        """
        with cyclic_gc_paused():
            kept, cycle = made(50_000)
        after = {"young": young(kept), "frozen": gc.get_freeze_count(), "cycle_alive": cycle() is not None}
        gc.collect()
        after["cycle_after_full"] = cycle() is not None
        after["enabled"] = gc.isenabled()
        print(json.dumps(after))
        """
    )
    assert out == {"young": 0, "frozen": 0, "cycle_alive": True, "cycle_after_full": False, "enabled": True}


def test_what_the_caller_froze_stays_frozen() -> None:
    """With objects already frozen, the pause scans the young generations instead of
    thawing them: the caller's frozen objects stay out of the collector's scans."""
    out = _run(
        """
        theirs = [Node() for _ in range(1000)]
        gc.freeze()
        frozen = gc.get_freeze_count()
        with cyclic_gc_paused():
            kept, cycle = made(50_000)
        print(json.dumps({"still_frozen": gc.get_freeze_count() >= frozen, "young": young(kept),
                          "cycle_alive": cycle() is not None}))
        """
    )
    assert out == {"still_frozen": True, "young": 0, "cycle_alive": False}


def test_a_dfg_process_freezes_the_records() -> None:
    """In a ``dfg`` command the records made are frozen out of every later scan."""
    out = _run(
        """
        _lifetime.records_live_to_exit = True
        before = gc.get_freeze_count()
        with cyclic_gc_paused():
            kept, cycle = made(10_000)
        print(json.dumps({"frozen_more": gc.get_freeze_count() - before >= 10_000, "young": young(kept)}))
        """
    )
    assert out == {"frozen_more": True, "young": 0}


def test_a_collector_already_off_is_left_alone() -> None:
    """Called with the collector off (a caller's own pause), nothing is moved or frozen."""
    out = _run(
        """
        gc.disable()
        with cyclic_gc_paused():
            kept, cycle = made(10_000)
        print(json.dumps({"enabled": gc.isenabled(), "young": young(kept) > 0, "frozen": gc.get_freeze_count()}))
        """
    )
    assert out == {"enabled": False, "young": True, "frozen": 0}
