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

import base64
import functools
import html
import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import altair as alt

RENDERER = "lainbench"
BUNDLE_MARKER = "lainbench-vega-bundle"
# Set by lainbench.runner for the kernels it starts: the report exporter puts the bundle on the
# page once, so executed notebooks do not each carry a 0.9 MB copy.
BUNDLE_ENV = "LAINBENCH_CHART_BUNDLE"
HINT = ("Chart \u201c{title}\u201d is drawn by a script that has not run here: trust the notebook "
        "(or run its cells), or open the HTML report; a PNG copy is in this output.")
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
    """HTML that draws ``spec`` once ``window.vegaEmbed`` exists (no external requests).

    Until the chart draws, the container shows a one-line hint, so a viewer that does not run
    scripts (an untrusted notebook, GitHub, e-mail) says why there is no chart instead of a blank.
    """
    div_id = div_id or f"lainbench-chart-{uuid.uuid4().hex[:12]}"
    payload = json.dumps(spec, default=str).replace("</", "<\\/")
    hint = html.escape(HINT.format(title=_title_of(spec)))
    return f"""<div id="{div_id}" class="lainbench-chart"><p class="lainbench-chart-hint" \
style="color:#555;font-style:italic">{hint}</p></div>
<script type="text/javascript">
(function () {{
  var spec = {payload};
  var tries = 0;
  function draw() {{
    var el = document.getElementById("{div_id}");
    if (window.vegaEmbed && el) {{
      el.textContent = "";
      window.vegaEmbed(el, spec, {{"renderer": "svg", "actions": false}}).catch(function (err) {{
        el.textContent = "Chart could not be drawn: " + err;
      }});
    }} else if (tries++ < 200) {{
      setTimeout(draw, 50);
    }} else if (el) {{
      el.textContent = "Chart library missing on this page: export the notebook with lainbench " +
        "(lainbench run, or lainbench.runner.html_report), or run lainbench.charts.enable_offline() " +
        "in it; a PNG copy of this chart is in the notebook.";
    }}
  }}
  draw();
}})();
</script>"""


class NoData:
    """Shown in place of a chart that has nothing to draw: a sentence saying why.

    >>> NoData("Against the national picture", "national medians not loaded")._repr_html_()
    '<p class="lainbench-no-data"><b>Against the national picture</b>: national medians not loaded.</p>'
    """

    def __init__(self, title: str, reason: str) -> None:
        self.title = title
        self.reason = reason.rstrip(".")

    def _repr_html_(self) -> str:
        return (f'<p class="lainbench-no-data"><b>{html.escape(self.title)}</b>: '
                f"{html.escape(self.reason)}.</p>")

    def __repr__(self) -> str:
        return f"{self.title}: {self.reason}."

    def to_dict(self) -> dict[str, Any]:
        """A Vega-Lite text mark saying why (for code that saves every chart)."""
        return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
                "title": self.title, "mark": {"type": "text", "fontSize": 13},
                "data": {"values": [{"t": f"{self.reason}."}]},
                "encoding": {"text": {"field": "t", "type": "nominal"}},
                "width": 520, "height": 40}


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
    """The mimebundle of a chart: HTML that draws it, a PNG fallback, and a text line."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    save_dir = _state["save_dir"]
    if save_dir is not None:
        _state["count"] += 1
        save(spec, Path(save_dir) / f"{_state['count']:02d}_{_slug(_title_of(spec))}")
    try:  # the fallback at screen resolution (the saved PNG is twice that, for slides)
        png = vlc.vegalite_to_png(spec, vl_version=vl_version_for_vl_convert(), scale=1)
    except Exception:  # noqa: BLE001 - the HTML still draws; the fallback is a courtesy
        png = None
    bundle = {"text/html": chart_html(spec), "text/plain": f"<chart: {_title_of(spec)}>"}
    if png is not None:
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
    return bundle


def bundle_external() -> bool:
    """True when the report exporter, not the notebook, carries the chart bundle."""
    return os.environ.get(BUNDLE_ENV) == "report"


def enable_offline(save_dir: str | Path | None = None, display_bundle: bool = True):
    """Draw altair charts offline in this kernel; optionally save each one to ``save_dir``.

    Call it once at the top of a notebook. In JupyterLab it displays the chart bundle (and the
    table library) once, so the notebook draws on its own. Under ``lainbench run`` and the pack
    (environment ``LAINBENCH_CHART_BUNDLE=report``) it displays nothing: the exported HTML report
    carries the bundle once.
    """
    alt.renderers.register(RENDERER, _renderer)
    alt.renderers.enable(RENDERER)
    _state["save_dir"] = Path(save_dir) if save_dir is not None else None
    _state["count"] = 0
    if display_bundle and not bundle_external():
        from IPython.display import HTML, display

        from lainbench.presentation import itables_bundle_html

        display(HTML(bundle_html() + itables_bundle_html()))


def page_head_html() -> str:
    """What an exported report's ``<head>`` carries once: the chart and table libraries, CSS."""
    from lainbench.presentation import PRINT_CSS, TABLE_CSS, itables_bundle_html

    return (bundle_html() + itables_bundle_html()
            + f"<style>{TABLE_CSS}{PRINT_CSS}{REPORT_CSS}</style>")


REPORT_CSS = """
.lainbench-nav{font-size:.9rem;margin:.6rem 1rem 1rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}.lainbench-no-data{color:#8a5a00;font-style:italic}
.lainbench-chart{overflow-x:auto}
@media print{.lainbench-nav{display:none}.jp-RenderedImage img{max-width:100%}}
"""


def standalone_html(charts: list[alt.TopLevelMixin], title: str = "lainbench") -> str:
    """A complete offline HTML page drawing several charts (bundle inlined once)."""
    body = "\n".join(chart_html(c.to_dict()) for c in charts)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"{bundle_html()}</head><body>{body}</body></html>"
    )
