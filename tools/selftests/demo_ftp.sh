#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo (make demo; make check runs it too): FTP through a stateful
# firewall whose FTP helper runs in user space, in cthelperd, on this
# project's kernel. Namespaces client -- firewall -- server; the firewall
# forwards new connections to port 21 only, and what conntrack finds
# ESTABLISHED or RELATED: a data connection gets through only when the
# helper created an expectation for it.
#   1. our nfct registers the ftp helper, iptables CT --helper assigns it
#      (the nft equivalent is printed and checked with nft -c);
#   2. cthelperd is started as an admin would: it daemonises and drops to
#      nobody, with no capability left (/proc/PID/status);
#   3. EPSV, PORT, and PORT behind SNAT (the address rewritten), each with
#      the expectation it made (conntrack -E expect); conntrackd 1.4.7
#      fails EPSV and SNAT with PORT;
#   4. cthelperd --stats;
#   5. fail-open: with the daemon stopped, control connections work and are
#      tracked, data connections are not helped; started again, it helps.
# Every command is shown with its output, every step ends in ok / not ok.
. "${REPO:-.}/tools/selftests/lib.sh"

# What is shown is what runs: our nfct and cthelperd, not Debian's nfct.
PATH=$REPO/tools/nfct:$REPO/tools/cthelperd:$PATH
export PATH
PIDFILE=/run/cthelperd.pid
CTHD_PID=""
DEVLOG=""	# /dev/log, when this demo created it

[ -x "$REPO/tools/nfct/nfct" ] && [ -x "$REPO/tools/cthelperd/cthelperd" ] ||
	skip_all "tools/nfct/nfct and tools/cthelperd/cthelperd not built (make tools)"
require conntrack vsftpd curl iptables nft socat
[ -e /sys/module/nf_conntrack_ftp ] &&
	skip_all "nf_conntrack_ftp is loaded and owns the name ftp"
kernel_src_has NF_IP_PRI_CONNTRACK_HELPER net/ &&
	kernel_src_has NFNL_CB_F_OPENER_CAP net/netfilter/nfnetlink_queue.c ||
	skip_all "$LINUX lacks the series (fail-open confirmation, verdicts without CAP_NET_ADMIN)"

# label NS: the name of a namespace in a prompt.
label() {
	case $1 in
	"$C") echo client ;;
	"$F") echo firewall ;;
	"$S") echo server ;;
	*) echo "$1" ;;
	esac
}

# screen TITLE: a heading.
screen() {
	echo "#"
	echo "# ======== $* ========"
}

# shown CMD...: CMD as a shell line, words with special characters quoted.
shown() {
	_line=""
	for _w; do
		case $_w in
		*[!A-Za-z0-9_./:=,@%+-]* | "") _w="'$_w'" ;;
		esac
		_line="$_line${_line:+ }$_w"
	done
	echo "$_line"
}

# run NS CMD...: show CMD at a prompt of NS, run it there, show its output
# (and its exit status when it fails); returns that status.
run() {
	_ns=$1; shift
	echo "#   $(label "$_ns")# $(shown "$@")"
	ip netns exec "$_ns" "$@" >"$T/run.out" 2>&1
	_rc=$?
	sed 's/^/#     /' "$T/run.out"
	[ "$_rc" -eq 0 ] || echo "#     (exit status $_rc)"
	return "$_rc"
}

# step NAME NS CMD...: run, then one TAP line from its exit status.
step() {
	_step=$1; shift
	if run "$@"; then ok "$_step"; else not_ok "$_step"; fi
}

# ftp_status STATUS: the nfct helper list output of the last run has the
# ftp helper for inet/tcp with STATUS (a regular expression).
ftp_status() {
	awk -v want="^$1\$" '$1 == "ftp" && $2 == "inet" && $3 == "tcp" && $5 ~ want { found = 1 }
		END { exit !found }' "$T/run.out"
}

# Syslog: the daemon logs there once it has daemonised. No syslogd runs
# in the VM; socat takes /dev/log's datagrams (one message each, no
# newline: split them at their "<priority>").
syslog_start() {
	[ ! -e /dev/log ] || { diag "/dev/log is taken: the daemon's log is not shown"; return; }
	socat -u UNIX-RECV:/dev/log,mode=666 OPEN:"$T/syslog.raw",creat,append &
	PIDS="$PIDS $!"
	DEVLOG=/dev/log
	retry 25 test -S /dev/log || diag "socat does not listen on /dev/log: no daemon log"
}
# syslog_show: the messages logged since the last call.
SYSLOG_SHOWN=0
syslog_show() {
	[ -n "$DEVLOG" ] || return 0
	{ cat "$T/syslog.raw"; echo; } 2>/dev/null |
		sed 's/<[0-9]\{1,3\}>/\n/g' | sed '/^$/d' >"$T/syslog"
	tail -n +"$((SYSLOG_SHOWN + 1))" "$T/syslog" | sed 's/^/#     /'
	SYSLOG_SHOWN=$(wc -l <"$T/syslog")
}

# cthd_start: cthelperd as an admin starts it; it returns once the daemon
# runs (exit 0: set-up, privilege drop and seccomp filter done).
cthd_start() {
	rm -f "$PIDFILE"
	run "$F" cthelperd --helper ftp --family inet --user nobody --pidfile "$PIDFILE" &&
		CTHD_PID=$(cat "$PIDFILE") && [ -d "/proc/$CTHD_PID" ] || return 1
	# It left our process group: cleanup must know it.
	PIDS="$PIDS $CTHD_PID"
	echo "#   (daemon pid $CTHD_PID; its log:)"
	sleep 0.2
	syslog_show
}

# gone PID: no such process, or only a zombie (init reaps orphans late).
gone() {
	! grep -qs '^State:[[:space:]]*[^Z[:space:]]' "/proc/$1/status"
}

# cthd_stop: SIGTERM as an admin sends it, until the process is gone.
cthd_stop() {
	[ -n "$CTHD_PID" ] || return 1
	run "$F" kill "$CTHD_PID" && retry 50 gone "$CTHD_PID"
	_rc=$?
	PIDS=$(echo "$PIDS" | sed "s/ $CTHD_PID\b//")
	CTHD_PID=""
	syslog_show
	return $_rc
}

demo_cleanup() {
	[ -z "$CTHD_PID" ] || kill "$CTHD_PID" 2>/dev/null
	[ -z "$DEVLOG" ] || rm -f "$DEVLOG"
	rm -rf "$PIDFILE" /run/cthelperd
}
trap 'demo_cleanup; cleanup; rm -rf "$T"; exit 1' INT TERM

# Expectation events of the firewall, caught all along (conntrack -E).
EVENTS_SEEN=0
# new_events: the expectation events since the last call, in $T/new.
new_events() {
	tail -n +"$((EVENTS_SEEN + 1))" "$T/events" >"$T/new"
	EVENTS_SEEN=$((EVENTS_SEEN + $(wc -l <"$T/new")))
}

# download CURL_ARGS...: curl -v on the client, into $T/got; show the FTP
# commands and replies that set up the data connection (the whole -v
# output is in $T/curl.out); curl's exit status.
download() {
	rm -f "$T/got"
	echo "#   client# $(shown curl -v "$@" -o file)    (its FTP dialogue:)"
	nsx "$C" curl -sS -v --max-time 20 "$@" -o "$T/got" >"$T/curl.out" 2>&1
	_rc=$?
	grep -E '^(> (PASV|EPSV|PORT|EPRT|RETR)|< (227|229|200 (PORT|EPRT)|150|226)|curl: )' \
		"$T/curl.out" | tr -d '\r' | sed 's/^/#     /'
	return $_rc
}

# transfer NAME PATTERN CURL_ARGS...: download ftp://server/file, then
# show the expectation events it caused. Two steps: the file arrived
# whole; a NEW expectation of the ftp helper matches PATTERN.
transfer() {
	_name=$1 _pat=$2; shift 2
	download "$@"
	_rc=$?
	if [ "$_rc" -eq 0 ] && cmp -s "$T/got" "$T/ftproot/file"; then
		ok "$_name: the file came through the firewall"
	else
		not_ok "$_name: the file came through the firewall" "curl exit status $_rc"
	fi
	# the event was sent before the data connection opened: it is due
	retry 25 sh -c "tail -n +$((EVENTS_SEEN + 1)) '$T/events' | grep -q 'NEW.*helper=ftp'"
	new_events
	echo "#   firewall# conntrack -E expect    (its output during that transfer)"
	sed 's/^/#     /' "$T/new"
	if grep "NEW" "$T/new" | grep "helper=ftp" | grep -q -- "$_pat"; then
		ok "$_name: cthelperd created the expectation"
	else
		not_ok "$_name: cthelperd created the expectation" "no NEW expectation matching '$_pat'"
	fi
}

# port_of FILE: the data port announced in a 229 reply or a PORT command
# of curl -v output.
port_of() {
	sed -n -e 's/^< 229 .*(|||\([0-9]*\)|).*/\1/p' \
		-e 's/^> PORT [0-9]*,[0-9]*,[0-9]*,[0-9]*,\([0-9]*\),\([0-9]*\).*/\1 \2/p' "$1" |
		tr -d '\r' | awk 'NF == 1 { print $1 } NF == 2 { print $1 * 256 + $2 }' | head -n 1
}

topo_setup
ftp_server_start "$S" || skip_all "vsftpd did not start"
spawn "$F" conntrack -E expect >"$T/events" 2>&1
syslog_start
diag "client $CLI4 -- $FWC4 firewall $FWS4 -- $SRV4 server (vsftpd, file of 20000 bytes)"
diag "(three network namespaces; the prompt says which one a command runs in)"

screen "1/5 Register the ftp helper with our nfct, assign it to port 21"
diag "nfct is $(command -v nfct) (this project's, not Debian's)"
step "nfct helper add ftp inet tcp" "$F" nfct helper add ftp inet tcp
step "nfct helper list" "$F" nfct helper list
check "the ftp helper is registered, disabled until a daemon serves it" ftp_status disabled
step "iptables CT --helper ftp rule" \
	"$F" iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
cat >"$T/helper.nft" <<EOF
table ip helpers {
	ct helper ftp-tcp { type "ftp" protocol tcp; l3proto ip; }
	chain prerouting {
		type filter hook prerouting priority -150;
		tcp dport 21 ct helper set "ftp-tcp"
	}
}
EOF
diag "The same in nft, $T/helper.nft (not loaded: checked only):"
sed 's/^/#     /' "$T/helper.nft"
step "nft -c accepts the nft equivalent" "$F" nft -c -f "$T/helper.nft"
diag "The stateful firewall: only new connections to port 21, and what"
diag "conntrack finds ESTABLISHED or RELATED (expected by the helper):"
fw_ok=1
run "$F" iptables -P FORWARD DROP || fw_ok=0
run "$F" iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT || fw_ok=0
run "$F" iptables -A FORWARD -p tcp --dport 21 -m conntrack --ctstate NEW -j ACCEPT || fw_ok=0
if [ $fw_ok = 1 ]; then ok "firewall rules"; else not_ok "firewall rules"; fi

screen "2/5 Start cthelperd, as an admin would"
diag "(from systemd: tools/cthelperd/systemd/cthelperd.service, --foreground --syslog)"
if cthd_start; then
	ok "cthelperd daemonised: set-up, privilege drop and seccomp done"
else
	not_ok "cthelperd daemonised: set-up, privilege drop and seccomp done"
	syslog_show
	demo_cleanup
	tap_done
fi
step "nfct helper list" "$F" nfct helper list
check "cthelperd enabled the ftp helper" ftp_status enabled
step "its credentials and capabilities" "$F" \
	grep -E '^(Name|Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' \
	"/proc/$CTHD_PID/status"
check "it runs as nobody with no capability left, under seccomp" sh -c "
	grep -Eq '^Uid:[[:space:]]+65534[[:space:]]+65534' '$T/run.out' &&
	[ \$(grep -cE '^Cap(Inh|Prm|Eff|Bnd|Amb):[[:space:]]+0+$' '$T/run.out') = 5 ] &&
	grep -Eq '^NoNewPrivs:[[:space:]]+1' '$T/run.out' &&
	grep -Eq '^Seccomp:[[:space:]]+2' '$T/run.out'"

screen "3/5 Downloads through the firewall, and the expectations cthelperd made"
diag "conntrack -E expect shows each expectation twice: [NEW] when cthelperd"
diag "made it, [DESTROY] when the data connection used it up."
diag "Passive, EPSV (curl's default; conntrackd 1.4.7 never expects after EPSV):"
diag "the server announces a port; the client connects to it."
transfer "passive (EPSV)" "dport=[0-9]" "ftp://$SRV4/file"
port=$(port_of "$T/curl.out")
check "passive (EPSV): the expectation is for the announced port ${port:-?}" \
	grep -q "dst=$SRV4 sport=0 dport=${port:-none} " "$T/new"
diag "Active, PORT: the client announces a port; the server connects to it."
transfer "active (PORT)" "dst=$CLI4" "ftp://$SRV4/file" --ftp-port "$CLI4" --disable-eprt
port=$(port_of "$T/curl.out")
check "active (PORT): the expectation is for the client's port ${port:-?}" \
	grep -q "dst=$CLI4 sport=0 dport=${port:-none} " "$T/new"
diag "Active behind SNAT (conntrackd 1.4.7 cannot): the server sees the"
diag "firewall's address, so the helper rewrites the one in PORT and expects"
diag "the server on the firewall's address; vsftpd refuses a PORT to another"
diag "host than the client it talks to."
step "SNAT rule" "$F" iptables -t nat -A POSTROUTING -o srv0 -j MASQUERADE
transfer "active (PORT) behind SNAT" "dst=$FWS4" "ftp://$SRV4/file" \
	--ftp-port "$CLI4" --disable-eprt
step "SNAT rule removed" "$F" iptables -t nat -D POSTROUTING -o srv0 -j MASQUERADE

screen "4/5 What cthelperd did"
step "cthelperd --stats" "$F" cthelperd --stats
counter() { awk -v c="$1" '$1 == c { print $2; exit }' "$T/run.out"; }
check "stats: 3 expectations or more, 1 packet rewritten or more, no error" sh -c "
	[ '$(counter expectations)' -ge 3 ] && [ '$(counter mangled)' -ge 1 ] &&
	[ '$(counter accepted_on_error)' = 0 ] && [ '$(counter kernel_errors)' = 0 ] &&
	[ '$(counter dropped)' = 0 ]"

screen "5/5 Fail-open: the daemon stopped, then started again"
if cthd_stop; then ok "cthelperd stopped (SIGTERM)"; else not_ok "cthelperd stopped (SIGTERM)"; fi
step "nfct helper list" "$F" nfct helper list
check "the ftp helper nfct registered stays registered" ftp_status '.*'
diag "Forget the connections so far, then a new control connection (login,"
diag "SIZE and MDTM of the file, no data connection):"
step "conntrack -F: the conntrack table is empty" "$F" conntrack -F
step "no daemon: the control connection works (fail-open)" \
	"$C" curl -sS --max-time 15 -I "ftp://$SRV4/file"
check "no daemon: the server answered SIZE" grep -q 'Content-Length: 20000' "$T/run.out"
step "no daemon: the control connection is tracked" "$F" conntrack -L -p tcp --dport 21
check "no daemon: a conntrack of the control connection, ftp helper assigned" \
	sh -c "grep 'dport=21 ' '$T/run.out' | grep -q 'helper=ftp'"
diag "No daemon, no expectation: the firewall drops the data connection."
new_events
download --connect-timeout 5 "ftp://$SRV4/file"
rc=$?
check "no daemon: the server announced a data port, the connection to it timed out (curl exit status 28)" \
	sh -c "[ $rc = 28 ] && grep -q '^< 229 ' '$T/curl.out' && ! grep -q '^< 150 ' '$T/curl.out'"
new_events
check "no daemon: no expectation was created" sh -c "! grep -q NEW '$T/new'"
if cthd_start; then ok "cthelperd started again"; else not_ok "cthelperd started again"; fi
transfer "daemon back: passive (EPSV)" "dport=[0-9]" "ftp://$SRV4/file"

cthd_stop >/dev/null
[ "$TAP_FAILED" -eq 0 ] || { diag "the whole log:"; SYSLOG_SHOWN=0; syslog_show; }
demo_cleanup
tap_done
