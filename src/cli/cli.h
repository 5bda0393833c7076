/* cli.h — what the subcommands share: options common to all, loading
 * inputs with progress, and the exit codes. */
#ifndef RETAIN_CLI_H
#define RETAIN_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "io/input_unpack.h"
#include "loaders/inputs.h"
#include "model/model.h"
#include "report/json.h"

enum { EXIT_OK = 0, EXIT_ANALYSIS = 1, EXIT_USAGE = 2 };

typedef struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_cmd;

/* The per-run context: one per command invocation, passed down. */
typedef struct cli_ctx {
    const char *cmd;
    int json;
    int force;          /* --force: read unsupported Go versions anyway */
    const char *symbols; /* --symbols FILE: names for a stripped executable */
    const char *profile; /* --profile FILE: a heap profile to join (also given as an input) */
    int threads;        /* -j N; 0: rt_threads_default() */
    int profile_alone_ok; /* the command answers from a heap profile alone */
    int want_reverse;   /* the command will need the reverse graph (the dominator tree) */
    /* --debug-dir DIR (repeatable), then RETAIN_DEBUG_PATH's directories */
    const char *debug_dirs[33];
    int ndebug_dirs;
    char *debug_env;    /* owned copy of RETAIN_DEBUG_PATH, split in place */
    int ndebug_given;   /* debug_dirs before RETAIN_DEBUG_PATH's */
    char **inputs;      /* positional inputs (borrowed from argv) */
    int ninputs;
    int dashdash;       /* inputs before a "--" (diff: the old side), -1 without one */
    rt_model *m;
    /* inputs unpacked into temporary files (gzip, zstd, standard input),
     * open until cli_done (no allocation: an early error return of the
     * command leaks nothing) */
    input_unpacked unpacked[64];
    int nunpacked;
    /* progress display */
    double start;
    int progress_shown;
    /* read: the inputs must hold a core, which stays open with its
     * executable after cli_load (in), until cli_done */
    int keep_core;
    int have_in;
    rt_inputs in;
} cli_ctx;

/* Print "retain CMD: message" for a usage error; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a one-line error; returns EXIT_ANALYSIS (or EXIT_USAGE for usage errors). */
int cli_report_error(const char *cmd, const rt_error *err);

struct option;
int cli_parse(cli_ctx *ctx, int argc, char **argv, const char *usage,
              const struct option *extra, int (*on_opt)(cli_ctx *, int, const char *, void *),
              void *st);

/* Load ctx->inputs into ctx->m.  Returns EXIT_OK or an exit code. */
int cli_load(cli_ctx *ctx);

/* n bytes of the core's memory at addr: 0, or 1 when the core does not
 * hold them (err says why).  A file that shrinks meanwhile (SIGBUS on the
 * mapping) ends the process with the one-line error, as during cli_load. */
struct ec_core;
int cli_read_memory(cli_ctx *ctx, struct ec_core *core, const char *path, uint64_t addr, void *buf, size_t n,
                    rt_error *err);
void cli_done(cli_ctx *ctx);

/* The ADDRESS operand, wherever it stands (hex, and not a file's name):
 * 1 and the operand consumed, or 0 if there is none, or -1 after a usage
 * error when there are two. */
int cli_take_address(cli_ctx *ctx, uint64_t *addr);
/* The object containing addr, or RT_NONE after printing a one-line error. */
uint32_t cli_find_object(cli_ctx *ctx, uint64_t addr);
/* A name operand instead of an ADDRESS ("main.sessionCache"), taken out
 * of the inputs; NULL if none. */
const char *cli_take_name(cli_ctx *ctx);
/* The root called name, or RT_NONE after a message on stderr. */
uint32_t cli_find_root(cli_ctx *ctx, const char *name);
/* The object a root's first pointer word points at, RT_NONE if none. */
uint32_t cli_root_object(const rt_model *m, uint32_t root);
/* The dominator tree and retained sizes of ctx->m.  Field offsets are
 * released first (nothing after this prints paths), forward edges after
 * the tree's search; flags adds to that (RETAINED_KEEP_REVERSE).  0, or an
 * exit code after printing the error. */
struct rt_retained;
int cli_retained(cli_ctx *ctx, struct rt_retained *r, int flags);

/* Load one snapshot (inputs[0..n)) and summarise it by each of
 * by[0..nby) into out[k] (a by of -1: type, or site for a heap profile
 * alone; resolved in place); out[k].heap is 0 for a heap profile alone,
 * which has sites only; types get their retained bytes only when
 * retained is set (out[k].retained).  The model is freed before returning, so two
 * snapshots are never held at once (diff, report --diff).  EXIT_OK or an
 * exit code after printing the error. */
struct rt_groups;
int cli_summarise(cli_ctx *ctx, char **inputs, int n, int *by, int nby, int retained, struct rt_groups *out);

/* The default --min-bytes of dominators and export --format dot: 0.1% of
 * what the start node retains, so both cut the same tree the same way. */
static inline uint64_t cli_default_min_bytes(uint64_t start_retained) { return start_retained / 1000; }

/* Parse "0x1234" / "1234" (hex). */
int cli_parse_addr(const char *s, uint64_t *out);
int cli_parse_u64(const char *s, uint64_t *out);
/* A byte count as people type it: 4096, 512KiB, 1MiB, 2G (binary), 1MB
 * (decimal); 0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);

/* "12.3 MiB" */
const char *cli_bytes(uint64_t n, char *buf, size_t len);

/* Text helpers shared by commands. */
void cli_print_partial_text(const rt_model *m, FILE *f);
void cli_json_inputs(json_w *w, const rt_model *m);
/* type, else allocating function, else "(unknown type, not sampled)" */
const char *cli_obj_label(const rt_model *m, uint32_t obj);
/* "112 B, main.newSession": size and label, for inside parentheses */
const char *cli_obj_desc(const rt_model *m, uint32_t obj, char *buf, size_t len);
void cli_json_root(json_w *w, const rt_model *m, uint32_t root);
/* The same fields inside an object the caller opened (to add its own). */
void cli_json_root_fields(json_w *w, const rt_model *m, uint32_t root);
void cli_text_root(FILE *f, const rt_model *m, uint32_t root);

int cmd_overview(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_why(int argc, char **argv);
int cmd_objects(int argc, char **argv);
int cmd_roots(int argc, char **argv);
int cmd_dominators(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_shared(int argc, char **argv);
int cmd_sites(int argc, char **argv);
int cmd_goroutines(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_index(int argc, char **argv);

#endif
