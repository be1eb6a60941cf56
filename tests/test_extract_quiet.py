"""MediaPipe's native start-up lines are kept off fd 2, unless the call they came from fails."""

from __future__ import annotations

import os

import pytest

from asl_stem.extract.quiet import native_stderr_captured


def test_native_lines_are_dropped_when_the_block_succeeds(capfd):
    with native_stderr_captured():
        os.write(2, b"INFO: RegisterAccelerator\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_native_lines_are_replayed_when_the_block_fails(capfd):
    with pytest.raises(RuntimeError), native_stderr_captured():
        os.write(2, b"E: model file is not a TFLite flatbuffer\n")
        raise RuntimeError("create_from_options failed")
    assert capfd.readouterr().err == "E: model file is not a TFLite flatbuffer\n"
