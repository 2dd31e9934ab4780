"""The RDF projection: vocabulary, records -> triples, serialisers, SHACL, SPARQL, store, push.

Modules, from the lowest up:

- :mod:`.vocab`: our terms (``DFG``) and the W3C namespaces reused, the prefixes;
- :mod:`.iris`: how nodes are named (IRIs minted from content under a base: references,
  numbers, digests of files' bytes and of evidence, never a typed path);
- :mod:`.concepts`: which concept a record's value or words map to (identifiability, opt-outs,
  roles, kinds, purposes, legal gateways, organisation kinds);
- :mod:`.turtle`: Turtle text: escaping, terms, literals, :class:`~.turtle.RdfText` (statements
  by named graph) written as a Turtle or TriG document;
- :mod:`.reference`: organisations, units, families, datasets, source files, concept schemes;
- :mod:`.mapping`: what an agreement says (its roles, entries, flows and hops as DPV
  processes, copies, de-identifications, evidence, periods, releases);
- :mod:`.findings`: convergence findings, their sides and qualifiers, with their evidence;
- :mod:`.graphs`: records -> :class:`~.turtle.RdfText`, one named graph per agreement, built
  across processes on a large register;
- :mod:`.store`: pyoxigraph stores (from text, from rdflib graphs), the rdflib view, the
  on-disk store cache;
- :mod:`.jsonld`: JSON-LD with a context of readable terms;
- :mod:`.serialise`: the output formats (Turtle, TriG, N-Triples, N-Quads, JSON-LD) and back;
- :mod:`.shacl`: the ontology, its shapes, the cross-node checks and validation;
- :mod:`.sparql`: named queries, run locally or at an endpoint, with bindings;
- :mod:`.push`: named graphs replaced on a SPARQL 1.1 server;
- :mod:`.register`: the calls :mod:`dataflow_graph.api` makes, from a register's records.

Importing this package imports nothing else (no rdflib, no Oxigraph): ``dfg`` commands without
RDF start without them, and :data:`DEFAULT_BASE`, :data:`DEFAULT_TIMEOUT` and
:data:`DEFAULT_MAX_BODY` can be defaults of the API and the CLI.
"""

#: Where minted IRIs live unless the caller gives another base (``--base``).
DEFAULT_BASE = "https://w3id.org/dataflow-graph/id/"
#: Seconds one request may take, connection to last byte (``--timeout``).
DEFAULT_TIMEOUT = 60.0
#: Largest SPARQL Update body sent in one request (``dfg push --max-body``, in MiB there);
#: Oxigraph refuses bodies over 128 MiB, and a request under this limit is one transaction.
DEFAULT_MAX_BODY = 64 * 1024 * 1024

__all__ = ["DEFAULT_BASE", "DEFAULT_MAX_BODY", "DEFAULT_TIMEOUT"]
