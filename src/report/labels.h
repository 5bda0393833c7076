/* labels.h — what every report calls an object, a group of objects and a
 * node of the dominator tree, so that text, JSON labels, DOT and pprof
 * frames use the same words (JSON type/site fields stay null instead). */
#ifndef RETAIN_REPORT_LABELS_H
#define RETAIN_REPORT_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/retained.h"
#include "model/model.h"

/* The object's type, else its allocating function, else a parenthesised
 * phrase saying neither is known.  Never empty. */
const char *report_obj_label(const rt_model *m, uint32_t obj);

/* The name of the group of objects with no type (by_type) or no
 * allocation site (!by_type), for histogram rows. */
const char *report_unknown_group(const rt_model *m, int by_type);

/* A dominator-tree node: objects as report_obj_label, roots, groups and
 * the super-root as retained_label.  Writes into buf. */
const char *report_node_label(const rt_model *m, const rt_retained *r, uint32_t node, char *buf, size_t len);

/* The same for exports read by other tools, where a label must not be a
 * bare function name that could mean two things: an untyped object is
 * "site main.newX". */
const char *report_export_label(const rt_model *m, const rt_retained *r, uint32_t node, char *buf, size_t len);

/* A hop of a retention chain: the field of obj at offset off that holds
 * the next pointer, as "main.Session.Payload" with array indexes left out
 * ("[8]*main.Node[]"), or obj's export label where it has no type. */
const char *report_hop_label(const rt_model *m, uint32_t obj, uint64_t off, char *buf, size_t len);

#endif
