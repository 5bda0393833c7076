/* cli_common.c — loading, errors, progress and formatting shared by
 * the subcommands. */
#include "cli/cli.h"
#include "io/input_unpack.h"
#include "elf/elf_core.h"
#include "io/sigbus_guard.h"

#include "analysis/retained.h"
#include "report/labels.h"
#include "util/alloc.h"
#include "util/threads.h"

#include <getopt.h>

#include <errno.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "retain%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'retain %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

int cli_report_error(const char *cmd, const rt_error *err)
{
    char line[1200];
    rt_error_format(err, line, sizeof line);
    if (err->code == RT_E_USAGE) { /* the same hint as every other usage error */
        fprintf(stderr, "retain %s: %s (see 'retain %s --help')\n", cmd, line, cmd);
        return EXIT_USAGE;
    }
    fprintf(stderr, "retain %s: %s\n", cmd, line);
    return EXIT_ANALYSIS;
}

/* Progress goes to a terminal only, and only once work has run > 1 s. */
static void show_progress(void *arg, const char *phase, uint64_t done, uint64_t total)
{
    cli_ctx *ctx = arg;
    if (!isatty(STDERR_FILENO) || now() - ctx->start < 1.0)
        return;
    fprintf(stderr, "\rretain: %s %3.0f%%   ", phase, total ? 100.0 * (double)done / (double)total : 0.0);
    ctx->progress_shown = 1;
}

static void end_progress(cli_ctx *ctx)
{
    if (ctx->progress_shown)
        fprintf(stderr, "\r%60s\r", "");
    ctx->progress_shown = 0;
}

/* The one-line error for a mapped input that shrank under us (SIGBUS),
 * and the end of the process: the jump left whatever the interrupted
 * code held half-built, so nothing is cleaned up (nor reported as leaked
 * by a sanitizer's exit handler); nothing was printed on stdout yet. */
static _Noreturn void input_changed(const char *cmd, const char *path)
{
    struct stat now_st;
    fprintf(stderr, "retain %s: %s: an input changed while it was read (it is now %lld bytes): a core must "
                    "not be truncated or rewritten while retain reads it; copy it first and read the copy\n",
            cmd, path ? path : "?", stat(path ? path : "", &now_st) == 0 ? (long long)now_st.st_size : -1LL);
    fflush(stdout);
    _exit(EXIT_ANALYSIS);
}

int cli_read_memory(cli_ctx *ctx, struct ec_core *core, const char *path, uint64_t addr, void *buf, size_t n,
                    rt_error *err)
{
    static sigjmp_buf jump; /* static: survives the jump */
    if (sigsetjmp(jump, 1))
        input_changed(ctx->cmd, path);
    sigbus_guard_on(&jump);
    int rc = ec_read(core, addr, buf, n, err);
    sigbus_guard_off();
    return rc ? 1 : 0;
}

/* Close the inputs unpack opened as they are (fds[i] >= 0 that is not
 * an unpacked copy, which ctx keeps). */
static void close_plain(const int *fds, int n, const cli_ctx *ctx)
{
    for (int i = 0; i < n; i++) {
        int unpacked = 0;
        for (int k = 0; k < ctx->nunpacked; k++)
            unpacked |= ctx->unpacked[k].fd == fds[i];
        if (fds[i] >= 0 && !unpacked)
            close(fds[i]);
    }
}

int cli_load(cli_ctx *ctx)
{
    rt_error err;
    rt_inputs in;
    rt_error_clear(&err);
    /* --profile FILE is one more input, recognised like the others; a
     * compressed dump or core, or standard input, is read from an unpacked
     * copy */
    char *paths[64];
    int fds[64]; /* each input as unpack opened it (-1: not open), read by inputs_sort */
    int n = 0;
    for (int i = 0; i < ctx->nunpacked; i++) /* a second load (diff) */
        input_unpacked_close(&ctx->unpacked[i]);
    ctx->nunpacked = 0;
    for (int i = 0; i < ctx->ninputs && n < 63; i++) {
        input_unpacked *u = &ctx->unpacked[ctx->nunpacked];
        int plain;
        if (input_unpack(ctx->inputs[i], u, &plain, &err) != 0) {
            close_plain(fds, n, ctx);
            return cli_report_error(ctx->cmd, &err);
        }
        if (u->fd >= 0) {
            ctx->nunpacked++;
            fds[n] = u->fd;
            paths[n++] = u->path;
        } else {
            fds[n] = plain;
            paths[n++] = ctx->inputs[i];
        }
    }
    if (ctx->profile) {
        fds[n] = -1;
        paths[n++] = (char *)ctx->profile;
    }
    if (n == 0)
        return cli_usage_error(ctx->cmd,
                               "no input given: name a heap dump or an ELF core (and optionally the executable)");
    if (ctx->ninputs >= 63) {
        close_plain(fds, n, ctx);
        return cli_usage_error(ctx->cmd, "too many inputs (%d)", ctx->ninputs);
    }
    int sorted = inputs_sort_fds(paths, fds, n, &in, &err);
    close_plain(fds, n, ctx); /* what inputs_sort keeps, it holds its own descriptors on */
    if (sorted != 0) {
        if (err.code == RT_E_USAGE && in.exe && !in.dump && !in.core && !in.profile && !in.index)
            return cli_usage_error(ctx->cmd, "%s is an executable: name the heap dump or core it belongs to "
                                             "as well", in.exe);
        return cli_report_error(ctx->cmd, &err);
    }
    in.force = ctx->force;
    in.symbols = ctx->symbols;
    in.threads = ctx->threads ? ctx->threads : rt_threads_default();
    in.want_reverse = ctx->want_reverse;
    if (ctx->profile && in.profile != ctx->profile) {
        inputs_release(&in);
        return cli_usage_error(ctx->cmd, "--profile %s: not a pprof heap profile", ctx->profile);
    }
    if (!in.dump && !in.core && !in.index && !ctx->profile_alone_ok) {
        inputs_release(&in);
        return cli_usage_error(ctx->cmd, "a heap profile alone has no objects or retention paths: give the "
                                         "core or heap dump too ('overview', 'sites' and 'top --by site' "
                                         "answer from a profile alone)");
    }
    if (ctx->keep_core && (in.index || !in.core)) {
        inputs_release(&in);
        if (in.index)
            return cli_usage_error(ctx->cmd, "%s is an index, which keeps the heap's objects, not the process's "
                                             "memory: give the core it was made from", in.index);
        return cli_usage_error(ctx->cmd, "%s needs a core (a heap dump keeps only objects)", ctx->cmd);
    }
    in.keep_open = ctx->keep_core;
    /* where to look for a stripped executable's debug file: --debug-dir
     * first, then RETAIN_DEBUG_PATH (colon-separated), then /usr/lib/debug */
    const char *env = getenv("RETAIN_DEBUG_PATH");
    if (env && *env && !ctx->debug_env) {
        ctx->ndebug_given = ctx->ndebug_dirs;
        ctx->debug_env = rt_strdup(env);
        for (char *save = NULL, *d = strtok_r(ctx->debug_env, ":", &save); d && ctx->ndebug_dirs < 32;
             d = strtok_r(NULL, ":", &save))
            ctx->debug_dirs[ctx->ndebug_dirs++] = d;
    }
    ctx->debug_dirs[ctx->ndebug_dirs] = NULL;
    in.debug_dirs = ctx->debug_dirs;
    rt_progress prog = { show_progress, ctx };
    ctx->start = now();
    /* a core (or executable) that shrinks while mapped: one line, not a
     * bus error */
    static sigjmp_buf jump; /* static: survives the jump; one load at a time */
    const char *heap = in.index ? in.index : in.core ? in.core : in.dump;
    if (sigsetjmp(jump, 1)) {
        end_progress(ctx);
        input_changed(ctx->cmd, heap);
    }
    sigbus_guard_on(&jump);
    int rc = inputs_load(&in, &prog, &ctx->m, &err);
    sigbus_guard_off();
    end_progress(ctx);
    if (rc) {
        inputs_release(&in);
        return cli_report_error(ctx->cmd, &err);
    }
    if (in.keep_open) {
        ctx->in = in;
        ctx->have_in = 1;
    }
    struct stat st;
    if (in.index) {
        /* the index stays mapped while the command runs */
        char line[1200];
        snprintf(line, sizeof line, "retain %s: %s: the index changed while it was read: it must not be "
                 "truncated or rewritten meanwhile; make it again with 'retain index'", ctx->cmd, in.index);
        sigbus_exit_on(line);
        if (ctx->m->stale)
            fprintf(stderr, "retain %s: warning: %s\n", ctx->cmd, ctx->m->stale);
    } else if (ctx->m->input_path && stat(ctx->m->input_path, &st) == 0) {
        ctx->m->input_size = (uint64_t)st.st_size;
    }
    /* name an unpacked input as the user gave it */
    for (int i = 0, k = 0; i < ctx->ninputs && k < ctx->nunpacked; i++) {
        if (!ctx->m->input_path || strcmp(ctx->m->input_path, ctx->unpacked[k].path) != 0) {
            if (strcmp(paths[i], ctx->unpacked[k].path) == 0)
                k++;
            continue;
        }
        char buf[600];
        snprintf(buf, sizeof buf, "%s (%s)", ctx->inputs[i], ctx->unpacked[k].how);
        free(ctx->m->input_path);
        ctx->m->input_path = rt_strdup(buf);
        break;
    }
    if (ctx->m->partial && !ctx->json)
        fprintf(stderr, "retain %s: warning: %s: partial input: %s\n", ctx->cmd, ctx->m->input_path,
                ctx->m->partial_reason);
    return EXIT_OK;
}

void cli_done(cli_ctx *ctx)
{
    model_free(ctx->m);
    ctx->m = NULL;
    if (ctx->have_in)
        inputs_release(&ctx->in);
    ctx->have_in = 0;
    for (int i = 0; i < ctx->nunpacked; i++)
        input_unpacked_close(&ctx->unpacked[i]);
    ctx->nunpacked = 0;
    if (ctx->debug_env) /* its directories go with it (diff loads again) */
        ctx->ndebug_dirs = ctx->ndebug_given;
    free(ctx->debug_env);
    ctx->debug_env = NULL;
}

int cli_parse_addr(const char *s, uint64_t *out)
{
    char *end;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!*s)
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 16);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
    static const struct { const char *unit; uint64_t mult; } units[] = {
        { "", 1 }, { "B", 1 }, { "K", 1ULL << 10 }, { "KiB", 1ULL << 10 }, { "KB", 1000 },
        { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "MB", 1000000 }, { "G", 1ULL << 30 },
        { "GiB", 1ULL << 30 }, { "GB", 1000000000 }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
    };
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(end, units[i].unit) == 0) {
            if (v > UINT64_MAX / units[i].mult)
                return -1;
            *out = v * units[i].mult;
            return 0;
        }
    return -1;
}

const char *cli_bytes(uint64_t n, char *buf, size_t len)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%" PRIu64 " B", n);
    else
        snprintf(buf, len, "%.1f %s", v, units[u]);
    return buf;
}

void cli_print_partial_text(const rt_model *m, FILE *f)
{
    if (m->partial)
        fprintf(f, "PARTIAL RESULT: %s.\n", m->partial_reason);
    if (m->roots_lost[0])
        fprintf(f, "REACHABILITY UNKNOWN: roots were lost (%s); reachable, retained and shared "
                   "figures count only what the roots read reach.\n", m->roots_lost);
}

/* What every JSON answer says first: the inputs used, and whether the
 * heap input was read whole. */
void cli_json_inputs(json_w *w, const rt_model *m)
{
    static const char *const kinds[] = { "none", "heap dump", "core", "heap profile" };
    json_key(w, "inputs");
    json_obj_begin(w);
    json_key(w, "kind");
    json_str(w, kinds[m->input_kind < 4 ? m->input_kind : 0]);
    json_key(w, "path");
    json_str_or_null(w, m->input_path);
    json_key(w, "executable");
    json_str_or_null(w, m->exe_path);
    json_key(w, "debug_file");
    json_str_or_null(w, m->debug_path);
    json_key(w, "symbols");
    json_str_or_null(w, m->symbols_path);
    json_key(w, "profile");
    json_str_or_null(w, m->profile_path);
    json_key(w, "index");
    json_str_or_null(w, m->index_path);
    json_obj_end(w);
    json_key(w, "partial");
    if (!m->partial) {
        json_null(w);
        return;
    }
    json_obj_begin(w);
    json_key(w, "offset");
    json_u64(w, m->partial_offset);
    json_key(w, "reason");
    json_str(w, m->partial_reason);
    json_key(w, "roots_lost");
    json_str_or_null(w, m->roots_lost[0] ? m->roots_lost : NULL);
    json_obj_end(w);
}

const char *cli_obj_label(const rt_model *m, uint32_t obj)
{
    return report_obj_label(m, obj);
}

const char *cli_obj_desc(const rt_model *m, uint32_t obj, char *buf, size_t len)
{
    char b[32];
    const char *label = report_obj_label(m, obj);
    size_t ll = strlen(label);
    /* "48 B, unknown type, not sampled": no parentheses inside the
     * parentheses the callers put around this */
    if (ll >= 2 && label[0] == '(' && label[ll - 1] == ')')
        snprintf(buf, len, "%s, %.*s", cli_bytes(m->objects[obj].size, b, sizeof b), (int)(ll - 2), label + 1);
    else
        snprintf(buf, len, "%s, %s", cli_bytes(m->objects[obj].size, b, sizeof b), label);
    return buf;
}

void cli_json_root(json_w *w, const rt_model *m, uint32_t root)
{
    json_obj_begin(w);
    cli_json_root_fields(w, m, root);
    json_obj_end(w);
}

void cli_json_root_fields(json_w *w, const rt_model *m, uint32_t root)
{
    const rt_root *r = &m->roots[root];
    json_key(w, "kind");
    json_str(w, rt_root_kind_name(r->kind));
    json_key(w, "name");
    json_str_or_null(w, strpool_get(m->strings, r->name));
    json_key(w, "function");
    json_str_or_null(w, strpool_get(m->strings, r->function));
    json_key(w, "goroutine");
    if (r->goroutine == RT_NO_GOROUTINE)
        json_null(w);
    else
        json_u64(w, r->goroutine);
    json_key(w, "variable");
    json_str_or_null(w, strpool_get(m->strings, r->variable));
    json_key(w, "address");
    json_addr(w, r->address);
    if (r->conservative) {
        json_key(w, "conservative");
        json_bool(w, 1);
    }
}

void cli_text_root(FILE *f, const rt_model *m, uint32_t root)
{
    const rt_root *r = &m->roots[root];
    const char *name = strpool_get(m->strings, r->name);
    const char *fn = strpool_get(m->strings, r->function);
    const char *var = strpool_get(m->strings, r->variable);
    fprintf(f, "%s", rt_root_kind_name(r->kind));
    if (*name)
        fprintf(f, " %s", name);
    if (r->goroutine != RT_NO_GOROUTINE)
        fprintf(f, " goroutine %" PRIu64, r->goroutine);
    if (*fn)
        fprintf(f, " %s", fn);
    if (*var)
        fprintf(f, " %s", var);
    fprintf(f, " @0x%" PRIx64, r->address);
    if (r->conservative)
        fprintf(f, " (conservative)");
}

/* The option getopt just refused, in one wording: "option X: unknown",
 * "option X: missing its value", "option X: takes no value", "option X:
 * ambiguous".  c is ':' (missing value) or '?'.  getopt leaves optind past
 * the token it finished, so argv[optind - 1] is a long option's token;
 * a short option is optopt (0 for a long one). */
static int option_error(cli_ctx *ctx, int c, const struct option *all, char **argv, int end)
{
    const char *tok = optind >= 2 && optind - 1 < end ? argv[optind - 1] : "";
    int is_long = strncmp(tok, "--", 2) == 0 && (optopt == 0 || optopt >= 0x80 || c == ':' ||
                                                  strchr(tok, '=') != NULL);
    if (!is_long) {
        if (optopt >= '0' && optopt <= '9') {
            /* "-5": a negative number where a count or size was meant;
             * the token is the one just finished, or still being read */
            const char *num = tok[0] == '-' && tok[1] >= '0' && tok[1] <= '9' ? tok
                            : optind < end && argv[optind][0] == '-' ? argv[optind] : "-?";
            return cli_usage_error(ctx->cmd, "'%s' is a negative number, not an option: counts, sizes and "
                                             "addresses are positive", num);
        }
        if (c == ':')
            return cli_usage_error(ctx->cmd, "option -%c: missing its value", optopt);
        return cli_usage_error(ctx->cmd, "option -%c: unknown", optopt);
    }
    size_t nl = strcspn(tok + 2, "=");
    if (c == ':')
        return cli_usage_error(ctx->cmd, "option --%.*s: missing its value", (int)nl, tok + 2);
    if (optopt != 0 && tok[2 + nl] == '=')
        return cli_usage_error(ctx->cmd, "option --%.*s: takes no value, but was given '%s'", (int)nl, tok + 2,
                               tok + 3 + nl);
    /* an abbreviation of more than one option, or of none */
    char names[256] = "";
    size_t w = 0;
    int nmatch = 0;
    for (const struct option *o = all; o->name; o++)
        if (strncmp(o->name, tok + 2, nl) == 0 && w < sizeof names) {
            w += (size_t)snprintf(names + w, sizeof names - w, "%s--%s", nmatch ? " or " : "", o->name);
            nmatch++;
        }
    if (nmatch > 1)
        return cli_usage_error(ctx->cmd, "option --%.*s: ambiguous (%s?)", (int)nl, tok + 2, names);
    return cli_usage_error(ctx->cmd, "option --%.*s: unknown", (int)nl, tok + 2);
}

/* Options every command takes (--json, --help) plus the command's own,
 * given as extra (terminated by a zero entry) and handled by on_opt,
 * which returns 0 or a usage exit code.  Returns -1 to go on, or the
 * exit code to return now (after --help, or on a usage error). */
int cli_parse(cli_ctx *ctx, int argc, char **argv, const char *usage,
              const struct option *extra, int (*on_opt)(cli_ctx *, int, const char *, void *),
              void *st)
{
    struct option all[24];
    size_t n = 0;
    all[n++] = (struct option){ "json", no_argument, NULL, 0x100 };
    all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
    all[n++] = (struct option){ "force", no_argument, NULL, 0x101 };
    all[n++] = (struct option){ "debug-dir", required_argument, NULL, 0x102 };
    all[n++] = (struct option){ "symbols", required_argument, NULL, 0x103 };
    all[n++] = (struct option){ "profile", required_argument, NULL, 0x104 };
    all[n++] = (struct option){ "threads", required_argument, NULL, 'j' };
    for (size_t common = n; extra && extra[n - common].name && n < 23; n++)
        all[n] = extra[n - common];
    all[n] = (struct option){ 0, 0, 0, 0 };
    /* ':' after '+': getopt returns ':' for a missing value, '?' for an
     * unknown option, so the error can say which it is */
    char shorts[64] = "+:h";
    size_t k = 3;
    for (size_t i = 3; i < n && k + 2 < sizeof shorts; i++) {
        if (all[i].val > 0 && all[i].val < 0x80) {
            shorts[k++] = (char)all[i].val;
            if (all[i].has_arg == required_argument)
                shorts[k++] = ':';
        }
    }
    shorts[k] = 0;
    optind = 0;
    opterr = 0;
    int c;
    /* "+" stops at the first operand; inputs and options may mix, so
     * parse in rounds and collect operands in place. */
    int nin = 0;
    /* getopt's own "--" handling does not mix with collecting operands
     * in rounds: parse up to "--" and take everything after it as is. */
    int end = argc;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            end = i;
            break;
        }
    for (;;) {
        c = getopt_long(end, argv, shorts, all, NULL);
        if (c == -1) {
            if (optind >= end)
                break;
            argv[nin++] = argv[optind++]; /* operand: keep, then go on */
            continue;
        }
        if (c == 'h') {
            fputs(usage, stdout);
            return EXIT_OK;
        }
        if (c == 0x100) {
            ctx->json = 1;
            continue;
        }
        if (c == 0x101) {
            ctx->force = 1;
            continue;
        }
        if (c == 0x102) {
            if (ctx->ndebug_dirs >= 16)
                return cli_usage_error(ctx->cmd, "--debug-dir: 16 directories at most");
            ctx->debug_dirs[ctx->ndebug_dirs++] = optarg;
            continue;
        }
        if (c == 0x103) {
            ctx->symbols = optarg;
            continue;
        }
        if (c == 0x104) {
            ctx->profile = optarg;
            continue;
        }
        if (c == 'j') {
            char *e;
            long v = strtol(optarg, &e, 10);
            if (*e || v < 1 || v > RT_MAX_THREADS)
                return cli_usage_error(ctx->cmd, "-j takes a number of threads from 1 to %d, not '%s'",
                                       RT_MAX_THREADS, optarg);
            ctx->threads = (int)v;
            continue;
        }
        if (c == '?' || c == ':')
            return option_error(ctx, c, all, argv, end);
        int rc = on_opt ? on_opt(ctx, c, optarg, st) : EXIT_USAGE;
        if (rc)
            return rc;
    }
    ctx->dashdash = end < argc ? nin : -1;
    for (int i = end + 1; i < argc; i++)
        argv[nin++] = argv[i];
    ctx->inputs = argv;
    ctx->ninputs = nin;
    return -1;
}

int cli_take_address(cli_ctx *ctx, uint64_t *addr)
{
    /* the operand that is no file and reads as hex, wherever it stands */
    int found = 0;
    uint64_t a;
    for (int i = 0; i < ctx->ninputs; i++) {
        if (access(ctx->inputs[i], F_OK) == 0 || cli_parse_addr(ctx->inputs[i], &a) != 0)
            continue;
        if (found) {
            cli_usage_error(ctx->cmd, "one ADDRESS only: '%s' is a second address (or a missing file)",
                            ctx->inputs[i]);
            return -1;
        }
        *addr = a;
        found = 1;
        for (int j = i; j + 1 < ctx->ninputs; j++)
            ctx->inputs[j] = ctx->inputs[j + 1];
        ctx->ninputs--;
        i--;
    }
    return found;
}

const char *cli_take_name(cli_ctx *ctx)
{
    /* an operand that is no file and no hex number but reads as a Go name
     * ("main.sessionCache", "pkg/path.Var") */
    uint64_t a;
    for (int i = 0; i < ctx->ninputs; i++) {
        const char *s = ctx->inputs[i];
        if (access(s, F_OK) == 0 || cli_parse_addr(s, &a) == 0 || !strchr(s, '.') || s[0] == '-' || s[0] == '.')
            continue;
        for (int j = i; j + 1 < ctx->ninputs; j++)
            ctx->inputs[j] = ctx->inputs[j + 1];
        ctx->ninputs--;
        return s;
    }
    return NULL;
}

uint32_t cli_find_root(cli_ctx *ctx, const char *name)
{
    const rt_model *m = ctx->m;
    for (uint32_t i = 0; i < m->nroot; i++)
        if (strcmp(strpool_get(m->strings, m->roots[i].name), name) == 0)
            return i;
    fprintf(stderr, "retain %s: %s: no root of that name (a global's full name, e.g. main.sessionCache; "
                    "'retain roots' lists them)\n", ctx->cmd, name);
    return RT_NONE;
}

uint32_t cli_root_object(const rt_model *m, uint32_t root)
{
    /* what the variable points at: its first pointer word's target */
    uint32_t v = m->nobj + root, best = RT_NONE, best_off = UINT32_MAX;
    for (uint64_t e = m->edge_start[v]; e < m->edge_start[v + 1]; e++) {
        uint32_t off = m->edge_off ? m->edge_off[e] : 0;
        if (m->edge_dst[e] < m->nobj && (best == RT_NONE || off < best_off)) {
            best = m->edge_dst[e];
            best_off = off;
        }
    }
    return best;
}

uint32_t cli_find_object(cli_ctx *ctx, uint64_t addr)
{
    const rt_model *m = ctx->m;
    uint32_t id = model_find(m, addr);
    if (id == RT_NONE)
        fprintf(stderr,
                "retain %s: 0x%" PRIx64 ": no allocated object contains this address "
                "(objects lie in 0x%" PRIx64 "..0x%" PRIx64 "%s)\n",
                ctx->cmd, addr, m->nobj ? m->objects[0].base : 0,
                m->nobj ? m->objects[m->nobj - 1].base + m->objects[m->nobj - 1].size : 0,
                m->partial ? "; the input is partial" : "");
    return id;
}

int cli_retained(cli_ctx *ctx, rt_retained *r, int flags)
{
    rt_error err;
    rt_error_clear(&err);
    /* every command computes retained sizes last: nothing follows edges
     * afterwards (why has found its paths before) */
    model_release_offsets(ctx->m);
    if (retained_compute(ctx->m, r, RETAINED_LAST | flags, &err) != 0)
        return cli_report_error(ctx->cmd, &err);
    return 0;
}
