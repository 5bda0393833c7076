/* heapdump_format.h — the record format of runtime/debug.WriteHeapDump.
 *
 * Unchanged from Go 1.7 to 1.27 (runtime/heapdump.go).  The file starts
 * with "go1.7 heap dump\n"; then records, each a uvarint tag followed by
 * fields.  Numbers are uvarints; a string or memory range is a uvarint
 * length and that many bytes; a field list is (kind, offset) pairs of
 * uvarints ending with kind 0.
 *
 *  tag  record            fields
 *   0   EOF
 *   1   object            addr, contents, fieldlist
 *   2   other root        description (string), pointer
 *   3   type              addr, size, name (string), indirect (bool)
 *   4   goroutine         g, sp, goid, gopc, status, is_system, is_background,
 *                         waitsince, waitreason (string), ctxt, m, defer, panic
 *   5   stack frame       sp, depth, child_sp, contents, entry_pc, pc,
 *                         continpc, name (string), fieldlist
 *   6   params            big_endian, ptr_size, arena_start, arena_end,
 *                         goarch (string), build_version (string), ncpu
 *   7   finalizer         obj, fn, fn.fn, fint, ot
 *   8   itab              itab, type
 *   9   OS thread         m, id, procid
 *  10   memstats          24 counters, 256 pause times, numgc
 *  11   queued finalizer  obj, fn, fn.fn, fint, ot
 *  12   data segment      addr, contents, fieldlist
 *  13   bss segment       addr, contents, fieldlist
 *  14   defer             d, g, sp, pc, fn, fn.fn, link
 *  15   panic             p, g, argtype, argdata, 0, link
 *  16   memprof bucket    bucket, size, nstk, nstk x (func, file, line),
 *                         allocs, frees
 *  17   alloc sample      addr, bucket
 *
 * Field kinds: 1 pointer, 2 iface, 3 eface (two words; only 1 is written
 * by current runtimes).  Record order in a dump: params, itabs, objects,
 * goroutines (each followed by its frames, defers and panics), threads,
 * data, bss, finalizers, queued finalizers, memstats, memprof, samples. */
#ifndef RETAIN_HEAPDUMP_FORMAT_H
#define RETAIN_HEAPDUMP_FORMAT_H

#define HD_MAGIC "go1.7 heap dump\n"
#define HD_MAGIC_LEN 16

enum {
    HD_EOF = 0,
    HD_OBJECT = 1,
    HD_OTHER_ROOT = 2,
    HD_TYPE = 3,
    HD_GOROUTINE = 4,
    HD_FRAME = 5,
    HD_PARAMS = 6,
    HD_FINALIZER = 7,
    HD_ITAB = 8,
    HD_THREAD = 9,
    HD_MEMSTATS = 10,
    HD_QUEUED_FINALIZER = 11,
    HD_DATA = 12,
    HD_BSS = 13,
    HD_DEFER = 14,
    HD_PANIC = 15,
    HD_MEMPROF = 16,
    HD_ALLOC_SAMPLE = 17,
    HD_TAG_COUNT
};

enum { HD_FIELD_EOL = 0, HD_FIELD_PTR = 1, HD_FIELD_IFACE = 2, HD_FIELD_EFACE = 3 };

#define HD_MEMSTATS_COUNTERS 24
#define HD_MEMSTATS_PAUSES 256

#endif
