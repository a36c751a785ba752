"""Who this worker process is: `role:host:pid`. Its heartbeat key is memq:hb:<identity>, and
every stage it starts records the identity, so crash recovery can tell a stage whose process
died from one that is merely slow."""
from __future__ import annotations

import os
import socket

from memq.settings import get_settings


def worker_identity() -> str:
    return f"{get_settings().worker_role}:{socket.gethostname()}:{os.getpid()}"
