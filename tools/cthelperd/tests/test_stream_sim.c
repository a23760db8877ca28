// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream simulator over real control conversations: each direction cut
 * at every single position (alone, and on top of one segment per line),
 * at random cut sets, and delivered in every schedule, with and without
 * NAT; the oracles of stream_sim.h checked on every delivery.
 */
#include <stdlib.h>
#include <string.h>

#include "stream_sim.h"
#include "tap.h"

static struct sim sim;

struct totals {
	unsigned long runs, deliveries, expectations, rewrites, drops;
};

/* One schedule of one direction from a fresh start; false on a violation. */
static bool run_one(const struct sim_case *c, enum cthd_dir dir, const size_t *cuts,
		    size_t n, enum sim_mode mode, struct totals *tot)
{
	bool ok = sim_init(&sim, &c->conv);

	/* the other direction's first segment: nothing is read from it anyway */
	ok = ok && sim_run(&sim, dir, cuts, n, mode);
	tot->runs++;
	tot->deliveries += sim.deliveries;
	tot->expectations += sim.expectations;
	tot->rewrites += sim.rewrites;
	tot->drops += sim.drops;
	return ok;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void test_conversation(struct tap *t, const struct sim_case *c)
{
	size_t line_cuts[SIM_LINES_MAX], cuts[SIM_LINES_MAX + 1];
	struct totals tot = { 0 };
	unsigned int seed = 1;
	char name[128];
	bool ok = sim_init(&sim, &c->conv);
	unsigned int found = 0;

	/* not vacuous: one segment a line, in order, finds every wanted line */
	for (int dir = 0; dir < 2 && ok; dir++) {
		size_t n = sim_line_cuts(&sim, dir, line_cuts, SIM_LINES_MAX);

		ok = sim_run(&sim, dir, line_cuts, n, SIM_IN_ORDER);
	}
	found = sim.expectations;
	snprintf(name, sizeof(name), "sim_%s_one_segment_a_line_finds_every_data_line",
		 c->conv.name);
	tap_check(t, ok && found == c->wanted, name, "%s; %u of %u found", sim.why, found,
		  c->wanted);

	for (int dir = 0; dir < 2 && ok; dir++) {
		size_t n_lines, len;

		sim_init(&sim, &c->conv);
		n_lines = sim_line_cuts(&sim, dir, line_cuts, SIM_LINES_MAX);
		len = sim.stream[dir].len;
		for (size_t pos = 1; pos < len && ok; pos++) {
			for (int mode = 0; mode < SIM_MODES && ok; mode++) {
				/* one cut alone, then on top of one segment a line */
				ok = run_one(c, dir, &pos, 1, mode, &tot);
				memcpy(cuts, line_cuts, n_lines * sizeof(cuts[0]));
				cuts[n_lines] = pos;
				qsort(cuts, n_lines + 1, sizeof(cuts[0]), cmp_size);
				ok = ok && run_one(c, dir, cuts, n_lines + 1, mode, &tot);
			}
		}
		for (int round = 0; round < 300 && ok; round++) {
			size_t n = (size_t)(rand_r(&seed) % 12) + 1;

			for (size_t i = 0; i < n; i++)
				cuts[i] = (size_t)rand_r(&seed) % len;
			qsort(cuts, n, sizeof(cuts[0]), cmp_size);
			for (int mode = 0; mode < SIM_MODES && ok; mode++)
				ok = run_one(c, dir, cuts, n, mode, &tot);
		}
	}
	snprintf(name, sizeof(name), "sim_%s_every_cut_every_schedule_oracles_hold", c->conv.name);
	tap_check(t, ok, name, "%s", sim.why);
	printf("# %s: %lu schedules, %lu segments, %lu expectations, %lu rewrites, %lu drops\n",
	       c->conv.name, tot.runs, tot.deliveries, tot.expectations, tot.rewrites, tot.drops);
}

/*
 * The oracles themselves must catch a helper that reads a segment from
 * its first byte whatever precedes it: deliver the echoed 227's tail as a
 * first segment of a fresh direction after a known line start faked into
 * the private data.
 */
static void test_oracle_catches_midline_read(struct tap *t)
{
	const struct sim_case *c = &sim_cases[SIM_CASE_ECHO_ATTACK];
	const char *needle = "227 Entering Passive Mode (10,1,1,5,0,22)";
	const char *at;
	struct cthd_stream *st = (struct cthd_stream *)sim.priv;
	bool ok;

	sim_init(&sim, &c->conv);
	at = memmem(sim.stream[CTHD_DIR_REPLY].data, sim.stream[CTHD_DIR_REPLY].len, needle,
		    strlen(needle));
	/* a line start where there is none, as the old helper assumed */
	st->next_seq[CTHD_DIR_REPLY] = sim.stream[CTHD_DIR_REPLY].isn +
				       (uint32_t)(at - sim.stream[CTHD_DIR_REPLY].data);
	st->flags = 0x3f;
	st->version = CTHD_STREAM_VERSION;
	st->mark_seq[CTHD_DIR_REPLY] = st->next_seq[CTHD_DIR_REPLY];
	ok = sim_deliver(&sim, CTHD_DIR_REPLY, (size_t)(at - sim.stream[CTHD_DIR_REPLY].data),
			 strlen(needle) + 30);
	tap_check(t, !ok && strstr(sim.why, "(b)"), "sim_oracle_b_catches_a_midline_expectation",
		  "oracle said %s", ok ? "fine" : sim.why);
}

int main(void)
{
	struct tap t = { 0 };

	for (size_t i = 0; i < sim_n_cases; i++)
		test_conversation(&t, &sim_cases[i]);
	test_oracle_catches_midline_read(&t);
	return tap_done(&t);
}
