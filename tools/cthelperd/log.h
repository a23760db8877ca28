/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr or syslog, with a rate limit for per-packet messages. */
#ifndef CTHELPERD_LOG_H
#define CTHELPERD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>
#include <time.h>

struct cthd_log {
	bool use_syslog;
};

/* One rate limit (a message per second), e.g. per helper. */
struct cthd_ratelimit {
	time_t last;
	uint64_t suppressed;
};

void cthd_log_init(struct cthd_log *log, bool use_syslog);
void cthd_log(const struct cthd_log *log, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like cthd_log, at most once a second per rl; says how many were skipped. */
void cthd_log_limited(const struct cthd_log *log, struct cthd_ratelimit *rl, int prio,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
