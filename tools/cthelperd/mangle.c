// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Payload edits. The verdict carries the whole new packet (NFQA_PAYLOAD) and
 * the kernel marks it CHECKSUM_NONE, so lengths and checksums must be right
 * here; the kernel then shifts TCP sequence numbers by the length change.
 */
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <string.h>

#include "mangle.h"

long cthd_mangle_payload(const uint8_t *in, size_t in_len,
			const struct cthd_mangle *edits, unsigned int n_edits,
			uint8_t *out, size_t out_size)
{
	size_t in_pos = 0, out_pos = 0;

	for (unsigned int i = 0; i <= n_edits; i++) {
		size_t keep_end = i < n_edits ? edits[i].offset : in_len;

		if (keep_end < in_pos || keep_end > in_len)
			return -EINVAL;
		if (out_pos + (keep_end - in_pos) > out_size)
			return -ENOSPC;
		memcpy(out + out_pos, in + in_pos, keep_end - in_pos);
		out_pos += keep_end - in_pos;
		if (i == n_edits)
			break;
		if (edits[i].len > in_len - keep_end || edits[i].data_len > CTHD_MANGLE_DATA_MAX)
			return -EINVAL;
		if (out_pos + edits[i].data_len > out_size)
			return -ENOSPC;
		memcpy(out + out_pos, edits[i].data, edits[i].data_len);
		out_pos += edits[i].data_len;
		in_pos = keep_end + edits[i].len;
	}
	return (long)out_pos;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(data[i] << 8 | data[i + 1]);
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* TCP/UDP checksum over the pseudo header and the L4 segment. */
static uint16_t l4_checksum(const uint8_t *l3, int family, uint8_t proto,
			    const uint8_t *l4, size_t l4_len)
{
	uint32_t sum = 0;

	if (family == AF_INET) {
		sum = csum_add(sum, l3 + 12, 8);	/* saddr, daddr */
	} else {
		sum = csum_add(sum, l3 + 8, 32);
	}
	sum += proto;
	sum += (uint32_t)(l4_len >> 16) + (uint32_t)(l4_len & 0xffff);
	sum = csum_add(sum, l4, l4_len);
	return csum_fold(sum);
}

long cthd_mangle_packet(const struct cthd_packet *pkt,
		       const struct cthd_mangle *edits, unsigned int n_edits,
		       uint8_t *out, size_t out_size)
{
	size_t csum_off, l4_len, total;
	long payload_len;
	uint8_t *l4;

	if (pkt->payload_offset > pkt->len || pkt->l4_offset > pkt->payload_offset ||
	    out_size < pkt->payload_offset)
		return -EINVAL;
	if (pkt->l4proto == IPPROTO_TCP)
		csum_off = offsetof(struct tcphdr, check);
	else if (pkt->l4proto == IPPROTO_UDP)
		csum_off = offsetof(struct udphdr, check);
	else
		return -EPROTONOSUPPORT;
	if (pkt->payload_offset - pkt->l4_offset < csum_off + 2)
		return -EINVAL;

	memcpy(out, pkt->data, pkt->payload_offset);
	payload_len = cthd_mangle_payload(pkt->payload, pkt->payload_len, edits, n_edits,
					 out + pkt->payload_offset,
					 out_size - pkt->payload_offset);
	if (payload_len < 0)
		return payload_len;
	total = pkt->payload_offset + (size_t)payload_len;
	l4 = out + pkt->l4_offset;
	l4_len = total - pkt->l4_offset;

	if (pkt->family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)out;

		if (total > 0xffff)
			return -EMSGSIZE;
		ip->tot_len = htons((uint16_t)total);
		ip->check = 0;
		ip->check = htons(csum_fold(csum_add(0, out, (size_t)ip->ihl * 4)));
	} else if (pkt->family == AF_INET6) {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)out;

		if (total - sizeof(*ip6) > 0xffff)
			return -EMSGSIZE;
		ip6->ip6_plen = htons((uint16_t)(total - sizeof(*ip6)));
	} else {
		return -EAFNOSUPPORT;
	}
	if (pkt->l4proto == IPPROTO_UDP)
		((struct udphdr *)l4)->len = htons((uint16_t)l4_len);

	/* the kernel takes the packet as CHECKSUM_NONE: compute it in full */
	l4[csum_off] = 0;
	l4[csum_off + 1] = 0;
	{
		uint16_t sum = l4_checksum(out, pkt->family, pkt->l4proto, l4, l4_len);

		if (pkt->l4proto == IPPROTO_UDP && sum == 0)
			sum = 0xffff;
		l4[csum_off] = (uint8_t)(sum >> 8);
		l4[csum_off + 1] = (uint8_t)sum;
	}
	return (long)total;
}
