/* cmd_read.c — `retain read ADDRESS [N]`: bytes of the process's memory
 * from a core, and the object that holds them. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "elf/elf_core.h"
#include "loaders/elf/elf_symbols.h"
#include "report/labels.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: retain read [--json] ADDRESS [N] CORE [EXE]\n"
    "\n"
    "Hex dump of N bytes (default 64, at most 1 MiB; decimal, or hex with 0x) of\n"
    "the process's memory at ADDRESS (hex), from the core or, for memory the\n"
    "kernel left out of it, from the executable; names the heap object or the\n"
    "root (a global, a goroutine's frame) that contains ADDRESS.  Then, word by\n"
    "word: whether it holds a pointer (the runtime's masks of the globals, the\n"
    "pointers found in objects and frames), the variable it belongs to, and what\n"
    "its value is: a heap object, a function's code, a global.\n"
    "\n"
    "  --json      print JSON\n"
    "  -h, --help  this text\n";

/* N: decimal, or hex with a 0x prefix (addresses are hex, so lengths
 * copied next to them often are too) */
static int parse_len(const char *s, uint64_t *n)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return cli_parse_addr(s, n);
    return cli_parse_u64(s, n);
}

/* The root whose variable covers addr (the narrowest, when frames nest),
 * or RT_NONE.  A root of unknown size covers its first byte only. */
static uint32_t find_root(const rt_model *m, uint64_t addr)
{
    uint32_t best = RT_NONE;
    for (uint32_t i = 0; i < m->nroot; i++) {
        const rt_root *r = &m->roots[i];
        uint64_t size = r->size ? r->size : 1;
        if (addr < r->address || addr - r->address >= size)
            continue;
        if (best == RT_NONE || size < (m->roots[best].size ? m->roots[best].size : 1))
            best = i;
    }
    return best;
}

/* One word of the range, described. */
typedef struct word_info {
    uint64_t addr, value;
    int pointer;          /* 1, 0, or -1 unknown */
    const char *variable; /* global symbol or root variable holding it, NULL */
    uint32_t object;      /* heap object the value points into, RT_NONE */
    const char *function; /* function whose code the value points into, NULL */
    const char *global;   /* global the value points at, NULL */
} word_info;

/* Whether the word at addr of node (object or root) has an edge. */
static int has_edge(const rt_model *m, uint32_t node, uint64_t off)
{
    for (uint32_t e = m->edge_start[node]; e < m->edge_start[node + 1]; e++)
        if (m->edge_off && m->edge_off[e] == off)
            return 1;
    return 0;
}

static void describe(const rt_model *m, const elf_symtab *st, uint32_t obj, uint32_t root, word_info *w)
{
    uint64_t link = w->addr - (uint64_t)m->exe_bias, vlink = w->value - (uint64_t)m->exe_bias;
    const elf_sym *var = st ? elf_symtab_find(st, link) : NULL;
    const elf_sym *fn = st && w->value ? elf_symtab_find_func(st, vlink) : NULL;
    const elf_sym *g = st && w->value && !fn ? elf_symtab_find(st, vlink) : NULL;
    w->pointer = model_global_is_pointer(m, w->addr);
    w->variable = var ? var->name : NULL;
    w->object = w->value ? model_find(m, w->value) : RT_NONE;
    w->function = fn ? fn->name : NULL;
    w->global = g ? g->name : NULL;
    if (w->pointer < 0 && obj != RT_NONE)
        w->pointer = has_edge(m, obj, w->addr - m->objects[obj].base) ? 1 : -1;
    uint32_t r = root;
    if (w->pointer < 0 && r != RT_NONE && w->addr >= m->roots[r].address)
        w->pointer = has_edge(m, m->nobj + r, w->addr - m->roots[r].address) ? 1 : -1;
    if (!w->variable && r != RT_NONE) {
        const rt_root *rt = &m->roots[r];
        const char *v = strpool_get(m->strings, rt->variable);
        w->variable = *v ? v : strpool_get(m->strings, rt->name);
        if (!*w->variable)
            w->variable = NULL;
    }
}

static void json_words(json_w *w, const rt_model *m, const word_info *wi, size_t n)
{
    json_key(w, "words");
    json_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        json_obj_begin(w);
        json_key(w, "address");
        json_addr(w, wi[i].addr);
        json_key(w, "value");
        json_addr(w, wi[i].value);
        json_key(w, "pointer");
        if (wi[i].pointer < 0)
            json_null(w);
        else
            json_bool(w, wi[i].pointer);
        json_key(w, "variable");
        json_str_or_null(w, wi[i].variable);
        json_key(w, "object");
        if (wi[i].object == RT_NONE)
            json_null(w);
        else
            json_addr(w, m->objects[wi[i].object].base);
        json_key(w, "function");
        json_str_or_null(w, wi[i].function);
        json_key(w, "global");
        json_str_or_null(w, wi[i].global);
        json_obj_end(w);
    }
    json_arr_end(w);
}

static void text_words(const rt_model *m, const word_info *wi, size_t n)
{
    if (!n)
        return;
    printf("\n");
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) {
        const word_info *w = &wi[i];
        printf("0x%016" PRIx64 "  0x%016" PRIx64 "  %-8s", w->addr, w->value,
               w->pointer > 0 ? "pointer" : w->pointer == 0 ? "-" : "?");
        if (w->object != RT_NONE)
            printf("  -> object 0x%" PRIx64 " %s", m->objects[w->object].base, report_obj_label(m, w->object));
        else if (w->function)
            printf("  -> code of %s", w->function);
        else if (w->global)
            printf("  -> global %s", w->global);
        if (w->variable && (!last || strcmp(last, w->variable) != 0))
            printf("  [%s]", w->variable);
        last = w->variable;
        printf("\n");
    }
}

int cmd_read(int argc, char **argv)
{
    cli_ctx ctx = { .cmd = "read" };
    int rc = cli_parse(&ctx, argc, argv, usage, NULL, NULL, NULL);
    if (rc >= 0)
        return rc;
    uint64_t addr, n = 64;
    if (ctx.ninputs < 1 || cli_parse_addr(ctx.inputs[0], &addr) != 0)
        return cli_usage_error(ctx.cmd, "missing or bad ADDRESS (hex)");
    ctx.inputs++;
    ctx.ninputs--;
    if (ctx.ninputs > 0 && access(ctx.inputs[0], F_OK) != 0) {
        if (parse_len(ctx.inputs[0], &n) != 0 || n == 0 || n > (1u << 20))
            return cli_usage_error(ctx.cmd, "N must be a byte count from 1 to 1048576 (or 0x1 to 0x100000), "
                                            "not '%s'", ctx.inputs[0]);
        ctx.inputs++;
        ctx.ninputs--;
    }
    rt_error err;
    rt_error_clear(&err);
    /* the core and its executable stay open after the load: the bytes
     * are read from the same files, opened once */
    ctx.keep_core = 1;
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    const rt_inputs *in = &ctx.in;
    ec_core *core = NULL;
    if (ec_open_with(&core, in->core_file, in->exe_handle ? exe_elf_file(in->exe_handle) : NULL, &err) != 0) {
        rc = cli_report_error(ctx.cmd, &err);
        cli_done(&ctx);
        return rc;
    }
    uint8_t *buf = rt_malloc((size_t)n);
    rc = cli_read_memory(&ctx, core, in->core, addr, buf, (size_t)n, &err);
    const ec_map *map = ec_find_map(core, addr);
    uint32_t obj = model_find(m, addr);
    uint32_t root = obj == RT_NONE ? find_root(m, addr) : RT_NONE;
    if (rc) {
        rt_error_where(&err, in->core, RT_NO_OFFSET, "reading process memory");
        rc = cli_report_error(ctx.cmd, &err);
        goto out;
    }
    /* the words wholly inside the range, described */
    const elf_symtab *st = NULL;
    rt_error serr;
    if (in->exe_handle && exe_symtab(in->exe_handle, &st, &serr) != 0)
        st = NULL;
    uint64_t w0 = (addr + 7) & ~7ULL;
    size_t nw = w0 < addr + n ? (size_t)((addr + n - w0) / 8) : 0;
    word_info *wi = rt_calloc(nw + 1, sizeof *wi);
    for (size_t i = 0; i < nw; i++) {
        wi[i].addr = w0 + 8 * i;
        memcpy(&wi[i].value, buf + (wi[i].addr - addr), 8);
        uint32_t o = model_find(m, wi[i].addr);
        describe(m, st, o, o == RT_NONE ? find_root(m, wi[i].addr) : RT_NONE, &wi[i]);
    }
    if (ctx.json) {
        json_w w;
        json_init(&w, stdout);
        json_obj_begin(&w);
        json_key(&w, "address");
        json_addr(&w, addr);
        json_key(&w, "length");
        json_u64(&w, n);
        json_key(&w, "source");
        json_str(&w, map ? ec_src_name(map->src) : NULL);
        json_key(&w, "object");
        if (obj == RT_NONE) {
            json_null(&w);
        } else {
            json_obj_begin(&w);
            json_key(&w, "base");
            json_addr(&w, m->objects[obj].base);
            json_key(&w, "size");
            json_u64(&w, m->objects[obj].size);
            json_key(&w, "offset");
            json_u64(&w, addr - m->objects[obj].base);
            json_obj_end(&w);
        }
        /* outside the heap: the root variable (a global) holding it */
        json_key(&w, "root");
        if (root == RT_NONE)
            json_null(&w);
        else
            cli_json_root(&w, m, root);
        json_key(&w, "root_offset");
        if (root == RT_NONE)
            json_null(&w);
        else
            json_u64(&w, addr - m->roots[root].address);
        json_key(&w, "hex");
        char *hex = rt_malloc((size_t)n * 2 + 1);
        for (uint64_t i = 0; i < n; i++)
            snprintf(hex + 2 * i, 3, "%02x", buf[i]);
        json_str(&w, hex);
        free(hex);
        json_words(&w, m, wi, nw);
        json_obj_end(&w);
        json_done(&w);
    } else {
        char desc[600];
        if (obj != RT_NONE) {
            printf("in object 0x%" PRIx64 " (%s) at +0x%" PRIx64 "\n", m->objects[obj].base,
                   cli_obj_desc(m, obj, desc, sizeof desc), addr - m->objects[obj].base);
        } else if (root != RT_NONE) {
            char b[32];
            printf("in ");
            cli_text_root(stdout, m, root);
            if (m->roots[root].size)
                printf(" (%s)", cli_bytes(m->roots[root].size, b, sizeof b));
            printf(" at +0x%" PRIx64 "; not inside a heap object\n", addr - m->roots[root].address);
        } else {
            printf("not inside a heap object or a root variable\n");
        }
        if (map)
            printf("mapping 0x%" PRIx64 "..0x%" PRIx64 ", bytes from the %s\n", map->vaddr, map->vaddr + map->size,
                   ec_src_name(map->src));
        for (uint64_t i = 0; i < n; i += 16) {
            printf("0x%016" PRIx64 "  ", addr + i);
            for (uint64_t j = i; j < i + 16; j++)
                if (j < n)
                    printf("%02x%s", buf[j], j % 8 == 7 ? "  " : " ");
                else
                    printf("   %s", j % 8 == 7 ? " " : "");
            printf("|");
            for (uint64_t j = i; j < i + 16 && j < n; j++)
                putchar(isprint(buf[j]) ? buf[j] : '.');
            printf("|\n");
        }
        text_words(m, wi, nw);
    }
    free(wi);
    rc = EXIT_OK;
out:
    free(buf);
    ec_close(core);
    cli_done(&ctx);
    return rc;
}
