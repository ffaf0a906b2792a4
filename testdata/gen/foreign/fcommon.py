"""Helpers shared by the foreign-pipeline generators: process titles, default-domain NVTX
start/end ranges through the C API (ctypes), barriers with short timeouts.

Push/pop ranges go through torch.cuda.nvtx (the default domain, as most serving stacks do);
start/end ranges, which may end on another thread, go through the NVTX C API the way
testdata/gen/nvtxc.py finds it (libnvtx3interop.so.1 of CUDA 13, or libnvToolsExt.so.1).
"""
import ctypes
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # testdata/gen
import nvtxc  # noqa: E402

BARRIER_S = 60


def set_title(name):
    """set_title sets the thread's (and, on the main thread, the process's) comm; Linux keeps 15 chars."""
    try:
        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except Exception as e:  # pragma: no cover
        print("prctl failed:", e, file=sys.stderr)


class StartEnd:
    """Default-domain NVTX start/end ranges: nvtxRangeStartEx/nvtxRangeEnd (or the domain calls with a
    NULL domain, which is the default domain), else torch.cuda.nvtx.range_start/range_end."""

    def __init__(self):
        self.lib, self.path = nvtxc._load()
        self.torch = None
        self.mode = "none"
        self._keep = {}
        if self.lib is not None:
            L = self.lib
            try:
                L.nvtxRangeStartEx.restype = ctypes.c_uint64
                L.nvtxRangeStartEx.argtypes = [ctypes.POINTER(nvtxc._Attr)]
                L.nvtxRangeEnd.argtypes = [ctypes.c_uint64]
                self._start = lambda a: L.nvtxRangeStartEx(ctypes.byref(a))
                self._end = lambda rid: L.nvtxRangeEnd(rid)
                self.mode = "nvtxRangeStartEx"
            except AttributeError:
                L.nvtxDomainRangeStartEx.restype = ctypes.c_uint64
                L.nvtxDomainRangeStartEx.argtypes = [ctypes.c_void_p, ctypes.POINTER(nvtxc._Attr)]
                L.nvtxDomainRangeEnd.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
                self._start = lambda a: L.nvtxDomainRangeStartEx(None, ctypes.byref(a))
                self._end = lambda rid: L.nvtxDomainRangeEnd(None, rid)
                self.mode = "nvtxDomainRangeStartEx(NULL)"
        else:
            import torch
            self.torch = torch
            self.mode = "torch.cuda.nvtx.range_start"
        print("nvtx start/end via", self.mode, self.path or "", file=sys.stderr)

    def start(self, msg):
        if self.torch is not None:
            return self.torch.cuda.nvtx.range_start(msg)
        b = ctypes.c_char_p(msg.encode())
        a = nvtxc._Attr(version=3, size=48, messageType=1, message=ctypes.cast(b, ctypes.c_void_p))
        rid = self._start(a)
        self._keep[rid] = b
        return rid

    def end(self, rid):
        if self.torch is not None:
            return self.torch.cuda.nvtx.range_end(rid)
        self._end(rid)
        self._keep.pop(rid, None)


def wait(bar):
    bar.wait(BARRIER_S)


# --- device selection, and a CPU dry-run mode (FOREIGN_CPU=1) that checks a generator's logic on a
# machine without a GPU: CUDA calls become no-ops, tensors live on the CPU.
FAKE = os.environ.get("FOREIGN_CPU") == "1"


def device(i=0):
    import torch
    if FAKE:
        return torch.device("cpu")
    return torch.device("cuda", i % torch.cuda.device_count())


def pinned(t):
    return t if FAKE else t.pin_memory()


def _install_fakes():
    import contextlib
    import types
    import torch

    class _Ev:
        def __init__(self, *a, **k):
            pass

        def record(self, *a):
            pass

        def synchronize(self):
            pass

    class _Stream:
        def synchronize(self):
            pass

        def wait_stream(self, s):
            pass

    class _Graph:
        def replay(self):
            raise RuntimeError("fake graph: the caller replays the step itself")

    c = torch.cuda
    c.set_device = lambda *a: None
    c.synchronize = lambda *a: None
    c.device_count = lambda: 2
    c.Event = _Ev
    c.Stream = lambda *a, **k: _Stream()
    c.current_stream = lambda *a: _Stream()
    c.stream = lambda s: contextlib.nullcontext()
    c.CUDAGraph = _Graph
    c.graph = lambda g, **k: contextlib.nullcontext()
    c.profiler = types.SimpleNamespace(start=lambda: None, stop=lambda: None)
    c.nvtx = types.SimpleNamespace(range_push=lambda m: 0, range_pop=lambda: 0,
                                   range_start=lambda m: 1, range_end=lambda r: None, mark=lambda m: None)


if FAKE:
    _install_fakes()
