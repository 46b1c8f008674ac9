"""lainbench: payment-performance and insurance benchmarks for UK anchor institutions.

The package holds all logic; notebooks in ``notebooks/`` only set parameters and call it.
Data flows one way: raw file -> :mod:`lainbench.ingest` -> canonical tables
(:mod:`lainbench.schemas`) -> metrics and models -> :mod:`lainbench.charts` -> reports.
"""

__version__ = "0.1.0"
