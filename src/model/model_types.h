/* model_types.h — the heap model's types: what an object is, and the
 * names of the words inside it.
 *
 * A loader that knows types (DWARF, runtime type descriptors, a heap
 * dump's type records) adds them here as plain records, so that the
 * analyses and reports never see DWARF: a type has a name, a size, a kind,
 * and for structs its fields, for arrays its element and length, for
 * pointer-shaped kinds what they point at.  Type id 0 is "no type".
 *
 * An object's type may start past the object's base (a malloc header, an
 * interior pointer being the only evidence): rt_model.obj_type_offs keeps
 * that offset for the few objects that have one. */
#ifndef RETAIN_MODEL_TYPES_H
#define RETAIN_MODEL_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef struct rt_model rt_model;

typedef enum {
    RT_TK_OTHER = 0, /* scalars, and types known by name only */
    RT_TK_STRUCT,
    RT_TK_ARRAY,     /* elem, len */
    RT_TK_POINTER,   /* elem: the pointee */
    RT_TK_SLICE,     /* elem: the element; fields array, len, cap */
    RT_TK_STRING,    /* fields str, len */
    RT_TK_IFACE,     /* {tab, data} */
    RT_TK_EFACE,     /* {_type, data} */
    RT_TK_MAP,       /* elem: the map header struct it points at */
    RT_TK_CHAN,      /* elem: the hchan struct it points at */
    RT_TK_FUNC,      /* a pointer to a closure (funcval) */
    RT_TK_UNSAFE,    /* unsafe.Pointer, uintptr-like: no target type */
} rt_type_kind;

typedef struct rt_type {
    uint32_t name;        /* string id */
    uint8_t kind;         /* rt_type_kind */
    uint8_t pad[3];
    uint64_t size;
    uint32_t elem;        /* see rt_type_kind; 0 if none */
    uint32_t key;         /* map key type, 0 if none */
    uint64_t len;         /* array length */
    uint32_t field_start; /* into rt_model.fields */
    uint32_t nfield;
} rt_type;

typedef struct rt_field {
    uint32_t name;   /* string id */
    uint32_t type;   /* type id */
    uint64_t offset; /* from the start of the enclosing type */
} rt_field;

/* Open-addressing index of the type table: name-only types and array
 * types are interned, so that every "[4]*main.Node" is one id. */
typedef struct rt_type_index {
    uint32_t *slots; /* type ids, 0 = empty */
    size_t cap, n;
} rt_type_index;

/* Append a type (its fields, if any, added after with model_type_field);
 * returns its id. */
uint32_t model_type_add(rt_model *m, const rt_type *t);
/* Append one field to type id, which must be the last type added or one
 * whose fields are still being added in order. */
void model_type_field(rt_model *m, uint32_t type, uint32_t name, uint32_t ftype, uint64_t offset);
/* The type named name (string id) known only by name and size, made
 * once per name. */
uint32_t model_type_named(rt_model *m, uint32_t name, uint64_t size);
/* "[len]elem", made once per (elem, len). */
uint32_t model_type_array(rt_model *m, uint32_t elem, uint64_t len);

/* The Go-syntax path of the word at byte offset off inside a value of
 * type id: ".Payload", "[12]", ".buckets[3].values[1]"; where the offset
 * falls inside no field, what is left is "+0x..".  "" is the value
 * itself (off 0 of a pointer, say).  Writes into buf (always
 * NUL-terminated) and returns buf. */
const char *model_field_path(const rt_model *m, uint32_t id, uint64_t off, char *buf, size_t n);
/* The same, and the innermost type the path reaches (*leaf, 0 when it
 * names nothing there) with off's place inside it (*leaf_off). */
const char *model_field_leaf(const rt_model *m, uint32_t id, uint64_t off, char *buf, size_t n, uint32_t *leaf,
                             uint64_t *leaf_off);

/* The field path of the pointer word at off inside node src (an object,
 * or a root: node id >= nobj) — what a path's hop prints; "" when the
 * word is the whole value (a root variable that is the pointer) — or
 * NULL when src has no type or its type names nothing at off. */
const char *model_edge_field(const rt_model *m, uint32_t src, uint32_t off, char *buf, size_t n);

void model_types_free(rt_model *m);

#endif
