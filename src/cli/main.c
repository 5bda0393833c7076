/* main.c — `retain`: dispatch to one subcommand; no logic of its own. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/output.h"
#include "loaders/go_version.h"

static const cli_cmd commands[] = {
    { "overview", cmd_overview, "what the input holds: objects, bytes, reachable, roots" },
    { "top", cmd_top, "histogram by type or allocating function" },
    { "why", cmd_why, "shortest path from a root to an object, and who allocated it" },
    { "objects", cmd_objects, "every allocated object, streamed" },
    { "roots", cmd_roots, "roots ranked by the memory they retain" },
    { "shared", cmd_shared, "memory several roots hold together, by the set of roots" },
    { "diff", cmd_diff, "what grew between two snapshots, by type, site or root" },
    { "goroutines", cmd_goroutines, "goroutines: status, wait, stack, what each keeps alive; --group folds" },
    { "sites", cmd_sites, "allocation sites: live objects, the heap profile, the roots keeping them" },
    { "dominators", cmd_dominators, "the dominator tree: what frees what" },
    { "export", cmd_export, "retention chains or the dominator tree for pprof; Graphviz" },
    { "report", cmd_report, "one self-contained HTML page: suspects, paths, tree, tables" },
    { "read", cmd_read, "hex dump of process memory from a core" },
    { "index", cmd_index, "save the analysis to FILE.rtx; every command then answers from it at once" },
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: retain COMMAND [OPTIONS] INPUT...\n"
            "\n"
            "Offline memory-retention analysis of Go programs: what keeps memory alive,\n"
            "along which path, and which code allocated it.\n"
            "\n"
            "INPUT: a Go heap dump (runtime/debug.WriteHeapDump) or an ELF core of a Go\n"
            "program, and optionally the executable and, for a stripped one, its debug\n"
            "file, in any order; each file is recognised by content.  A stripped\n"
            "executable's debug file is also looked for by build id and debuglink under\n"
            "/usr/lib/debug, each --debug-dir DIR and RETAIN_DEBUG_PATH (a:b:c), as gdb\n"
            "does.  Without DWARF anywhere a core is still read (globals unnamed,\n"
            "types from the runtime's descriptors); --symbols FILE names its globals from\n"
            "an unstripped build of the same source.  --force reads Go versions outside\n"
            "the supported ones (" GV_SUPPORTED ").  A saved index (retain index) stands\n"
            "alone for all of them.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\n"
            "Every command takes --json, and -j N (threads for loading its inputs; default:\n"
            "the processors online, or RETAIN_THREADS; answers do not depend on it).\n"
            "An index is checked whole the first time it is opened and trusted after that\n"
            "while the file is unchanged (the list: RETAIN_CACHE_DIR, else ~/.cache/retain).\n"
            "'retain help COMMAND' or 'retain COMMAND --help'\n"
            "describes one; 'retain --version' prints the version and the Go versions read.\n"
            "Exit status: 0 success, 1 bad input or failed analysis, 2 usage error.\n");
}

/* Whatever a command printed must have reached standard output: a full
 * disk or a closed pipe makes the run fail, with one line, instead of
 * exiting 0 with the output lost.  A command that failed already said
 * why in its one line.  cmd: the command, or NULL. */
static int finish(const char *cmd, int rc)
{
    rt_error err;
    rt_error_clear(&err);
    if (output_close_stdout(&err) == 0 || rc != 0)
        return rc;
    fprintf(stderr, "retain%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", err.msg);
    return EXIT_ANALYSIS;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (argc > 2 && strcmp(argv[2], "help") != 0 && strcmp(argv[2], "--help") != 0 &&
            strcmp(argv[2], "-h") != 0) { /* "retain help why" = "retain why --help" */
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    char *args[] = { argv[2], "--help", NULL };
                    return commands[i].fn(2, args);
                }
            fprintf(stderr, "retain: unknown command '%s' (see 'retain --help')\n", argv[2]);
            return EXIT_USAGE;
        }
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("retain %s\nGo %s (tested: %s)\n", RETAIN_VERSION, GV_SUPPORTED, GV_TESTED);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "retain: unknown command '%s' (see 'retain --help')\n", name);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* looked up first: option parsing reorders argv */
    const char *cmd = NULL;
    for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            cmd = commands[i].name;
    return finish(cmd, run(argc, argv));
}
