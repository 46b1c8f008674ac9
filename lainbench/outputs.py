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


def show(df: pl.DataFrame, decimals: int = 1):
    """Display a table in full (every row), numbers rounded and with thousands separators.

    Returns a pandas ``Styler`` so JupyterLab and the HTML report both show a plain table.
    """
    from lainbench.schemas import to_pandas

    pdf = to_pandas(df)
    return pdf.style.format(precision=decimals, thousands=",", na_rep="").hide(axis="index")
