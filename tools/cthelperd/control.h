/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: a unix stream socket; a client sends one line
 * ("stats" or "stats json") and reads the answer until the daemon closes.
 */
#ifndef CTHELPERD_CONTROL_H
#define CTHELPERD_CONTROL_H

#include <stddef.h>
#include <stdio.h>

/* Create, bind (mode 0600) and listen; fd or -errno. */
int cthd_control_listen(const char *path);

/*
 * Accept one client, read its request line (waiting at most 200 ms) and
 * write what answer() puts in buf. answer returns the length or -errno.
 */
typedef int (*cthd_control_answer_fn)(const char *request, char *buf, size_t size,
				      void *data);
int cthd_control_serve_one(int listen_fd, cthd_control_answer_fn answer, void *data);

/* Client: send request, copy the answer to out. 0 or -errno. */
int cthd_control_query(const char *path, const char *request, FILE *out);

#endif
