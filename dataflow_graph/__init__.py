"""dataflow-graph: a knowledge graph and data-flow tracer for the NHS Digital Data Release Register."""
