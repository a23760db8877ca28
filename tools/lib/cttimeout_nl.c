// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Build and parse nfnetlink_cttimeout messages (see cttimeout_nl.h).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter.h>

#include <libmnl/libmnl.h>

#include "nl_internal.h"
#include "cttimeout_nl.h"

#ifndef IPPROTO_GRE
#define IPPROTO_GRE 47
#endif
#define CTT_L4_GENERIC 255	/* IPPROTO_RAW: "generic" in conntrack-tools */

/*
 * State names by attribute number, per protocol. The arrays follow the
 * kernel's CTA_TIMEOUT_<PROTO>_* enums; compat is how many of them
 * libnetfilter_cttimeout 1.0 (conntrack-tools 1.4.7) knows.
 */
static const char *const tcp_states[] = {
	NULL, "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
	"LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2", "RETRANS",
	"UNACKNOWLEDGED",
};
static const char *const udp_states[] = { NULL, "UNREPLIED", "REPLIED" };
static const char *const single_state[] = { NULL, "TIMEOUT" };
static const char *const dccp_states[] = {
	NULL, "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ", "CLOSING",
	"TIMEWAIT",
};
static const char *const sctp_states[] = {
	NULL, "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT",
	"HEARTBEAT_ACKED",
};

struct proto_states {
	uint8_t l4num;
	unsigned int count;		/* highest attribute number */
	unsigned int compat_count;
	const char *const *names;
};

#define STATES(l4, arr, compat) \
	{ l4, sizeof(arr) / sizeof(arr[0]) - 1, compat, arr }

static const struct proto_states proto_states[] = {
	STATES(IPPROTO_TCP, tcp_states, 11),
	STATES(IPPROTO_UDP, udp_states, 2),
	STATES(IPPROTO_UDPLITE, udp_states, 2),
	STATES(IPPROTO_ICMP, single_state, 1),
	STATES(IPPROTO_ICMPV6, single_state, 1),
	STATES(IPPROTO_DCCP, dccp_states, 7),
	STATES(IPPROTO_SCTP, sctp_states, 7),
	STATES(IPPROTO_GRE, udp_states, 2),
	STATES(CTT_L4_GENERIC, single_state, 1),
};

static const struct proto_states *find_proto(uint8_t l4num)
{
	size_t i;

	for (i = 0; i < sizeof(proto_states) / sizeof(proto_states[0]); i++)
		if (proto_states[i].l4num == l4num)
			return &proto_states[i];
	return NULL;
}

unsigned int ctt_state_count(uint8_t l4num)
{
	const struct proto_states *ps = find_proto(l4num);

	return ps ? ps->count : 0;
}

unsigned int ctt_state_compat_count(uint8_t l4num)
{
	const struct proto_states *ps = find_proto(l4num);

	return ps ? ps->compat_count : 0;
}

const char *ctt_state_name(uint8_t l4num, unsigned int attr)
{
	const struct proto_states *ps = find_proto(l4num);

	if (!ps || attr < 1 || attr > ps->count)
		return NULL;
	return ps->names[attr];
}

int ctt_state_lookup(uint8_t l4num, const char *name)
{
	const struct proto_states *ps = find_proto(l4num);
	unsigned int i;

	if (!ps)
		return -ENOENT;
	for (i = 1; i <= ps->count; i++)
		if (strcasecmp(ps->names[i], name) == 0)
			return (int)i;
	return -ENOENT;
}

int ctt_timeout_set_name(struct ctt_timeout *t, const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(t->name))
		return -ERANGE;
	memcpy(t->name, name, len + 1);
	t->present |= CTT_F_NAME;
	return 0;
}

void ctt_timeout_set_proto(struct ctt_timeout *t, uint16_t l3num, uint8_t l4num)
{
	t->l3num = l3num;
	t->l4num = l4num;
	t->present |= CTT_F_L3NUM | CTT_F_L4NUM;
}

int ctt_timeout_set_state(struct ctt_timeout *t, unsigned int attr,
			  uint32_t seconds)
{
	if (!ctt_state_name(t->l4num, attr) || attr > CTT_STATE_MAX)
		return -ENOENT;
	t->state[attr] = seconds;
	t->state_set |= 1U << attr;
	t->present |= CTT_F_STATES;
	return 0;
}

static struct nlmsghdr *build_hdr(void *buf, size_t buflen, uint8_t msg,
				  uint16_t nlm_flags)
{
	return nfnl_request_start(buf, buflen, CTT_MSG_BUFSZ, NFNL_SUBSYS_CTNETLINK_TIMEOUT, msg, nlm_flags);
}

/* Attribute order as libnetfilter_cttimeout: NAME, L3PROTO, L4PROTO, DATA. */
static void put_body(struct nlmsghdr *nlh, const struct ctt_timeout *t,
		     int with_name, int with_states)
{
	struct nlattr *nest;
	unsigned int i;

	if (with_name && (t->present & CTT_F_NAME))
		mnl_attr_put_strz(nlh, CTA_TIMEOUT_NAME, t->name);
	if (t->present & CTT_F_L3NUM)
		mnl_attr_put_u16(nlh, CTA_TIMEOUT_L3PROTO, htons(t->l3num));
	if (t->present & CTT_F_L4NUM)
		mnl_attr_put_u8(nlh, CTA_TIMEOUT_L4PROTO, t->l4num);
	if (with_states && (t->present & CTT_F_STATES)) {
		nest = mnl_attr_nest_start(nlh, CTA_TIMEOUT_DATA);
		for (i = 1; i <= CTT_STATE_MAX; i++)
			if (t->state_set & (1U << i))
				mnl_attr_put_u32(nlh, i, htonl(t->state[i]));
		mnl_attr_nest_end(nlh, nest);
	}
}

struct nlmsghdr *ctt_timeout_build_new(void *buf, size_t buflen,
				       uint16_t nlm_flags,
				       const struct ctt_timeout *t)
{
	struct nlmsghdr *nlh;

	nlh = build_hdr(buf, buflen, IPCTNL_MSG_TIMEOUT_NEW,
			NLM_F_CREATE | NLM_F_ACK | nlm_flags);
	if (nlh)
		put_body(nlh, t, 1, 1);
	return nlh;
}

struct nlmsghdr *ctt_timeout_build_get(void *buf, size_t buflen,
				       const struct ctt_timeout *t)
{
	struct nlmsghdr *nlh;

	if (!t || !(t->present & CTT_F_NAME))
		return build_hdr(buf, buflen, IPCTNL_MSG_TIMEOUT_GET, NLM_F_DUMP);
	nlh = build_hdr(buf, buflen, IPCTNL_MSG_TIMEOUT_GET, NLM_F_ACK);
	if (nlh)
		mnl_attr_put_strz(nlh, CTA_TIMEOUT_NAME, t->name);
	return nlh;
}

struct nlmsghdr *ctt_timeout_build_del(void *buf, size_t buflen,
				       const struct ctt_timeout *t)
{
	struct nlmsghdr *nlh;

	nlh = build_hdr(buf, buflen, IPCTNL_MSG_TIMEOUT_DELETE, NLM_F_ACK);
	if (nlh && t && (t->present & CTT_F_NAME))
		mnl_attr_put_strz(nlh, CTA_TIMEOUT_NAME, t->name);
	return nlh;
}

struct nlmsghdr *ctt_timeout_build_default_set(void *buf, size_t buflen,
					       const struct ctt_timeout *t)
{
	struct nlmsghdr *nlh;

	nlh = build_hdr(buf, buflen, IPCTNL_MSG_TIMEOUT_DEFAULT_SET, NLM_F_ACK);
	if (nlh)
		put_body(nlh, t, 0, 1);
	return nlh;
}

struct nlmsghdr *ctt_timeout_build_default_get(void *buf, size_t buflen,
					       const struct ctt_timeout *t)
{
	struct nlmsghdr *nlh;

	nlh = build_hdr(buf, buflen, IPCTNL_MSG_TIMEOUT_DEFAULT_GET, NLM_F_ACK);
	if (nlh)
		put_body(nlh, t, 0, 0);
	return nlh;
}

static const enum mnl_attr_data_type timeout_types[CTA_TIMEOUT_MAX + 1] = {
	[CTA_TIMEOUT_NAME]	= MNL_TYPE_NUL_STRING,
	[CTA_TIMEOUT_L3PROTO]	= MNL_TYPE_U16,
	[CTA_TIMEOUT_L4PROTO]	= MNL_TYPE_U8,
	[CTA_TIMEOUT_DATA]	= MNL_TYPE_NESTED,
	[CTA_TIMEOUT_USE]	= MNL_TYPE_U32,
};

/* Every state timeout of every protocol is a be32. */
static const enum mnl_attr_data_type state_types[CTT_STATE_MAX + 1] = {
	MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32,
	MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32,
	MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32, MNL_TYPE_U32,
	MNL_TYPE_U32, MNL_TYPE_U32,
};

int ctt_timeout_parse(const struct nlmsghdr *nlh, struct ctt_timeout *t)
{
	const struct nlattr *tb[CTA_TIMEOUT_MAX + 1] = { NULL };
	uint8_t msg = nlh->nlmsg_type & 0xff;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK_TIMEOUT ||
	    (msg != IPCTNL_MSG_TIMEOUT_NEW &&
	     msg != IPCTNL_MSG_TIMEOUT_DEFAULT_SET &&
	     msg != IPCTNL_MSG_TIMEOUT_DEFAULT_GET))
		return -EPROTO;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return -EINVAL;
	if (attr_table_parse(nlh, sizeof(struct nfgenmsg), tb, timeout_types,
			     CTA_TIMEOUT_MAX) < 0)
		return -EINVAL;

	if (tb[CTA_TIMEOUT_NAME]) {
		const char *name = mnl_attr_get_str(tb[CTA_TIMEOUT_NAME]);

		if (strlen(name) >= sizeof(t->name))
			return -EINVAL;
		strcpy(t->name, name);
		t->present |= CTT_F_NAME;
	}
	if (tb[CTA_TIMEOUT_L3PROTO]) {
		t->l3num = ntohs(mnl_attr_get_u16(tb[CTA_TIMEOUT_L3PROTO]));
		t->present |= CTT_F_L3NUM;
	}
	if (tb[CTA_TIMEOUT_L4PROTO]) {
		t->l4num = mnl_attr_get_u8(tb[CTA_TIMEOUT_L4PROTO]);
		t->present |= CTT_F_L4NUM;
	}
	if (tb[CTA_TIMEOUT_USE]) {
		t->use = ntohl(mnl_attr_get_u32(tb[CTA_TIMEOUT_USE]));
		t->present |= CTT_F_USE;
	}
	if (tb[CTA_TIMEOUT_DATA]) {
		const struct nlattr *st[CTT_STATE_MAX + 1] = { NULL };

		if (attr_table_parse_nested(tb[CTA_TIMEOUT_DATA], st,
					    state_types, CTT_STATE_MAX) < 0)
			return -EINVAL;
		for (i = 1; i <= CTT_STATE_MAX; i++) {
			if (!st[i])
				continue;
			t->state[i] = ntohl(mnl_attr_get_u32(st[i]));
			t->state_set |= 1U << i;
			t->present |= CTT_F_STATES;
		}
	}
	return 0;
}
