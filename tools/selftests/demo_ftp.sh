#!/bin/sh
# Demo (make demo): FTP through a firewall whose FTP helper runs in user
# space. Namespaces client -- fw -- server; fw forwards only FTP control
# connections and what conntrack finds related to them, so the passive data
# connection gets through only if the helper created an expectation.
# The helper is Debian's conntrackd in helper mode, registered with Debian's
# nfct: this works on the pristine kernel too.
. "${REPO:-.}/tools/selftests/lib.sh"

# run NS CMD...: show a command, then run it in NS.
run() {
	_ns=$1; shift
	echo "# [$_ns]# $*"
	nsx "$_ns" "$@" 2>&1 | sed 's/^/#   /'
}

[ -e /sys/module/nf_conntrack_ftp ] &&
	skip_all "nf_conntrack_ftp is loaded and owns the name ftp"
topo_setup
diag "namespaces: client $C ($CLI4), firewall $F, server $S ($SRV4)"
ftp_server_start "$S" || skip_all "vsftpd did not start"

run "$F" nfct add helper ftp inet tcp
run "$F" iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
run "$F" iptables -P FORWARD DROP
run "$F" iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
run "$F" iptables -A FORWARD -p tcp --dport 21 -m conntrack --ctstate NEW -j ACCEPT
diag "conntrackd in helper mode (queue 0) enables the helper:"
conntrackd_start "$F" 0
check "conntrackd enabled the ftp helper" \
	sh -c "ip netns exec $F nfct list helper | grep -q 'status = enabled'"
run "$F" nfct list helper

# Expectation events, caught while the transfer runs.
spawn nsx "$F" conntrack -E expect -o timestamp >"$T/expect.events" 2>&1
sleep 1
# PASV, not EPSV: conntrackd 1.4.7's helper never expects after EPSV.
diag "[$C]# curl --ftp-pasv --disable-epsv ftp://$SRV4/file"
check "passive FTP download through the firewall" \
	ftp_get "$C" "ftp://$SRV4" --ftp-pasv --disable-epsv
sleep 1
diag "expectation events on the firewall (conntrack -E expect):"
sed 's/^/#   /' "$T/expect.events"
check "the user-space helper created an expectation" \
	grep -q "NEW.*dport=3[0-9]\{4\}.*helper=ftp" "$T/expect.events"
run "$F" conntrack -L -p tcp --dport 21

# User-space helpers of the pristine kernel are global, not per namespace:
# remove ours. Deletion is refused until the rules' references are gone.
stop "$CONNTRACKD_PID"
nsx "$F" iptables -t raw -F
check "nfct delete helper ftp inet tcp" retry 25 nsx "$F" nfct delete helper ftp inet tcp
tap_done
