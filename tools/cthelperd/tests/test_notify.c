// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * notify.c against a socket standing in for systemd: READY=1 arrives, the
 * watchdog pings at half the period and not more often, WATCHDOG_PID of
 * another process disables it, the variables are gone afterwards, and a
 * bad NOTIFY_SOCKET is an error naming it.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../notify.h"
#include "tap.h"

static int manager(const char *path, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	size_t len = strlen(path);

	memcpy(sa.sun_path, path, len);
	if (abstract)
		sa.sun_path[0] = '\0';
	else
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
		perror("bind");
		exit(1);
	}
	return fd;
}

/* the next message within ms, "" if none */
static const char *receive(int fd, int ms)
{
	static char buf[128];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	buf[0] = '\0';
	if (poll(&p, 1, ms) == 1 && (n = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0)
		buf[n] = '\0';
	return buf;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int main(void)
{
	struct tap t = { 0 };
	struct cthd_notify n;
	char path[64], err[256] = "", pid[16];
	int fd, rc, timeout, pings = 0;
	const char *msg;

	snprintf(path, sizeof(path), "/tmp/test_notify.%d", (int)getpid());
	fd = manager(path, false);

	unsetenv("NOTIFY_SOCKET");
	rc = cthd_notify_open(&n, err, sizeof(err));
	tap_check(&t, rc == 0 && n.fd < 0 && cthd_notify_watchdog(&n) == -1,
		  "no NOTIFY_SOCKET: nothing to do, no watchdog timeout", "rc %d fd %d", rc, n.fd);
	cthd_notify_send(&n, "READY=1");

	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	rc = cthd_notify_open(&n, err, sizeof(err));
	tap_check(&t, rc == 0 && n.fd >= 0 && n.interval_ms == 100,
		  "NOTIFY_SOCKET and WATCHDOG_USEC 200 ms: ping every 100 ms",
		  "rc %d (%s) interval %llu", rc, err, (unsigned long long)n.interval_ms);
	tap_check(&t, !getenv("NOTIFY_SOCKET") && !getenv("WATCHDOG_USEC") && !getenv("WATCHDOG_PID"),
		  "the variables are unset for what the daemon starts", "still set");
	cthd_notify_send(&n, "READY=1");
	msg = receive(fd, 1000);
	tap_check(&t, !strcmp(msg, "READY=1"), "READY=1 reaches the manager", "got '%s'", msg);

	timeout = cthd_notify_watchdog(&n);	/* the first ping is due at once */
	msg = receive(fd, 1000);
	tap_check(&t, !strcmp(msg, "WATCHDOG=1") && timeout == 100,
		  "WATCHDOG=1 at once, next in 100 ms", "got '%s', timeout %d", msg, timeout);
	timeout = cthd_notify_watchdog(&n);
	msg = receive(fd, 50);
	tap_check(&t, !msg[0] && timeout > 0 && timeout <= 100,
		  "no second ping before the interval", "got '%s', timeout %d", msg, timeout);
	/*
	 * A loop that turns every 30 ms (or slower, on a busy machine): never
	 * more than one ping per interval, never a gap much longer than one.
	 */
	struct timespec t0, t1;
	long elapsed;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 33; i++) {
		sleep_ms(30);
		cthd_notify_watchdog(&n);
		while (!strcmp(receive(fd, 0), "WATCHDOG=1"))
			pings++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	tap_check(&t, pings <= elapsed / 100 + 1 && pings >= elapsed / 200,
		  "a busy loop pings once per interval", "%d pings in %ld ms", pings, elapsed);
	/* a hung loop: nothing, so systemd restarts it */
	sleep_ms(300);
	msg = receive(fd, 0);
	tap_check(&t, !msg[0], "a loop that does not turn does not ping", "got '%s'", msg);
	cthd_notify_close(&n);

	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	rc = cthd_notify_open(&n, err, sizeof(err));
	tap_check(&t, rc == 0 && n.fd >= 0 && cthd_notify_watchdog(&n) == -1,
		  "WATCHDOG_PID of another process: no watchdog", "rc %d interval %llu", rc,
		  (unsigned long long)n.interval_ms);
	cthd_notify_close(&n);

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	rc = cthd_notify_open(&n, err, sizeof(err));
	tap_check(&t, rc == -EINVAL && strstr(err, "relative/path"),
		  "a NOTIFY_SOCKET that is no path: error naming it", "rc %d '%s'", rc, err);
	snprintf(err, sizeof(err), "%s.none", path);
	setenv("NOTIFY_SOCKET", err, 1);
	rc = cthd_notify_open(&n, err, sizeof(err));
	tap_check(&t, rc == -ENOENT && strstr(err, ".none: "),
		  "a NOTIFY_SOCKET nobody listens on: ENOENT, with the path", "rc %d '%s'", rc, err);
	close(fd);
	unlink(path);

	snprintf(path, sizeof(path), "@test_notify.%d", (int)getpid());
	fd = manager(path, true);
	setenv("NOTIFY_SOCKET", path, 1);
	unsetenv("WATCHDOG_USEC");
	rc = cthd_notify_open(&n, err, sizeof(err));
	cthd_notify_send(&n, "READY=1");
	msg = receive(fd, 1000);
	tap_check(&t, rc == 0 && !strcmp(msg, "READY=1"), "an abstract NOTIFY_SOCKET (@name)",
		  "rc %d got '%s'", rc, msg);
	cthd_notify_close(&n);
	close(fd);
	return tap_done(&t);
}
