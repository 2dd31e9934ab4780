"""Presentation from records: JSON documents, rows, terminal tables, HTML, export formats."""
