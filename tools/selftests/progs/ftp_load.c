// SPDX-License-Identifier: GPL-2.0
/*
 * FTP load for the helper benchmark, in one long-lived process so that
 * process start-up (slow under qemu tcg) does not hide the cost of the
 * helper path.
 *
 *   ftp_load sessions SERVER COUNT port|pasv FILE SIZE
 *	COUNT sessions one after the other, each a new control connection
 *	(login, TYPE I, PORT or PASV, RETR FILE of SIZE bytes, QUIT) and a new
 *	data connection. Prints sessions per second.
 *   ftp_load control SERVER COUNT WINDOW
 *	one control connection, COUNT NOOP commands with up to WINDOW
 *	unanswered at a time (1: strict request/response). Prints seconds
 *	spent and NOOP lines per second.
 *
 * IPv4 only; port 21. Any protocol surprise ends with a message and exit 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_S 10

struct ctl {
	int fd;
	size_t len;		/* bytes buffered in buf */
	char buf[4096];
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ftp_load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int tcp_connect(const struct sockaddr_in *sin)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	set_timeouts(fd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) < 0)
		die("connect to %s:%u: %s", inet_ntoa(sin->sin_addr), ntohs(sin->sin_port),
		    strerror(errno));
	return fd;
}

static void send_line(struct ctl *c, const char *line)
{
	char out[256];
	int n = snprintf(out, sizeof(out), "%s\r\n", line);

	if (write(c->fd, out, (size_t)n) != n)
		die("sending %s: %s", line, errno ? strerror(errno) : "short write");
}

/*
 * Read one whole reply (RFC 959 multi-line replies included) and return its
 * code; the text of its last line goes to text.
 */
static int read_reply(struct ctl *c, char *text, size_t size)
{
	int code = 0;

	for (;;) {
		char *eol = memchr(c->buf, '\n', c->len);
		size_t linelen;
		ssize_t n;

		if (!eol) {
			if (c->len == sizeof(c->buf))
				die("reply line longer than %zu bytes", sizeof(c->buf));
			n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
			if (n <= 0)
				die("reading a reply: %s", n ? strerror(errno) : "connection closed");
			c->len += (size_t)n;
			continue;
		}
		linelen = (size_t)(eol - c->buf) + 1;
		if (linelen >= 4 && c->buf[0] >= '1' && c->buf[0] <= '5' &&
		    (code == 0 || atoi(c->buf) == code) && c->buf[3] != '-') {
			code = atoi(c->buf);
			if (text)
				snprintf(text, size, "%.*s", (int)linelen, c->buf);
			memmove(c->buf, eol + 1, c->len - linelen);
			c->len -= linelen;
			return code;
		}
		if (code == 0)
			code = atoi(c->buf);
		memmove(c->buf, eol + 1, c->len - linelen);
		c->len -= linelen;
	}
}

static void expect(struct ctl *c, const char *line, int want)
{
	char text[512];
	int code;

	if (line)
		send_line(c, line);
	code = read_reply(c, text, sizeof(text));
	if (code / 100 != want / 100)
		die("%s: expected %d, got %s", line ? line : "greeting", want, text);
}

static void login(struct ctl *c, const struct sockaddr_in *server)
{
	char text[512];

	c->len = 0;
	c->fd = tcp_connect(server);
	expect(c, NULL, 220);
	send_line(c, "USER anonymous");
	if (read_reply(c, text, sizeof(text)) == 331)
		expect(c, "PASS x", 230);
	else if (text[0] != '2')
		die("USER: %s", text);
}

static size_t read_all(int fd)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	if (n < 0)
		die("data connection: %s", strerror(errno));
	return total;
}

static int accept_data(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&p, 1, IO_TIMEOUT_S * 1000) != 1)
		die("no data connection from the server within %d s", IO_TIMEOUT_S);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept: %s", strerror(errno));
	set_timeouts(fd);
	return fd;
}

/* PORT: listen on the control connection's own address. */
static int port_listen(struct ctl *c)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	unsigned char *a = (unsigned char *)&me.sin_addr;
	char cmd[64];
	int fd;

	if (getsockname(c->fd, (struct sockaddr *)&me, &len) < 0)
		die("getsockname: %s", strerror(errno));
	me.sin_port = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &len) < 0)
		die("data listener: %s", strerror(errno));
	snprintf(cmd, sizeof(cmd), "PORT %u,%u,%u,%u,%u,%u", a[0], a[1], a[2], a[3],
		 ntohs(me.sin_port) >> 8, ntohs(me.sin_port) & 0xff);
	expect(c, cmd, 200);
	return fd;
}

/* PASV: connect where the 227 reply says. */
static int pasv_connect(struct ctl *c)
{
	unsigned int h[4], p[2];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char text[512];
	const char *nums;

	send_line(c, "PASV");
	if (read_reply(c, text, sizeof(text)) != 227)
		die("PASV: %s", text);
	nums = strchr(text, '(');
	if (!nums || sscanf(nums, "(%u,%u,%u,%u,%u,%u)", &h[0], &h[1], &h[2], &h[3],
			    &p[0], &p[1]) != 6)
		die("PASV: cannot parse %s", text);
	sin.sin_addr.s_addr = htonl(h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3]);
	sin.sin_port = htons((uint16_t)(p[0] << 8 | p[1]));
	return tcp_connect(&sin);
}

static void session(const struct sockaddr_in *server, int pasv, const char *file,
		    size_t size)
{
	struct ctl c;
	char cmd[300];
	size_t got;
	int data, lfd = -1;

	login(&c, server);
	expect(&c, "TYPE I", 200);
	if (pasv)
		data = pasv_connect(&c);
	else
		lfd = port_listen(&c);
	snprintf(cmd, sizeof(cmd), "RETR %s", file);
	expect(&c, cmd, 150);
	if (!pasv) {
		data = accept_data(lfd);
		close(lfd);
	}
	got = read_all(data);
	close(data);
	expect(&c, NULL, 226);
	if (got != size)
		die("RETR %s: %zu bytes, expected %zu", file, got, size);
	expect(&c, "QUIT", 221);
	close(c.fd);
}

static void control(const struct sockaddr_in *server, long count, long window)
{
	struct ctl c;
	long sent = 0, answered = 0;
	double t0;

	login(&c, server);
	t0 = now();
	while (answered < count) {
		char text[512];

		while (sent < count && sent - answered < window) {
			send_line(&c, "NOOP");
			sent++;
		}
		if (read_reply(&c, text, sizeof(text)) != 200)
			die("NOOP: %s", text);
		answered++;
	}
	printf("%.3f %.1f\n", now() - t0, (double)count / (now() - t0));
	expect(&c, "QUIT", 221);
	close(c.fd);
}

static long number(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v <= 0)
		die("%s must be a positive number, not '%s'", what, s);
	return v;
}

static void usage(void)
{
	fputs("usage: ftp_load sessions SERVER COUNT port|pasv FILE SIZE\n"
	      "       ftp_load control SERVER COUNT WINDOW\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons(21) };

	if (argc < 5)
		usage();
	if (inet_pton(AF_INET, argv[2], &server.sin_addr) != 1)
		die("SERVER must be an IPv4 address, not '%s'", argv[2]);

	if (!strcmp(argv[1], "sessions") && argc == 7) {
		long count = number(argv[3], "COUNT");
		int pasv = !strcmp(argv[4], "pasv");
		size_t size = (size_t)number(argv[6], "SIZE");
		double t0 = now();

		if (!pasv && strcmp(argv[4], "port"))
			usage();
		for (long i = 0; i < count; i++)
			session(&server, pasv, argv[5], size);
		printf("%.1f\n", (double)count / (now() - t0));
	} else if (!strcmp(argv[1], "control") && argc == 5) {
		control(&server, number(argv[3], "COUNT"), number(argv[4], "WINDOW"));
	} else {
		usage();
	}
	return 0;
}
