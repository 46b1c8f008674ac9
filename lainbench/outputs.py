"""Write a notebook's tables where people and the benchmark pack can reuse them.

Tables are written as parquet, atomically (temporary name, then moved into place), rows in the
order given: the functions that build them sort their output, since polars' streaming engine does
not promise an order.

>>> import tempfile, polars as pl
>>> d = tempfile.mkdtemp()
>>> paths = write_tables(d, metrics=pl.DataFrame({"b": [2, 1], "a": [1, 1]}))
>>> pl.read_parquet(paths["metrics"])["b"].to_list()
[2, 1]
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lainbench.config import resolve


def write_tables(output_dir: str | Path, **frames: pl.DataFrame | pl.LazyFrame) -> dict[str, Path]:
    """Write each frame as ``<output_dir>/<name>.parquet``; returns the paths by name."""
    out = resolve(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in frames.items():
        df = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
        if not isinstance(df, pl.DataFrame):
            df = pl.from_pandas(df)
        path = out / f"{name}.parquet"
        tmp = path.with_name(f".{path.name}.tmp")
        df.write_parquet(tmp)
        tmp.replace(path)
        written[name] = path
    return written


def write_csv(output_dir: str | Path, **frames: pl.DataFrame | pl.LazyFrame) -> dict[str, Path]:
    """Write each frame as ``<output_dir>/<name>.csv`` (UTF-8, ISO dates, ids as in the parquet),
    text cells neutralised against formula injection; returns the paths by name.

    >>> import tempfile
    >>> p = write_csv(tempfile.mkdtemp(), t=pl.DataFrame({"a": ["=1+1"], "n": [1.5]}))["t"]
    >>> p.read_text().splitlines()
    ['a,n', "'=1+1,1.5"]
    """
    from lainbench.presentation import neutralised

    out = resolve(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in frames.items():
        df = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
        path = out / f"{name}.csv"
        tmp = path.with_name(f".{path.name}.tmp")
        neutralised(df).write_csv(tmp)
        tmp.replace(path)
        written[name] = path
    return written


def show(df: pl.DataFrame, decimals: int | None = None, caption: str | None = None):
    """Display a table for people (see :func:`lainbench.presentation.show`): every row, headers
    as labels with units, £ / % / days formatted, member names for ids, ``[c]`` for suppressed
    figures; ``decimals`` applies to figures without a unit. Long tables sort and search.
    """
    from lainbench.presentation import show as _show

    return _show(df, decimals, caption)
