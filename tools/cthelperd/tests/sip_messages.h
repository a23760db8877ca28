/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP messages for the unit tests and the fuzz seeds, written after what
 * kamailio, baresip, linphone and SIPp's default uac/uas scenarios send
 * (their header order, compact forms, SDP attributes). "@CL@" stands for
 * the body's length: sip_msg_fill() writes it in, so every message of the
 * table has a correct Content-Length unless a case means it not to.
 *
 * Addresses: the caller 10.0.0.1 / fd00::1 (port 5060), the callee or
 * proxy 10.0.0.2 / fd00::2.
 */
#ifndef CTHELPERD_TESTS_SIP_MESSAGES_H
#define CTHELPERD_TESTS_SIP_MESSAGES_H

#include <stdio.h>
#include <string.h>

/* text with "@CL@" replaced by the length of what follows the first empty line */
static inline size_t sip_msg_fill(const char *text, char *out, size_t size)
{
	const char *mark = strstr(text, "@CL@"), *body = strstr(text, "\r\n\r\n");
	size_t blen;
	int n;

	if (!mark || !body) {
		n = snprintf(out, size, "%s", text);
		return n < 0 ? 0 : (size_t)n;
	}
	blen = strlen(body + 4);
	n = snprintf(out, size, "%.*s%zu%s", (int)(mark - text), text, blen, mark + 4);
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

/* SIPp's default uac scenario (sipp -sn uac): INVITE with one audio stream */
#define SIPP_UAC_INVITE \
	"INVITE sip:service@10.0.0.2:5060 SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-4711-1-0\r\n" \
	"From: sipp <sip:sipp@10.0.0.1:5060>;tag=4711SIPpTag001\r\n" \
	"To: service <sip:service@10.0.0.2:5060>\r\n" \
	"Call-ID: 1-4711@10.0.0.1\r\n" \
	"CSeq: 1 INVITE\r\n" \
	"Contact: sip:sipp@10.0.0.1:5060\r\n" \
	"Max-Forwards: 70\r\n" \
	"Subject: Performance Test\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: @CL@\r\n" \
	"\r\n" \
	"v=0\r\n" \
	"o=user1 53655765 2353687637 IN IP4 10.0.0.1\r\n" \
	"s=-\r\n" \
	"c=IN IP4 10.0.0.1\r\n" \
	"t=0 0\r\n" \
	"m=audio 6000 RTP/AVP 0\r\n" \
	"a=rtpmap:0 PCMU/8000\r\n"

/* SIPp's default uas scenario (sipp -sn uas): its 200 OK */
#define SIPP_UAS_200 \
	"SIP/2.0 200 OK\r\n" \
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-4711-1-0\r\n" \
	"From: sipp <sip:sipp@10.0.0.1:5060>;tag=4711SIPpTag001\r\n" \
	"To: service <sip:service@10.0.0.2:5060>;tag=4712SIPpTag011\r\n" \
	"Call-ID: 1-4711@10.0.0.1\r\n" \
	"CSeq: 1 INVITE\r\n" \
	"Contact: <sip:10.0.0.2:5060;transport=UDP>\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: @CL@\r\n" \
	"\r\n" \
	"v=0\r\n" \
	"o=user1 53655765 2353687637 IN IP4 10.0.0.2\r\n" \
	"s=-\r\n" \
	"c=IN IP4 10.0.0.2\r\n" \
	"t=0 0\r\n" \
	"m=audio 6002 RTP/AVP 0\r\n" \
	"a=rtpmap:0 PCMU/8000\r\n"

/* baresip: INVITE with audio and video, media-level c=, a=rtcp (RFC 3605) */
#define BARESIP_INVITE_AV \
	"INVITE sip:bob@10.0.0.2 SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK5e1a2b3c;rport\r\n" \
	"Contact: <sip:alice-0x55d1@10.0.0.1:5060>\r\n" \
	"Max-Forwards: 70\r\n" \
	"To: <sip:bob@10.0.0.2>\r\n" \
	"From: \"alice\" <sip:alice@10.0.0.2>;tag=a8f3c1d2e4b5\r\n" \
	"Call-ID: 0c2a5d7b9e1f3a4c\r\n" \
	"CSeq: 23114 INVITE\r\n" \
	"User-Agent: baresip v3.10.1 (x86_64/linux)\r\n" \
	"Allow: INVITE,ACK,BYE,CANCEL,OPTIONS,NOTIFY,SUBSCRIBE,INFO,MESSAGE,UPDATE\r\n" \
	"Supported: replaces,norefersub\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: @CL@\r\n" \
	"\r\n" \
	"v=0\r\n" \
	"o=- 1284339418 3442213781 IN IP4 10.0.0.1\r\n" \
	"s=-\r\n" \
	"c=IN IP4 10.0.0.1\r\n" \
	"t=0 0\r\n" \
	"m=audio 10220 RTP/AVP 96 0 8 101\r\n" \
	"b=AS:128\r\n" \
	"a=rtpmap:96 opus/48000/2\r\n" \
	"a=fmtp:96 stereo=1;sprop-stereo=1\r\n" \
	"a=rtpmap:101 telephone-event/8000\r\n" \
	"a=rtcp:10221\r\n" \
	"a=sendrecv\r\n" \
	"a=label:1\r\n" \
	"a=ssrc:2516203829 cname:c2f1a1d5-6b13-4d41\r\n" \
	"m=video 10334 RTP/AVP 100\r\n" \
	"b=AS:1000\r\n" \
	"a=rtpmap:100 VP8/90000\r\n" \
	"a=rtcp-fb:* nack pli\r\n" \
	"a=rtcp:10335\r\n" \
	"a=sendrecv\r\n" \
	"a=label:2\r\n"

/* linphone: IPv6, a=rtcp with its address, a disabled (port 0) video line */
#define LINPHONE_INVITE_IPV6 \
	"INVITE sip:bob@[fd00::2] SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP [fd00::1]:5060;branch=z9hG4bK.Xc8gh4m2q;rport\r\n" \
	"From: <sip:alice@[fd00::2]>;tag=u~OblvTJW\r\n" \
	"To: sip:bob@[fd00::2]\r\n" \
	"CSeq: 20 INVITE\r\n" \
	"Call-ID: lpZ7vG1Sxs\r\n" \
	"Max-Forwards: 70\r\n" \
	"Supported: replaces, outbound, gruu, path\r\n" \
	"Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, PRACK, UPDATE\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: @CL@\r\n" \
	"Contact: <sip:alice@[fd00::1];transport=udp>;+org.linphone.specs=\"lime\"\r\n" \
	"User-Agent: Linphone Desktop/5.2.6 (Debian GNU/Linux 12) LinphoneCore/5.3.72\r\n" \
	"\r\n" \
	"v=0\r\n" \
	"o=alice 3141 1592 IN IP6 fd00::1\r\n" \
	"s=Talk\r\n" \
	"c=IN IP6 fd00::1\r\n" \
	"t=0 0\r\n" \
	"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\r\n" \
	"a=record:off\r\n" \
	"m=audio 7078 RTP/AVP 96 97 98 0 8 101\r\n" \
	"a=rtpmap:96 opus/48000/2\r\n" \
	"a=fmtp:96 useinbandfec=1\r\n" \
	"a=rtpmap:97 speex/16000\r\n" \
	"a=rtpmap:98 speex/8000\r\n" \
	"a=rtpmap:101 telephone-event/8000\r\n" \
	"a=rtcp:7079 IN IP6 fd00::1\r\n" \
	"a=rtcp-fb:* trr-int 5000\r\n" \
	"m=video 0 RTP/AVP 96\r\n" \
	"a=rtpmap:96 VP8/90000\r\n"

/* kamailio as registrar: a 200 OK to REGISTER, compact headers, no body */
#define KAMAILIO_REGISTER_200 \
	"SIP/2.0 200 OK\r\n" \
	"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK.reg1;rport=5060\r\n" \
	"f: <sip:alice@10.0.0.2>;tag=reg-a1\r\n" \
	"t: <sip:alice@10.0.0.2>;tag=8c2c5c1e6a1f9d3b\r\n" \
	"i: reg-call-1\r\n" \
	"CSeq: 2 REGISTER\r\n" \
	"m: <sip:alice@10.0.0.1:5060>;expires=3600;received=\"sip:10.0.0.1:5060\"\r\n" \
	"Server: kamailio (5.6.3 (x86_64/linux))\r\n" \
	"l: 0\r\n" \
	"\r\n"

/* baresip's REGISTER */
#define BARESIP_REGISTER \
	"REGISTER sip:10.0.0.2 SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK.reg1;rport\r\n" \
	"Contact: <sip:alice-0x55d1@10.0.0.1:5060>;expires=3600\r\n" \
	"Max-Forwards: 70\r\n" \
	"To: <sip:alice@10.0.0.2>\r\n" \
	"From: <sip:alice@10.0.0.2>;tag=reg-a1\r\n" \
	"Call-ID: reg-call-1\r\n" \
	"CSeq: 2 REGISTER\r\n" \
	"User-Agent: baresip v3.10.1 (x86_64/linux)\r\n" \
	"Expires: 3600\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#endif
