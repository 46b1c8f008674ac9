"""Altair charts that draw with no network, in JupyterLab, in nbconvert HTML and in reports.

Altair's default output loads vega, vega-lite and vega-embed from a CDN, so an exported report shows
no charts offline. :func:`enable_offline` fixes that for a notebook:

1. it displays, once, the vega-embed bundle that ships inside ``vl-convert-python`` (about 0.9 MB of
   JavaScript that defines ``window.vegaEmbed``), and
2. it registers and enables an altair renderer, ``lainbench``, whose output is plain ``text/html``:
   a ``<div>`` and a small script, wrapped in its own function scope so several charts on one page
   never clash, that waits for ``vegaEmbed`` and draws the chart from its inline spec as SVG.

Plain ``jupyter nbconvert --to html`` keeps both outputs, so a papermill-executed notebook exported
either way draws every chart offline. With ``save_dir`` set, each chart shown is also written as PNG,
SVG and Vega-Lite JSON (rendered by vl-convert, no browser), for slide decks and the benchmark pack.

>>> import altair as alt, polars as pl
>>> html = chart_html(alt.Chart(pl.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q").to_dict())
>>> "vegaEmbed" in html and "cdn" not in html.lower()
True
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from pathlib import Path
from typing import Any

import altair as alt

RENDERER = "lainbench"
BUNDLE_MARKER = "lainbench-vega-bundle"
_state: dict[str, Any] = {"save_dir": None, "count": 0}


@functools.cache
def vega_bundle() -> str:
    """The vega + vega-lite + vega-embed JavaScript bundle shipped by vl-convert (offline).

    Building it costs about 1.5 s of CPU, so it is cached on disk per vl-convert and Vega-Lite
    version (``$XDG_CACHE_HOME/lainbench``, default ``~/.cache/lainbench``); a cache that cannot be
    written is skipped silently.
    """
    import os

    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    vl = vl_version_for_vl_convert()
    from importlib.metadata import version

    cache_dir = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lainbench"
    cached = cache_dir / f"vega-bundle-{version('vl-convert-python')}-{vl}.js"
    try:
        text = cached.read_text(encoding="utf-8")
        if text.rstrip().endswith(";"):
            return text
    except OSError:
        pass
    bundle = vlc.javascript_bundle(vl_version=vl)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(cached)
    except OSError:
        pass
    return bundle


def bundle_html() -> str:
    """A ``<script>`` element defining ``window.vegaEmbed``; include once per page."""
    return (
        f'<script type="text/javascript" id="{BUNDLE_MARKER}">\n'
        f"if (!window.vegaEmbed) {{\n{vega_bundle()}\n}}\n</script>\n"
        '<div class="lainbench-offline-note" style="display:none">'
        "charts drawn offline by lainbench</div>"
    )


def chart_html(spec: dict[str, Any], div_id: str | None = None) -> str:
    """HTML that draws ``spec`` once ``window.vegaEmbed`` exists (no external requests)."""
    div_id = div_id or f"lainbench-chart-{uuid.uuid4().hex[:12]}"
    payload = json.dumps(spec, default=str).replace("</", "<\\/")
    return f"""<div id="{div_id}" class="lainbench-chart"></div>
<script type="text/javascript">
(function () {{
  var spec = {payload};
  var tries = 0;
  function draw() {{
    var el = document.getElementById("{div_id}");
    if (window.vegaEmbed && el) {{
      window.vegaEmbed(el, spec, {{"renderer": "svg", "actions": false}}).catch(function (err) {{
        el.textContent = "Chart could not be drawn: " + err;
      }});
    }} else if (tries++ < 200) {{
      setTimeout(draw, 50);
    }} else if (el) {{
      el.textContent = "Chart library missing: run lainbench.charts.enable_offline() first.";
    }}
  }}
  draw();
}})();
</script>"""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "chart"


def _title_of(spec: dict[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title) if title else "chart"


def save(chart: alt.TopLevelMixin | dict[str, Any], path_stem: str | Path,
         formats: tuple[str, ...] = ("png", "svg", "json")) -> list[Path]:
    """Write ``chart`` as PNG, SVG and/or Vega-Lite JSON next to ``path_stem`` (no browser)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    spec = chart if isinstance(chart, dict) else chart.to_dict()
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    vl = vl_version_for_vl_convert()
    written = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        tmp = path.with_name(f".{path.name}.tmp")
        if fmt == "png":
            tmp.write_bytes(vlc.vegalite_to_png(spec, vl_version=vl, scale=2))
        elif fmt == "svg":
            tmp.write_text(vlc.vegalite_to_svg(spec, vl_version=vl), encoding="utf-8")
        elif fmt == "json":
            tmp.write_text(json.dumps(spec, indent=1, default=str), encoding="utf-8")
        else:
            raise ValueError(f"unknown chart format {fmt!r}; use png, svg or json")
        tmp.replace(path)
        written.append(path)
    return written


def _renderer(spec: dict[str, Any], **_: Any) -> dict[str, str]:
    save_dir = _state["save_dir"]
    if save_dir is not None:
        _state["count"] += 1
        save(spec, Path(save_dir) / f"{_state['count']:02d}_{_slug(_title_of(spec))}")
    return {"text/html": chart_html(spec), "text/plain": f"<chart: {_title_of(spec)}>"}


def enable_offline(save_dir: str | Path | None = None, display_bundle: bool = True):
    """Draw altair charts offline in this kernel; optionally save each one to ``save_dir``.

    Call it once at the top of a notebook. Returns an object whose display is the bundle script,
    so the bundle lands in the notebook's outputs exactly once.
    """
    alt.renderers.register(RENDERER, _renderer)
    alt.renderers.enable(RENDERER)
    _state["save_dir"] = Path(save_dir) if save_dir is not None else None
    _state["count"] = 0
    if display_bundle:
        from IPython.display import HTML, display

        display(HTML(bundle_html()))


def standalone_html(charts: list[alt.TopLevelMixin], title: str = "lainbench") -> str:
    """A complete offline HTML page drawing several charts (bundle inlined once)."""
    body = "\n".join(chart_html(c.to_dict()) for c in charts)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"{bundle_html()}</head><body>{body}</body></html>"
    )
