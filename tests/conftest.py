"""Shared fixtures: a small demo data set written once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lainbench.config import SHARED_REAL_DATA


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> Path:
    """A 20,000-invoice demo set (same 12 members and 4 periods), for notebook and CLI tests."""
    from lainbench.demo.invoices import write_demo

    out = tmp_path_factory.mktemp("demo")
    write_demo(out, n_invoices=20_000, seed=7)
    return out


@pytest.fixture(scope="session")
def real_data() -> Path:
    """``../shared/real-data`` when present; tests using it skip cleanly otherwise."""
    if not SHARED_REAL_DATA.exists():
        pytest.skip(f"real data not present at {SHARED_REAL_DATA}")
    return SHARED_REAL_DATA


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a Chromium binary for browser tests, or skip."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no chromium on PATH (Debian package `chromium`; .ci/run installs it)")
