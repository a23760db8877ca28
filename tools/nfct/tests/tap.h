/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.h - minimal TAP producer for the nfct host tests: "ok N - name" /
 * "not ok N - name", diagnostics as "# ..." lines, plan at the end.
 */
#ifndef NFCT_TAP_H
#define NFCT_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct tap {
	int n;
	int failed;
};

static inline bool tap_check(struct tap *t, bool pass, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline bool tap_check(struct tap *t, bool pass, const char *fmt, ...)
{
	va_list ap;

	t->n++;
	if (!pass)
		t->failed++;
	printf("%s %d - ", pass ? "ok" : "not ok", t->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return pass;
}

static inline void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Print the plan; the exit status for main(). */
static inline int tap_done(struct tap *t)
{
	printf("1..%d\n", t->n);
	return t->failed ? 1 : 0;
}

#endif /* NFCT_TAP_H */
