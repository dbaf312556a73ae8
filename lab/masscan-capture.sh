#!/usr/bin/env bash
# Re-creates test/fixtures/interop/masscan/banners.json (-oJ) and banners.list (-oL): the output of
# the real masscan (Debian's 1.3.2) with --banners, run against the lab's real daemons (Postfix,
# Exim, OpenSSH, Dropbear, Dovecot, GNU Mailutils, nginx) plus one extra nginx of this script's own.
#
#   sudo bash lab/masscan-capture.sh [OUTPUT_DIR]      (default: test/fixtures/interop/masscan)
#
# Needs: root, a built checkout (`npm ci && npm run build`), Debian's package archive (apt-get) and
# the npm registry for `lab install`. Takes about a minute. Not run by CI.
#
# Safety: every packet stays inside two network namespaces this script creates and deletes:
#   mscap-srv   the servers. The lab binds 127.77.x.x there, as usual, but on the namespace's own
#               loopback, so nothing collides with a lab running on the machine itself.
#   mscap-scan  masscan. Its only links are `lo` and one end of a veth pair whose other end is in
#               mscap-srv; its only routes are the veth's /24 and 10.77.0.0/16 via mscap-srv. There is
#               no default route, so even a wrong target could not leave the two namespaces.
# masscan is given an explicit list of eight addresses in 10.77.0.0/16, --rate 100, and --adapter.
# Everything started here is stopped by PID (the lab's own `lab stop` stops by recorded PID and start
# time); nothing is ever killed by name.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$REPO/test/fixtures/interop/masscan}
# The lab's state for this capture: kept apart from the checkout's .lab-state (a developer's lab may
# be running from it), and under /var/lib because the daemons drop root and must traverse every
# directory above their spools (docs/lab.md). Kept between runs so that `lab install` is quick.
STATE=${MASSCAN_CAPTURE_STATE:-/var/lib/smtpsurvey-masscan-capture}
SERVERS=postfix,exim,openssh,dropbear,dovecot,mailutils,nginx

SRV=mscap-srv
SCAN=mscap-scan
VETH_SRV=mscap-s
VETH_SCAN=mscap-c
LINK_SRV=10.199.0.1    # mscap-srv's end of the veth: masscan's "router"
LINK_SCAN=10.199.0.2   # mscap-scan's end: the kernel's address there, never used by masscan
# masscan's own source address. It has its own TCP stack: if it used an address the kernel of its
# namespace owns, that kernel would answer every SYN-ACK with a RST (it never sent the SYN) and kill
# the connection before a banner arrives. An address on the link that no interface has is simply
# dropped by the kernel (forwarding is off in a new namespace), while masscan sees it through
# libpcap and answers ARP for it itself.
SCANNER_IP=10.199.0.100

# What masscan sees (10.77.x.y) is NETMAPped 1:1 onto the lab's 127.77.x.y inside mscap-srv.
TARGETS=(
  10.77.1.1   # postfix        25 587 465 (and 2525, DNAT below, to Postfix's port 25)
  10.77.1.3   # exim           25
  10.77.3.1   # openssh        22
  10.77.3.3   # dropbear       22
  10.77.4.1   # dovecot        110 143 465 587 993 995
  10.77.4.2   # mailutils      110 143 993 995
  10.77.5.1   # nginx          80 443 (TLS 1.2/1.3 only, as the lab configures it)
  10.77.5.11  # nginx-legacy   80 443 (this script's own nginx: TLS 1.0-1.2, an HTML page, odd bytes)
)
PORTS=22,25,80,110,143,443,465,587,993,995,2525
NGINX_LEGACY_IP=127.77.5.11

WORK=
NGINX_PID=
MASSCAN_PID=

say() { printf 'masscan-capture: %s\n' "$*" >&2; }
lab() { node "$REPO/bin/smtpsurvey.js" lab "$@"; }

cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "$MASSCAN_PID" ] && kill -0 "$MASSCAN_PID" 2>/dev/null; then kill "$MASSCAN_PID"; wait "$MASSCAN_PID"; fi
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill "$NGINX_PID" # nginx's master takes its worker with it on SIGTERM
    wait "$NGINX_PID"
  fi
  if ip netns list | grep -q "^$SRV\b"; then
    # the lab's own stop: by recorded PID and start time, descendants included
    ip netns exec "$SRV" env SMTPSURVEY_LAB_DIR="$STATE" node "$REPO/bin/smtpsurvey.js" lab stop >&2
  fi
  # Whatever is still inside our two namespaces was started by this script: end it by PID.
  local ns pid
  for ns in "$SRV" "$SCAN"; do
    ip netns list | grep -q "^$ns\b" || continue
    for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null; done
    sleep 1
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns"
  done
  [ -n "$WORK" ] && rm -rf "$WORK"
  exit "$status"
}

[ "$(id -u)" = 0 ] || { say "run as root (network namespaces, raw sockets, the lab)"; exit 1; }
[ -e "$REPO/dist/src/cli/main.js" ] || { say "build the checkout first: npm ci && npm run build"; exit 1; }
for ns in "$SRV" "$SCAN"; do
  # never take over (or, in cleanup, delete) a namespace this script did not create
  if ip netns list | grep -q "^$ns\b"; then say "namespace $ns exists already: delete it first (ip netns del $ns)"; exit 1; fi
done

# masscan loads libpcap with dlopen, so Debian's package does not pull it in: without libpcap0.8 it
# fails with "failed to load libpcap shared library".
need=()
command -v masscan >/dev/null || need+=(masscan)
[ -e /usr/lib/x86_64-linux-gnu/libpcap.so.0.8 ] || ldconfig -p | grep -q 'libpcap.so.0.8' || need+=(libpcap0.8)
command -v iptables >/dev/null || need+=(iptables)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  say "apt-get install ${need[*]}"
  apt-get install -y -q "${need[@]}" >&2
fi
# (masscan --version exits 1, hence the || true under pipefail)
version=$(masscan --version 2>&1 || true)
grep -q 'version 1\.3\.2' <<<"$version" || say "warning: the fixtures' README describes masscan 1.3.2, this is: $(grep -m1 version <<<"$version")"

trap cleanup EXIT INT TERM
WORK=$(mktemp -d /tmp/masscan-capture.XXXXXX)
chmod 755 "$WORK" # nginx's worker (nobody) reads nothing here, but keep it traversable like the lab's state

# --- the lab's daemons ----------------------------------------------------------------------------
# install needs the package archive and npm, so it runs in the machine's own namespace; it only
# downloads, unpacks and adds system users: nothing listens.
say "lab install --only $SERVERS (state in $STATE)"
SMTPSURVEY_LAB_DIR=$STATE lab install --only "$SERVERS" >&2

# --- the two namespaces and the link between them -------------------------------------------------
ip netns add "$SRV"
ip netns add "$SCAN"
ip link add "$VETH_SRV" type veth peer name "$VETH_SCAN"
ip link set "$VETH_SRV" netns "$SRV"
ip link set "$VETH_SCAN" netns "$SCAN"
ip -n "$SRV" link set lo up # the lab binds 127.77.x.x: 127.0.0.0/8 is local on lo once it is up
ip -n "$SCAN" link set lo up
ip -n "$SRV" addr add "$LINK_SRV/24" dev "$VETH_SRV"
ip -n "$SRV" link set "$VETH_SRV" up
ip -n "$SCAN" addr add "$LINK_SCAN/24" dev "$VETH_SCAN"
ip -n "$SCAN" link set "$VETH_SCAN" up
ip -n "$SCAN" route add 10.77.0.0/16 via "$LINK_SRV"

# The lab's daemons listen on 127.77.x.y. A packet from the veth to 10.77.x.y is rewritten to
# 127.77.x.y before routing (NETMAP keeps the last two octets); the kernel refuses to route to or from
# 127/8 on a non-loopback interface unless route_localnet is set. Replies are rewritten back by
# conntrack, so masscan sees 10.77.x.y answer.
ip netns exec "$SRV" sysctl -q -w net.ipv4.conf.all.route_localnet=1 "net.ipv4.conf.$VETH_SRV.route_localnet=1"
# port 2525 of Postfix's address goes to its port 25: masscan names a banner by what it parsed, and a
# 220 greeting on a port it has no SMTP hint for shows how it is named then
ip netns exec "$SRV" iptables -t nat -A PREROUTING -i "$VETH_SRV" -p tcp -d 10.77.1.1 --dport 2525 \
  -j DNAT --to-destination 127.77.1.1:25
ip netns exec "$SRV" iptables -t nat -A PREROUTING -i "$VETH_SRV" -d 10.77.0.0/16 -j NETMAP --to 127.77.0.0/16

say "lab start --only $SERVERS (inside $SRV)"
ip netns exec "$SRV" env SMTPSURVEY_LAB_DIR="$STATE" node "$REPO/bin/smtpsurvey.js" lab start --only "$SERVERS" >&2

# --- nginx-legacy: a second, real nginx with a configuration of ours ------------------------------
# masscan 1.3.2's TLS ClientHello offers at most TLS 1.1: the lab's nginx (TLS 1.2/1.3) answers it
# with a protocol_version alert, which is worth having in the fixture, but then no certificate is
# seen on 443. This one also accepts TLS 1.0/1.1 (OpenSSL 3 needs SECLEVEL=0 for them), serves an
# HTML page (masscan reports its <title> as a banner of its own) and sends a header holding the bytes
# whose escaping the fixture should show: UTF-8, a tab, < > & ' " and a backslash.
mkdir -p "$WORK/nginx/log" "$WORK/nginx/temp"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=nginx-legacy.lab.smtpsurvey.test" \
  -addext "subjectAltName=DNS:nginx-legacy.lab.smtpsurvey.test" \
  -keyout "$WORK/nginx/key.pem" -out "$WORK/nginx/cert.pem" 2>/dev/null
E_ACUTE=$'\xc3\xa9' # é in UTF-8: two bytes above 0x7f
TAB=$'\t'
# (an unquoted here-document: \" stays \" and \\\\ becomes \\, which nginx's parser reads as " and \)
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/log/error.log;
events { worker_connections 64; }
http {
  access_log $WORK/nginx/log/access.log;
  client_body_temp_path $WORK/nginx/temp/client_body;
  proxy_temp_path $WORK/nginx/temp/proxy;
  fastcgi_temp_path $WORK/nginx/temp/fastcgi;
  uwsgi_temp_path $WORK/nginx/temp/uwsgi;
  scgi_temp_path $WORK/nginx/temp/scgi;
  default_type text/html;
  server {
    listen $NGINX_LEGACY_IP:80;
    listen $NGINX_LEGACY_IP:443 ssl;
    server_name nginx-legacy.lab.smtpsurvey.test;
    ssl_certificate $WORK/nginx/cert.pem;
    ssl_certificate_key $WORK/nginx/key.pem;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers DEFAULT:@SECLEVEL=0;
    add_header X-Fixture "caf${E_ACUTE}${TAB}<b> & 'single' \"double\" back\\\\slash" always;
    location / { return 200 '<html><head><title>smtpsurvey lab: caf${E_ACUTE} &amp; \'masscan\'</title></head><body>fixture</body></html>\n'; }
  }
}
EOF
ip netns exec "$SRV" nginx -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
# `ip netns exec` execs nginx in place, so $! is nginx's master
ip netns exec "$SRV" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
sleep 1
kill -0 "$NGINX_PID" || { say "nginx-legacy did not start: $(cat "$WORK/nginx/log/error.log")"; exit 1; }

# --- masscan --------------------------------------------------------------------------------------
# --adapter: masscan would otherwise look for an interface with a default gateway (there is none);
# --router-ip: it ARPs for this address to learn the MAC it sends every frame to;
# --wait 15: after the last SYN it keeps receiving for 15 s (the default 10 s loses banners of
# servers that talk after a pause or across several round trips, such as STARTTLS then the
# certificate); --rate 100: a few packets a second is all 88 probes need.
run_masscan() { # $1: output option (-oJ or -oL), $2: file
  (cd "$WORK" && exec ip netns exec "$SCAN" masscan "$(IFS=,; echo "${TARGETS[*]}")" -p"$PORTS" \
    --banners --rate 100 --wait 15 \
    --adapter "$VETH_SCAN" --adapter-ip "$SCANNER_IP" --router-ip "$LINK_SRV" \
    "$1" "$2") >"$WORK/masscan$1.stdout" 2>"$WORK/masscan$1.stderr" &
  MASSCAN_PID=$!
  wait "$MASSCAN_PID"
  MASSCAN_PID=
}

# the banners every run must hold; a run that misses one is done again, at most three times
expected=("10.77.1.1 25 smtp" "10.77.1.3 25 smtp" "10.77.3.1 22 ssh" "10.77.4.1 110 pop" "10.77.4.1 143 imap"
  "10.77.5.1 80 http" "10.77.5.11 443 X509" "10.77.1.1 465 X509")
check() { # $1: file, $2: format
  local e ip port svc missing=0
  for e in "${expected[@]}"; do
    read -r ip port svc <<<"$e"
    if [ "$2" = json ]; then
      grep -q "\"ip\": \"$ip\", .*\"port\": $port, .*\"name\": \"$svc\"" "$1" || { say "missing $e"; missing=1; }
    else
      grep -q "^banner tcp $port $ip [0-9]* $svc " "$1" || { say "missing $e"; missing=1; }
    fi
  done
  return $missing
}

for format in json list; do
  opt=-oJ; [ "$format" = list ] && opt=-oL
  for try in 1 2 3; do
    say "masscan $opt (try $try)"
    run_masscan "$opt" "$WORK/banners.$format"
    if check "$WORK/banners.$format" "$format"; then break; fi
    [ "$try" = 3 ] && { say "banners still missing after three runs"; exit 1; }
  done
done

mkdir -p "$OUT"
cp "$WORK/banners.json" "$WORK/banners.list" "$OUT/"
say "wrote $OUT/banners.json ($(grep -c '"ip"' "$OUT/banners.json") records) and $OUT/banners.list ($(grep -vc '^#' "$OUT/banners.list") lines)"
