"""Project paths, and nothing else.

Relative paths in parameter files are resolved against the project root, so a notebook gives the
same answer whether papermill starts its kernel from the project root or anywhere else.

>>> resolve("data/demo").is_absolute()
True
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = Path(os.environ.get("LAINBENCH_ROOT", PACKAGE_DIR.parent)).resolve()
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"
REPORTS_DIR = PROJECT_ROOT / "reports"
REFERENCE_DATA_DIR = PACKAGE_DIR / "data"
SHARED_REAL_DATA = PROJECT_ROOT.parent / "shared" / "real-data"


def resolve(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as an absolute path, relative ones taken from the project root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (PROJECT_ROOT / p).resolve()
