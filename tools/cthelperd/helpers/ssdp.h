/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SSDP M-SEARCH check, exposed for the unit tests and fuzz targets. */
#ifndef CTHELPERD_HELPERS_SSDP_H
#define CTHELPERD_HELPERS_SSDP_H

#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

/*
 * 1 for an SSDP search request (UPnP Device Architecture 1.1, 1.3.2): the
 * start line "M-SEARCH * HTTP/1.1" and, among header lines that end in
 * CRLF before the empty line, a MAN header whose value is
 * "ssdp:discover" (quoted, header names in any case, blanks around the
 * value); 0 for other messages (NOTIFY, answers); -EINVAL for an M-SEARCH
 * that is malformed (no empty line, a line without a colon, no MAN).
 */
int ssdp_is_search(const void *data, size_t len);

/*
 * An http:// URL of family's literal address ("http://10.0.0.2:5000/x",
 * "http://[fe80::2]:5000"), port 80 when none: 1 and *addr, *port; -EINVAL
 * for anything else (another scheme or family, a host name, a zone, port
 * 0 or above 65535, bytes after the port that start no path).
 */
int ssdp_parse_url(const char *url, size_t len, int family, union cthd_addr *addr,
		   uint16_t *port);

/*
 * The LOCATION of an M-SEARCH answer ("HTTP/1.1 200 OK" and a complete
 * header block): 1 and the URL's address and port; 0 for another message;
 * -EINVAL for an answer without a LOCATION, or a malformed one.
 */
int ssdp_answer_location(const void *data, size_t len, int family, union cthd_addr *addr,
			 uint16_t *port);

/*
 * The first CALLBACK URL of a SUBSCRIBE (UDA 1.1, 4.1.2): 1 and its
 * address and port; 0 for another message or a renewal (no CALLBACK);
 * -EAGAIN when the header block does not end in data (another segment);
 * -EINVAL for a malformed one.
 */
int ssdp_subscribe_callback(const void *data, size_t len, int family, union cthd_addr *addr,
			    uint16_t *port);

#endif
