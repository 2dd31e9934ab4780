"""``python -m dataflow_graph``: the ``dfg`` command."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
