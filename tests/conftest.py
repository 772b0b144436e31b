"""Shared test set-up: every test (and the CLI processes it starts) uses a fresh run cache."""

import pytest


@pytest.fixture(autouse=True)
def _run_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_CACHE", str(tmp_path_factory.mktemp("run-cache")))
