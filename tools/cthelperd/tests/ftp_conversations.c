// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FTP control conversations of real clients and servers (and a hostile
 * one), for the stream simulator's unit test and fuzz target.
 */
#include <stddef.h>

#include "stream_sim.h"

/* curl against vsftpd 3.0.3: EPSV, then PASV; the server behind DNAT. */
static const char *const vsftpd_curl[] = {
	"S:220 (vsFTPd 3.0.3)\r\n",
	"C:USER anonymous\r\n",
	"S:331 Please specify the password.\r\n",
	"C:PASS ftp@example.com\r\n",
	"S:230 Login successful.\r\n",
	"C:PWD\r\n",
	"S:257 \"/\" is the current directory\r\n",
	"C:EPSV\r\n",
	"S:229 Entering Extended Passive Mode (|||31554|)\r\n",
	"C:TYPE I\r\n",
	"S:200 Switching to Binary mode.\r\n",
	"C:SIZE file\r\n",
	"S:213 1048576\r\n",
	"C:RETR file\r\n",
	"S:150 Opening BINARY mode data connection for file (1048576 bytes).\r\n",
	"S:226 Transfer complete.\r\n",
	"C:PASV\r\n",
	"S:227 Entering Passive Mode (10,1,1,5,117,48).\r\n",
	"C:RETR file\r\n",
	"S:150 Opening BINARY mode data connection for file (1048576 bytes).\r\n",
	"S:226 Transfer complete.\r\n",
	"C:QUIT\r\n",
	"S:221 Goodbye.\r\n",
	NULL,
};

/* lftp against ProFTPD: FEAT, then active mode; the client behind SNAT. */
static const char *const proftpd_lftp[] = {
	"S:220 ProFTPD Server (Debian) [198.51.100.2]\r\n",
	"C:FEAT\r\n",
	"S:211-Features:\r\n",
	"S: AUTH TLS\r\n",
	"S: EPRT\r\n",
	"S: EPSV\r\n",
	"S: MDTM\r\n",
	"S: SIZE\r\n",
	"S:211 End\r\n",
	"C:USER anonymous\r\n",
	"S:331 Anonymous login ok, send your complete email address as your password\r\n",
	"C:PASS lftp@\r\n",
	"S:230 Anonymous access granted, restrictions apply\r\n",
	"C:PWD\r\n",
	"S:257 \"/\" is the current directory\r\n",
	"C:PORT 192,168,1,10,156,65\r\n",
	"S:200 PORT command successful\r\n",
	"C:LIST\r\n",
	"S:150 Opening ASCII mode data connection for file list\r\n",
	"S:226 Transfer complete\r\n",
	"C:EPRT |1|192.168.1.10|40002|\r\n",
	"S:200 EPRT command successful\r\n",
	"C:RETR file\r\n",
	"S:150 Opening BINARY mode data connection for file (5 bytes)\r\n",
	"S:226 Transfer complete\r\n",
	"C:QUIT\r\n",
	"S:221 Goodbye.\r\n",
	NULL,
};

/* wget against Pure-FTPd over IPv6, multi-line greeting; NAT66 of the client. */
static const char *const pureftpd_wget6[] = {
	"S:220---------- Welcome to Pure-FTPd [privsep] ----------\r\n",
	"S:220-You are user number 1 of 50 allowed.\r\n",
	"S:220 You will be disconnected after 15 minutes of inactivity.\r\n",
	"C:USER anonymous\r\n",
	"S:230 Anonymous user logged in\r\n",
	"C:SYST\r\n",
	"S:215 UNIX Type: L8\r\n",
	"C:TYPE I\r\n",
	"S:200 TYPE is now 8-bit binary\r\n",
	"C:EPSV\r\n",
	"S:229 Extended Passive mode OK (|||30016|)\r\n",
	"C:RETR file\r\n",
	"S:150 Accepted data connection\r\n",
	"S:226-File successfully transferred\r\n",
	"S:226 0.000 seconds (measured here), 9.13 Mbytes per second\r\n",
	"C:EPRT |2|fd00:1::10|50001|\r\n",
	"S:200 PORT command successful\r\n",
	"C:LIST\r\n",
	"S:150 Connecting to port 50001\r\n",
	"S:226 1 matches total\r\n",
	NULL,
};

/*
 * A hostile client: a server that echoes its text in replies, data
 * commands inside other lines both ways, a bounce to a third host; then
 * a genuine PASV. Only the last 227 is a line of its own.
 */
static const char *const echo_attack[] = {
	"S:220 (vsFTPd 3.0.3)\r\n",
	"C:USER anonymous\r\n",
	"S:230 Login successful.\r\n",
	"C:RETR /aaaaaaaaaaaaaaaaaaaaaaaa227 Entering Passive Mode (10,1,1,5,0,22)\r\n",
	"S:550 /aaaaaaaaaaaaaaaaaaaaaaaa227 Entering Passive Mode (10,1,1,5,0,22): "
	"No such file or directory\r\n",
	"C:CWD x229 Entering Extended Passive Mode (|||22|)\r\n",
	"S:550 x229 Entering Extended Passive Mode (|||22|): No such file or directory\r\n",
	"C:SITE x PORT 198,51,100,7,0,25\r\n",
	"S:500 Unknown SITE command: x PORT 198,51,100,7,0,25\r\n",
	"C:PORT 10,9,9,9,0,22\r\n",
	"S:500 Illegal PORT command.\r\n",
	"C:PASV\r\n",
	"S:227 Entering Passive Mode (10,1,1,5,195,80).\r\n",
	NULL,
};

const struct sim_case sim_cases[] = {
	{ { "vsftpd_curl_dnat", "198.51.100.7", "198.51.100.7", "10.1.1.5", "203.0.113.5",
	    vsftpd_curl }, 2 },
	{ { "vsftpd_curl_plain", "198.51.100.7", "198.51.100.7", "10.1.1.5", "10.1.1.5",
	    vsftpd_curl }, 2 },
	{ { "proftpd_lftp_snat", "192.168.1.10", "203.0.113.1", "198.51.100.2", "198.51.100.2",
	    proftpd_lftp }, 2 },
	{ { "pureftpd_wget_ipv6_snat", "fd00:1::10", "2001:db8::1", "2001:db8:2::2",
	    "2001:db8:2::2", pureftpd_wget6 }, 2 },
	{ { "echo_attack_dnat", "198.51.100.7", "198.51.100.7", "10.1.1.5", "203.0.113.5",
	    echo_attack }, 1 },
};

const size_t sim_n_cases = sizeof(sim_cases) / sizeof(sim_cases[0]);
