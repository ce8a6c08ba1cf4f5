"""The upload limit of the Import page, and the message for a file over it.

The limit is Streamlit's ``server.maxUploadSize`` in ``.streamlit/config.toml`` (megabytes), read
here without importing Streamlit so the page and this message always agree. The command line
has no limit: the message says how to use it instead.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from store.import_problems import Problem, problem

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
DEFAULT_LIMIT_MB = 200
"""Streamlit's own default, used when the config does not set one."""


@cache
def upload_limit_mb() -> int:
    """The Import page's upload limit in megabytes."""
    try:
        config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return DEFAULT_LIMIT_MB
    return int(config.get("server", {}).get("maxUploadSize", DEFAULT_LIMIT_MB))


def upload_problem(name: str, size_bytes: int, *, limit_mb: int | None = None) -> Problem | None:
    """A problem for an upload larger than the limit (None when it fits).

    The message names the limit and the command-line alternative, which has no limit.
    """
    limit = upload_limit_mb() if limit_mb is None else limit_mb
    if size_bytes <= limit * 1024 * 1024:
        return None
    size = size_bytes / (1024 * 1024)
    what = (
        f"the file is {size:,.1f} MB, over the {limit:,} MB upload limit of the Import page; "
        f"import it from the command line, which has no size limit: "
        f"python cli.py import --db <database file> {name}"
    )
    return problem(name, None, None, None, "file_too_large", what)
