/* dwarf_types.c — lookups of constants and types, and the dwt_* accessors
 * (dwarf_info.h).  Read-only over a linked dw_info. */
#include <stdio.h>
#include <string.h>

#include "dwarf/dwarf_int.h"

enum { MAX_HOPS = 32 };

/* ---- constants ---- */

int dwi_const(const dw_info *d, const char *const *candidates, int64_t *out)
{
    if (!d)
        return -1; /* no DWARF: nothing to find */
    for (; candidates && *candidates; candidates++) {
        uint32_t i;
        if (dw_strmap_get(&d->const_by_name, *candidates, &i)) {
            *out = d->consts[i].value;
            return 0;
        }
    }
    return -RT_E_NOTFOUND;
}

/* "a, b, c" into buf, for messages. */
static void join_names(const char *const *names, char *buf, size_t n)
{
    size_t w = 0;
    buf[0] = 0;
    for (; names && *names && w < n; names++)
        w += (size_t)snprintf(buf + w, n - w, "%s%s", w ? ", " : "", *names);
}

int dwi_const_req(const dw_info *d, const char *const *candidates, int64_t *out, rt_error *err)
{
    if (dwi_const(d, candidates, out) == 0)
        return 0;
    char names[300];
    join_names(candidates, names, sizeof names);
    int rc = RT_FAIL(err, RT_E_NOTFOUND,
                     "the executable's DWARF defines none of the constants %s; this Go "
                     "version may have renamed it (add the new name to the candidates)",
                     names);
    rt_error_where(err, d->path, RT_NO_OFFSET, "reading DWARF constants");
    return rc;
}

/* ---- types ---- */

const dw_type *dwi_type(const dw_info *d, const char *name)
{
    if (!d)
        return NULL; /* no DWARF: nothing to find */
    uint32_t i;
    return dw_strmap_get(&d->type_by_name, name, &i) ? &d->types[i] : NULL;
}

const dw_type *dwi_type_any(const dw_info *d, const char *const *candidates)
{
    if (!d)
        return NULL; /* no DWARF: nothing to find */
    for (; candidates && *candidates; candidates++) {
        const dw_type *t = dwi_type(d, *candidates);
        if (t)
            return t;
    }
    return NULL;
}

size_t dwi_ntypes(const dw_info *d)
{
    if (!d)
        return 0; /* no DWARF: nothing to find */
    return d->ntypes;
}

const dw_type *dwi_type_at(const dw_info *d, size_t i)
{
    return i < d->ntypes ? &d->types[i] : NULL;
}

size_t dwt_index(const dw_info *d, const dw_type *t)
{
    return (size_t)(t - d->types);
}

const char *dwt_name(const dw_type *t)
{
    return t ? t->name : "";
}

dw_kind dwt_kind(const dw_type *t)
{
    return t ? (dw_kind)t->kind : DWK_UNKNOWN;
}

const char *dw_kind_name(dw_kind k)
{
    static const char *const names[] = {
        [DWK_UNKNOWN] = "unknown", [DWK_VOID] = "void",       [DWK_BOOL] = "bool",
        [DWK_INT] = "int",         [DWK_UINT] = "uint",       [DWK_FLOAT] = "float",
        [DWK_COMPLEX] = "complex", [DWK_STRUCT] = "struct",   [DWK_POINTER] = "pointer",
        [DWK_UNSAFE_POINTER] = "unsafe.Pointer",              [DWK_ARRAY] = "array",
        [DWK_SLICE] = "slice",     [DWK_STRING] = "string",   [DWK_INTERFACE] = "interface",
        [DWK_FUNC] = "func",       [DWK_MAP] = "map",         [DWK_CHAN] = "chan",
        [DWK_TYPEDEF] = "typedef",
    };
    return (unsigned)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "unknown";
}

unsigned dwt_go_kind(const dw_type *t)
{
    return t ? t->go_kind : 0;
}

uint64_t dwt_size(const dw_type *t)
{
    return t ? t->size : 0;
}

const dw_type *dwt_target(const dw_type *t)
{
    return t ? t->target : NULL;
}

const dw_type *dwt_strip(const dw_type *t)
{
    for (int hop = 0; t && t->kind == DWK_TYPEDEF && hop < MAX_HOPS; hop++)
        t = t->target;
    return t && t->kind == DWK_TYPEDEF ? NULL : t; /* a loop: corrupt */
}

const dw_type *dwt_elem(const dw_type *t)
{
    if (!t)
        return NULL;
    switch ((dw_kind)t->kind) {
    case DWK_POINTER:
    case DWK_ARRAY:
    case DWK_SLICE:
    case DWK_CHAN:
    case DWK_MAP:
        return t->elem;
    default:
        return NULL;
    }
}

const dw_type *dwt_key(const dw_type *t)
{
    return t && t->kind == DWK_MAP ? t->key : NULL;
}

uint64_t dwt_array_len(const dw_type *t)
{
    return t && t->kind == DWK_ARRAY ? t->count : 0;
}

size_t dwt_nmembers(const dw_type *t)
{
    t = dwt_strip(t);
    return t ? t->nmembers : 0;
}

const dw_member *dwt_member(const dw_type *t, size_t i)
{
    t = dwt_strip(t);
    return t && i < t->nmembers ? &t->members[i] : NULL;
}

static const dw_member *find_member(const dw_type *t, const char *name, size_t len)
{
    t = dwt_strip(t);
    if (!t)
        return NULL;
    for (uint32_t i = 0; i < t->nmembers; i++) {
        const dw_member *m = &t->members[i];
        if (strlen(m->name) == len && memcmp(m->name, name, len) == 0)
            return m;
    }
    return NULL;
}

int dwt_field(const dw_type *t, const char *path, uint64_t *offset, const dw_type **ftype)
{
    uint64_t off = 0;
    const char *p = path;
    if (!t || !path || !*path)
        return -RT_E_NOTFOUND;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        const dw_member *m = len ? find_member(t, p, len) : NULL;
        if (!m)
            return -RT_E_NOTFOUND;
        off += m->offset;
        t = m->type;
        if (!dot)
            break;
        p = dot + 1;
    }
    if (offset)
        *offset = off;
    if (ftype)
        *ftype = t;
    return 0;
}

int dwi_field_req(const dw_info *d, const char *type_name, const char *path, uint64_t *offset,
                  const dw_type **ftype, rt_error *err)
{
    const dw_type *t = dwi_type(d, type_name);
    int rc;
    if (!t)
        rc = RT_FAIL(err, RT_E_NOTFOUND,
                     "the executable's DWARF has no type %s; this Go version is not "
                     "understood (or the type was renamed)",
                     type_name);
    else if (dwt_field(t, path, offset, ftype) == 0)
        return 0;
    else
        rc = RT_FAIL(err, RT_E_NOTFOUND,
                     "type %s in the executable's DWARF has no field %s; this Go version "
                     "changed its layout in a way we do not know",
                     type_name, path);
    rt_error_where(err, d->path, RT_NO_OFFSET, "reading DWARF types");
    return rc;
}

/* ---- runtime types ---- */

bool dwi_types_base(const dw_info *d, uint64_t *base)
{
    if (!d)
        return false; /* no DWARF: nothing to find */
    if (d->has_types_base && base)
        *base = d->types_base;
    return d->has_types_base;
}

bool dwt_runtime_type(const dw_info *d, const dw_type *t, uint64_t *addr)
{
    if (!t || !t->has_rtype || !d->has_types_base)
        return false;
    *addr = d->types_base + t->rtype;
    return true;
}

const dw_type *dwi_type_by_rtype(const dw_info *d, uint64_t addr)
{
    if (!d)
        return NULL; /* no DWARF: nothing to find */
    uint32_t i;
    if (!d->has_types_base || addr < d->types_base)
        return NULL;
    return dw_u64map_get(&d->type_by_rtype, addr - d->types_base, &i) ? &d->types[i] : NULL;
}
