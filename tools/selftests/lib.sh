# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the VM selftests (sourced, POSIX sh).
#
# TAP:      ok NAME | not_ok NAME [WHY] | skip NAME REASON | check NAME CMD...
#           tap_done  (prints the plan, checks dmesg, exits 0 pass / 1 fail / 4 skip)
# Topology: topo_setup (namespaces $C client, $F firewall, $S server; veth;
#           IPv4 10.0.1.0/24 client side, 10.0.2.0/24 server side, IPv6
#           dead:1::/64 and dead:2::/64; the firewall forwards both)
# Firewall: fw_filter NS iptables|nft (FORWARD: NEW to port 21 and
#           ESTABLISHED,RELATED only), helper_assign NS iptables|nft HOOK
# Misc:     wait_port NS PORT, retry N CMD..., ftp_server_start NS, ftp_get,
#           conntrackd_start NS, tap_prog CMD..., kernel_src_has, cleanup

REPO=${REPO:-$(pwd)}
BUILD=${BUILD:-$REPO/build}
LINUX=${LINUX:-$BUILD/linux}
SELFTESTS_BIN=${SELFTESTS_BIN:-$BUILD/selftests}
export REPO BUILD LINUX SELFTESTS_BIN

# Client and server addresses; FW*_ are the firewall's side of each link.
CLI4=10.0.1.1;  FWC4=10.0.1.254; FWS4=10.0.2.254; SRV4=10.0.2.2
CLI6=dead:1::1; FWC6=dead:1::fe; FWS6=dead:2::fe; SRV6=dead:2::2

TAP_N=0
TAP_FAILED=0
TAP_PASSED=0
TAP_SKIPPED=0
# Work directory for configs, logs and transferred files of this test.
T=$(mktemp -d /tmp/selftest.XXXXXX)
DMESG_START=$(dmesg 2>/dev/null | wc -l)

echo "TAP version 13"

ok() {
	TAP_N=$((TAP_N + 1)); TAP_PASSED=$((TAP_PASSED + 1))
	echo "ok $TAP_N - $1"
}

not_ok() {
	TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	[ -z "${2:-}" ] || echo "# $2"
}

skip() {
	TAP_N=$((TAP_N + 1)); TAP_SKIPPED=$((TAP_SKIPPED + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# check NAME CMD...: one TAP line from the exit status of CMD; its output
# goes to the TAP stream as comments only when it fails.
check() {
	_name=$1; shift
	if "$@" >"$T/check.out" 2>&1; then
		ok "$_name"
	else
		not_ok "$_name" "command failed: $*"
		sed 's/^/#   /' "$T/check.out" | tail -n 20
	fi
}

# tap_prog CMD...: a program printing its own TAP; its lines are numbered
# into this test's stream, its plan dropped.
tap_prog() {
	"$@" >"$T/prog.out" 2>&1
	_rc=$?
	tap_lines "$T/prog.out"
	return $_rc
}

# tap_lines FILE: the TAP lines of FILE into this test's stream.
tap_lines() {
	while IFS= read -r _l; do
		case $_l in
		"not ok "*)	not_ok "${_l#* - }" ;;
		"ok "*"# SKIP "*)
			_r=${_l#* - }; skip "${_r%% # SKIP *}" "${_r#* # SKIP }" ;;
		"ok "*)		ok "${_l#* - }" ;;
		"#"*)		echo "$_l" ;;
		esac
	done <"$1"
}

# kernel_src_has PATTERN PATH: the kernel tree that booted has PATTERN in
# PATH (relative to $LINUX) - how a test tells a feature of the series that
# has not landed yet from a broken one.
kernel_src_has() {
	grep -rqs -- "$1" "$LINUX/$2"
}

# Diagnostics as TAP comments.
diag() {
	echo "# $*"
}

# A kernel splat anywhere in this test is a failure of the test.
dmesg_clean() {
	dmesg | tail -n +"$((DMESG_START + 1))" >"$T/dmesg"
	if grep -Eq 'WARNING:|BUG:|Oops|refcount_t|lockdep|KASAN|general protection' "$T/dmesg"; then
		grep -E -A 20 'WARNING:|BUG:|Oops|refcount_t|lockdep|KASAN|general protection' \
			"$T/dmesg" | head -n 40 | sed 's/^/#   /'
		return 1
	fi
}

tap_done() {
	cleanup
	if dmesg_clean; then ok "no kernel warning in dmesg"; else not_ok "no kernel warning in dmesg"; fi
	echo "1..$TAP_N"
	echo "# $TAP_PASSED passed, $TAP_FAILED failed, $TAP_SKIPPED skipped"
	rm -rf "$T"
	[ "$TAP_FAILED" -eq 0 ] || exit 1
	[ "$TAP_PASSED" -gt 1 ] || exit 4
	exit 0
}

# Whole test skipped: a prerequisite of the kernel or the host is missing.
skip_all() {
	echo "1..0 # SKIP $1"
	cleanup
	rm -rf "$T"
	exit 4
}

# require CMD...: skip the whole test when a command is missing.
require() {
	for _c; do
		command -v "$_c" >/dev/null || skip_all "$_c not installed"
	done
}

# ftp_setup: the topology, NFNL_SUBSYS_CTHELPER, vsftpd on the server.
ftp_setup() {
	topo_setup
	nsx "$F" nfct list helper >/dev/null 2>&1 ||
		skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
	ftp_server_start "$S" || skip_all "vsftpd does not start"
}

# retry N CMD...: for things that settle asynchronously (see kernel-facts).
retry() {
	_n=$1; shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.2
	done
}

# wait_port NS PORT: until a TCP socket listens on PORT in NS (5 s).
wait_port() {
	retry 25 sh -c "ip netns exec $1 ss -Htln 'sport = :$2' | grep -q ."
}

# Namespaces of this test; unique so that a leftover cannot collide.
C=cl-$$ F=fw-$$ S=sv-$$
NETNS_CREATED=""

netns_add() {
	ip netns add "$1" || return 1
	NETNS_CREATED="$NETNS_CREATED $1"
	ip -n "$1" link set lo up
}

# veth_link NS1 IF1 NS2 IF2
veth_link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# addr NS IF ADDR4/LEN ADDR6/LEN: nodad so IPv6 is usable at once.
addr() {
	ip -n "$1" addr add "$3" dev "$2" &&
	ip -n "$1" addr add "$4" dev "$2" nodad
}

# topo_setup [FW_NS]: client <-> firewall <-> server.
topo_setup() {
	_f=${1:-$F}
	netns_add "$C" && netns_add "$_f" && netns_add "$S" &&
	veth_link "$C" eth0 "$_f" cli0 && veth_link "$_f" srv0 "$S" eth0 &&
	addr "$C" eth0 $CLI4/24 $CLI6/64 &&
	addr "$_f" cli0 $FWC4/24 $FWC6/64 &&
	addr "$_f" srv0 $FWS4/24 $FWS6/64 &&
	addr "$S" eth0 $SRV4/24 $SRV6/64 &&
	ip -n "$C" route add default via $FWC4 &&
	ip -n "$C" -6 route add default via $FWC6 &&
	ip -n "$S" route add default via $FWS4 &&
	ip -n "$S" -6 route add default via $FWS6 &&
	ip netns exec "$_f" sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec "$_f" sysctl -qw net.ipv6.conf.all.forwarding=1 ||
		skip_all "cannot set up the namespaces"
}

# fw_filter NS iptables|nft: the stateful firewall of the tests.
fw_filter() {
	if [ "$2" = nft ]; then
		nsx "$1" nft -f - <<-EOF
		table inet filter {
			chain forward {
				type filter hook forward priority 0; policy drop;
				ct state established,related accept
				tcp dport 21 ct state new accept
			}
		}
		EOF
	else
		for _ipt in iptables ip6tables; do
			nsx "$1" $_ipt -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT &&
			nsx "$1" $_ipt -A FORWARD -p tcp --dport 21 -m conntrack --ctstate NEW -j ACCEPT &&
			nsx "$1" $_ipt -P FORWARD DROP || return 1
		done
	fi
}

# fw_local_filter NS input|output: filter the firewall's own traffic; NEW to
# port 21 is let through on the given hook only (input: a server on the
# firewall; output: a client on it), all else must be ESTABLISHED/RELATED.
fw_local_filter() {
	nsx "$1" nft -f - <<-NFT
	table inet filter {
		chain input {
			type filter hook input priority 0; policy drop;
			iif lo accept
			ct state established,related accept
			$([ "$2" = input ] && echo "tcp dport 21 ct state new accept")
		}
		chain output {
			type filter hook output priority 0; policy drop;
			oif lo accept
			ct state established,related accept
			$([ "$2" = output ] && echo "tcp dport 21 ct state new accept")
		}
	}
	NFT
}

# fw_nat NS dnat|snat [PORT [PROTO]]: replaces the NAT of the firewall NS.
# dnat: the client talks to the firewall's address ($FWC4/$FWC6) on PROTO
# (tcp) PORT (21), NATed to the server;
# snat: the server sees the firewall's address ($FWS4/$FWS6).
fw_nat() {
	nsx "$1" nft delete table inet nat 2>/dev/null
	if [ "$2" = dnat ]; then
		nsx "$1" nft -f - <<-NFT
		table inet nat {
			chain pre {
				type nat hook prerouting priority -100;
				ip daddr $FWC4 ${4:-tcp} dport ${3:-21} dnat ip to $SRV4
				ip6 daddr $FWC6 ${4:-tcp} dport ${3:-21} dnat ip6 to $SRV6
			}
		}
		NFT
	else
		nsx "$1" nft -f - <<-NFT
		table inet nat {
			chain post {
				type nat hook postrouting priority 100;
				oifname srv0 meta nfproto ipv4 snat ip to $FWS4
				oifname srv0 meta nfproto ipv6 snat ip6 to $FWS6
			}
		}
		NFT
	fi
}

# helper_assign NS iptables|nft PREROUTING|OUTPUT [FAMILIES [PORT]]: the
# user-space ftp helper (registered before: rules look it up) on
# connections to PORT (21) of IPv4 and/or IPv6 (FAMILIES "4", "6", "46"),
# assigned in raw (nft: priority -150, after conntrack).
helper_assign() {
	_fam=${4:-4} _port=${5:-21}
	if [ "$2" = nft ]; then
		_hook=$(echo "$3" | tr 'A-Z' 'a-z')
		{
			echo "table inet helpers {"
			case $_fam in *4*) echo "ct helper h4 { type \"ftp\" protocol tcp; l3proto ip; }" ;; esac
			case $_fam in *6*) echo "ct helper h6 { type \"ftp\" protocol tcp; l3proto ip6; }" ;; esac
			echo "chain assign {"
			echo "type filter hook $_hook priority -150;"
			case $_fam in *4*) echo "meta nfproto ipv4 tcp dport $_port ct helper set \"h4\"" ;; esac
			case $_fam in *6*) echo "meta nfproto ipv6 tcp dport $_port ct helper set \"h6\"" ;; esac
			echo "}"
			echo "}"
		} | nsx "$1" nft -f -
	else
		case $_fam in *4*) nsx "$1" iptables -t raw -A "$3" -p tcp --dport "$_port" -j CT --helper ftp || return 1 ;; esac
		case $_fam in *6*) nsx "$1" ip6tables -t raw -A "$3" -p tcp --dport "$_port" -j CT --helper ftp || return 1 ;; esac
	fi
}

# nsx NS CMD...: short for ip netns exec.
nsx() {
	_ns=$1; shift
	ip netns exec "$_ns" "$@"
}

# Background processes of this test, killed by PID in cleanup.
PIDS=""

# spawn NS CMD...: CMD in NS in the background. Not through nsx: $! must
# be the process itself, not a subshell around it.
spawn() {
	_ns=$1; shift
	ip netns exec "$_ns" "$@" &
	PIDS="$PIDS $!"
}

# ftp_server_start NS [CONF]: anonymous vsftpd on port 21 (IPv4 and IPv6)
# serving $T/ftproot/file; PASV ports 30000-30099 (so that tests can tell
# data connections apart). CONF: more vsftpd.conf lines, which win over
# these (vsftpd keeps the last value of an option).
ftp_server_start() {
	mkdir -p "$T/ftproot" "$T/empty"
	chmod 755 "$T/ftproot" "$T/empty"
	head -c 20000 /dev/urandom >"$T/ftproot/file"
	chmod 644 "$T/ftproot/file"
	cat >"$T/vsftpd.conf" <<-EOF
	listen=NO
	listen_ipv6=YES
	background=NO
	anonymous_enable=YES
	no_anon_password=YES
	anon_root=$T/ftproot
	local_enable=NO
	write_enable=NO
	pasv_enable=YES
	pasv_min_port=30000
	pasv_max_port=30099
	port_enable=YES
	connect_from_port_20=NO
	secure_chroot_dir=$T/empty
	seccomp_sandbox=NO
	xferlog_enable=NO
	vsftpd_log_file=$T/vsftpd.log
	${2:-}
	EOF
	spawn "$1" vsftpd "$T/vsftpd.conf"
	wait_port "$1" 21
}

# ftp_get NS URL [CURL_OPTS...]: download "file" and compare it.
ftp_get() {
	_ns=$1 _url=$2; shift 2
	rm -f "$T/got"
	nsx "$_ns" curl -sS --max-time 20 --connect-timeout 10 "$@" \
		-o "$T/got" "$_url/file" && cmp -s "$T/got" "$T/ftproot/file"
}

# ftp_pasv NS HOST, ftp_port NS HOST MYADDR, ftp_eprt NS HOST MYADDR: one
# download with that way of opening the data connection.
ftp_pasv() { ftp_get "$1" "ftp://$2" --disable-epsv; }
ftp_port() { ftp_get "$1" "ftp://$2" --ftp-port "$3" --disable-eprt; }
ftp_eprt() { ftp_get "$1" "ftp://$2" --ftp-port "$3"; }

# fw_reset [NS]: no rules at all on the firewall.
fw_reset() {
	for _ipt in iptables ip6tables; do
		nsx "${1:-$F}" $_ipt -t raw -F
		nsx "${1:-$F}" $_ipt -F
		nsx "${1:-$F}" $_ipt -P FORWARD ACCEPT
	done
	nsx "${1:-$F}" nft flush ruleset
}

# conntrackd_start NS [QUEUE [NAME PROTO]]: conntrackd in helper mode for
# ftp (IPv4), or for NAME over PROTO (IPv4 and IPv6), registered with nfct
# first as conntrackd only updates helpers.
conntrackd_start() {
	_h=${3:-ftp} _l4=${4:-tcp} _fams=inet
	[ -z "${3:-}" ] || _fams="inet inet6"
	for _fam in $_fams; do
		nsx "$1" nfct add helper $_h $_fam $_l4 2>/dev/null
	done
	_d="$T/conntrackd-$1"
	mkdir -p "$_d"
	cat >"$_d/conntrackd.conf" <<-EOF
	General {
		HashSize 8192
		HashLimit 65535
		LogFile $_d/log
		Syslog off
		LockFile $_d/lock
		UNIX { Path $_d/ctl }
		NetlinkBufferSize 2097152
		NetlinkBufferSizeMaxGrowth 8388608
	}
	Helper {
	$(for _fam in $_fams; do
		printf '\tType %s %s %s {\n\t\tQueueNum %s\n\t\tQueueLen 10240\n' \
			$_h $_fam $_l4 ${2:-0}
		printf '\t\tPolicy %s {\n\t\t\tExpectMax 1\n\t\t\tExpectTimeout 300\n\t\t}\n\t}\n' $_h
	done)
	}
	EOF
	# Not through nsx: $! must be the daemon, not a subshell around it.
	ip netns exec "$1" conntrackd -C "$_d/conntrackd.conf" >"$_d/out" 2>&1 &
	CONNTRACKD_PID=$!
	PIDS="$PIDS $CONNTRACKD_PID"
	# Ready once it has enabled the helper and bound its queue (it does
	# the former first).
	retry 25 sh -c "ip netns exec $1 nfct list helper 2>/dev/null | grep -q 'status = enabled'" &&
	retry 25 sh -c "ip netns exec $1 cat /proc/net/netfilter/nfnetlink_queue 2>/dev/null | grep -q ."
}

# nfq_helper_start NS ARGS...: the selftests' user-space helper
# (progs/nfq_test_helper.c) in NS, log in $NFQ_LOG, pid in $NFQ_PID.
nfq_helper_start() {
	_ns=$1; shift
	NFQ_LOG=$T/nfq-$_ns.log
	ip netns exec "$_ns" "$SELFTESTS_BIN/nfq_test_helper" "$@" >"$NFQ_LOG" 2>&1 &
	NFQ_PID=$!
	PIDS="$PIDS $NFQ_PID"
	retry 25 grep -qs "^ready" "$NFQ_LOG" || { sed 's/^/# /' "$NFQ_LOG"; return 1; }
}

# nfq_helper_stop: its exit status (1: a private data check failed).
nfq_helper_stop() {
	kill "$NFQ_PID" 2>/dev/null
	wait "$NFQ_PID"
	_rc=$?
	PIDS=$(echo "$PIDS" | sed "s/ $NFQ_PID\b//")
	return $_rc
}

# require_helper_hook_udp: what a test of the helper hook with a UDP helper
# needs: nfq_test_helper (-R), our nfct to register the helper ($NFCT),
# socat, and the helper hook of the series.
require_helper_hook_udp() {
	[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
	NFCT=$REPO/tools/nfct/nfct
	[ -x "$NFCT" ] || skip_all "tools/nfct/nfct not built (make tools)"
	require socat
	kernel_src_has NF_IP_PRI_CONNTRACK_HELPER net/ ||
		skip_all "no helper hook in this kernel (pristine 6.12 helps from nf_confirm)"
}

# ctl_confirmed NS FAMILY: an FTP control connection is in NS's conntrack
# table (only confirmed conntracks are listed) and assured.
ctl_confirmed() {
	nsx "$1" conntrack -L -f "$2" -p tcp 2>/dev/null | grep 'dport=21 ' |
		grep -q ASSURED
}

# helpers_of NS: nfct list helper, one helper a line.
helpers_of() {
	nsx "$1" nfct list helper 2>/dev/null | tr -d '\n\t' | sed 's/};/};\n/g'
}

# stop PID: end one of our background processes.
stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	PIDS=$(echo "$PIDS" | sed "s/ $1\b//")
}

cleanup() {
	for _p in $PIDS; do kill "$_p" 2>/dev/null; done
	for _p in $PIDS; do wait "$_p" 2>/dev/null; done
	PIDS=""
	for _ns in $NETNS_CREATED; do ip netns del "$_ns" 2>/dev/null; done
	NETNS_CREATED=""
}

trap 'cleanup; rm -rf "$T"; exit 1' INT TERM
