/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd's service notification (sd_notify(3)): READY=1 once set up,
 * WATCHDOG=1 from the event loop, STOPPING=1 at the end. A datagram on the
 * unix socket $NOTIFY_SOCKET names; written here rather than linked from
 * libsystemd: the protocol is one send(), the socket is opened before the
 * privilege drop and seccomp (no new system call for the filter to allow),
 * and the daemon gains no library dependency.
 */
#ifndef CTHELPERD_NOTIFY_H
#define CTHELPERD_NOTIFY_H

#include <stdint.h>

struct cthd_notify {
	int fd;				/* -1: not started by a service manager */
	uint64_t interval_ms;		/* ping every interval_ms; 0: no watchdog */
	uint64_t last_ping_ms;
};

/*
 * From $NOTIFY_SOCKET (a path or "@abstract") and $WATCHDOG_USEC (with
 * $WATCHDOG_PID, when set, naming this process). Unsets them, so that
 * nothing this process starts reports in its name. Returns 0 (also without
 * a service manager: fd -1) or -errno with a message in err.
 */
int cthd_notify_open(struct cthd_notify *n, char *err, size_t errlen);

/* Send one message ("READY=1"); nothing without a service manager. */
void cthd_notify_send(struct cthd_notify *n, const char *msg);

/*
 * WATCHDOG=1 when half the watchdog period has passed since the last one;
 * returns how long the event loop may sleep before the next is due (ms),
 * -1 for as long as it likes.
 */
int cthd_notify_watchdog(struct cthd_notify *n);

void cthd_notify_close(struct cthd_notify *n);

#endif
