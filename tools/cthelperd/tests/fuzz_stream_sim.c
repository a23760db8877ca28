// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the stream simulator's oracles (stream_sim.h) on
 * conversations and segmentations the fuzzer picks. Input:
 *   byte 0   bits 0-2: one of the recorded conversations, or (>= their
 *            number) a conversation made of the text at the end of the
 *            input; bit 3: direction; bits 4-7: schedule
 *   byte 1   number of cut points n (0-31)
 *   2n bytes cut points (16 bits each, taken modulo the stream length)
 *   rest     the conversation text for a made-up one: lines alternate
 *            client and server; addresses as in the DNAT or SNAT case
 * Aborts on any oracle violation, printing it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MADE_UP_LINES 64

static struct sim sim;

/* Lines of text split at '\n', each given back its "\r\n" and a side. */
static size_t made_up(const uint8_t *text, size_t len, char store[][SIM_STREAM_MAX / 8],
		      const char **lines)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len && n < MADE_UP_LINES - 1; i++) {
		size_t l;

		if (i < len && text[i] != '\n')
			continue;
		l = i - start;
		if (l > SIM_STREAM_MAX / 8 - 5)
			l = SIM_STREAM_MAX / 8 - 5;
		store[n][0] = n % 2 ? 'S' : 'C';
		store[n][1] = ':';
		memcpy(store[n] + 2, text + start, l);
		/* a NUL would end the line early: the helper never sees one here */
		for (size_t j = 2; j < l + 2; j++)
			if (!store[n][j])
				store[n][j] = ' ';
		memcpy(store[n] + 2 + l, "\r\n", 3);
		lines[n] = store[n];
		n++;
		start = i + 1;
	}
	lines[n] = NULL;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char store[MADE_UP_LINES][SIM_STREAM_MAX / 8];
	static const char *lines[MADE_UP_LINES];
	struct sim_conversation conv;
	size_t cuts[32], n, pos = 2, choice;
	enum cthd_dir dir;

	if (size < 2)
		return 0;
	choice = data[0] & 7;
	dir = data[0] & 8 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
	n = data[1] & 31;
	if (size < pos + 2 * n)
		return 0;
	if (choice < sim_n_cases) {
		conv = sim_cases[choice].conv;
	} else {
		conv = sim_cases[choice % 2 ? 0 : 2].conv;	/* DNAT or SNAT addresses */
		conv.name = "made-up";
		made_up(data + pos + 2 * n, size - pos - 2 * n, store, lines);
		conv.lines = lines;
	}
	if (!sim_init(&sim, &conv) || sim.stream[dir].len == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		cuts[i] = (size_t)(data[pos + 2 * i] << 8 | data[pos + 2 * i + 1]) %
			  sim.stream[dir].len;
	/* sim_run wants them sorted */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
			size_t tmp = cuts[j];

			cuts[j] = cuts[j - 1];
			cuts[j - 1] = tmp;
		}
	if (!sim_run(&sim, dir, cuts, n, (enum sim_mode)((data[0] >> 4) % SIM_MODES))) {
		fprintf(stderr, "oracle: %s\n", sim.why);
		abort();
	}
	return 0;
}
