"""``python -m dataflow_graph``: the ``dfg`` command."""

from .cli import cli

if __name__ == "__main__":  # pragma: no cover
    cli()
