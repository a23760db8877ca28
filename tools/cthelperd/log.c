// SPDX-License-Identifier: GPL-2.0-or-later
/* Logging. syslog is opened at once (LOG_NDELAY): after the privilege drop
 * and the seccomp filter the daemon should not need to open sockets. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

void cthd_log_init(struct cthd_log *log, bool use_syslog)
{
	log->use_syslog = use_syslog;
	if (use_syslog)
		openlog("cthelperd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void vlog(const struct cthd_log *log, int prio, const char *fmt, va_list ap)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
	};

	if (log->use_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	fprintf(stderr, "cthelperd: %s: ", names[prio & 7]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cthd_log(const struct cthd_log *log, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(log, prio, fmt, ap);
	va_end(ap);
}

void cthd_log_limited(const struct cthd_log *log, struct cthd_ratelimit *rl, int prio,
		      const char *fmt, ...)
{
	time_t now = time(NULL);
	va_list ap;

	if (now == rl->last) {
		rl->suppressed++;
		return;
	}
	if (rl->suppressed)
		cthd_log(log, prio, "%llu similar messages suppressed",
			 (unsigned long long)rl->suppressed);
	rl->last = now;
	rl->suppressed = 0;
	va_start(ap, fmt);
	vlog(log, prio, fmt, ap);
	va_end(ap);
}
