"""Keep the native libraries' log lines off the user's terminal.

MediaPipe (absl/glog "W0000 ..." and "INFO: Created TensorFlow Lite XNNPACK delegate" lines) and
FFmpeg ("moov atom not found") write straight to file descriptor 2 from C++, so Python's
``logging`` and ``warnings`` never see them and they land above our one-line error messages.
Measured with mediapipe 0.10.21: ``GLOG_minloglevel``, ``TF_CPP_MIN_LOG_LEVEL`` and
``absl.logging.set_verbosity`` do not stop them; MediaPipe writes them while its graph starts
(from worker threads, during the first ``process`` call). ``OPENCV_FFMPEG_LOGLEVEL=-8`` does
silence FFmpeg, but only when set before the first video is opened in the process.

So: FFmpeg is quietened by the environment variable, and the graph start is run with fd 2
pointed at a scratch file. Set ``HINGECOACH_NATIVE_LOGS=1`` to see the lines when debugging.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from types import TracebackType
from typing import IO

DEBUG_ENV = "HINGECOACH_NATIVE_LOGS"


def enabled() -> bool:
    """True unless the person asked to see native logs."""
    return os.environ.get(DEBUG_ENV, "") not in ("1", "true", "yes")


def quiet_ffmpeg() -> None:
    """Ask OpenCV's FFmpeg backend for no log output (read when the first video is opened)."""
    if enabled():
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET


class _Redirect:
    """fd 2 pointed at a scratch file, shared by every thread that asks (counted): MediaPipe
    graphs start on several pose threads at once, and two redirects of one descriptor done
    apart would restore each other's scratch file and leave fd 2 silenced for good."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.saved: int | None = None
        self.sink: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Count one more user (redirecting fd 2 for the first); False when fd 2 cannot be duplicated."""
        with self.lock:
            if self.users == 0:
                try:
                    sys.stderr.flush()
                    saved = os.dup(2)
                except (OSError, ValueError):
                    return False
                self.sink = tempfile.TemporaryFile()
                os.dup2(self.sink.fileno(), 2)
                self.saved = saved
            self.users += 1
            return True

    def release(self) -> None:
        """One user fewer; the last gives fd 2 back."""
        with self.lock:
            self.users -= 1
            if self.users or self.saved is None:
                return
            os.dup2(self.saved, 2)
            os.close(self.saved)
            self.saved = None
            if self.sink is not None:
                self.sink.close()
                self.sink = None


_REDIRECT = _Redirect()


class QuietStderr:
    """Context manager: fd 2 goes to a scratch file until :meth:`release` or the block ends (or,
    when other threads are inside one too, until the last of them ends).

    Python-level writes are flushed first, so nothing of ours is lost; exceptions pass through
    and are printed after fd 2 is restored. Does nothing when fd 2 cannot be duplicated.
    """

    def __init__(self) -> None:
        self._held = False

    def __enter__(self) -> QuietStderr:
        if enabled():
            self._held = _REDIRECT.acquire()
        return self

    def release(self) -> None:
        """Give fd 2 back (idempotent)."""
        if self._held:
            self._held = False
            _REDIRECT.release()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
