// SPDX-License-Identifier: GPL-2.0-or-later
/* sd_notify(3)'s protocol, the part a Type=notify service with a watchdog needs. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int cthd_notify_open(struct cthd_notify *n, char *err, size_t errlen)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int rc;

	n->fd = -1;
	n->interval_ms = 0;
	n->last_ping_ms = 0;
	if (!path || !path[0])
		goto out;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "NOTIFY_SOCKET %s: not a unix socket path", path);
		return -EINVAL;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0 || connect(n->fd, (struct sockaddr *)&sa,
				 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "NOTIFY_SOCKET %s: %s", path, strerror(-rc));
		if (n->fd >= 0)
			close(n->fd);
		n->fd = -1;
		return rc;
	}
	if (usec && (!pid || strtol(pid, NULL, 10) == (long)getpid())) {
		char *end;
		unsigned long long us = strtoull(usec, &end, 10);

		/* half the period, as sd_watchdog_enabled(3) advises */
		if (usec[0] && !*end && us >= 2000)
			n->interval_ms = us / 2000;
	}
out:
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return 0;
}

void cthd_notify_send(struct cthd_notify *n, const char *msg)
{
	/* a manager gone meanwhile is no reason to stop helping */
	if (n->fd >= 0)
		(void)!send(n->fd, msg, strlen(msg), MSG_NOSIGNAL);
}

int cthd_notify_watchdog(struct cthd_notify *n)
{
	uint64_t now, due;

	if (n->fd < 0 || !n->interval_ms)
		return -1;
	now = now_ms();
	due = n->last_ping_ms + n->interval_ms;
	if (now >= due) {
		n->last_ping_ms = now;
		cthd_notify_send(n, "WATCHDOG=1");
		return (int)n->interval_ms;
	}
	return (int)(due - now);
}

void cthd_notify_close(struct cthd_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
