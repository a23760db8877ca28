// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * openback: a cthelperd helper plugin for a made-up protocol, the example
 * of HELPERS.md. A client connects to TCP port 7777, greets the server and,
 * once greeted back, asks it to call back:
 *
 *	client: HELLO\r\n		server: WELCOME\r\n
 *	client: OPEN <port>\r\n	server: OK\r\n
 *
 * The server then connects to the client's address at <port>. The
 * greeting matters: the stream layer, like the kernel's FTP helper, never
 * reads the first segment of a direction (nothing says it starts a line),
 * so a protocol whose first line counts cannot be helped this way. A firewall
 * that lets in only ESTABLISHED,RELATED needs an expectation for that
 * connection: this helper creates it. Built against the installed helper.h
 * only (pkg-config cthelperd), loaded from cthelperd's plugin directory.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <helper.h>

struct openback_priv {
	struct cthd_stream stream;	/* first: see struct cthd_stream */
};

struct openback_ctx {
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct cthd_result *res;
};

static int openback_line(void *opaque, const char *text, size_t len, size_t offset)
{
	struct openback_ctx *ctx = opaque;
	struct cthd_expect exp;
	size_t pos = 5;
	int64_t port;

	(void)offset;
	if (ctx->pkt->dir != CTHD_DIR_ORIGINAL || len < 6 || memcmp(text, "OPEN ", 5))
		return 0;
	port = cthd_parse_decimal(text, len, &pos, 5, 65535);
	/* the whole line is the number; privileged ports open nothing */
	if (port < 1024 || pos != len) {
		ctx->res->parse_errors++;
		return 0;
	}
	if (cthd_conntrack_is_natted(ctx->ct)) {
		/* rewriting the port under NAT is left out of the example */
		ctx->res->lost++;
		return 0;
	}
	/* from the server (any source port) to the client's port */
	cthd_expect_to_sender(&exp, ctx->ct, CTHD_DIR_ORIGINAL, IPPROTO_TCP, (uint16_t)port,
			      (uint16_t)port, false);
	return cthd_result_add_expect(ctx->res, &exp) < 0 ? -ENOSPC : 0;
}

static bool openback_wants_whole(void *opaque, const char *text, size_t len)
{
	(void)opaque;
	return len < 5 ? !memcmp(text, "OPEN ", len) : !memcmp(text, "OPEN ", 5);
}

static const struct cthd_line_ops openback_ops = {
	.line = openback_line,
	.wants_whole = openback_wants_whole,
};

static int openback_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			    void *priv, struct cthd_result *res)
{
	struct openback_priv *p = priv;
	struct openback_ctx ctx = { .pkt = pkt, .ct = ct, .res = res };

	return cthd_stream_lines(pkt, &p->stream, res, &openback_ops, &ctx);
}

static const struct cthd_helper openback_helper = {
	.name = "openback",
	.l4proto = IPPROTO_TCP,
	.default_port = 7777,
	.n_policies = 1,
	.policies = { { .name = "openback", .max_expected = 2, .timeout = 60 } },
	.priv_len = sizeof(struct openback_priv),
	.process = openback_process,
};

CTHD_PLUGIN(openback_helper, NULL);
