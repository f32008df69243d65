"""gunicorn settings: `gunicorn -c python:pmo.gunicorn_conf pmo.wsgi` (also used by `pmo serve`).

Each worker compiles the scheduling engine's kernels once when it starts, so that no request
pays the just-in-time compilation (about a second or two).
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("pmo.gunicorn")


def post_worker_init(worker: Any) -> None:
    from pmo.engine import warm_up
    from pmo.engine.leveling.genetic import warm_up as warm_up_levelling

    seconds = warm_up() + warm_up_levelling()
    logger.info("Worker %s: scheduling engine ready in %.2f s", worker.pid, seconds)
