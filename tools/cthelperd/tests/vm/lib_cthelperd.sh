# SPDX-License-Identifier: GPL-2.0
# cthelperd helpers for the VM selftests (sourced after tools/selftests/lib.sh).
#
# cthelperd_start NS ARGS...   start the daemon in NS (foreground, its own
#                              control socket and log); pid in $CTHD_PID
# cthelperd_stats [--json]     the running daemon's counters
# cthelperd_counter NAME       one counter, summed over the daemon's helpers
# cthelperd_to_kernel_ftp NS   stop the daemon serving NS's ftp helper and
#                              load nf_conntrack_ftp + nf_nat_ftp instead
#                              (the reference); kernel_ftp_unload after it

CTHD=$REPO/tools/cthelperd/cthelperd
CTHD_CTL=$T/cthelperd.sock
CTHD_LOG=$T/cthelperd.log

cthelperd_start() {
	_ns=$1; shift
	# ip netns exec, not the nsx function: $! must be the daemon itself
	ip netns exec "$_ns" "$CTHD" --foreground --control "$CTHD_CTL" "$@" >>"$CTHD_LOG" 2>&1 &
	CTHD_PID=$!
	PIDS="$PIDS $CTHD_PID"
	# ready once the control socket answers: setup and the drop are done
	if ! retry 50 sh -c "'$CTHD' --stats --control '$CTHD_CTL' >/dev/null 2>&1"; then
		sed 's/^/# /' "$CTHD_LOG"
		return 1
	fi
}

cthelperd_stats() {
	"$CTHD" --stats --control "$CTHD_CTL" "$@"
}

# The JSON is one line: a greedy sed would read the last helper's counter
# only (sip-tcp's 0 when the test's calls went over UDP); nothing when
# the daemon does not answer, so that no check passes on an empty reading.
cthelperd_counter() {
	cthelperd_stats --json | grep -o "\"$1\":[0-9]*" |
		awk -F: '{ n += $2 } END { if (NR) print n }'
}

# cthelperd_stop: SIGTERM; its exit status
cthelperd_stop() {
	kill -TERM "$CTHD_PID" 2>/dev/null
	wait "$CTHD_PID"
	_rc=$?
	PIDS=$(echo "$PIDS" | sed "s/ $CTHD_PID\b//")
	return $_rc
}

# cthelperd_kill9: SIGKILL, no cleanup of its own (helpers stay registered)
cthelperd_kill9() {
	kill -9 "$CTHD_PID" 2>/dev/null
	wait "$CTHD_PID" 2>/dev/null
	PIDS=$(echo "$PIDS" | sed "s/ $CTHD_PID\b//")
}

# cthelperd_to_kernel_ftp NS: the raw table's rules go (they hold the
# user-space helper), the daemon stops and the helper is deleted (by the
# daemon if it registered it, else here), then the in-kernel FTP helper and
# its NAT part are loaded. Fails when they cannot be.
cthelperd_to_kernel_ftp() {
	nsx "$1" iptables -t raw -F
	cthelperd_stop
	retry 25 sh -c "ip netns exec $1 nfct delete helper ftp inet tcp 2>/dev/null;
		! ip netns exec $1 nfct list helper 2>/dev/null | grep -q 'name = ftp'" &&
	for _m in nf_conntrack_ftp nf_nat_ftp; do
		[ -e /sys/module/$_m ] || modprobe $_m 2>/dev/null ||
			insmod "$LINUX/net/netfilter/$_m.ko" 2>/dev/null || return 1
	done
}

# kernel_ftp_unload NS: its rules and conntracks go, then the modules.
kernel_ftp_unload() {
	nsx "$1" iptables -t raw -F
	nsx "$1" conntrack -F >/dev/null 2>&1
	retry 25 rmmod nf_nat_ftp 2>/dev/null
	retry 25 rmmod nf_conntrack_ftp 2>/dev/null
}

# fw_filter_service NS PROTO PORT: fw_filter's stateful firewall for another
# service: FORWARD lets through NEW only to PROTO (tcp|udp) PORT, and
# ESTABLISHED,RELATED (iptables and ip6tables).
fw_filter_service() {
	for _ipt in iptables ip6tables; do
		nsx "$1" $_ipt -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT &&
		nsx "$1" $_ipt -A FORWARD -p "$2" --dport "$3" -m conntrack --ctstate NEW -j ACCEPT &&
		nsx "$1" $_ipt -P FORWARD DROP || return 1
	done
}

# helper_assign_service NS HELPER PROTO PORT [FAMILIES]: the helper called
# HELPER (user space, registered before, or in-kernel) on PROTO connections
# to PORT, IPv4 and/or IPv6 (FAMILIES "4", "6", "46", the default), in raw.
helper_assign_service() {
	case ${5:-46} in *4*) nsx "$1" iptables -t raw -A PREROUTING -p "$3" --dport "$4" -j CT --helper "$2" || return 1 ;; esac
	case ${5:-46} in *6*) nsx "$1" ip6tables -t raw -A PREROUTING -p "$3" --dport "$4" -j CT --helper "$2" || return 1 ;; esac
}

# kernel_helper_modules MODULE...: load in-kernel helper modules (modprobe,
# or insmod from $LINUX); fails with the reason on stdout when this kernel
# has them neither built in nor as modules.
kernel_helper_modules() {
	for _m; do
		[ -e "/sys/module/$_m" ] && continue
		modprobe "$_m" 2>/dev/null && continue
		insmod "$LINUX/net/netfilter/$_m.ko" 2>/dev/null && continue
		_opt=$(echo "$_m" | tr 'a-z' 'A-Z')
		if grep -qs "^CONFIG_$_opt=[ym]" "$LINUX/.config"; then
			echo "$_m is in this kernel's config but cannot be loaded"
		else
			echo "CONFIG_$_opt is not set in this kernel (tools/selftests/vm/config)"
		fi
		return 1
	done
}

# cthelperd_check_listed NS NAME L4PROTONUM [PRIV_LEN]: one TAP line: nfct
# lists NAME for inet and inet6, enabled (with PRIV_LEN bytes of private data).
cthelperd_check_listed() {
	check "nfct lists $2 inet and inet6 (L4 $3), enabled" sh -c "
		ip netns exec $1 nfct list helper | tr -d '\n\t' | sed 's/};/};\n/g' >$T/helpers
		grep 'name = $2,.*l4protonum = $3,' $T/helpers |
			grep '${4:+priv_data_len = $4,}.*status = enabled' | grep -c . | grep -qx 2"
}

# cthelperd_check_stats MIN [MIN_PARSE_ERRORS]: one TAP line: at least MIN
# expectations (and parse errors), no internal error, none the kernel
# refused; then the counters as comments.
cthelperd_check_stats() {
	check "stats: $1 expectations or more, ${2:-0} refused messages or more, no error" sh -c "
		[ '$(cthelperd_counter expectations)' -ge $1 ] &&
		[ '$(cthelperd_counter parse_errors)' -ge ${2:-0} ] &&
		[ '$(cthelperd_counter accepted_on_error)' = 0 ] &&
		[ '$(cthelperd_counter kernel_errors)' = 0 ]"
	cthelperd_stats | sed 's/^/# /'
}

# cthelperd_finish: no rules left, SIGTERM; one TAP line: it exits 0.
cthelperd_finish() {
	fw_reset
	cthelperd_stop
	check "SIGTERM: cthelperd exits 0" test "$?" -eq 0
}

# kernel_reference "MODULE..." CMD...: with the in-kernel helper MODULEs
# (conntrack part first) loaded, CMD (the same cases as for cthelperd);
# then no rules, no conntracks, modules unloaded. One skip line with the
# reason when this kernel does not have them.
kernel_reference() {
	_mods=$1; shift
	if _why=$(kernel_helper_modules $_mods); then
		"$@"
		fw_reset
		nsx "$F" conntrack -F >/dev/null 2>&1
		_rev=""
		for _m in $_mods; do _rev="$_m $_rev"; done
		for _m in $_rev; do retry 25 rmmod "$_m" 2>/dev/null; done
	else
		skip "$(echo $_mods | tr ' ' '+'): the same cases as cthelperd" "$_why"
	fi
}

# check_fails NAME CMD...: check's opposite, for what must not work (no
# helper, a forged message, a known bug of a reference): one TAP line, ok
# when CMD fails; its output as comments when it worked.
check_fails() {
	_name=$1; shift
	if "$@" >"$T/check.out" 2>&1; then
		not_ok "$_name" "worked: $*"
		sed 's/^/#   /' "$T/check.out" | tail -n 20
	else
		ok "$_name"
	fi
}

# fw_local_service NS PROTO PORT: the stateful firewall of NS's own
# traffic, for helpers of queries the firewall itself sends (netbios-ns,
# mdns, slp, dhcpv6, ssdp): OUTPUT lets out NEW only to PROTO PORT, INPUT
# only ESTABLISHED,RELATED (iptables and ip6tables; loopback and IPv6
# neighbour discovery pass).
fw_local_service() {
	for _ipt in iptables ip6tables; do
		nsx "$1" $_ipt -A INPUT -i lo -j ACCEPT &&
		nsx "$1" $_ipt -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT &&
		nsx "$1" $_ipt -A OUTPUT -o lo -j ACCEPT &&
		nsx "$1" $_ipt -A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT &&
		nsx "$1" $_ipt -A OUTPUT -p "$2" --dport "$3" -m conntrack --ctstate NEW -j ACCEPT ||
			return 1
		if [ $_ipt = ip6tables ]; then
			for _t in neighbour-solicitation neighbour-advertisement router-solicitation \
				router-advertisement; do
				nsx "$1" ip6tables -A INPUT -p icmpv6 --icmpv6-type $_t -j ACCEPT
				nsx "$1" ip6tables -A OUTPUT -p icmpv6 --icmpv6-type $_t -j ACCEPT
			done
			nsx "$1" ip6tables -A OUTPUT -p icmpv6 --icmpv6-type 143 -j ACCEPT
		fi
		nsx "$1" $_ipt -P INPUT DROP && nsx "$1" $_ipt -P OUTPUT DROP || return 1
	done
}

# fw_local_reset NS: no rules, policies ACCEPT.
fw_local_reset() {
	fw_reset "$1"
	for _ipt in iptables ip6tables; do
		nsx "$1" $_ipt -P INPUT ACCEPT
		nsx "$1" $_ipt -P OUTPUT ACCEPT
	done
}

# helper_assign_local NS HELPER PROTO PORT [FAMILIES]: the helper on NS's
# own PROTO packets to PORT (raw OUTPUT), IPv4 and/or IPv6 ("4", "6", "46").
helper_assign_local() {
	case ${5:-46} in *4*) nsx "$1" iptables -t raw -A OUTPUT -p "$3" --dport "$4" -j CT --helper "$2" || return 1 ;; esac
	case ${5:-46} in *6*) nsx "$1" ip6tables -t raw -A OUTPUT -p "$3" --dport "$4" -j CT --helper "$2" || return 1 ;; esac
}

# udp_query NS SRC SPORT DST DPORT HEX SECONDS: udp_query.py in NS, in the
# background; its output in $T/query.out, pid in $QUERY_PID.
udp_query() {
	_ns=$1; shift
	ip netns exec "$_ns" /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/udp_query.py" "$@" \
		>"$T/query.out" 2>&1 &
	QUERY_PID=$!
	PIDS="$PIDS $QUERY_PID"
}

# udp_send NS SRC SPORT DST DPORT TEXT: one datagram TEXT from SRC:SPORT
# (SO_REUSEADDR: a server there may hold the port, as nmbd does).
udp_send() {
	case $4 in *:*) _d="[$4]" ;; *) _d=$4 ;; esac
	case $2 in *:*) _s="[$2]" ;; *) _s=$2 ;; esac
	echo "$6" | nsx "$1" socat -u - "UDP-SENDTO:$_d:$5,bind=$_s:$3,reuseaddr"
}

# fw_local_clean NS: fw_local_reset and no conntrack left: a query's
# conntrack outlives a phase, and a helper is assigned only when a
# conntrack is created, so the next phase's query would stay helperless
fw_local_clean() {
	fw_local_reset "$1"
	nsx "$1" conntrack -F >/dev/null 2>&1
}

# cthelperd_serve HELPER: cthelperd on $F registers and serves HELPER (UDP,
# inet and inet6), two TAP lines; the test ends when it does not start
cthelperd_serve() {
	cthelperd_start "$F" --helper "$1" --register || { not_ok "cthelperd starts"; tap_done; }
	ok "cthelperd starts, registers and enables $1"
	cthelperd_check_listed "$F" "$1" 17
}

# query_wait: the udp_query started last has ended
query_wait() {
	wait $QUERY_PID
	PIDS=$(echo "$PIDS" | sed "s/ $QUERY_PID\b//")
}

# hostile_stay_out WHO LABEL WORD...: after a query's hostile answers, one
# TAP line per WORD (the payload of one hostile answer) that it did not
# reach the query's socket ($T/query.out); for conntrackd, whose query
# helpers expect answers from any address and port, what happened is only
# reported.
hostile_stay_out() {
	_who=$1 _label=$2; shift 2
	for _w in "$@"; do
		if [ "$_who" = conntrackd ]; then
			if grep -q "$_w" "$T/query.out"; then diag "$_who $_label: $_w lets in"; else
				diag "$_who $_label: $_w stays out"; fi
		else
			check_fails "$_who $_label: the $_w answer stays out" grep -q "$_w" "$T/query.out"
		fi
	done
}

# query_probe WHO LABEL SRC SPORT GROUP DPORT HEX NEAR APORT FAR: from $F,
# the query HEX from SRC:SPORT (an IPv6 SRC with its %IF) to GROUP:DPORT;
# once it is out, $S sends to SRC:SPORT two hostile answers: from NEAR (in
# the subnet) but port APORT + 1 ("wrongport"), and from FAR (outside it),
# port APORT ("offsubnet"). Both must stay out.
query_probe() {
	udp_query "$F" "$3" "$4" "$5" "$6" "$7" 6
	retry 100 grep -q '^sent' "$T/query.out"
	_dst=${3%%\%*}
	udp_send "$S" "$8" $(($9 + 1)) "$_dst" "$4" wrongport; _rc1=$?
	udp_send "$S" "${10}" "$9" "$_dst" "$4" offsubnet; _rc2=$?
	query_wait
	sed 's/^/#   /' "$T/query.out"
	check "$1 $2: the hostile answers are sent (socat)" test "$_rc1$_rc2" = 00
	hostile_stay_out "$1" "$2" wrongport offsubnet
}

# conntrackd_reference HELPER L4 CASES: CASES conntrackd, with conntrackd
# 1.4.7 serving HELPER (L4) for inet and inet6 on queue 0 of $F, as the
# reference; a skip when it does not start.
conntrackd_reference() {
	if command -v conntrackd >/dev/null && conntrackd_start "$F" 0 "$1" "$2"; then
		"$3" conntrackd
		stop $CONNTRACKD_PID
		for _fam in inet inet6; do nsx "$F" nfct delete helper "$1" $_fam "$2" 2>/dev/null; done
	else
		skip "conntrackd: the same cases as cthelperd" "conntrackd does not start"
		sed 's/^/# /' "$T/conntrackd-$F/out" "$T/conntrackd-$F/log" 2>/dev/null | tail -n 10
	fi
}
