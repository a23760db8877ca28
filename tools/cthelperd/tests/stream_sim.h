/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A segment-level simulator for the FTP helper on the core's stream layer:
 * a control conversation is laid out as the two directions' byte streams,
 * cut into segments, and delivered in a schedule (in order, retransmitted,
 * coalesced, overlapping, reordered). Every delivery is checked against two
 * oracles that know where the conversation's lines really start:
 *
 *  (a) what leaves is what came in, except rewrites of the announced
 *      address of whole data-connection lines; and every copy of a segment
 *      gets the same verdict, rewrite and expectations as the first copy,
 *      as long as no other segment of that direction acted in between (one
 *      remembered point per direction, as the kernel's seqadj has);
 *  (b) an expectation is created only for a PORT/EPRT/227/229 line that
 *      starts at a true line start and lies whole in the segment.
 *
 * Shared by the unit test (test_stream_sim.c) and the fuzz target.
 */
#ifndef CTHELPERD_TESTS_STREAM_SIM_H
#define CTHELPERD_TESTS_STREAM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

#define SIM_STREAM_MAX	4096
#define SIM_LINES_MAX	128
#define SIM_DELIVERIES_MAX 256

/*
 * A conversation: lines prefixed "C:" (client, original direction) or
 * "S:" (server), each with its own line end; addresses as the conntrack
 * sees them (client, client after SNAT, server, server before DNAT).
 */
struct sim_conversation {
	const char *name;
	const char *client, *client_nat, *server, *server_pub;
	const char *const *lines;	/* NULL-terminated */
};

/* The conversations (ftp_conversations.c) and how many data lines each has. */
struct sim_case {
	struct sim_conversation conv;
	unsigned int wanted;	/* data-connection lines, both directions */
};

extern const struct sim_case sim_cases[];
extern const size_t sim_n_cases;
#define SIM_CASE_ECHO_ATTACK 4

struct sim_line {
	size_t start, end;		/* [start, end) in the stream, end after '\n' */
	bool wanted;			/* a data-connection line the helper must act on */
	uint16_t port;
	size_t arg_off, arg_len;	/* the announced argument, from start */
	char rewrite[CTHD_MANGLE_DATA_MAX];
	size_t rewrite_len;		/* 0: no rewrite expected */
};

struct sim_stream {
	char data[SIM_STREAM_MAX];
	size_t len;
	struct sim_line line[SIM_LINES_MAX];
	size_t n_lines;
	uint32_t isn;
};

struct sim_delivery {
	enum cthd_dir dir;
	size_t off, len;
};

struct sim_record {
	struct sim_delivery d;
	bool dropped;
	unsigned int n_expect;
	uint16_t ports[CTHD_EXPECT_MAX];
	uint64_t out_hash;		/* FNV-1a of the bytes that left */
	size_t out_len;
	unsigned int act_index;		/* acts of its direction before it */
};

struct sim {
	struct cthd_conntrack ct;
	struct sim_stream stream[2];
	uint8_t priv[CTHD_PRIV_MAX];
	/* first copy of each segment delivered, for the identity oracle */
	struct sim_record rec[SIM_DELIVERIES_MAX];
	size_t n_rec;
	/* per direction, which segment (record index) each act came from */
	size_t acts[2][SIM_DELIVERIES_MAX];
	unsigned int n_acts[2];
	/* totals */
	unsigned int deliveries, expectations, rewrites, drops;
	char why[256];			/* the first violation */
};

/* Set up sim from a conversation; false if it does not fit. */
bool sim_init(struct sim *sim, const struct sim_conversation *conv);

/* Deliver one segment and check the oracles; false on a violation (why). */
bool sim_deliver(struct sim *sim, enum cthd_dir dir, size_t off, size_t len);

/*
 * Schedules over the cut points cuts[0..n) of direction dir's stream
 * (sorted, inside (0, len)). Returns false on the first violation.
 */
enum sim_mode {
	SIM_IN_ORDER,
	SIM_EACH_TWICE,		/* each segment retransmitted at once */
	SIM_LATE_RETRANSMIT,	/* segment i again after segment i+1 */
	SIM_COALESCED,		/* then i and i+1 again as one segment */
	SIM_OVERLAP,		/* then from the middle of i to the middle of i+1 */
	SIM_REORDER,		/* i+1 before i */
	SIM_MODES,
};

bool sim_run(struct sim *sim, enum cthd_dir dir, const size_t *cuts, size_t n,
	     enum sim_mode mode);

/* The line boundaries of dir's stream as cut points (one segment a line). */
size_t sim_line_cuts(const struct sim *sim, enum cthd_dir dir, size_t *cuts, size_t max);

#endif
