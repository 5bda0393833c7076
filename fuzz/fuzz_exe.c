/* fuzz_exe.c — libFuzzer target: arbitrary bytes as a Go executable.
 *
 * Each input is written to a memfd and read the ways retain reads an
 * executable, through one executable handle (exe_open): its symbol
 * table and Go sections (exe_symtab, with the .go.buildinfo version), its
 * build ids and debuglink (exe_ids), its pc-value table from the file
 * (exe_pcln, then every function, its frames and lines), and its DWARF
 * (exe_dwarf, the locals, the runtime layout read from it).  Errors must be one line;
 * everything is freed, so LeakSanitizer sees leaks per input.
 *
 * Seeds: small Go executables (fuzz/corpus-exe).  Run: scripts/fuzz.sh
 * SECONDS exe. */
#define FUZZ_TARGET "fuzz_exe"
#include "fuzz_input.h" /* first: it defines _GNU_SOURCE */

#include <string.h>

#include "dwarf/dwarf_info.h"
#include "loaders/elf/exe_file.h"
#include "loaders/gocore/gocore_int.h"

static fuzz_file g_input = FUZZ_FILE_INIT;

static void one_line(const rt_error *err)
{
    char line[1200];
    rt_error_format(err, line, sizeof line);
    INVARIANT(strpbrk(line, "\n\r") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_open(&g_input, "retain-fuzz-exe");
    if (fuzz_file_put(&g_input, data, size) != 0)
        return 0;
    const char *path = g_input.path;
    rt_error err;

    exe_file *x;
    rt_error_clear(&err);
    if (exe_open(&x, path, "executable", &err) != 0) {
        one_line(&err);
        return 0;
    }
    const elf_symtab *t;
    if (exe_symtab(x, &t, &err) == 0) {
        INVARIANT(strlen(t->go_version) < sizeof t->go_version);
        for (size_t i = 1; i < t->nsyms; i++)
            INVARIANT(t->syms[i - 1].addr <= t->syms[i].addr);
        uint64_t gofunc = elf_symtab_lookup(t, "go:func.*");
        gp_table *tab;
        if (exe_pcln(x, gofunc, &tab, &err) == 0) {
            uint32_t n = gp_nfunc(tab);
            gp_func f;
            gp_frame fr[8];
            for (uint32_t i = 0; i < n && i < 2000; i++) {
                if (gp_func_index(tab, i, &f) != 0)
                    continue;
                INVARIANT(f.entry <= f.end);
                (void)gp_frames(tab, f.entry, fr, 8);
                uint64_t pc;
                (void)gp_pc_of_line(tab, &f, "main.go", 10, &pc);
            }
        } else {
            one_line(&err);
        }
    } else {
        one_line(&err);
    }

    const elf_debug_ids *ids;
    rt_error_clear(&err);
    if (exe_ids(x, &ids, &err) != 0)
        one_line(&err);
    else
        INVARIANT(ids->build_id_len <= sizeof ids->build_id && ids->go_build_id_len <= sizeof ids->go_build_id);

    dw_info *dw = NULL;
    rt_error_clear(&err);
    if (exe_dwarf(x, &dw, &err) == 0) {
        rt_error e2;
        (void)dwi_load_locals(dw, &e2);
        gc_layout y;
        if (gc_layout_from_dwarf(dw, path, &y, &err) != 0)
            one_line(&err);
    } else {
        one_line(&err);
    }
    exe_close(x);
    return 0;
}
