// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SNMP helper unit tests. The messages are what net-snmp 5.9.3 (Debian 12's
 * snmp, snmpd and snmptrapd) sent and answered, recorded with tcpdump:
 * snmpget v1 and v2c of ipAdEntAddr (a response carrying IpAddress values),
 * snmpbulkget of the ipAddrTable, snmptrap v1 (agent-addr 10.77.0.5) and
 * v2c, snmpinform and snmptrapd's response, snmpget -v3 (discovery and
 * request). Then the parser under hostile input (every cut of every real
 * message, BER lengths past the end, indefinite and oversized lengths, high
 * tag numbers, wrong sizes), and the helper under NAT: only IpAddress
 * values equal to the sender's address change, never the same bytes in an
 * OID index or a string; what does not parse is dropped; SNMPv3 and IPv6
 * pass untouched.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/snmp.h"
#include "../mangle.h"
#include "../packet.h"
#include "conv.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

struct recorded {
	const char *name;
	const char *hex;
	int version;		/* snmp_parse's answer */
	unsigned int n_addr;	/* IpAddress values reported */
};

/* payloads as recorded; 10.77.0.5 is the agent, 127.0.0.1 the loopback */
static const struct recorded recorded[] = {
	{ "v1_get_request",
	  "304102010004067075626c6963a03402045e3fee4102010002010030263011060d2b0601020104"
	  "1401017f00000105003011060d2b06010201041401010a4d00050500", SNMP_V1, 0 },
	{ "v1_get_response",
	  "304902010004067075626c6963a23c02045e3fee41020100020100302e3015060d2b0601020104"
	  "1401017f00000140047f0000013015060d2b06010201041401010a4d000540040a4d0005",
	  SNMP_V1, 2 },
	{ "v2c_get_request",
	  "304a02010104067075626c6963a03d020410820ac9020100020100302f3011060d2b0601020104"
	  "1401017f0000010500300c06082b060102010103000500300c06082b060102010106000500",
	  SNMP_V2C, 0 },
	{ "v2c_get_response",
	  "305302010104067075626c6963a246020410820ac902010002010030383015060d2b0601020104"
	  "1401017f00000140047f000001300e06082b060102010103004302012f300f06082b0601020101"
	  "06000403726563", SNMP_V2C, 1 },
	{ "v2c_getbulk_request",
	  "302a02010104067075626c6963a51d02041421d127020100020108300f300d06092b0601020104"
	  "1401010500", SNMP_V2C, 0 },
	{ "v2c_getbulk_response",
	  "3081ce02010104067075626c6963a281c002041421d1270201000201003081b13015060d2b0601"
	  "0201041401010a4d000540040a4d00053015060d2b06010201041401017f00000140047f000001"
	  "3016060e2b060102010414010181400002024004c00002023012060d2b06010201041401020a4d"
	  "00050201013012060d2b06010201041401027f0000010201013013060e2b060102010414010281"
	  "400002020201043015060d2b06010201041401030a4d00054004ffffffff3015060d2b06010201"
	  "041401037f0000014004ff000000", SNMP_V2C, 5 },
	{ "v1_trap",
	  "304002010004067075626c6963a43306072b06010401bf0840040a4d0005020106020111430310"
	  "b4a230173015060d2b06010201041401010a4d000540040a4d0005", SNMP_V1, 2 },
	{ "v2c_trap",
	  "307a02010104067075626c6963a76d02046a05ca71020100020100305f300f06082b0601020101"
	  "0300430310b4a43019060a2b060106030101040100060b2b06010401bf08020300013015060d2b"
	  "06010201041401010a4d000540040a4d0005301a06082b06010201010600040e7261636b203130"
	  "2e37372e302e35", SNMP_V2C, 1 },
	{ "v2c_inform",
	  "305e02010104067075626c6963a65102047cf9d9f00201000201003043300f06082b0601020101"
	  "0300430310b4a73019060a2b060106030101040100060b2b06010401bf08020300013015060d2b"
	  "06010201041401010a4d000540040a4d0005", SNMP_V2C, 1 },
	{ "v2c_inform_response",
	  "305e02010104067075626c6963a25102047cf9d9f00201000201003043300f06082b0601020101"
	  "0300430310b4a73019060a2b060106030101040100060b2b06010401bf08020300013015060d2b"
	  "06010201041401010a4d000540040a4d0005", SNMP_V2C, 1 },
	{ "v3_discovery",
	  "303e0201033011020417338f95020300ffe30401040201030410300e0400020100020100040004"
	  "000400301404000400a00e02043f7a2e0a0201000201003000", SNMP_V3, 0 },
	{ "v3_report",
	  "30710201033011020417338f95020300ffe30401000201030421301f041180001f88808fa1196d"
	  "01850d6b000000000201010201030400040004003036041180001f88808fa1196d01850d6b0000"
	  "00000400a81f02043f7a2e0a0201000201003011300f060a2b060106030f01010400410101",
	  SNMP_V3, 0 },
};

static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = strlen(hex) / 2;

	if (n > size)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return n;
}

struct seen {
	unsigned int n;
	size_t offset[64];
};

static void note_addr(void *ctx, size_t offset)
{
	struct seen *s = ctx;

	if (s->n < 64)
		s->offset[s->n] = offset;
	s->n++;
}

static int parse(const uint8_t *data, size_t len, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	return snmp_parse(data, len, note_addr, s);
}

static void test_recorded(struct tap *t)
{
	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		const struct recorded *r = &recorded[i];
		uint8_t msg[512];
		size_t len = unhex(r->hex, msg, sizeof(msg));
		struct seen s;
		bool at_ipaddr = true;
		char name[96];
		int rc = parse(msg, len, &s);

		for (unsigned int j = 0; j < s.n && j < 64; j++)
			at_ipaddr &= s.offset[j] >= 2 && msg[s.offset[j] - 2] == 0x40 &&
				     msg[s.offset[j] - 1] == 4 && s.offset[j] + 4 <= len;
		snprintf(name, sizeof(name), "snmp_parse_net_snmp_%s", r->name);
		tap_check(t, rc == r->version && s.n == r->n_addr && at_ipaddr, name,
			  "rc %d (want %d) addresses %u (want %u)", rc, r->version, s.n,
			  r->n_addr);
	}
}

/* Every cut of a real message is malformed, and so is a byte more. */
static void test_recorded_cut(struct tap *t)
{
	unsigned int bad = 0, cases = 0;

	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		uint8_t msg[512];
		size_t len = unhex(recorded[i].hex, msg, sizeof(msg) - 1);
		struct seen s;

		for (size_t cut = 0; cut < len; cut++, cases++)
			bad += parse(msg, cut, &s) != -EINVAL;
		msg[len] = 0;
		bad += parse(msg, len + 1, &s) != -EINVAL;
		cases++;
	}
	tap_check(t, bad == 0, "snmp_parse_every_cut_and_a_trailing_byte_is_malformed",
		  "%u of %u cases parsed", bad, cases);
}

struct hostile {
	const char *name;
	const char *hex;
	int rc;
};

/*
 * Each differs from a valid v2c message in one flaw; the control_ cases are
 * the valid ones they were made from.
 */
static const struct hostile hostile[] = {
	{ "control_get_null", "302002010104067075626c6963a0130201010201000201003008300606022b060500", SNMP_V2C },
	{ "control_ipaddress", "302402010104067075626c6963a217020101020100020100300c300a06022b0640040a000001", SNMP_V2C },
	{ "control_ipaddress_long_form_length", "302502010104067075626c6963a218020101020100020100300d300b06022b064081040a000001", SNMP_V2C },
	{ "control_empty_varbind_list", "301802010104067075626c6963a00b0201010201000201003000", SNMP_V2C },
	{ "control_trap_v1", "302202010004067075626c6963a41506022b0640040a0000010201060201014301013000", SNMP_V1 },
	{ "indefinite_length", "308002010104067075626c6963a00b02010102010002010030000000", -EINVAL },
	{ "indefinite_length_pdu", "301a02010104067075626c6963a08002010102010002010030000000", -EINVAL },
	{ "length_past_the_end", "307f020101", -EINVAL },
	{ "long_length_past_the_end", "3084ffffffff020101", -EINVAL },
	{ "long_length_wraps_32_bits", "3084fffffffc020101", -EINVAL },
	{ "long_length_5_bytes", "30850000000003020101", -EINVAL },
	{ "long_length_reserved_ff", "30ff020101", -EINVAL },
	{ "long_length_bytes_missing", "308200", -EINVAL },
	{ "high_tag_number_outer", "3f028100", -EINVAL },
	{ "high_tag_number_value", "302302010104067075626c6963a016020101020100020100300b300906022b065f81000100", -EINVAL },
	{ "version_empty", "3017020004067075626c6963a00b0201010201000201003000", -EINVAL },
	{ "version_negative", "30180201ff04067075626c6963a00b0201010201000201003000", -EINVAL },
	{ "version_5_bytes", "301c0205000000000104067075626c6963a00b0201010201000201003000", -EINVAL },
	{ "version_2_not_parsed", "3005020102ffff", 2 },
	{ "version_3_not_parsed_further", "3005020103ffff", SNMP_V3 },
	{ "version_not_integer", "301804010104067075626c6963a00b0201010201000201003000", -EINVAL },
	{ "community_not_octet_string", "301802010102067075626c6963a00b0201010201000201003000", -EINVAL },
	{ "pdu_tag_unknown", "301802010104067075626c6963a90b0201010201000201003000", -EINVAL },
	{ "pdu_primitive", "301802010104067075626c6963800b0201010201000201003000", -EINVAL },
	{ "pdu_missing", "300b02010104067075626c6963", -EINVAL },
	{ "bytes_after_message", "301802010104067075626c6963a00b020101020100020100300000", -EINVAL },
	{ "bytes_after_pdu", "301a02010104067075626c6963a00b02010102010002010030000500", -EINVAL },
	{ "bytes_after_varbinds", "301a02010104067075626c6963a00d02010102010002010030000500", -EINVAL },
	{ "request_id_empty", "301702010104067075626c6963a00a02000201000201003000", -EINVAL },
	{ "error_index_missing", "301502010104067075626c6963a0080201010201003000", -EINVAL },
	{ "varbind_list_not_sequence", "301802010104067075626c6963a00b0201010201000201003100", -EINVAL },
	{ "varbind_not_sequence", "302002010104067075626c6963a0130201010201000201003008310606022b060500", -EINVAL },
	{ "varbind_without_value", "301e02010104067075626c6963a0110201010201000201003006300406022b06", -EINVAL },
	{ "varbind_extra_element", "302202010104067075626c6963a015020101020100020100300a300806022b0605000500", -EINVAL },
	{ "varbind_name_not_oid", "302002010104067075626c6963a0130201010201000201003008300604022b060500", -EINVAL },
	{ "varbind_oid_empty", "301e02010104067075626c6963a0110201010201000201003006300406000500", -EINVAL },
	{ "value_length_past_its_varbind", "302302010104067075626c6963a016020101020100020100300b300906022b060405616263", -EINVAL },
	{ "ipaddress_3_bytes", "302302010104067075626c6963a216020101020100020100300b300906022b0640030a0000", -EINVAL },
	{ "ipaddress_5_bytes", "302502010104067075626c6963a218020101020100020100300d300b06022b0640050a00000101", -EINVAL },
	{ "ipaddress_16_bytes", "303002010104067075626c6963a2230201010201000201003018301606022b06401020010000000000000000000000000000", -EINVAL },
	{ "ipaddress_constructed", "302602010104067075626c6963a219020101020100020100300e300c06022b06600604040a000001", -EINVAL },
	{ "null_with_content", "302102010104067075626c6963a0140201010201000201003009300706022b06050100", -EINVAL },
	{ "no_such_object_with_content", "302102010104067075626c6963a2140201010201000201003009300706022b06800100", -EINVAL },
	{ "integer_value_empty", "302002010104067075626c6963a2130201010201000201003008300606022b060200", -EINVAL },
	{ "counter64_empty", "302002010104067075626c6963a2130201010201000201003008300606022b064600", -EINVAL },
	{ "value_sequence", "302602010104067075626c6963a219020101020100020100300e300c06022b06300640040a000001", -EINVAL },
	{ "value_unknown_application_tag", "302102010104067075626c6963a2140201010201000201003009300706022b06480100", -EINVAL },
	{ "value_context_tag_3", "302002010104067075626c6963a2130201010201000201003008300606022b068300", -EINVAL },
	{ "trap_v1_agent_addr_missing", "301c02010004067075626c6963a40f06022b060201060201014301013000", -EINVAL },
	{ "trap_v1_agent_addr_2_bytes", "302002010004067075626c6963a41306022b0640020a000201060201014301013000", -EINVAL },
	{ "trap_v1_timestamp_not_timeticks", "302202010004067075626c6963a41506022b0640040a0000010201060201010201013000", -EINVAL },
	{ "trap_v1_with_request_header", "301802010004067075626c6963a40b0201010201000201003000", -EINVAL },
};

static void test_hostile(struct tap *t)
{
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile *h = &hostile[i];
		uint8_t msg[256];
		size_t len = unhex(h->hex, msg, sizeof(msg));
		struct seen s;
		char name[96];
		int rc = parse(msg, len, &s);

		snprintf(name, sizeof(name), "snmp_parse_hostile_%s", h->name);
		tap_check(t, rc == h->rc, name, "rc %d (want %d)", rc, h->rc);
	}
}

/* A message nested as deep as BER lets one try: refused without recursion. */
static void test_deep_nesting(struct tap *t)
{
	static uint8_t msg[60000];
	size_t len = 0, depth = 10000;
	struct seen s;
	int rc;

	/* 30 84 <len> repeated: each level says "the rest" */
	for (size_t i = 0; i < depth; i++) {
		size_t rest = (depth - i - 1) * 6;

		msg[len++] = 0x30;
		msg[len++] = 0x84;
		msg[len++] = (uint8_t)(rest >> 24);
		msg[len++] = (uint8_t)(rest >> 16);
		msg[len++] = (uint8_t)(rest >> 8);
		msg[len++] = (uint8_t)rest;
	}
	rc = parse(msg, len, &s);
	tap_check(t, rc == -EINVAL && s.n == 0, "snmp_parse_deep_nesting_refused", "rc %d", rc);
}

static void test_registry(struct tap *t)
{
	static const struct { const char *name; uint16_t port; uint32_t timeout; } want[] = {
		{ "snmp", 161, 30 }, { "snmp_trap", 162, 180 },
	};

	for (size_t i = 0; i < 2; i++) {
		const struct cthd_helper *h = cthd_helper_find(want[i].name);
		const char *why = "not registered";
		char name[64];

		snprintf(name, sizeof(name), "%s_registered_udp_%u", want[i].name, want[i].port);
		tap_check(t, h && cthd_helper_validate(h, &why) == 0 &&
			  h->l4proto == IPPROTO_UDP && h->default_port == want[i].port &&
			  h->n_policies == 1 && h->policies[0].timeout == want[i].timeout &&
			  h->priv_len == 0, name, "%s", why);
	}
}

static size_t recorded_msg(const char *name, uint8_t *out, size_t size)
{
	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++)
		if (!strcmp(recorded[i].name, name))
			return unhex(recorded[i].hex, out, size);
	abort();
}

/* The message with the 4 bytes at each of `offsets` replaced by `to`. */
static void with_addr(uint8_t *msg, const size_t *offsets, size_t n, const char *to)
{
	struct in_addr a;

	inet_pton(AF_INET, to, &a);
	for (size_t i = 0; i < n; i++)
		memcpy(msg + offsets[i], &a, 4);
}

static bool out_is(const struct conv *k, enum cthd_dir dir, const uint8_t *want, size_t len)
{
	return k->out_len[dir] == len && !memcmp(k->out[dir], want, len);
}

/*
 * An SNMPv1 trap of the agent 10.77.0.5 behind SNAT to 203.0.113.1: its
 * agent-addr and the IpAddress varbind change; the OID index .10.77.0.5,
 * the same four bytes, does not.
 */
static void test_trap_v1_snat(struct tap *t)
{
	uint8_t msg[512], want[512];
	size_t len = recorded_msg("v1_trap", msg, sizeof(msg));
	struct seen s;
	struct conv k;
	int rc;

	parse(msg, len, &s);
	memcpy(want, msg, len);
	with_addr(want, s.offset, s.n, "203.0.113.1");
	conv_init(&k, "snmp_trap", "10.77.0.5", "203.0.113.1", 57445, "192.0.2.9", "192.0.2.9",
		  162);
	rc = conv_send_len(&k, O, msg, len);
	tap_check(t, rc == 0 && s.n == 2 && out_is(&k, O, want, len) && k.n_expect == 0 &&
		  !memcmp(msg + 0x38, "\x0a\x4d\x00\x05", 4) &&
		  !memcmp(k.out[O] + 0x38, "\x0a\x4d\x00\x05", 4),
		  "snmp_trap_v1_snat_rewrites_agent_addr_and_value_not_the_oid",
		  "rc %d n_mangle %u", rc, k.last.n_mangle);

	/* the same trap without NAT: not even parsed, nothing changes */
	conv_init(&k, "snmp_trap", "10.77.0.5", "10.77.0.5", 57445, "192.0.2.9", "192.0.2.9",
		  162);
	rc = conv_send_len(&k, O, msg, len);
	tap_check(t, rc == 0 && out_is(&k, O, msg, len) && k.n_mangled == 0,
		  "snmp_trap_v1_without_nat_unchanged", "rc %d", rc);
}

/* v2c trap and inform: the value changes, "rack 10.77.0.5" (a string) not */
static void test_trap_v2c_snat(struct tap *t)
{
	static const char *const names[] = { "v2c_trap", "v2c_inform" };

	for (size_t i = 0; i < 2; i++) {
		uint8_t msg[512], want[512];
		size_t len = recorded_msg(names[i], msg, sizeof(msg));
		struct seen s;
		struct conv k;
		char name[96];
		int rc;

		parse(msg, len, &s);
		memcpy(want, msg, len);
		with_addr(want, s.offset, s.n, "203.0.113.1");
		conv_init(&k, "snmp_trap", "10.77.0.5", "203.0.113.1", 60030, "192.0.2.9",
			  "192.0.2.9", 162);
		rc = conv_send_len(&k, O, msg, len);
		snprintf(name, sizeof(name), "snmp_%s_snat_rewrites_the_value", names[i]);
		tap_check(t, rc == 0 && s.n == 1 && out_is(&k, O, want, len) &&
			  (i == 1 || memmem(want, len, "rack 10.77.0.5", 14)), name, "rc %d", rc);
	}
}

/*
 * An agent behind DNAT (10.77.0.5, reached as 198.51.100.5) answering: its
 * own address in the response becomes the one the manager asked; the other
 * addresses (127.0.0.1, 192.0.2.2, masks) stay. The bulk response has three
 * values of 10.77.0.5 (ipAdEntAddr, ipAdEntIfIndex's is an INTEGER).
 */
static void test_response_dnat(struct tap *t)
{
	uint8_t msg[512], want[512];
	size_t len = recorded_msg("v2c_getbulk_response", msg, sizeof(msg));
	size_t mine[4];
	unsigned int n = 0;
	struct in_addr agent;
	struct seen s;
	struct conv k;
	int rc;

	parse(msg, len, &s);
	inet_pton(AF_INET, "10.77.0.5", &agent);
	for (unsigned int i = 0; i < s.n; i++)
		if (!memcmp(msg + s.offset[i], &agent, 4) && n < 4)
			mine[n++] = s.offset[i];
	memcpy(want, msg, len);
	with_addr(want, mine, n, "198.51.100.5");
	conv_init(&k, "snmp", "192.0.2.9", "192.0.2.9", 52445, "10.77.0.5", "198.51.100.5", 161);
	rc = conv_send_len(&k, R, msg, len);
	tap_check(t, rc == 0 && n == 1 && out_is(&k, R, want, len),
		  "snmp_bulk_response_dnat_rewrites_the_agents_own_address",
		  "rc %d matches %u", rc, n);

	/* the request, from the manager whose address is not NATed: unchanged */
	len = recorded_msg("v2c_getbulk_request", msg, sizeof(msg));
	conv_reset_counts(&k);
	rc = conv_send_len(&k, O, msg, len);
	tap_check(t, rc == 0 && out_is(&k, O, msg, len) && k.n_mangled == 0 && k.dropped == 0,
		  "snmp_request_of_an_unnated_manager_unchanged", "rc %d", rc);
}

/*
 * Addresses other than the sender's stay: a trap naming 10.77.0.6 from
 * 10.77.0.5 behind SNAT; a response under SNAT of the manager (the 6.12
 * kernel would map the manager's inside address there).
 */
static void test_other_addresses_kept(struct tap *t)
{
	uint8_t msg[512];
	size_t len = recorded_msg("v1_trap", msg, sizeof(msg));
	struct conv k;
	int rc;

	conv_init(&k, "snmp_trap", "10.77.0.6", "203.0.113.1", 57445, "192.0.2.9", "192.0.2.9",
		  162);
	rc = conv_send_len(&k, O, msg, len);
	tap_check(t, rc == 0 && out_is(&k, O, msg, len) && k.n_mangled == 0,
		  "snmp_trap_of_another_address_unchanged", "rc %d", rc);

	len = recorded_msg("v1_get_response", msg, sizeof(msg));
	conv_init(&k, "snmp", "10.77.0.5", "203.0.113.1", 56353, "192.0.2.9", "192.0.2.9", 161);
	rc = conv_send_len(&k, R, msg, len);
	tap_check(t, rc == 0 && out_is(&k, R, msg, len) && k.n_mangled == 0,
		  "snmp_response_to_a_snat_manager_unchanged", "rc %d", rc);
}

/* Under NAT: malformed dropped, v3 untouched; without NAT all passes. */
static void test_nat_policy(struct tap *t)
{
	static const uint8_t garbage[] = "\x30\x80\x02\x01\x01\x04\x00";
	uint8_t msg[512];
	size_t len;
	struct conv k;
	int rc;

	conv_init(&k, "snmp_trap", "10.77.0.5", "203.0.113.1", 57445, "192.0.2.9", "192.0.2.9",
		  162);
	rc = conv_send_len(&k, O, garbage, sizeof(garbage) - 1);
	tap_check(t, rc == 0 && k.dropped == 1 && k.last.parse_errors == 1,
		  "snmp_malformed_under_nat_dropped", "rc %d dropped %u", rc, k.dropped);

	len = recorded_msg("v1_trap", msg, sizeof(msg));
	conv_reset_counts(&k);
	rc = conv_send_len(&k, O, msg, len - 1);
	tap_check(t, rc == 0 && k.dropped == 1, "snmp_cut_trap_under_nat_dropped", "rc %d", rc);

	len = recorded_msg("v3_discovery", msg, sizeof(msg));
	conv_init(&k, "snmp", "10.77.0.5", "203.0.113.1", 46797, "192.0.2.9", "192.0.2.9", 161);
	rc = conv_send_len(&k, O, msg, len);
	tap_check(t, rc == 0 && out_is(&k, O, msg, len) && k.dropped == 0 && k.n_mangled == 0,
		  "snmp_v3_under_nat_passes_untouched", "rc %d dropped %u", rc, k.dropped);

	conv_init(&k, "snmp", "10.77.0.5", "10.77.0.5", 46797, "192.0.2.9", "192.0.2.9", 161);
	rc = conv_send_len(&k, O, garbage, sizeof(garbage) - 1);
	tap_check(t, rc == 0 && k.dropped == 0 && k.parse_errors == 0,
		  "snmp_garbage_without_nat_passes_unparsed", "rc %d", rc);

	len = recorded_msg("v1_trap", msg, sizeof(msg));
	conv_init(&k, "snmp_trap", "fd00::5", "2001:db8::1", 57445, "2001:db8:9::9",
		  "2001:db8:9::9", 162);
	rc = conv_send_len(&k, O, msg, len);
	rc |= conv_send_len(&k, O, garbage, sizeof(garbage) - 1);
	tap_check(t, rc == 0 && k.dropped == 0 && k.n_mangled == 0 &&
		  k.out_len[O] == len + sizeof(garbage) - 1 && !memcmp(k.out[O], msg, len),
		  "snmp_ipv6_nat_has_nothing_to_translate", "rc %d", rc);

	conv_init(&k, "snmp", "10.77.0.5", "203.0.113.1", 46797, "192.0.2.9", "192.0.2.9", 161);
	k.ct.l4proto = IPPROTO_TCP;
	rc = conv_send_len(&k, O, msg, len);
	tap_check(t, rc < 0, "snmp_non_udp_conntrack_is_an_error", "rc %d", rc);
}

/* A varbind "1.3.6 = <tag> <value>" appended at msg[*len]. */
static void put_varbind(uint8_t *msg, size_t *len, uint8_t tag, const uint8_t *value,
			size_t vlen)
{
	size_t inner = 4 + 2 + vlen + (vlen >= 128 ? 1 : 0);

	msg[(*len)++] = 0x30;
	if (inner >= 128)
		msg[(*len)++] = 0x81;
	msg[(*len)++] = (uint8_t)inner;
	memcpy(msg + *len, "\x06\x02\x2b\x06", 4);
	*len += 4;
	msg[(*len)++] = tag;
	if (vlen >= 128)
		msg[(*len)++] = 0x81;
	msg[(*len)++] = (uint8_t)vlen;
	memcpy(msg + *len, value, vlen);
	*len += vlen;
}

/* Wrap varbinds[0..vlen) into a v2c trap; returns the message length. */
static size_t wrap_trap(uint8_t *msg, const uint8_t *varbinds, size_t vlen)
{
	size_t pdu = 9 + 4 + vlen, total = 3 + 8 + 4 + pdu, len = 0;

	msg[len++] = 0x30;
	msg[len++] = 0x82;
	msg[len++] = (uint8_t)(total >> 8);
	msg[len++] = (uint8_t)total;
	memcpy(msg + len, "\x02\x01\x01\x04\x06public", 11);
	len += 11;
	msg[len++] = 0xa7;
	msg[len++] = 0x82;
	msg[len++] = (uint8_t)(pdu >> 8);
	msg[len++] = (uint8_t)pdu;
	memcpy(msg + len, "\x02\x01\x01\x02\x01\x00\x02\x01\x00", 9);
	len += 9;
	msg[len++] = 0x30;
	msg[len++] = 0x82;
	msg[len++] = (uint8_t)(vlen >> 8);
	msg[len++] = (uint8_t)vlen;
	memcpy(msg + len, varbinds, vlen);
	return len + vlen;
}

/*
 * Many copies of the sender's address: 40 next to each other all change
 * (they share edits); CTHD_MANGLE_MAX far apart all change; one more far
 * apart does not fit the edits a packet may carry, so the message is
 * dropped rather than let out half translated.
 */
static int run_big(struct conv *k, const uint8_t *msg, size_t len, uint8_t *out, size_t size,
		   struct cthd_result *res)
{
	struct cthd_packet pkt = {
		.payload = msg, .payload_len = len, .family = AF_INET, .l4proto = IPPROTO_UDP,
		.dir = O, .established = true,
	};
	int rc;

	memset(res, 0, sizeof(*res));
	rc = k->helper->process(&pkt, &k->ct, NULL, res);
	if (rc < 0 || res->verdict == CTHD_DROP)
		return rc;
	return (int)cthd_mangle_payload(msg, len, res->mangle, res->n_mangle, out, size);
}

static void test_many_addresses(struct tap *t)
{
	static const uint8_t addr[4] = { 10, 77, 0, 5 }, nat[4] = { 203, 0, 113, 1 };
	static uint8_t vb[16384], msg[16500], want[16500], out[16500];
	uint8_t pad[200];
	size_t vlen = 0, len, n_changed = 0;
	struct cthd_result res;
	struct seen s;
	struct conv k;
	int rc, n;

	for (int i = 0; i < 40; i++)
		put_varbind(vb, &vlen, 0x40, addr, 4);
	len = wrap_trap(msg, vb, vlen);
	rc = parse(msg, len, &s);
	memcpy(want, msg, len);
	for (unsigned int i = 0; i < s.n && i < 64; i++)
		memcpy(want + s.offset[i], nat, 4);
	conv_init(&k, "snmp_trap", "10.77.0.5", "203.0.113.1", 5000, "192.0.2.9", "192.0.2.9",
		  162);
	rc |= conv_send_len(&k, O, msg, len);
	for (size_t i = 0; i + 4 <= len; i++)
		n_changed += !memcmp(k.out[O] + i, nat, 4);
	tap_check(t, rc == SNMP_V2C && s.n == 40 && out_is(&k, O, want, len) && n_changed == 40 &&
		  k.last.n_mangle < 40, "snmp_40_addresses_all_rewritten_in_shared_edits",
		  "rc %d addresses %u edits %u", rc, s.n, k.last.n_mangle);

	memset(pad, 'x', sizeof(pad));
	vlen = 0;
	for (int i = 0; i < CTHD_MANGLE_MAX; i++) {
		put_varbind(vb, &vlen, 0x40, addr, 4);
		put_varbind(vb, &vlen, 0x04, pad, 150);
	}
	len = wrap_trap(msg, vb, vlen);
	rc = parse(msg, len, &s);
	memcpy(want, msg, len);
	for (unsigned int i = 0; i < s.n && i < 64; i++)
		memcpy(want + s.offset[i], nat, 4);
	n = run_big(&k, msg, len, out, sizeof(out), &res);
	tap_check(t, rc == SNMP_V2C && s.n == CTHD_MANGLE_MAX && n == (int)len &&
		  !memcmp(out, want, len) && res.n_mangle == CTHD_MANGLE_MAX,
		  "snmp_distant_addresses_up_to_the_edit_limit_rewritten", "rc %d n %d edits %u",
		  rc, n, res.n_mangle);

	put_varbind(vb, &vlen, 0x40, addr, 4);
	len = wrap_trap(msg, vb, vlen);
	rc = parse(msg, len, &s);
	n = run_big(&k, msg, len, out, sizeof(out), &res);
	tap_check(t, rc == SNMP_V2C && s.n == CTHD_MANGLE_MAX + 1 && n == 0 &&
		  res.verdict == CTHD_DROP && res.lost == 1 && res.n_mangle == 0,
		  "snmp_addresses_beyond_the_edit_limit_dropped", "rc %d verdict %d", rc,
		  res.verdict);
}

static uint16_t csum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* IPv4 10.77.0.5:57445 -> 192.0.2.9:162, UDP length udp_len, checksums set */
static size_t udp4_packet(uint8_t *buf, const uint8_t *payload, size_t len, size_t udp_len)
{
	size_t total = 20 + 8 + len;
	uint16_t sum;

	memset(buf, 0, 28);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[8] = 64;
	buf[9] = IPPROTO_UDP;
	memcpy(buf + 12, "\x0a\x4d\x00\x05\xc0\x00\x02\x09", 8);
	sum = (uint16_t)~csum16(buf, 20, 0);
	buf[10] = (uint8_t)(sum >> 8);
	buf[11] = (uint8_t)sum;
	buf[20] = 57445 >> 8;
	buf[21] = 57445 & 0xff;
	buf[23] = 162;
	buf[24] = (uint8_t)(udp_len >> 8);
	buf[25] = (uint8_t)udp_len;
	memcpy(buf + 28, payload, len);
	sum = (uint16_t)~csum16(buf + 20, total - 20,
				csum16(buf + 12, 8, 0) + IPPROTO_UDP + (uint32_t)(total - 20));
	buf[26] = (uint8_t)(sum >> 8);
	buf[27] = (uint8_t)sum;
	return total;
}

/*
 * The whole path on a packet: the core reads the UDP datagram as its
 * length field bounds it, the helper rewrites, the core's rewrite leaves
 * valid IPv4 and UDP checksums (the kernel takes the verdict's packet
 * without checking them).
 */
static void test_packet_checksums(struct tap *t)
{
	uint8_t msg[512], buf[600], out[600];
	size_t len = recorded_msg("v1_trap", msg, sizeof(msg));
	size_t total = udp4_packet(buf, msg, len, 8 + len);
	struct cthd_packet pkt;
	struct cthd_result res = { 0 };
	struct conv k;
	long n;
	int rc;

	conv_init(&k, "snmp_trap", "10.77.0.5", "203.0.113.1", 57445, "192.0.2.9", "192.0.2.9",
		  162);
	rc = cthd_packet_parse(buf, total, &pkt);
	pkt.dir = O;
	if (!rc)
		rc = k.helper->process(&pkt, &k.ct, NULL, &res);
	n = rc ? -1 : cthd_mangle_packet(&pkt, res.mangle, res.n_mangle, out, sizeof(out));
	tap_check(t, n == (long)total && res.n_mangle > 0 && csum16(out, 20, 0) == 0xffff &&
		  csum16(out + 20, total - 20, csum16(out + 12, 8, 0) + IPPROTO_UDP +
			 (uint32_t)(total - 20)) == 0xffff &&
		  !memcmp(out + 28 + 0x1a, "\xcb\x00\x71\x01", 4),
		  "snmp_trap_packet_rewritten_with_valid_checksums", "rc %d n %ld", rc, n);

	/* trailing bytes past the UDP length are not the datagram's */
	total = udp4_packet(buf, msg, len, 8 + len - 3);
	rc = cthd_packet_parse(buf, total, &pkt);
	tap_check(t, rc == 0 && pkt.payload_len == len - 3,
		  "packet_udp_length_field_bounds_the_payload", "rc %d len %zu", rc,
		  pkt.payload_len);
	total = udp4_packet(buf, msg, len, 8 + len + 1);
	rc = cthd_packet_parse(buf, total, &pkt);
	tap_check(t, rc == -EINVAL, "packet_udp_length_past_the_packet_malformed", "rc %d", rc);
	total = udp4_packet(buf, msg, len, 7);
	rc = cthd_packet_parse(buf, total, &pkt);
	tap_check(t, rc == -EINVAL, "packet_udp_length_below_its_header_malformed", "rc %d", rc);
}

int main(void)
{
	struct tap t = { 0 };

	test_recorded(&t);
	test_recorded_cut(&t);
	test_hostile(&t);
	test_deep_nesting(&t);
	test_registry(&t);
	test_trap_v1_snat(&t);
	test_trap_v2c_snat(&t);
	test_response_dnat(&t);
	test_other_addresses_kept(&t);
	test_nat_policy(&t);
	test_many_addresses(&t);
	test_packet_checksums(&t);
	return tap_done(&t);
}
