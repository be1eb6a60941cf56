"""One extraction per shards folder: an exclusive lock that also sees the run's workers.

The run holds ``SHARDS_DIR/.extract.lock`` (``fcntl.flock``, exclusive) and writes into it who
it is (pid, host, start time, command). Its worker processes hold ``.extract-workers.lock``
shared for as long as they live, so a new run also sees workers of a killed run that are
still writing (they die with their parent within moments: the new run waits a little, then
refuses). A run that is refused deletes nothing. Both files are removed when a run finishes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from asl_stem.shards.errors import ShardsBusyError, write_errors

log = logging.getLogger(__name__)
LOCK_NAME = ".extract.lock"
WORKERS_LOCK_NAME = ".extract-workers.lock"
NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)  # file systems without flock


@contextlib.contextmanager
def lock_shards_dir(shards_dir: str | Path, wait_for_workers_s: float = 10.0) -> Iterator[None]:
    """Hold the folder for one run (created if needed); :class:`ShardsBusyError` naming the
    other run when it, or its workers, still write there."""
    folder = Path(shards_dir)
    path = folder / LOCK_NAME
    with write_errors(path):
        folder.mkdir(parents=True, exist_ok=True)
        fd = _acquire(path)
    try:
        _wait_for_workers(folder, _holder(fd), wait_for_workers_s)
        with write_errors(path):
            _write_holder(fd)
        yield
        (folder / WORKERS_LOCK_NAME).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def hold_workers_lock(shards_dir: str | Path) -> int:
    """Take the workers' lock (shared) and return its descriptor; close it to let go (a
    process that never does holds it until it dies)."""
    path = Path(shards_dir) / WORKERS_LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError as error:
        if error.errno not in NO_LOCKS:
            os.close(fd)
            raise
    return fd


def _acquire(path: Path) -> int:
    """The descriptor of ``path``, locked exclusively; the file is the one at ``path`` (a run
    that just finished may have removed the file we opened)."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise ShardsBusyError(
                f"{path.parent} is being written by another `asl-stem extract` ({holder}); "
                "wait for it to finish or stop it, then rerun; this run changed nothing"
            ) from None
        except OSError as error:
            if error.errno not in NO_LOCKS:
                os.close(fd)
                raise
            log.warning("%s cannot be locked (%s): run one extraction at a time", path, error)
            return fd
        with contextlib.suppress(FileNotFoundError):
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        os.close(fd)


def _wait_for_workers(folder: Path, holder: str, wait_s: float) -> None:
    """Return once no worker process of an earlier run holds the workers' lock."""
    path = folder / WORKERS_LOCK_NAME
    with write_errors(path):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ShardsBusyError(
                        f"worker processes of an earlier run ({holder}) still write in "
                        f"{folder} (they hold {path}; `fuser {path}` lists them): wait for "
                        "them to stop or stop them, then rerun; this run changed nothing"
                    ) from None
                time.sleep(0.2)
            except OSError as error:
                if error.errno not in NO_LOCKS:
                    raise
                return
    finally:
        os.close(fd)  # also lets go of the lock taken to look


def _holder(fd: int) -> str:
    """Who wrote the lock file last, in words."""
    try:
        info = json.loads(os.pread(fd, 65536, 0) or b"{}")
        return f"pid {info['pid']} on {info['host']}, started {info['started']}"
    except (ValueError, KeyError, TypeError):
        return "a run that did not say who it is"


def _write_holder(fd: int) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": sys.argv,
    }
    data = json.dumps(info).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)
