"""Whether the records made live until the process ends (one ``dfg`` command).

The ``dfg`` process says so (:func:`dataflow_graph.cli.main`); a library caller (a notebook
that loads many registers) does not.  When they do, each batch of records read or loaded is
left out of the cycle collector's scans (``gc.freeze()`` in
:func:`dataflow_graph._speed.cyclic_gc_paused`): records form no cycles, and a command on a
register loaded from the cache otherwise spends much of its time in full collections
rescanning them (a second ``dfg org`` on the 2017 workbook: 0.25 s of its 0.8 s).  Kept in a
module of its own so that setting it imports nothing.
"""

records_live_to_exit = False
