// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SNMP helpers, "snmp" (UDP 161: requests and responses) and "snmp_trap"
 * (UDP 162: traps and informs): under NAT, the IPv4 addresses that SNMPv1
 * and SNMPv2c messages carry as IpAddress values (a variable binding's
 * value, a v1 trap's agent-addr) are rewritten where they are the sender's
 * own address, to the address its peer knows it by, as nf_nat_snmp_basic
 * does. Only tagged IpAddress values are touched, never an OID index or a
 * string. No expectations.
 *
 * The mapping follows the packet's sender: in the original direction its
 * address before source NAT becomes the one after it (a trap's agent-addr
 * behind SNAT, the kernel's case); in the reply direction its address
 * before destination NAT becomes the one the requester sent to (a response
 * of an agent behind DNAT naming itself; the 6.12 kernel maps the
 * requester's SNAT there instead, which a response cannot contain).
 *
 * Under NAT a community message that does not parse is dropped, as the
 * kernel drops it: it may hold an address that would leak untranslated.
 * Other than the kernel: SNMPv3 (and any other version) passes untouched
 * instead of being dropped, and SNMPv1's Trap-PDU, which the kernel's
 * grammar left out, is translated. IpAddress is IPv4 only, so IPv6
 * connections have nothing to translate. Without NAT nothing is parsed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "../helper.h"
#include "snmp.h"

#define BER_SEQUENCE		0x30
#define BER_INTEGER		0x02
#define BER_OCTET_STRING	0x04
#define BER_NULL		0x05
#define BER_OID			0x06
#define BER_TAG_NUMBER_MASK	0x1f	/* all ones: a high tag number follows */
#define BER_LONG_LENGTH		0x80

/* The parts of one constructed value still to read: [pos, end) of data. */
struct ber {
	const uint8_t *data;
	size_t pos;
	size_t end;
};

/*
 * The next TLV: its tag, and a cursor over its value; b moves past it.
 * Lengths are checked against the enclosing value before anything is read.
 */
static int ber_next(struct ber *b, uint8_t *tag, struct ber *value)
{
	size_t pos = b->pos, vlen, n;
	uint8_t first;

	if (b->end - pos < 2)
		return -EINVAL;
	*tag = b->data[pos++];
	if ((*tag & BER_TAG_NUMBER_MASK) == BER_TAG_NUMBER_MASK)
		return -EINVAL;		/* SNMP uses no high tag numbers */
	first = b->data[pos++];
	if (first < BER_LONG_LENGTH) {
		vlen = first;
	} else {
		/* 0x80 is the indefinite form, which SNMP forbids; 4 bytes say 4 GB */
		n = first & ~BER_LONG_LENGTH;
		if (n == 0 || n > 4 || b->end - pos < n)
			return -EINVAL;
		vlen = 0;
		while (n--)
			vlen = vlen << 8 | b->data[pos++];
	}
	if (vlen > b->end - pos)
		return -EINVAL;
	value->data = b->data;
	value->pos = pos;
	value->end = pos + vlen;
	b->pos = pos + vlen;
	return 0;
}

static int ber_expect(struct ber *b, uint8_t want, struct ber *value)
{
	uint8_t tag;
	int rc = ber_next(b, &tag, value);

	if (rc)
		return rc;
	return tag == want ? 0 : -EINVAL;
}

static size_t ber_len(const struct ber *b)
{
	return b->end - b->pos;
}

/* An INTEGER (or an implicitly tagged one); BER has no empty integers. */
static int ber_integer(struct ber *b, uint8_t tag)
{
	struct ber v;
	int rc = ber_expect(b, tag, &v);

	return rc ? rc : ber_len(&v) ? 0 : -EINVAL;
}

static int ber_oid(struct ber *b)
{
	return ber_integer(b, BER_OID);	/* the same rule: not empty */
}

/* msgVersion: a small non-negative INTEGER, at most 4 bytes. */
static int snmp_version(struct ber *b)
{
	struct ber v;
	int version = 0;
	int rc = ber_expect(b, BER_INTEGER, &v);

	if (rc)
		return rc;
	if (ber_len(&v) < 1 || ber_len(&v) > 4 || v.data[v.pos] & 0x80)
		return -EINVAL;
	for (; v.pos < v.end; v.pos++)
		version = version << 8 | v.data[v.pos];
	return version;
}

/* A variable binding's value: the ObjectSyntax types and v2's exceptions. */
static int snmp_value(struct ber *b, snmp_ipaddr_fn ipaddr, void *ctx)
{
	struct ber v;
	uint8_t tag;
	int rc = ber_next(b, &tag, &v);

	if (rc)
		return rc;
	switch (tag) {
	case SNMP_TAG_IPADDRESS:
		if (ber_len(&v) != 4)
			return -EINVAL;
		ipaddr(ctx, v.pos);
		return 0;
	case BER_INTEGER:
	case BER_OID:
	case 0x41:	/* Counter32 */
	case 0x42:	/* Gauge32, Unsigned32 */
	case 0x43:	/* TimeTicks */
	case 0x46:	/* Counter64 */
	case 0x47:	/* UInteger32 (RFC 1442, obsolete) */
		return ber_len(&v) ? 0 : -EINVAL;
	case BER_OCTET_STRING:
	case 0x44:	/* Opaque */
	case 0x45:	/* NsapAddress (SMIv1) */
		return 0;
	case BER_NULL:	/* unSpecified */
	case 0x80:	/* noSuchObject */
	case 0x81:	/* noSuchInstance */
	case 0x82:	/* endOfMibView */
		return ber_len(&v) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

static int snmp_varbinds(struct ber *pdu, snmp_ipaddr_fn ipaddr, void *ctx)
{
	struct ber list, vb;
	int rc = ber_expect(pdu, BER_SEQUENCE, &list);

	while (!rc && list.pos < list.end) {
		rc = ber_expect(&list, BER_SEQUENCE, &vb);
		if (!rc)
			rc = ber_oid(&vb);
		if (!rc)
			rc = snmp_value(&vb, ipaddr, ctx);
		if (!rc && vb.pos != vb.end)
			rc = -EINVAL;
	}
	return rc;
}

/* Trap-PDU (RFC 1157): enterprise, agent-addr, generic, specific, time-stamp */
static int snmp_trap_v1_header(struct ber *pdu, snmp_ipaddr_fn ipaddr, void *ctx)
{
	struct ber addr;
	int rc = ber_oid(pdu);

	if (!rc)
		rc = ber_expect(pdu, SNMP_TAG_IPADDRESS, &addr);
	if (!rc && ber_len(&addr) != 4)
		rc = -EINVAL;
	if (!rc)
		ipaddr(ctx, addr.pos);
	if (!rc)
		rc = ber_integer(pdu, BER_INTEGER);
	if (!rc)
		rc = ber_integer(pdu, BER_INTEGER);
	if (!rc)
		rc = ber_integer(pdu, 0x43);	/* TimeTicks */
	return rc;
}

int snmp_parse(const uint8_t *data, size_t len, snmp_ipaddr_fn ipaddr, void *ctx)
{
	struct ber top = { .data = data, .pos = 0, .end = len };
	struct ber msg, community, pdu;
	uint8_t pdu_tag;
	int version, rc;

	rc = ber_expect(&top, BER_SEQUENCE, &msg);
	if (rc || top.pos != top.end)
		return -EINVAL;
	version = snmp_version(&msg);
	if (version < 0)
		return version;
	if (version != SNMP_V1 && version != SNMP_V2C)
		return version;
	rc = ber_expect(&msg, BER_OCTET_STRING, &community);
	if (!rc)
		rc = ber_next(&msg, &pdu_tag, &pdu);
	if (rc || msg.pos != msg.end)
		return -EINVAL;
	switch (pdu_tag) {
	case 0xa0:	/* GetRequest */
	case 0xa1:	/* GetNextRequest */
	case 0xa2:	/* Response (GetResponse in v1) */
	case 0xa3:	/* SetRequest */
	case 0xa5:	/* GetBulkRequest: non-repeaters, max-repetitions */
	case 0xa6:	/* InformRequest */
	case 0xa7:	/* SNMPv2-Trap */
	case 0xa8:	/* Report */
		/* request-id, error-status, error-index */
		for (int i = 0; i < 3 && !rc; i++)
			rc = ber_integer(&pdu, BER_INTEGER);
		break;
	case SNMP_TAG_TRAP_V1:
		rc = snmp_trap_v1_header(&pdu, ipaddr, ctx);
		break;
	default:
		return -EINVAL;
	}
	if (!rc)
		rc = snmp_varbinds(&pdu, ipaddr, ctx);
	if (rc || pdu.pos != pdu.end)
		return -EINVAL;
	return version;
}

/*
 * The rewrite of one message: each IpAddress equal to `from` becomes `to`.
 * Addresses close together share an edit (each edit replaces a span of at
 * most CTHD_MANGLE_DATA_MAX bytes with a copy holding the new addresses),
 * so that a message with many of them still fits in CTHD_MANGLE_MAX edits.
 */
struct snmp_rewrite {
	const uint8_t *payload;
	uint8_t from[4];
	uint8_t to[4];
	unsigned int n_spans;
	struct {
		size_t start, end;
		uint8_t data[CTHD_MANGLE_DATA_MAX];
	} span[CTHD_MANGLE_MAX];
	bool too_many;
};

/* Offsets come in increasing order, 4 bytes each, never overlapping. */
static void snmp_rewrite_addr(void *ctx, size_t offset)
{
	struct snmp_rewrite *rw = ctx;
	size_t start;

	if (memcmp(rw->payload + offset, rw->from, 4))
		return;
	if (rw->n_spans && offset + 4 - rw->span[rw->n_spans - 1].start <= CTHD_MANGLE_DATA_MAX) {
		size_t end = rw->span[rw->n_spans - 1].end;

		start = rw->span[rw->n_spans - 1].start;
		/* the unchanged bytes since the span's last address */
		memcpy(rw->span[rw->n_spans - 1].data + (end - start), rw->payload + end,
		       offset - end);
	} else if (rw->n_spans < CTHD_MANGLE_MAX) {
		start = offset;
		rw->span[rw->n_spans++].start = offset;
	} else {
		rw->too_many = true;
		return;
	}
	memcpy(rw->span[rw->n_spans - 1].data + (offset - start), rw->to, 4);
	rw->span[rw->n_spans - 1].end = offset + 4;
}

static int snmp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			void *priv, struct cthd_result *res)
{
	const struct cthd_tuple *sent = &ct->tuple[pkt->dir];
	const struct cthd_tuple *seen = &ct->tuple[cthd_dir_other(pkt->dir)];
	struct snmp_rewrite rw;
	int rc;

	(void)priv;
	if (ct->l4proto != IPPROTO_UDP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	/* IpAddress holds IPv4 addresses only: nothing of an IPv6 conntrack */
	if (ct->family != AF_INET || !cthd_conntrack_is_natted(ct))
		return 0;
	/* the sender's address, and the one its peer sends to */
	memcpy(rw.from, &sent->src.ip, 4);
	memcpy(rw.to, &seen->dst.ip, 4);
	if (!memcmp(rw.from, rw.to, 4))
		return 0;

	rw.payload = pkt->payload;
	rw.n_spans = 0;
	rw.too_many = false;
	rc = snmp_parse(pkt->payload, pkt->payload_len, snmp_rewrite_addr, &rw);
	if (rc < 0) {
		/* it may hold the sender's address: never let it out untranslated */
		res->parse_errors++;
		res->verdict = CTHD_DROP;
		return 0;
	}
	if (rw.too_many) {
		res->lost++;
		res->verdict = CTHD_DROP;
		return 0;
	}
	for (unsigned int i = 0; i < rw.n_spans; i++) {
		size_t n = rw.span[i].end - rw.span[i].start;

		if (cthd_result_add_mangle(res, rw.span[i].start, n, rw.span[i].data, n) < 0)
			return -ENOSPC;		/* cannot happen: spans fit by construction */
	}
	return 0;
}

/*
 * The kernel's policies: nf_conntrack_snmp's expectation timeout (its module
 * parameter) and nf_nat_snmp_basic's; this helper expects nothing, the
 * kernel refuses a policy of 0 expectations.
 */
static const struct cthd_helper snmp_helper = {
	.name = "snmp",
	.l4proto = IPPROTO_UDP,
	.default_port = 161,
	.n_policies = 1,
	.policies = { { .name = "snmp", .max_expected = 1, .timeout = 30 } },
	.priv_len = 0,
	.process = snmp_process,
};

static const struct cthd_helper snmp_trap_helper = {
	.name = "snmp_trap",
	.l4proto = IPPROTO_UDP,
	.default_port = 162,
	.n_policies = 1,
	.policies = { { .name = "snmp_trap", .max_expected = 1, .timeout = 180 } },
	.priv_len = 0,
	.process = snmp_process,
};

CTHD_HELPER_REGISTER(snmp_helper);
CTHD_HELPER_REGISTER(snmp_trap_helper);
