"""Whether the records made live until the process ends (one ``dfg`` command), and the
collector's pause while that command imports what it needs.

The ``dfg`` process says so (:func:`dataflow_graph.cli.main`); a library caller (a notebook
that loads many registers) does not.  When they do, each batch of records read or loaded is
left out of the cycle collector's scans (``gc.freeze()`` in
:func:`dataflow_graph._speed.cyclic_gc_paused`): records form no cycles, and a command on a
register loaded from the cache otherwise spends much of its time in full collections
rescanning them (a second ``dfg org`` on the 2017 workbook: 0.25 s of its 0.8 s).  Kept in a
module of its own so that setting it imports nothing.

A ``dfg`` command first imports its modules (networkx, rich, the graph queries: some
65,000 objects the collector tracks, which live to the end too); its young passes meanwhile
found nothing to free but took about 16 ms of a warm ``dfg org`` (22 ms of collection in
all before, 6 ms after).  So :func:`cli.main
<dataflow_graph.cli.main>` pauses the collector (:func:`pause_for_imports`) until the
command's first step (:func:`imports_done`, from ``cli.phase``), which leaves what was
imported out of later scans and turns the collector back on.

What a command loads is never freed object by object (:func:`keep_to_exit`): freeing the
register of 10,000 synthetic entries when ``dfg flows`` returned took 0.23-0.28 s of its
10 s, after the file was written, and the memory goes back to the system at exit anyway.
That it is not freed at exit either rests on CPython leaving the collector's frozen objects
alone when it shuts down (3.11 here); where an interpreter frees them, exit is only slower.
"""

import gc

records_live_to_exit = False

#: What lives until exit (:func:`keep_to_exit`).  It holds itself: a cycle, which emptying this
#: module at exit does not free, left out of the collector's scans (``gc.freeze()``), which the
#: last collection at exit does not free either.
_kept: list[object] = []
_kept.append(_kept)

#: Whether :func:`pause_for_imports` turned the collector off (and :func:`imports_done` has not yet).
_paused = False


def pause_for_imports() -> None:
    """Turn the cycle collector off while a ``dfg`` command imports what it needs (if it is on)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def imports_done() -> None:
    """After :func:`pause_for_imports`: leave what was made so far out of later scans
    (``gc.freeze()``: it lives to exit) and turn the collector back on; else nothing."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def keep_to_exit(value: object) -> None:
    """Where the records made live until the process ends: keep ``value`` (the register a
    command loaded) to the end, never freed object by object, neither when the command
    returns nor at exit; else nothing (a notebook that loads many registers frees each).
    ``gc.freeze()`` leaves it, and what was made so far, out of the collector's scans."""
    if records_live_to_exit:
        _kept.append(value)
        gc.freeze()
