/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-helper counters and their text/JSON forms. */
#ifndef CTHELPERD_STATS_H
#define CTHELPERD_STATS_H

#include <stddef.h>
#include <stdint.h>

struct cthd_counters {
	uint64_t packets;		/* packets answered */
	uint64_t expectations;		/* expectations sent to the kernel */
	uint64_t mangled;		/* packets whose payload changed */
	uint64_t parse_errors;		/* malformed or refused protocol messages */
	uint64_t lost;			/* data the helper could not follow */
	uint64_t accepted_on_error;	/* internal error: packet accepted unchanged */
	uint64_t dropped;		/* packets the helper dropped */
	uint64_t kernel_errors;		/* verdicts or expectations the kernel refused */
	uint64_t state_updates;		/* verdicts carrying the private data (NFQA_CT) */
	uint64_t expect_flushes;	/* verdicts removing expectations (NFQA_EXP_FLUSH) */
	uint64_t flushes_lost;		/* removals a kernel without NFQA_EXP_FLUSH cannot do */
};

struct cthd_stats_entry {
	const char *name;
	uint16_t queue;
	const struct cthd_counters *c;
};

/*
 * Format the counters of n helpers. Returns the length written (without
 * the NUL) or -ENOSPC; the text is always NUL-terminated when size > 0.
 */
int cthd_stats_format_text(const struct cthd_stats_entry *e, size_t n, char *buf, size_t size);
int cthd_stats_format_json(const struct cthd_stats_entry *e, size_t n, char *buf, size_t size);

#endif
