// SPDX-License-Identifier: GPL-2.0-or-later
/* Packet parsing: the queued packet is untrusted input; check every length. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <string.h>

#include "packet.h"

static int parse_ipv4(const uint8_t *data, size_t len, size_t *l4_off, uint8_t *proto,
		      size_t *end)
{
	struct iphdr ip;
	size_t hlen, total;

	if (len < sizeof(ip))
		return -EINVAL;
	memcpy(&ip, data, sizeof(ip));
	hlen = (size_t)ip.ihl * 4;
	total = ntohs(ip.tot_len);
	/* a GSO packet over 64 KiB carries tot_len 0: trust the buffer */
	if (total == 0)
		total = len;
	if (hlen < sizeof(ip) || total < hlen || total > len)
		return -EINVAL;
	if (ntohs(ip.frag_off) & IP_OFFMASK)
		return -EPROTONOSUPPORT;
	*l4_off = hlen;
	*proto = ip.protocol;
	*end = total;
	return 0;
}

/* Walk the extension headers conntrack itself skips. */
static int parse_ipv6(const uint8_t *data, size_t len, size_t *l4_off, uint8_t *proto,
		      size_t *end)
{
	struct ip6_hdr ip6;
	size_t off = sizeof(ip6), total;
	uint8_t next;

	if (len < sizeof(ip6))
		return -EINVAL;
	memcpy(&ip6, data, sizeof(ip6));
	total = sizeof(ip6) + ntohs(ip6.ip6_plen);
	if (total == sizeof(ip6))	/* jumbogram or GSO: trust the buffer */
		total = len;
	if (total > len)
		return -EINVAL;
	next = ip6.ip6_nxt;
	for (int hops = 0; hops < 8; hops++) {
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (total - off < 8)
				return -EINVAL;
			next = data[off];
			off += ((size_t)data[off + 1] + 1) * 8;
			break;
		case IPPROTO_AH:
			if (total - off < 8)
				return -EINVAL;
			next = data[off];
			off += ((size_t)data[off + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT: {
			struct ip6_frag frag;

			if (total - off < sizeof(frag))
				return -EINVAL;
			memcpy(&frag, data + off, sizeof(frag));
			if (ntohs(frag.ip6f_offlg) & IP6F_OFF_MASK)
				return -EPROTONOSUPPORT;
			next = frag.ip6f_nxt;
			off += sizeof(frag);
			break;
		}
		default:
			if (off > total)
				return -EINVAL;
			*l4_off = off;
			*proto = next;
			*end = total;
			return 0;
		}
		if (off > total)
			return -EINVAL;
	}
	return -EINVAL;
}

int cthd_packet_parse(const uint8_t *data, size_t len, struct cthd_packet *pkt)
{
	size_t l4_off, end, hdr_len;
	uint8_t proto;
	int err;

	if (len < 1)
		return -EINVAL;
	switch (data[0] >> 4) {
	case 4:
		pkt->family = AF_INET;
		err = parse_ipv4(data, len, &l4_off, &proto, &end);
		break;
	case 6:
		pkt->family = AF_INET6;
		err = parse_ipv6(data, len, &l4_off, &proto, &end);
		break;
	default:
		return -EINVAL;
	}
	if (err)
		return err;

	pkt->tcp_seq = 0;
	if (proto == IPPROTO_TCP) {
		struct tcphdr th;

		if (end - l4_off < sizeof(th))
			return -EINVAL;
		memcpy(&th, data + l4_off, sizeof(th));
		hdr_len = (size_t)th.doff * 4;
		if (hdr_len < sizeof(th) || end - l4_off < hdr_len)
			return -EINVAL;
		pkt->tcp_seq = ntohl(th.seq);
	} else if (proto == IPPROTO_UDP) {
		size_t udp_len;

		hdr_len = sizeof(struct udphdr);
		if (end - l4_off < hdr_len)
			return -EINVAL;
		/*
		 * The datagram is what its length field says, as the receiver
		 * reads it: a helper must parse exactly that, not bytes padded
		 * after it. Longer than the packet: malformed.
		 */
		udp_len = (size_t)(data[l4_off + 4] << 8 | data[l4_off + 5]);
		if (udp_len < hdr_len || udp_len > end - l4_off)
			return -EINVAL;
		end = l4_off + udp_len;
	} else {
		return -EPROTONOSUPPORT;
	}
	pkt->data = data;
	pkt->len = end;
	pkt->l4proto = proto;
	pkt->l4_offset = l4_off;
	pkt->payload_offset = l4_off + hdr_len;
	pkt->payload = data + pkt->payload_offset;
	pkt->payload_len = end - pkt->payload_offset;
	return 0;
}
