"""The committed .po catalogs compiled for a test run, so that no stale or missing .mo decides.

`make install` compiles them into feedback_app/translations for `make run` and `make test`; a
plain `pytest` after a fresh clone has no .mo at all. Tests of translated pages use these.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.mofile import write_mo
from flask import Flask

ROOT = Path(__file__).resolve().parents[1]


def _load_tool():
    name = "tournee_i18n_tool"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


i18n_tool = _load_tool()


def compile_catalogs(out: Path) -> Path:
    for language in i18n_tool.LANGUAGES:
        catalog = i18n_tool.read_catalog(i18n_tool.po_path(language), language)
        target = out / language / "LC_MESSAGES" / "messages.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_mo(handle, catalog)
    return out


@contextlib.contextmanager
def use_catalogs(app: Flask, directory: Path) -> Iterator[None]:
    """Point an existing app at `directory` for the duration of the block.

    Flask-Babel caches loaded catalogs process-wide (on the shared Babel instance), whatever
    their directory: the cache is cleared on the way in and on the way out.
    """
    from feedback_app.extensions import babel

    config = app.extensions["babel"]
    before = config.translation_directories
    config.translation_directories = [str(directory)]
    with app.app_context():
        babel.domain_instance.cache.clear()
    try:
        yield
    finally:
        config.translation_directories = before
        with app.app_context():
            babel.domain_instance.cache.clear()
