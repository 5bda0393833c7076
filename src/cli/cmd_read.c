/* cmd_read.c — `retain read ADDRESS [N]`: bytes of the process's memory
 * from a core, and the object that holds them. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "elf/elf_core.h"
#include "util/alloc.h"

static const char usage[] =
    "usage: retain read [--json] ADDRESS [N] CORE [EXE]\n"
    "\n"
    "Hex dump of N bytes (default 64, at most 1 MiB) of the process's memory at\n"
    "ADDRESS (hex), from the core or, for memory the kernel left out of it, from\n"
    "the executable; names the heap object that contains ADDRESS.\n"
    "\n"
    "  --json      print JSON\n"
    "  -h, --help  this text\n";

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
        if (cli_parse_u64(ctx.inputs[0], &n) != 0 || n == 0 || n > (1u << 20))
            return cli_usage_error(ctx.cmd, "N must be a byte count from 1 to 1048576, not '%s'", ctx.inputs[0]);
        ctx.inputs++;
        ctx.ninputs--;
    }
    rt_inputs in;
    rt_error err;
    rt_error_clear(&err);
    if (inputs_sort(ctx.inputs, ctx.ninputs, &in, &err) != 0)
        return cli_report_error(ctx.cmd, &err);
    if (!in.core)
        return cli_usage_error(ctx.cmd, "read needs a core (a heap dump keeps only objects)");
    if ((rc = cli_load(&ctx)) != 0)
        return rc;
    rt_model *m = ctx.m;
    ec_core *core = NULL;
    if (ec_open(&core, in.core, m->exe_path, &err) != 0) {
        rc = cli_report_error(ctx.cmd, &err);
        cli_done(&ctx);
        return rc;
    }
    uint8_t *buf = rt_malloc((size_t)n);
    rc = ec_read(core, addr, buf, (size_t)n, &err);
    const ec_map *map = ec_find_map(core, addr);
    uint32_t obj = model_find(m, addr);
    if (rc) {
        rt_error_where(&err, in.core, RT_NO_OFFSET, "reading process memory");
        rc = cli_report_error(ctx.cmd, &err);
        goto out;
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
        json_key(&w, "hex");
        char *hex = rt_malloc((size_t)n * 2 + 1);
        for (uint64_t i = 0; i < n; i++)
            snprintf(hex + 2 * i, 3, "%02x", buf[i]);
        json_str(&w, hex);
        free(hex);
        json_obj_end(&w);
        json_done(&w);
    } else {
        char b[32];
        if (obj != RT_NONE) {
            const char *label = cli_obj_label(m, obj);
            printf("in object 0x%" PRIx64 " (%s%s%s) at +0x%" PRIx64 "\n", m->objects[obj].base,
                   cli_bytes(m->objects[obj].size, b, sizeof b), *label ? ", " : "", label,
                   addr - m->objects[obj].base);
        } else {
            printf("not inside a heap object\n");
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
    }
    rc = EXIT_OK;
out:
    free(buf);
    ec_close(core);
    cli_done(&ctx);
    return rc;
}
