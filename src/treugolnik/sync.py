"""One whole number handed between two threads of a compiled pass, with acquire and release.

The pipelined working day (``mechanisms.workday.workday_pipelined``) runs labour's rows on one
thread and production's on another, production a little behind. Labour publishes how many rows
it has finished (:func:`store_release`); production reads it (:func:`load_acquire`) before a
row it has not yet seen released. The release orders every write labour made to those rows
before the number, and the acquire orders production's reads of them after it, on any
processor (the same guarantee as C++'s ``memory_order_release`` / ``acquire``). Numba has no
such operations of its own: these are LLVM's atomic load and store of one 8-byte element.

A waiting thread that has spun for a while gives its core away (:func:`cpu_yield`, the
system's ``sched_yield``): when the machine's other work has taken the core the other side
needs, spinning would only keep it from running.
"""

from __future__ import annotations

import sys

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _element(context, builder, aryty, ary_value, index):
    ary = context.make_array(aryty)(context, builder, ary_value)
    return cgutils.get_item_pointer(context, builder, aryty, ary, [index])


@intrinsic
def load_acquire(typingctx, arr, index):
    """``arr[index]`` read with acquire ordering (``arr``: 1-D int64, ``index`` in range)."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.int64 and arr.ndim == 1):
        return None
    sig = types.int64(arr, index)

    def codegen(context, builder, signature, args):
        ptr = _element(context, builder, signature.args[0], args[0], args[1])
        return builder.load_atomic(ptr, "acquire", 8)

    return sig, codegen


@intrinsic
def store_release(typingctx, arr, index, value):
    """``arr[index] = value`` written with release ordering (``arr``: 1-D int64)."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.int64 and arr.ndim == 1):
        return None
    if not isinstance(value, types.Integer):
        return None
    sig = types.void(arr, index, value)

    def codegen(context, builder, signature, args):
        ptr = _element(context, builder, signature.args[0], args[0], args[1])
        v = context.cast(builder, args[2], signature.args[2], types.int64)
        builder.store_atomic(v, ptr, "release", 8)
        return context.get_dummy_value()

    return sig, codegen


def _call_without_arguments(symbol: str, bits: int):
    """An intrinsic's typing and code for a call of the function ``symbol`` that takes no
    arguments and returns a ``bits``-bit integer (a system call, or an LLVM intrinsic).
    """
    sig = types.int32() if bits == 32 else types.int64()

    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.IntType(bits), [])
        return builder.call(cgutils.get_or_insert_function(builder.module, fnty, symbol), [])

    return sig, codegen


# the system call that gives the calling thread's core to another runnable thread
_YIELD = "SwitchToThread" if sys.platform == "win32" else "sched_yield"


@intrinsic
def cpu_yield(typingctx):
    """Give the calling thread's core to another runnable thread (``sched_yield``)."""
    return _call_without_arguments(_YIELD, 32)


@intrinsic
def cycles(typingctx):
    """The processor's cycle counter (LLVM's ``readcyclecounter``: the time-stamp counter on
    x86-64; 0 where the target has none). For comparing the cost of two ways of doing the same
    work in the same run, never for results.
    """
    return _call_without_arguments("llvm.readcyclecounter", 64)
