"""The RDF projection: vocabulary, records -> triples, serialisers, SHACL, SPARQL, push."""
