"""Keep MediaPipe's native start-up and shut-down chatter off the terminal.

Building and closing a landmarker makes MediaPipe's C++ runtime (LiteRT, XNNPACK) write some
fifty INFO/WARNING lines straight to file descriptor 2 ("RegisterAccelerator", "Sparsity
tensors may not yet be fully supported", ...) per recording, which neither Python's logging
nor GLOG_minloglevel reaches. Around those calls only, descriptor 2 goes to a temporary file;
if the call fails, what it wrote is replayed so no error is hidden.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def native_stderr_captured() -> Iterator[None]:
    """Send fd 2 to a temporary file for the block; replay it to stderr if the block raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            capture.seek(0)
            os.write(2, capture.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
