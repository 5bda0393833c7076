/* test_exe_file.c — the executable handle (src/loaders/elf/exe_file.c)
 * and the file under it (src/elf/elf_file.c), on this test's own
 * executable (an ELF file that is not Go).
 *
 * The handle's promise is that the file is opened once: so the test opens
 * a copy, moves the copy's path away, and then asks for everything the
 * handle reads lazily — a reader that opened the path again would fail.
 * Also: bounds of the byte views and link-time reads, errors naming the
 * file in one line, a file rewritten in place is noticed, a debug file
 * attached is closed with its executable (LeakSanitizer checks). */
#include <fcntl.h>
#include <sys/stat.h>

#include "elf/elf_file.h"
#include "loaders/elf/elf_debugfile.h"
#include "loaders/elf/exe_file.h"
#include "test_check.h"

typedef struct tctx {
    tcheck c;
    char dir[256];
} tctx;

static bool one_line(const rt_error *e)
{
    char line[1200];
    rt_error_format(e, line, sizeof line);
    return strpbrk(line, "\n\r") == NULL && line[0];
}

/* A copy of this test's executable in t->dir, named name. */
static bool copy_self(tctx *t, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", t->dir, name);
    return sh("cp /proc/%d/exe '%s'", (int)getpid(), out) == 0;
}

static void test_missing(tctx *t)
{
    exe_file *x = (exe_file *)1;
    rt_error err;
    rt_error_clear(&err);
    CHECK(t, exe_open(&x, "/nonexistent/retain-exe", "executable", &err) == -RT_E_IO && x == NULL);
    CHECK(t, strcmp(err.input, "/nonexistent/retain-exe") == 0 && one_line(&err));
    exe_close(NULL);
}

/* Everything lazily read comes from the open file, not from its path. */
static void test_opened_once(tctx *t)
{
    char path[512], moved[600];
    if (!CHECK(t, copy_self(t, "self", path, sizeof path)))
        return;
    exe_file *x;
    rt_error err;
    rt_error_clear(&err);
    if (!CHECK(t, exe_open(&x, path, "executable", &err) == 0)) {
        print_err("exe_open", &err);
        return;
    }
    snprintf(moved, sizeof moved, "%s.moved", path);
    CHECK(t, rename(path, moved) == 0);

    const elf_debug_ids *ids, *again;
    CHECK(t, exe_ids(x, &ids, &err) == 0 && ids->has_code);
    CHECK(t, exe_ids(x, &again, &err) == 0 && again == ids); /* read once, kept */
    CHECK(t, exe_is_go(x) == 0);

    const elf_symtab *st;
    CHECK(t, exe_symtab(x, &st, &err) == 0 && st->has_symtab);
    bool has_main = false;
    for (size_t i = 0; st && i < st->nfuncs; i++)
        has_main |= strcmp(st->funcs[i].name, "main") == 0;
    CHECK(t, has_main);

    /* not Go: no pc-value table, said in one line naming the file */
    gp_table *tab = (gp_table *)1;
    rt_error_clear(&err);
    CHECK(t, exe_pcln(x, 0, &tab, &err) == -RT_E_FORMAT && tab == NULL);
    CHECK(t, strcmp(err.input, path) == 0 && strstr(err.msg, ".gopclntab") && one_line(&err));

    /* link-time reads: .text's bytes are the file's, and never past a
     * section's end */
    elf_file *f = exe_elf_file(x);
    GElf_Shdr sh;
    if (CHECK(t, ef_section(f, ".text", &sh, NULL) && sh.sh_size >= 16)) {
        uint8_t got[16];
        const uint8_t *want = ef_bytes(f, sh.sh_offset, 16);
        CHECK(t, want && exe_read(x, sh.sh_addr, got, 16) == 0 && memcmp(got, want, 16) == 0);
        /* sections do not overlap: none holds bytes on both sides of
         * .text's end */
        CHECK(t, exe_read(x, sh.sh_addr + sh.sh_size - 8, got, 16) != 0);
        CHECK(t, exe_read(x, 0, got, 16) != 0);
    }
    CHECK(t, ef_bytes(f, f->size, 0) != NULL && ef_bytes(f, f->size, 1) == NULL);
    CHECK(t, ef_bytes(f, 1, UINT64_MAX) == NULL);
    CHECK(t, !ef_section(f, ".no-such-section", &sh, NULL));

    /* DWARF, when this build has any, is read from the descriptor too:
     * whatever libdwarf makes of C DWARF, it is not "cannot open" */
    dw_info *dw;
    rt_error_clear(&err);
    int rc = exe_dwarf(x, &dw, &err);
    CHECK(t, rc == 0 || (err.code != RT_E_IO && one_line(&err)));
    CHECK(t, ef_unchanged(f));
    exe_close(x);
    unlink(moved);
}

/* A file rewritten in place while open is noticed. */
static void test_changed(tctx *t)
{
    char path[512];
    if (!CHECK(t, copy_self(t, "changed", path, sizeof path)))
        return;
    elf_file *f;
    rt_error err;
    rt_error_clear(&err);
    if (!CHECK(t, ef_open(&f, path, "executable", &err) == 0))
        return;
    CHECK(t, ef_unchanged(f));
    FILE *w = fopen(path, "ab");
    if (w) {
        fputc(0, w);
        fclose(w);
    }
    CHECK(t, !ef_unchanged(f));
    ef_close(f);
    unlink(path);
}

/* Two builds that are nobody's debug file: refused; an attached debug
 * handle is the executable's to close. */
static void test_debug_pair(tctx *t)
{
    char a[512], b[512];
    if (!CHECK(t, copy_self(t, "a", a, sizeof a) && copy_self(t, "b", b, sizeof b)))
        return;
    exe_file *xa, *xb;
    rt_error err;
    rt_error_clear(&err);
    if (!CHECK(t, exe_open(&xa, a, "executable", &err) == 0 && exe_open(&xb, b, "executable", &err) == 0))
        return;
    int debug_is_b = -1;
    CHECK(t, elf_debug_pair(xa, xb, &debug_is_b, &err) == -RT_E_USAGE && one_line(&err));
    exe_debug_attach(xa, xb);
    CHECK(t, exe_debug(xa) == xb);
    exe_file *src;
    CHECK(t, elf_debug_source(xa, NULL, &src, &err) == 0 && src == xb); /* the attached one */
    exe_close(xa); /* and xb with it */
    unlink(a);
    unlink(b);
}

int main(void)
{
    tctx t;
    memset(&t, 0, sizeof t);
    snprintf(t.dir, sizeof t.dir, "%s/retain-test-exe-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(t.dir)) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    test_missing(&t);
    test_opened_once(&t);
    test_changed(&t);
    test_debug_pair(&t);
    rmdir(t.dir);
    return check_summary(&t.c);
}
