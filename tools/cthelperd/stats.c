// SPDX-License-Identifier: GPL-2.0-or-later
/* Counter output: one table of names drives both formats. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "stats.h"

static const struct {
	const char *name;
	size_t offset;
} counter_fields[] = {
	{ "packets", offsetof(struct cthd_counters, packets) },
	{ "expectations", offsetof(struct cthd_counters, expectations) },
	{ "mangled", offsetof(struct cthd_counters, mangled) },
	{ "parse_errors", offsetof(struct cthd_counters, parse_errors) },
	{ "lost", offsetof(struct cthd_counters, lost) },
	{ "accepted_on_error", offsetof(struct cthd_counters, accepted_on_error) },
	{ "dropped", offsetof(struct cthd_counters, dropped) },
	{ "kernel_errors", offsetof(struct cthd_counters, kernel_errors) },
	{ "state_updates", offsetof(struct cthd_counters, state_updates) },
	{ "expect_flushes", offsetof(struct cthd_counters, expect_flushes) },
	{ "flushes_lost", offsetof(struct cthd_counters, flushes_lost) },
};

#define N_FIELDS (sizeof(counter_fields) / sizeof(counter_fields[0]))

static uint64_t field(const struct cthd_counters *c, size_t i)
{
	return *(const uint64_t *)((const char *)c + counter_fields[i].offset);
}

/* Append to buf at *len; remembers overflow in *len = size. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	*len = n < 0 || (size_t)n >= size - *len ? size : *len + (size_t)n;
}

static int finish(char *buf, size_t size, size_t len)
{
	if (len >= size) {
		if (size)
			buf[size - 1] = '\0';
		return -ENOSPC;
	}
	return (int)len;
}

int cthd_stats_format_text(const struct cthd_stats_entry *e, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	for (size_t h = 0; h < n; h++) {
		append(buf, size, &len, "helper %s queue %u\n", e[h].name, e[h].queue);
		for (size_t i = 0; i < N_FIELDS; i++)
			append(buf, size, &len, "  %-18s %" PRIu64 "\n", counter_fields[i].name,
			       field(e[h].c, i));
	}
	return finish(buf, size, len);
}

/* Helper names are 1..15 characters checked at registration: no escaping. */
int cthd_stats_format_json(const struct cthd_stats_entry *e, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	append(buf, size, &len, "{\"helpers\":[");
	for (size_t h = 0; h < n; h++) {
		append(buf, size, &len, "%s{\"name\":\"%s\",\"queue\":%u", h ? "," : "",
		       e[h].name, e[h].queue);
		for (size_t i = 0; i < N_FIELDS; i++)
			append(buf, size, &len, ",\"%s\":%" PRIu64, counter_fields[i].name,
			       field(e[h].c, i));
		append(buf, size, &len, "}");
	}
	append(buf, size, &len, "]}\n");
	return finish(buf, size, len);
}
