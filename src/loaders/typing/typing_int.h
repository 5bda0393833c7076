/* typing_int.h — state shared by the typing module's files. */
#ifndef RETAIN_LOADERS_TYPING_INT_H
#define RETAIN_LOADERS_TYPING_INT_H

#include "loaders/typing/typing.h"

/* What the walker does with the words at an offset of a typed value: a
 * type's layout flattened once into such steps (typing_ops.c). */
typedef enum {
    TOP_PTR,      /* word → a value of type */
    TOP_SLICE,    /* {ptr, len, cap} → [cap]type */
    TOP_STRING,   /* {ptr, len} → [len]uint8 */
    TOP_EFACE,    /* {_type, data} */
    TOP_IFACE,    /* {itab, data} */
    TOP_FUNC,     /* word → a closure */
    TOP_ARRAY,    /* len values of type, stride apart */
    TOP_BUCKETS,  /* hash<K,V>.buckets (aux = 0) or .oldbuckets (aux = 1):
                     [2^B]type, B at off2, flags at off3 */
    TOP_SWISSDIR, /* map<K,V>.dirPtr: one group (type2) when dirLen (at
                     off2) is 0, else [dirLen]type (*table<K,V>) */
    TOP_GROUPS,   /* groupReference<K,V>.data: [lengthMask+1]type, mask at off2 */
    TOP_CHANBUF,  /* hchan.buf: [dataqsiz]elem, dataqsiz at off2, elemtype at off3 */
    TOP_COUNTED,  /* an unsafe.Pointer to [n]type, n at off2 (sync.Pool.local) */
    TOP_TRIENODE, /* word → a HashTrieMap node: type2 (entry) if its first
                     byte (isEntry) is set, else type (indirect) */
} ty_opcode;

typedef struct ty_op {
    uint32_t off;   /* of the first word, from the value's start */
    uint8_t code;   /* ty_opcode */
    uint8_t aux;
    uint16_t pad;
    uint32_t type;
    uint32_t type2;
    uint32_t off2, off3;
    uint64_t len, stride;
} ty_op;

struct ty_ctx {
    rt_model *m;
    const dw_info *dw;
    uint32_t *memo;          /* per DWARF type index: model type id, 0 = not made */
    struct ty_made {         /* made, links not yet filled */
        const dw_type *dw;   /* typedefs stripped */
        uint32_t id;
    } *pending;
    size_t npending, cap_pending;

    /* ops per model type: ops_at[id] = (start + 1) << 32 | count, 0 = not built */
    uint64_t *ops_at;
    size_t cap_ops_at;
    ty_op *ops;
    size_t nops, cap_ops;
    uint32_t uint8_type;     /* for string bytes */
    uint32_t *closures;      /* per DWARF function (dwi_funcs order): closure type, 0 = not made */
    uint32_t eface_type;     /* interface {}: what sync.entry.p points at (Go 1.19) */
};

/* typing_ops.c: the steps of type id; *n gets their count. */
const ty_op *ty_ops(ty_ctx *c, uint32_t id, size_t *n);

#endif
