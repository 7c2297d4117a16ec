"""Foreign code loaded into the interpreter."""
import ctypes  # expect: GW-NATIVE-001
from ctypes import cdll  # expect: GW-NATIVE-001

import cffi  # expect: GW-NATIVE-001


def go_native():
    libc = ctypes.CDLL("libc.so.6")  # expect: GW-NATIVE-002
    cdll.LoadLibrary("./payload.so")  # expect: GW-NATIVE-002
    ffi = cffi.FFI()
    ffi.dlopen("./payload.so")  # expect: GW-NATIVE-002
    ctypes.memmove(0, 0, 8)  # expect: GW-NATIVE-003
    ctypes.pythonapi.PyObject_Free(0)  # expect: GW-NATIVE-003
    return libc
