/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal TAP output for the host tests: `ok N - name` / `not ok N - name`. */
#ifndef CTHELPERD_TESTS_TAP_H
#define CTHELPERD_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct tap {
	int count;
	int failed;
};

/* Record one result; prints the reason on failure as a TAP comment. */
static inline bool tap_check(struct tap *t, bool ok, const char *name,
			     const char *fmt, ...)
{
	t->count++;
	printf("%sok %d - %s\n", ok ? "" : "not ", t->count, name);
	if (!ok) {
		va_list ap;

		t->failed++;
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
	return ok;
}

static inline int tap_done(const struct tap *t)
{
	printf("1..%d\n", t->count);
	if (t->failed)
		printf("# %d of %d failed\n", t->failed, t->count);
	return t->failed ? 1 : 0;
}

#endif
