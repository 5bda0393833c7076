/* test_dominators.c — graph_dominators against a brute-force reference.
 *
 * The reference is the definition itself: d dominates v when deleting d
 * leaves v unreachable from the root; idom(v) is the strict dominator that
 * all other strict dominators dominate; retained(v) sums the shallow sizes
 * of what v dominates.  It works on graphs of up to 64 nodes (one uint64
 * bitmask per node).  Large shaped graphs (a million-node chain, a wide
 * star, a ladder of diamonds) are checked against their known answers.
 *
 * Prints one line per failing case and "N passed, M failed" at the end;
 * exits nonzero when anything failed. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/graph_dominators.h"
#include "util/alloc.h"
#include "util/error.h"

/* ---- test bookkeeping ---------------------------------------------------- */

typedef struct tctx {
    int pass, fail;   /* finished cases */
    int cur_failed;   /* the running case has failed a check */
    int quiet;        /* do not print failures (self-test of the checker) */
    char name[128];   /* running case */
} tctx;

static void case_begin(tctx *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->name, sizeof t->name, fmt, ap);
    va_end(ap);
    t->cur_failed = 0;
}

static void case_end(tctx *t)
{
    if (t->cur_failed)
        t->fail++;
    else
        t->pass++;
}

/* Record a failed check; only the first failure of a case is printed. */
static void check_failed(tctx *t, int line, const char *fmt, ...)
{
    if (!t->cur_failed && !t->quiet) {
        va_list ap;
        printf("FAIL %s (line %d): ", t->name, line);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    t->cur_failed = 1;
}

#define CHECK(t, cond, ...)                              \
    do {                                                 \
        if (!(cond))                                     \
            check_failed((t), __LINE__, __VA_ARGS__);    \
    } while (0)

/* splitmix64: a seeded generator, so every run tests the same graphs. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t rnd_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(rnd(s) % n);
}

static double seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* ---- graphs in the two-segment form ---------------------------------------- */

/* An edge list plus the four CSR segments built from it, each its own
 * allocation so that a lo/hi mix-up reads out of bounds under ASan. */
typedef struct tgraph {
    uint32_t n, split, m, cap;
    uint32_t *src, *dst;                  /* edges in insertion order */
    uint32_t *seg_start[4], *seg_adj[4];  /* succ lo, succ hi, pred lo, pred hi */
    rt_digraph g;
} tgraph;

static void tg_init(tgraph *tg, uint32_t n)
{
    memset(tg, 0, sizeof *tg);
    tg->n = n;
    tg->split = n;
}

static void tg_edge(tgraph *tg, uint32_t a, uint32_t b)
{
    if (tg->m == tg->cap) {
        tg->cap = tg->cap ? 2 * tg->cap : 64;
        tg->src = rt_reallocarray(tg->src, tg->cap, sizeof *tg->src);
        tg->dst = rt_reallocarray(tg->dst, tg->cap, sizeof *tg->dst);
    }
    tg->src[tg->m] = a;
    tg->dst[tg->m] = b;
    tg->m++;
}

/* Counting sort of the edges by key[] into the lo/hi segments [lo, lo+1];
 * within a node, edges keep insertion order (or its reverse). */
static void build_dir(tgraph *tg, const uint32_t *key, const uint32_t *val, int lo, int reverse)
{
    uint32_t sizes[2] = {tg->split, tg->n - tg->split};
    for (int h = 0; h < 2; h++) {
        uint32_t base = h ? tg->split : 0, cnt = 0;
        uint32_t *st = rt_calloc((size_t)sizes[h] + 1, sizeof *st);
        uint32_t *fill = rt_calloc((size_t)sizes[h] + 1, sizeof *fill);
        uint32_t *adj;
        for (uint32_t e = 0; e < tg->m; e++)
            if (key[e] >= base && key[e] < base + sizes[h]) {
                st[key[e] - base + 1]++;
                cnt++;
            }
        for (uint32_t i = 0; i < sizes[h]; i++)
            st[i + 1] += st[i];
        memcpy(fill, st, ((size_t)sizes[h] + 1) * sizeof *st);
        adj = rt_malloc((size_t)cnt * sizeof *adj);
        for (uint32_t k = 0; k < tg->m; k++) {
            uint32_t e = reverse ? tg->m - 1 - k : k;
            if (key[e] >= base && key[e] < base + sizes[h])
                adj[fill[key[e] - base]++] = val[e];
        }
        free(fill);
        tg->seg_start[lo + h] = st;
        tg->seg_adj[lo + h] = adj;
    }
}

/* Freeze the edge list into tg->g with the given split. */
static void tg_build(tgraph *tg, uint32_t split, int reverse_preds)
{
    tg->split = split;
    build_dir(tg, tg->src, tg->dst, 0, 0);
    build_dir(tg, tg->dst, tg->src, 2, reverse_preds);
    tg->g.n = tg->n;
    tg->g.split = split;
    tg->g.succ_lo = (rt_csr){tg->seg_start[0], tg->seg_adj[0]};
    tg->g.succ_hi = (rt_csr){tg->seg_start[1], tg->seg_adj[1]};
    tg->g.pred_lo = (rt_csr){tg->seg_start[2], tg->seg_adj[2]};
    tg->g.pred_hi = (rt_csr){tg->seg_start[3], tg->seg_adj[3]};
}

static void tg_free(tgraph *tg)
{
    free(tg->src);
    free(tg->dst);
    for (int i = 0; i < 4; i++) {
        free(tg->seg_start[i]);
        free(tg->seg_adj[i]);
    }
    memset(tg, 0, sizeof *tg);
}

/* ---- the brute-force reference (n <= 64) ----------------------------------- */

typedef struct ref {
    uint64_t reach;       /* nodes reachable from root */
    uint64_t dommask[64]; /* nodes d dominates, d included (0 if d unreachable) */
    uint32_t idom[64];
    uint32_t order[64];   /* DFS preorder, successors in edge order */
    uint32_t nreach;
    uint64_t bytes[64];
    uint32_t count[64];
} ref;

static int popcount64(uint64_t x)
{
    int c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

/* Nodes reachable from root with node `removed` deleted (RT_NONE: none). */
static uint64_t reach_without(const uint64_t *succ, uint32_t root, uint32_t removed)
{
    uint64_t seen, todo, gone = removed == RT_NONE ? 0 : 1ull << removed;
    if (root == removed)
        return 0;
    seen = todo = 1ull << root;
    while (todo) {
        int v = __builtin_ctzll(todo);
        uint64_t nw = succ[v] & ~seen & ~gone;
        todo &= todo - 1;
        seen |= nw;
        todo |= nw;
    }
    return seen;
}

static void ref_compute(const tgraph *tg, uint32_t root, const uint64_t *shallow, ref *r)
{
    uint64_t succ[64] = {0};
    uint32_t n = tg->n, stk_node[64], stk_edge[64], sp = 0;
    uint64_t seen;

    memset(r, 0, sizeof *r);
    for (uint32_t e = 0; e < tg->m; e++)
        succ[tg->src[e]] |= 1ull << tg->dst[e];
    r->reach = reach_without(succ, root, RT_NONE);
    for (uint32_t d = 0; d < n; d++)
        r->dommask[d] = (r->reach >> d & 1) ? r->reach & ~reach_without(succ, root, d) : 0;
    for (uint32_t v = 0; v < n; v++) {
        r->idom[v] = RT_NONE;
        if (!(r->reach >> v & 1))
            continue;
        if (v == root) {
            r->idom[v] = root;
            continue;
        }
        /* the strict dominator that every other strict dominator dominates */
        for (uint32_t d = 0; d < n; d++) {
            int closest = d != v && (r->dommask[d] >> v & 1);
            for (uint32_t d2 = 0; closest && d2 < n; d2++)
                if (d2 != v && (r->dommask[d2] >> v & 1) && !(r->dommask[d2] >> d & 1))
                    closest = 0;
            if (closest)
                r->idom[v] = d;
        }
    }
    for (uint32_t v = 0; v < n; v++) {
        for (uint32_t u = 0; u < n; u++)
            if (r->dommask[v] >> u & 1)
                r->bytes[v] += shallow[u];
        r->count[v] = (uint32_t)popcount64(r->dommask[v]);
    }
    /* DFS preorder by scanning the edge list in order. */
    seen = 1ull << root;
    r->order[r->nreach++] = root;
    stk_node[sp] = root;
    stk_edge[sp++] = 0;
    while (sp) {
        uint32_t v = stk_node[sp - 1], e = stk_edge[sp - 1];
        while (e < tg->m && !(tg->src[e] == v && !(seen >> tg->dst[e] & 1)))
            e++;
        if (e == tg->m) {
            sp--;
            continue;
        }
        stk_edge[sp - 1] = e + 1;
        seen |= 1ull << tg->dst[e];
        r->order[r->nreach++] = tg->dst[e];
        stk_node[sp] = tg->dst[e];
        stk_edge[sp++] = 0;
    }
}

/* Compare a computed tree (and the retained sizes / children derived from
 * it) with the reference; failures go to t. */
static void compare_tree(tctx *t, const tgraph *tg, uint32_t root, const uint64_t *shallow,
                         const rt_domtree *dt)
{
    ref r;
    uint32_t n = tg->n, *cs, *ch;
    uint64_t bytes[64];
    uint32_t count[64];

    ref_compute(tg, root, shallow, &r);
    CHECK(t, dt->n == n, "n %u, want %u", dt->n, n);
    CHECK(t, dt->nreach == r.nreach, "nreach %u, want %u", dt->nreach, r.nreach);
    for (uint32_t v = 0; v < n; v++)
        CHECK(t, dt->idom[v] == r.idom[v], "idom[%u] = %u, want %u", v, dt->idom[v], r.idom[v]);
    for (uint32_t i = 0; i < r.nreach && i < dt->nreach; i++)
        CHECK(t, dt->order[i] == r.order[i], "order[%u] = %u, want %u", i, dt->order[i],
              r.order[i]);

    domtree_retained(dt, shallow, bytes, count);
    for (uint32_t v = 0; v < n; v++) {
        CHECK(t, bytes[v] == r.bytes[v], "retained_bytes[%u] = %llu, want %llu", v,
              (unsigned long long)bytes[v], (unsigned long long)r.bytes[v]);
        CHECK(t, count[v] == r.count[v], "retained_count[%u] = %u, want %u", v, count[v],
              r.count[v]);
    }

    /* Children: the right number per node, each with that node as
     * reference idom, strictly ordered — hence exactly the right set. */
    domtree_children(dt, bytes, &cs, &ch);
    CHECK(t, cs[0] == 0, "child_start[0] = %u", cs[0]);
    for (uint32_t p = 0; p < n; p++) {
        uint32_t want = 0;
        for (uint32_t v = 0; v < n; v++)
            want += v != root && r.idom[v] == p;
        CHECK(t, cs[p + 1] - cs[p] == want, "node %u has %u children, want %u", p,
              cs[p + 1] - cs[p], want);
        if (cs[p + 1] - cs[p] != want || cs[p + 1] > n)
            break;
        for (uint32_t i = cs[p]; i < cs[p + 1]; i++) {
            uint32_t c = ch[i];
            CHECK(t, c < n && c != root && r.idom[c] == p, "child %u of %u is wrong", c, p);
            if (i > cs[p]) {
                uint32_t b = ch[i - 1];
                CHECK(t, r.bytes[b] > r.bytes[c] || (r.bytes[b] == r.bytes[c] && b < c),
                      "children of %u out of order: %u before %u", p, b, c);
            }
        }
    }
    free(cs);
    free(ch);
}

static void run_compare(tctx *t, const tgraph *tg, uint32_t root, const uint64_t *shallow)
{
    rt_domtree dt;
    rt_error err;
    rt_error_clear(&err);
    int rc = domtree_compute(&tg->g, root, &dt, &err);
    CHECK(t, rc == 0, "domtree_compute failed: %s", err.msg);
    if (rc == 0)
        compare_tree(t, tg, root, shallow, &dt);
    domtree_free(&dt);
}

/* ---- one node's chain (graph_domchain.c) against the reference ---------- */

static uint64_t shallow_at(const void *ctx, uint32_t v) { return ((const uint64_t *)ctx)[v]; }

/* A simple path root -> v through the search tree of a DFS whose
 * successors are taken in an order shuffled by *s (long, winding paths
 * as well as short ones); len 0 when v is unreachable. */
static uint32_t some_path(const tgraph *tg, uint32_t root, uint32_t v, uint64_t *s, uint32_t *path)
{
    uint32_t parent[64], stk[64], sp = 0, len = 0;
    uint64_t seen = 1ull << root;
    for (uint32_t i = 0; i < tg->n; i++)
        parent[i] = RT_NONE;
    stk[sp++] = root;
    while (sp) {
        uint32_t u = stk[--sp], e0 = tg->m ? rnd_below(s, tg->m) : 0;
        for (uint32_t k = 0; k < tg->m; k++) {
            uint32_t e = (e0 + k) % tg->m, w = tg->dst[e];
            if (tg->src[e] != u || (seen >> w & 1))
                continue;
            seen |= 1ull << w;
            parent[w] = u;
            stk[sp++] = w;
        }
    }
    if (!(seen >> v & 1))
        return 0;
    for (uint32_t x = v; x != root; x = parent[x])
        len++;
    for (uint32_t x = v, i = len; ; x = parent[x], i--) {
        path[i] = x;
        if (x == root)
            break;
    }
    return len + 1;
}

/* For every reachable node: its chain equals the reference's idom chain,
 * each with the reference's retained bytes and count (nodes below split). */
static void compare_chains(tctx *t, const tgraph *tg, uint32_t root, const uint64_t *shallow, uint64_t *s)
{
    ref r;
    uint32_t path[64];
    uint64_t below = tg->split >= 64 ? ~0ull : (1ull << tg->split) - 1;
    ref_compute(tg, root, shallow, &r);
    for (uint32_t v = 0; v < tg->n; v++) {
        uint32_t len = some_path(tg, root, v, s, path);
        if (!len)
            continue;
        rt_domchain c;
        rt_error err;
        rt_error_clear(&err);
        int rc = domchain_compute(&tg->g, path, len, shallow_at, shallow, &c, &err);
        CHECK(t, rc == 0, "domchain_compute(%u) failed: %s", v, err.msg);
        uint32_t x = v, k = 0;
        for (; rc == 0 && k < c.n; k++, x = r.idom[x]) {
            CHECK(t, c.node[k] == x, "chain of %u: entry %u is %u, want %u", v, k, c.node[k], x);
            CHECK(t, c.bytes[k] == r.bytes[x], "chain of %u: %u retains %llu bytes, want %llu", v, x,
                  (unsigned long long)c.bytes[k], (unsigned long long)r.bytes[x]);
            uint32_t want = (uint32_t)popcount64(r.dommask[x] & below);
            CHECK(t, c.count[k] == want, "chain of %u: %u retains %u nodes, want %u", v, x, c.count[k], want);
            if (x == root)
                break;
        }
        CHECK(t, rc != 0 || (k < c.n && k + 1 == c.n), "chain of %u has %u entries, want %u", v, c.n, k + 1);
        domchain_free(&c);
    }
}

/* ---- random small graphs --------------------------------------------------- */

enum { SHAPE_SPARSE, SHAPE_MEDIUM, SHAPE_DENSE, SHAPE_TREE_PLUS, SHAPE_DAG, SHAPE_DIAMONDS,
       SHAPE_COUNT };
static const char *const shape_name[] = {"sparse", "medium", "dense", "tree+", "dag", "diamonds"};

static void random_graph(tgraph *tg, uint64_t *s, int shape)
{
    uint32_t n = 1 + rnd_below(s, 60), m;
    tg_init(tg, n);
    switch (shape) {
    case SHAPE_SPARSE: /* many unreachable nodes */
        m = rnd_below(s, n + 1);
        for (uint32_t i = 0; i < m; i++)
            tg_edge(tg, rnd_below(s, n), rnd_below(s, n));
        break;
    case SHAPE_MEDIUM:
        m = n + rnd_below(s, 2 * n + 1);
        for (uint32_t i = 0; i < m; i++)
            tg_edge(tg, rnd_below(s, n), rnd_below(s, n));
        break;
    case SHAPE_DENSE:
        m = n * n / 4 + rnd_below(s, n * n / 4 + 1);
        for (uint32_t i = 0; i < m; i++)
            tg_edge(tg, rnd_below(s, n), rnd_below(s, n));
        break;
    case SHAPE_TREE_PLUS: /* a random tree from 0, then a few extra edges */
        for (uint32_t v = 1; v < n; v++)
            tg_edge(tg, rnd_below(s, v), v);
        m = rnd_below(s, n / 2 + 2);
        for (uint32_t i = 0; i < m; i++)
            tg_edge(tg, rnd_below(s, n), rnd_below(s, n));
        break;
    case SHAPE_DAG: /* forward edges only, random density */
        m = rnd_below(s, 3 * n + 1);
        for (uint32_t i = 0; i < m; i++) {
            uint32_t a = rnd_below(s, n), b = rnd_below(s, n);
            tg_edge(tg, a < b ? a : b, a < b ? b : a);
        }
        break;
    default: /* a chain of diamonds with random cross edges */
        for (uint32_t v = 0; v + 3 < n; v += 3) {
            tg_edge(tg, v, v + 1);
            tg_edge(tg, v, v + 2);
            tg_edge(tg, v + 1, v + 3);
            tg_edge(tg, v + 2, v + 3);
        }
        m = rnd_below(s, 4);
        for (uint32_t i = 0; i < m; i++)
            tg_edge(tg, rnd_below(s, n), rnd_below(s, n));
        break;
    }
    /* self-loops and duplicated edges */
    if (rnd_below(s, 3) == 0) {
        m = 1 + rnd_below(s, 3);
        for (uint32_t i = 0; i < m; i++) {
            uint32_t v = rnd_below(s, n);
            tg_edge(tg, v, v);
        }
    }
    if (tg->m && rnd_below(s, 3) == 0) {
        m = 1 + rnd_below(s, 5);
        for (uint32_t i = 0; i < m; i++) {
            uint32_t e = rnd_below(s, tg->m);
            tg_edge(tg, tg->src[e], tg->dst[e]);
        }
    }
}

static void test_random(tctx *t, int count)
{
    uint64_t s = 0x5eed0001;
    for (int it = 0; it < count; it++) {
        tgraph tg;
        uint64_t shallow[64];
        int shape = it % SHAPE_COUNT;
        uint32_t split, root;

        random_graph(&tg, &s, shape);
        /* half the graphs use both segments */
        split = rnd_below(&s, 2) ? tg.n : rnd_below(&s, tg.n + 1);
        root = rnd_below(&s, 3) ? 0 : rnd_below(&s, tg.n);
        /* few distinct sizes, so children order often breaks ties by id */
        for (uint32_t v = 0; v < tg.n; v++)
            shallow[v] = rnd_below(&s, 2) ? 16 * rnd_below(&s, 4) : rnd_below(&s, 1000);
        tg_build(&tg, split, rnd_below(&s, 2));

        case_begin(t, "random #%d (%s, n %u, m %u, split %u, root %u)", it, shape_name[shape],
                   tg.n, tg.m, split, root);
        run_compare(t, &tg, root, shallow);
        if (it % 4 == 0) /* one node's chain (graph_domchain.c), every node */
            compare_chains(t, &tg, root, shallow, &s);
        case_end(t);
        tg_free(&tg);
    }
}

/* A path that is no path of the graph is refused, never answered. */
static void test_chain_bad_paths(tctx *t)
{
    tgraph tg;
    rt_domchain c;
    rt_error err;
    case_begin(t, "chain: bad paths");
    tg_init(&tg, 4);
    tg_edge(&tg, 0, 1);
    tg_edge(&tg, 1, 2);
    tg_edge(&tg, 0, 3);
    tg_build(&tg, 4, 0);
    const uint32_t gap[] = { 0, 2 }, twice[] = { 0, 1, 0, 1 }, outside[] = { 0, 9 }, good[] = { 0, 1, 2 };
    rt_error_clear(&err);
    CHECK(t, domchain_compute(&tg.g, gap, 2, NULL, NULL, &c, &err) != 0 && err.code == RT_E_USAGE,
          "a missing edge was accepted");
    rt_error_clear(&err);
    CHECK(t, domchain_compute(&tg.g, twice, 4, NULL, NULL, &c, &err) != 0 && err.code == RT_E_USAGE,
          "a node twice was accepted");
    rt_error_clear(&err);
    CHECK(t, domchain_compute(&tg.g, outside, 2, NULL, NULL, &c, &err) != 0 && err.code == RT_E_USAGE,
          "a node outside the graph was accepted");
    rt_error_clear(&err);
    CHECK(t, domchain_compute(&tg.g, good, 3, NULL, NULL, &c, &err) == 0 && c.n == 3 && c.count[0] == 1 &&
                 c.count[1] == 2 && c.count[2] == 4,
          "the good path: n %u", c.n);
    domchain_free(&c);
    tg_free(&tg);
    case_end(t);
}

/* The checker must be able to fail: spoil a correct tree three ways and
 * expect compare_tree to notice each. */
static void test_checker_detects_errors(tctx *t)
{
    uint64_t s = 0xbad5eed;
    int caught = 0, tried = 0;

    case_begin(t, "checker detects wrong trees");
    for (int it = 0; it < 50; it++) {
        tgraph tg;
        uint64_t shallow[64];
        rt_domtree dt;
        rt_error err;

        random_graph(&tg, &s, SHAPE_MEDIUM);
        for (uint32_t v = 0; v < tg.n; v++)
            shallow[v] = 1 + rnd_below(&s, 100);
        tg_build(&tg, tg.n / 2, 0);
        if (domtree_compute(&tg.g, 0, &dt, &err) == 0 && dt.nreach >= 3) {
            for (int how = 0; how < 3; how++) {
                tctx probe = {0};
                uint32_t v = dt.order[dt.nreach - 1], keep = dt.idom[v];
                uint32_t o1 = dt.order[1], o2 = dt.order[2];
                probe.quiet = 1;
                if (how == 0)
                    dt.idom[v] = v; /* a non-root node never dominates itself strictly */
                else if (how == 1) /* a wrong but existing node */
                    dt.idom[v] = keep == dt.order[0] ? dt.order[1] : dt.order[0];
                else {
                    dt.order[1] = o2;
                    dt.order[2] = o1;
                }
                compare_tree(&probe, &tg, 0, shallow, &dt);
                dt.idom[v] = keep;
                dt.order[1] = o1;
                dt.order[2] = o2;
                tried++;
                caught += probe.cur_failed;
            }
        }
        domtree_free(&dt);
        tg_free(&tg);
    }
    CHECK(t, tried > 0 && caught == tried, "checker caught %d of %d spoiled trees", caught, tried);
    case_end(t);
}

/* ---- large shaped graphs --------------------------------------------------- */

static int compute_or_fail(tctx *t, const tgraph *tg, uint32_t root, rt_domtree *dt,
                           double *secs)
{
    rt_error err;
    double t0 = seconds();
    int rc;
    rt_error_clear(&err);
    rc = domtree_compute(&tg->g, root, dt, &err);
    *secs = seconds() - t0;
    CHECK(t, rc == 0, "domtree_compute failed: %s", err.msg);
    return rc;
}

/* A singly linked list 0 -> 1 -> ... -> n-1: DFS depth n. */
static void test_chain(tctx *t, uint32_t n)
{
    tgraph tg;
    rt_domtree dt;
    double secs;
    uint64_t *shallow = rt_malloc((size_t)n * sizeof *shallow);
    uint64_t *bytes = rt_malloc((size_t)n * sizeof *bytes), sum = 0;
    uint32_t *count = rt_malloc((size_t)n * sizeof *count), *cs, *ch;

    case_begin(t, "chain of %u", n);
    tg_init(&tg, n);
    for (uint32_t v = 0; v + 1 < n; v++)
        tg_edge(&tg, v, v + 1);
    tg_build(&tg, n, 0);
    if (compute_or_fail(t, &tg, 0, &dt, &secs) == 0) {
        printf("  chain of %u: %.3f s\n", n, secs);
        CHECK(t, dt.nreach == n, "nreach %u", dt.nreach);
        for (uint32_t v = 0; v < n; v++) {
            CHECK(t, dt.idom[v] == (v ? v - 1 : 0), "idom[%u] = %u", v, dt.idom[v]);
            CHECK(t, dt.order[v] == v, "order[%u] = %u", v, dt.order[v]);
            shallow[v] = v % 7 + 1;
        }
        domtree_retained(&dt, shallow, bytes, count);
        for (uint32_t v = n; v-- > 0;) {
            sum += shallow[v];
            CHECK(t, bytes[v] == sum && count[v] == n - v, "retained[%u] = %llu / %u", v,
                  (unsigned long long)bytes[v], count[v]);
        }
        domtree_children(&dt, bytes, &cs, &ch);
        for (uint32_t v = 0; v < n; v++)
            CHECK(t, cs[v] == v && (v + 1 == n || ch[cs[v]] == v + 1), "children of %u", v);
        CHECK(t, cs[n] == n - 1, "child_start[n] = %u", cs[n]);
        free(cs);
        free(ch);
    }
    domtree_free(&dt);
    tg_free(&tg);
    free(shallow);
    free(bytes);
    free(count);
    case_end(t);
}

/* A doubly linked list split across the lo/hi segments, plus an edge from
 * the tail back to every node: every predecessor scan of the tail's back
 * edges walks (and compresses) a long forest path. */
static void test_chain_back_edges(tctx *t, uint32_t n)
{
    tgraph tg;
    rt_domtree dt;
    double secs;

    case_begin(t, "doubly linked chain of %u with tail back edges, split %u", n, n / 2);
    tg_init(&tg, n);
    for (uint32_t v = 0; v + 1 < n; v++) {
        tg_edge(&tg, v, v + 1);
        tg_edge(&tg, v + 1, v);
    }
    for (uint32_t v = 0; v < n; v += 3)
        tg_edge(&tg, n - 1, v);
    tg_build(&tg, n / 2, 0);
    if (compute_or_fail(t, &tg, 0, &dt, &secs) == 0) {
        printf("  doubly linked chain of %u with back edges: %.3f s\n", n, secs);
        CHECK(t, dt.nreach == n, "nreach %u", dt.nreach);
        for (uint32_t v = 0; v < n; v++)
            CHECK(t, dt.idom[v] == (v ? v - 1 : 0), "idom[%u] = %u", v, dt.idom[v]);
    }
    domtree_free(&dt);
    tg_free(&tg);
    case_end(t);
}

/* A chain 0 .. k-1 whose tail points at f more nodes that the root also
 * points at (after the chain, so the DFS reaches them through the tail).
 * Their idom is the root, k hops above their DFS parent: the shape that
 * makes semi-NCA quadratic; LT must stay fast. */
static void test_deep_chain_shortcuts(tctx *t, uint32_t k, uint32_t f)
{
    tgraph tg;
    rt_domtree dt;
    double secs;
    uint32_t n = k + f;

    case_begin(t, "chain of %u with %u shortcut leaves", k, f);
    tg_init(&tg, n);
    for (uint32_t v = 0; v + 1 < k; v++)
        tg_edge(&tg, v, v + 1);
    for (uint32_t j = 0; j < f; j++) {
        tg_edge(&tg, k - 1, k + j);
        tg_edge(&tg, 0, k + j);
    }
    tg_build(&tg, n, 1);
    if (compute_or_fail(t, &tg, 0, &dt, &secs) == 0) {
        printf("  chain of %u with %u shortcut leaves: %.3f s\n", k, f, secs);
        CHECK(t, dt.nreach == n, "nreach %u", dt.nreach);
        for (uint32_t v = 0; v < n; v++) {
            uint32_t want = v == 0 ? 0 : v < k ? v - 1 : 0;
            CHECK(t, dt.idom[v] == want, "idom[%u] = %u, want %u", v, dt.idom[v], want);
        }
        CHECK(t, dt.order[k] == k, "the DFS should reach the leaves through the tail");
    }
    domtree_free(&dt);
    tg_free(&tg);
    case_end(t);
}

/* Root with n-1 leaves; children sorted by size, ties by id. */
static void test_star(tctx *t, uint32_t n)
{
    tgraph tg;
    rt_domtree dt;
    double secs;
    uint64_t s = 42, total = 0;
    uint64_t *shallow = rt_malloc((size_t)n * sizeof *shallow);
    uint64_t *bytes = rt_malloc((size_t)n * sizeof *bytes);
    uint32_t *count = rt_malloc((size_t)n * sizeof *count), *cs, *ch;

    case_begin(t, "star of %u", n);
    tg_init(&tg, n);
    for (uint32_t v = 1; v < n; v++)
        tg_edge(&tg, 0, v);
    for (uint32_t v = 0; v < n; v++) {
        shallow[v] = 8 * rnd_below(&s, 100); /* many ties */
        total += shallow[v];
    }
    tg_build(&tg, n - n / 3, 0);
    if (compute_or_fail(t, &tg, 0, &dt, &secs) == 0) {
        printf("  star of %u: %.3f s\n", n, secs);
        for (uint32_t v = 0; v < n; v++)
            CHECK(t, dt.idom[v] == 0, "idom[%u] = %u", v, dt.idom[v]);
        domtree_retained(&dt, shallow, bytes, count);
        CHECK(t, bytes[0] == total && count[0] == n, "root retains %llu / %u",
              (unsigned long long)bytes[0], count[0]);
        for (uint32_t v = 1; v < n; v++)
            CHECK(t, bytes[v] == shallow[v] && count[v] == 1, "leaf %u", v);

        secs = seconds();
        domtree_children(&dt, bytes, &cs, &ch);
        printf("  star of %u: children sorted in %.3f s\n", n, seconds() - secs);
        CHECK(t, cs[1] == n - 1 && cs[n] == n - 1, "root has %u children", cs[1]);
        for (uint32_t i = 1; i < n - 1 && cs[1] == n - 1; i++) {
            uint32_t a = ch[i - 1], b = ch[i];
            CHECK(t, bytes[a] > bytes[b] || (bytes[a] == bytes[b] && a < b),
                  "children out of order at %u: %u before %u", i, a, b);
        }
        free(cs);
        free(ch);
        /* without sizes: by id */
        domtree_children(&dt, NULL, &cs, &ch);
        for (uint32_t i = 0; i < n - 1 && cs[1] == n - 1; i++)
            CHECK(t, ch[i] == i + 1, "unsized child %u is %u", i, ch[i]);
        free(cs);
        free(ch);
    }
    domtree_free(&dt);
    tg_free(&tg);
    free(shallow);
    free(bytes);
    free(count);
    case_end(t);
}

/* k diamonds in a row: c0 -> a1, b1 -> c1 -> a2, b2 -> c2 ...; node ids
 * c_i = 3i, a_i = 3i-2, b_i = 3i-1.  Every node's idom is the previous c. */
static void test_diamond_ladder(tctx *t, uint32_t k)
{
    tgraph tg;
    rt_domtree dt;
    double secs;
    uint32_t n = 3 * k + 1;
    uint32_t *count = rt_malloc((size_t)n * sizeof *count);
    uint64_t *bytes = rt_malloc((size_t)n * sizeof *bytes);

    case_begin(t, "ladder of %u diamonds", k);
    tg_init(&tg, n);
    for (uint32_t i = 1; i <= k; i++) {
        uint32_t c0 = 3 * (i - 1), a = 3 * i - 2, b = 3 * i - 1, c = 3 * i;
        tg_edge(&tg, c0, a);
        tg_edge(&tg, c0, b);
        tg_edge(&tg, a, c);
        tg_edge(&tg, b, c);
    }
    tg_build(&tg, n / 3, 1);
    if (compute_or_fail(t, &tg, 0, &dt, &secs) == 0) {
        printf("  ladder of %u diamonds: %.3f s\n", k, secs);
        CHECK(t, dt.nreach == n, "nreach %u", dt.nreach);
        for (uint32_t v = 1; v < n; v++) {
            uint32_t want = 3 * ((v - 1) / 3);
            CHECK(t, dt.idom[v] == want, "idom[%u] = %u, want %u", v, dt.idom[v], want);
        }
        domtree_retained(&dt, NULL, bytes, count);
        for (uint32_t i = 0; i <= k; i++)
            CHECK(t, count[3 * i] == 3 * (k - i) + 1 && bytes[3 * i] == 0,
                  "c%u retains %u nodes", i, count[3 * i]);
    }
    domtree_free(&dt);
    tg_free(&tg);
    free(count);
    free(bytes);
    case_end(t);
}

/* ---- small fixed cases and errors -------------------------------------------- */

static void test_single_node(tctx *t)
{
    tgraph tg;
    uint64_t shallow[1] = {24};

    case_begin(t, "single node with a self-loop");
    tg_init(&tg, 1);
    tg_edge(&tg, 0, 0);
    tg_build(&tg, 0, 0); /* everything in the hi segment */
    run_compare(t, &tg, 0, shallow);
    tg_free(&tg);
    case_end(t);
}

/* Unreachable nodes point into the reachable part: their edges must not
 * change any dominator (3 -> 2 would otherwise make 0 idom of 2). */
static void test_unreachable_preds(tctx *t)
{
    tgraph tg;
    rt_domtree dt;
    rt_error err;
    uint64_t shallow[5] = {1, 2, 4, 8, 16};

    case_begin(t, "predecessors outside the reachable part are ignored");
    tg_init(&tg, 5);
    tg_edge(&tg, 0, 1);
    tg_edge(&tg, 1, 2);
    tg_edge(&tg, 3, 2);
    tg_edge(&tg, 4, 3);
    tg_edge(&tg, 3, 4);
    tg_edge(&tg, 4, 1);
    tg_build(&tg, 2, 0);
    run_compare(t, &tg, 0, shallow);
    if (domtree_compute(&tg.g, 0, &dt, &err) == 0) {
        CHECK(t, dt.idom[2] == 1 && dt.idom[3] == RT_NONE && dt.idom[4] == RT_NONE,
              "idom 2/3/4 = %u/%u/%u", dt.idom[2], dt.idom[3], dt.idom[4]);
        domtree_free(&dt);
    } else {
        CHECK(t, 0, "domtree_compute failed: %s", err.msg);
    }
    tg_free(&tg);
    case_end(t);
}

static void test_errors(tctx *t)
{
    tgraph tg;
    rt_domtree dt;
    rt_error err;
    int rc;

    case_begin(t, "root out of range");
    tg_init(&tg, 3);
    tg_edge(&tg, 0, 1);
    tg_build(&tg, 3, 0);
    rt_error_clear(&err);
    rc = domtree_compute(&tg.g, 3, &dt, &err);
    CHECK(t, rc == -RT_E_USAGE && err.code == RT_E_USAGE, "rc %d", rc);
    CHECK(t, dt.idom == NULL && dt.order == NULL && dt.nreach == 0, "out not emptied");
    case_end(t);

    case_begin(t, "split beyond n");
    tg.g.split = 4;
    rt_error_clear(&err);
    rc = domtree_compute(&tg.g, 0, &dt, &err);
    CHECK(t, rc == -RT_E_USAGE, "rc %d", rc);
    tg.g.split = 3;
    case_end(t);

    case_begin(t, "successor out of range");
    tg.seg_adj[0][0] = 7;
    rt_error_clear(&err);
    rc = domtree_compute(&tg.g, 0, &dt, &err);
    CHECK(t, rc == -RT_E_CORRUPT && err.code == RT_E_CORRUPT, "rc %d", rc);
    CHECK(t, dt.idom == NULL && dt.order == NULL, "out not emptied");
    tg.seg_adj[0][0] = 1;
    case_end(t);

    case_begin(t, "predecessor out of range");
    tg.seg_adj[2][0] = 9; /* the one pred of node 1 */
    rt_error_clear(&err);
    rc = domtree_compute(&tg.g, 0, &dt, &err);
    CHECK(t, rc == -RT_E_CORRUPT, "rc %d", rc);
    case_end(t);
    tg_free(&tg);

    case_begin(t, "domtree_free(NULL) and twice");
    domtree_free(NULL);
    memset(&dt, 0, sizeof dt);
    domtree_free(&dt);
    domtree_free(&dt);
    CHECK(t, dt.idom == NULL, "not emptied");
    case_end(t);
}

int main(int argc, char **argv)
{
    tctx t = {0};
    int random_count = argc > 1 ? atoi(argv[1]) : 6000;

    test_single_node(&t);
    test_unreachable_preds(&t);
    test_errors(&t);
    test_random(&t, random_count);
    test_chain_bad_paths(&t);
    test_checker_detects_errors(&t);
    test_chain(&t, 1000000);
    test_chain_back_edges(&t, 1000000);
    test_deep_chain_shortcuts(&t, 300000, 300000);
    test_star(&t, 1000000);
    test_diamond_ladder(&t, 300000);

    printf("%d passed, %d failed\n", t.pass, t.fail);
    return t.fail != 0;
}
