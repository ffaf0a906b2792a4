"""Minimal NVTX v3 client over ctypes: named domains, categories, registered strings, payloads.

PyTorch's torch.cuda.nvtx only reaches the default domain; the traces omnistat tests need the
`domain:name` form too. This calls the C API in libnvtx3interop.so.1 (CUDA 13) or libnvToolsExt.so.1,
which forward to the tool nsys injects. When neither library exists it falls back to torch.cuda.nvtx
(default domain only) and says so on stderr.
"""
import ctypes
import glob
import sys

_LIBS = ["libnvtx3interop.so.1", "libnvToolsExt.so.1"]
_DIRS = ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu"]


class _Attr(ctypes.Structure):
    # nvtxEventAttributes_t, version 3, 48 bytes
    _fields_ = [("version", ctypes.c_uint16), ("size", ctypes.c_uint16), ("category", ctypes.c_uint32),
                ("colorType", ctypes.c_int32), ("color", ctypes.c_uint32), ("payloadType", ctypes.c_int32),
                ("reserved0", ctypes.c_int32), ("payload", ctypes.c_int64), ("messageType", ctypes.c_int32),
                ("message", ctypes.c_void_p)]


def _load():
    cands = []
    for name in _LIBS:
        cands.append(name)
        for d in _DIRS:
            cands.extend(glob.glob(d + "/" + name + "*"))
        cands.extend(glob.glob("/usr/local/cuda*/**/" + name + "*", recursive=True))
        cands.extend(glob.glob(sys.prefix + "/lib/python3*/site-packages/nvidia/**/" + name + "*", recursive=True))
    for c in cands:
        try:
            return ctypes.CDLL(c), c
        except OSError:
            continue
    return None, None


class Domain:
    """Domain is one NVTX domain; every call is a no-op without a tool attached."""

    def __init__(self, name, categories=None):
        self.lib, self.path = _load()
        if self.lib is None:
            print("nvtxc: no NVTX library found; using torch.cuda.nvtx (default domain)", file=sys.stderr)
            import torch
            self.torch = torch
            return
        L = self.lib
        L.nvtxDomainCreateA.restype = ctypes.c_void_p
        L.nvtxDomainCreateA.argtypes = [ctypes.c_char_p]
        L.nvtxDomainRegisterStringA.restype = ctypes.c_void_p
        L.nvtxDomainRegisterStringA.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        L.nvtxDomainRangePushEx.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Attr)]
        L.nvtxDomainRangePop.argtypes = [ctypes.c_void_p]
        L.nvtxDomainRangeStartEx.restype = ctypes.c_uint64
        L.nvtxDomainRangeStartEx.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Attr)]
        L.nvtxDomainRangeEnd.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
        L.nvtxDomainMarkEx.argtypes = [ctypes.c_void_p, ctypes.POINTER(_Attr)]
        L.nvtxDomainNameCategoryA.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p]
        self.h = L.nvtxDomainCreateA(name.encode())
        for cid, cname in (categories or {}).items():
            L.nvtxDomainNameCategoryA(self.h, cid, cname.encode())
        self.reg = {}
        self._keep = []

    def _attr(self, msg, category, registered, payload):
        a = _Attr(version=3, size=48, category=category, colorType=1, color=0xFF76B900)
        if payload is not None:
            a.payloadType, a.payload = 2, int(payload)  # int64
        if registered:
            h = self.reg.get(msg)
            if h is None:
                h = self.reg[msg] = self.lib.nvtxDomainRegisterStringA(self.h, msg.encode())
            a.messageType, a.message = 3, h
        else:
            b = ctypes.c_char_p(msg.encode())
            self._keep.append(b)
            if len(self._keep) > 64:
                del self._keep[:32]
            a.messageType, a.message = 1, ctypes.cast(b, ctypes.c_void_p)
        return a

    def push(self, msg, category=0, registered=False, payload=None):
        if self.lib is None:
            return self.torch.cuda.nvtx.range_push(msg)
        a = self._attr(msg, category, registered, payload)
        self.lib.nvtxDomainRangePushEx(self.h, ctypes.byref(a))

    def pop(self):
        if self.lib is None:
            return self.torch.cuda.nvtx.range_pop()
        self.lib.nvtxDomainRangePop(self.h)

    def start(self, msg, category=0, payload=None):
        if self.lib is None:
            return self.torch.cuda.nvtx.range_start(msg)
        a = self._attr(msg, category, False, payload)
        return self.lib.nvtxDomainRangeStartEx(self.h, ctypes.byref(a))

    def end(self, rid):
        if self.lib is None:
            return self.torch.cuda.nvtx.range_end(rid)
        self.lib.nvtxDomainRangeEnd(self.h, rid)

    def mark(self, msg, category=0, payload=None):
        if self.lib is None:
            return self.torch.cuda.nvtx.mark(msg)
        a = self._attr(msg, category, False, payload)
        self.lib.nvtxDomainMarkEx(self.h, ctypes.byref(a))
