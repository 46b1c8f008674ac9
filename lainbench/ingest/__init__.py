"""Ingest: one module per source format, each turning a raw file into a canonical table and its
rejects.
"""
