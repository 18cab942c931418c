# cp-installer host probe, the fallback for a host without perl (probe.pl is the fast path and writes the
# same document; the payload sent on stdin is this file, then probe.pl, and the command line runs `sh -s`
# only where `command -v perl` fails — this file ends in `exit` before probe.pl begins). Prints ONE JSON
# document, the `Facts` type of core/preflight/types.ts; run under sudo, the root-only items such as
# product_uuid are filled in.
#
# Why it is shaped like this: forks are what a probe costs (50 hosts probe at once), so the shell part
# only runs the handful of commands whose answer is not in a file, each guarded and captured, and ONE
# awk program reads /proc, /sys and /etc itself and writes the document. An item that fails is left out
# and named in "errors", so the document always parses; if awk itself dies, a minimal document still
# comes out.
#
# Arguments, when given, are ADDRESS:PORT targets for the reachability matrix: they are TCP-connected from
# this host while the facts are gathered (a pipe carries the results back), and come back as the "reach"
# member ("ADDRESS:PORT RESULT [MS]", RESULT = open | refused | timeout | unreachable | error | untested;
# MS, the connect's round trip in milliseconds, when the target answered).
# Before an install nothing listens, so `refused` means the packet got there and back; `timeout` /
# `unreachable` mean filtered. One process connects to every target at once, without blocking: python3
# where present (RHEL without perl has it: Kubespray needs it anyway), else every target is `untested`.
# CP_REACH_TOOL=none skips it (tests).

# The clock is read first and printed on the first line, before anything slower, so the installer can
# bound when the reading was taken (between sending the command and receiving that line).
# POSIX sh only (dash, busybox ash): no arrays, no `local`, no bash-isms.

LC_ALL=C
export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export PATH

have() { command -v "$1" >/dev/null 2>&1; }

# NTP status first (it does not move the clock reading), then the clock itself.
NTP=null
# timedatectl answers only where systemd is the init (sd_booted: /run/systemd/system); elsewhere it fails
# after a D-Bus attempt, so it is not started at all.
if [ -d /run/systemd/system ] && have timedatectl; then
  case $(timedatectl show -p NTPSynchronized --value 2>/dev/null) in
  yes) NTP=true ;;
  no) NTP=false ;;
  esac
fi
if [ "$NTP" = null ] && have chronyc; then
  if chronyc -n tracking 2>/dev/null | grep -q '^Leap status *: *Normal'; then NTP=true; else NTP=false; fi
fi
NOW=$(date +%s%3N 2>/dev/null)
case $NOW in *N* | '' | *[!0-9]*) NOW="$(date +%s)000" ;; esac
printf '{"probeVersion":1,"clock":{"epochMs":%s,"ntpSynchronized":%s}\n' "$NOW" "$NTP"

# Options before the targets: `--fsync` (etcd hosts) measures the disk's synced-write latency where etcd
# will keep its data; `--versions` (edge hosts, whose checks judge them) asks containerd and kubelet their
# versions. Elsewhere their presence is enough: each is a Go start-up costing more CPU than the whole rest of
# the probe (60 ms for `containerd --version`), and no check of a non-edge host reads the version.
FSYNC=''
VERSIONS=''
FS_WRITES=50
while :; do
  case ${1:-} in
  --fsync) FSYNC=1 ;;
  --versions) VERSIONS=1 ;;
  *) break ;;
  esac
  shift
done

REACH_T=${CP_REACH_TIMEOUT:-2}
REACH_TOOL=${CP_REACH_TOOL:-python3}
[ "$REACH_TOOL" = python3 ] && ! have python3 && REACH_TOOL=none

# The reach program prints "TARGET RESULT [MS]" per target: non-blocking connects to all targets, then poll
# until each answered or the time is up; SO_ERROR is the verdict. It is kept in a variable so the pipeline
# below runs the tool as a plain command, which the shell execs in the pipeline's own child (a shell
# function there costs one more fork: every process is what a probe costs).
REACH_PY='
import _socket, errno, select, sys, time
targets = sys.argv[2:]
result, ms, sent, pending, poll = {}, {}, {}, {}, select.poll()
def verdict(e):
    if e == 0: return "open"
    if e == errno.ECONNREFUSED: return "refused"
    if e == errno.ETIMEDOUT: return "timeout"
    return "unreachable" if e in (errno.EHOSTUNREACH, errno.ENETUNREACH) else "error"
for t in targets:
    host, _, port = t.rpartition(":")
    try:
        fam, typ, proto, _, addr = _socket.getaddrinfo(host.strip("[]"), int(port), 0, _socket.SOCK_STREAM)[0]
        s = _socket.socket(fam, typ, proto)
        s.setblocking(False)
        sent[t] = time.monotonic()
        e = s.connect_ex(addr)
    except Exception:
        continue
    if e != errno.EINPROGRESS:
        result[t], ms[t] = verdict(e), 0.0
        continue
    pending[s.fileno()] = (s, t)
    poll.register(s.fileno(), select.POLLOUT)
deadline = time.monotonic() + float(sys.argv[1])
while pending and time.monotonic() < deadline:
    for fd, _ in poll.poll(max(0.0, deadline - time.monotonic()) * 1000):
        s, t = pending.pop(fd)
        poll.unregister(fd)
        result[t] = verdict(s.getsockopt(_socket.SOL_SOCKET, _socket.SO_ERROR))
        ms[t] = (time.monotonic() - sent[t]) * 1000
for s, t in pending.values():
    result[t] = "timeout"
for t in targets:
    r = result.get(t, "error")
    if r in ("open", "refused") and t in ms:
        print(t, r, "%.1f" % ms[t])
    else:
        print(t, r)
'
# Neither tool: every target is `untested`.
untested() {
  for target in "$@"; do echo "$target untested"; done
}

# The "reach" member, from the reach tool's lines on stdin (plain ADDRESS:PORT WORD; anything else is dropped).
reach_member() {
  sep=''
  printf ',"reach":['
  while read -r t r; do
    case "$t $r" in *[!A-Za-z0-9.:_\[\]\ -]*) continue ;; esac
    printf '%s"%s %s"' "$sep" "$t" "$r"
    sep=','
  done
  printf ']\n'
}

# --- commands whose answers are not in files (each: output, or "!error text") ---------------------
# Written out per command (`V=$(cmd 2>&1) || V="!…"`) rather than through a helper function: a helper
# inside $(…) costs a second fork per command.

# Prints the facts part of the document (every member but "reach").
facts() {
  # Kernel release and machine from /proc (kernel 5.19+ has kernel/arch); uname only on older kernels.
  K_REL=''
  K_ARCH=''
  read -r K_REL </proc/sys/kernel/osrelease 2>/dev/null
  read -r K_ARCH </proc/sys/kernel/arch 2>/dev/null
  if [ -n "$K_REL" ] && [ -n "$K_ARCH" ]; then P_UNAME="$K_REL $K_ARCH"; else P_UNAME=$(uname -m -r 2>&1) || P_UNAME="!${P_UNAME:-exit $?}"; fi
  P_DF=$(df -Pk / /var 2>&1) || P_DF="!${P_DF:-exit $?}"
  # etcd's disk: FS_WRITES synced writes of 2300 bytes (the WAL entry size of etcd's own disk guidance, as in
  # `fio --fdatasync=1 --bs=2300`); dd reports how long they took. Needs root (/var/lib).
  P_FSYNC=''
  if [ -n "$FSYNC" ]; then
    FS_DIR=/var/lib/etcd
    [ -d "$FS_DIR" ] || FS_DIR=/var/lib
    FS_FILE="$FS_DIR/.cp-installer-fsync.$$"
    P_FSYNC=$(dd if=/dev/zero of="$FS_FILE" bs=2300 count="$FS_WRITES" oflag=dsync 2>&1) || P_FSYNC="!${P_FSYNC:-exit $?}"
    rm -f "$FS_FILE"
    P_FSYNC="$FS_DIR
$P_FSYNC"
  fi
  P_IP=''
  have ip && { P_IP=$(ip -o addr show 2>&1) || P_IP="!${P_IP:-exit $?}"; }
  P_PY=''
  have python3 && { P_PY=$(python3 --version 2>&1) || P_PY="!${P_PY:-exit $?}"; }
  # Runtimes and kubelet: "present" when only their presence is wanted ("" in the document). CRI-O's and
  # Docker's versions are never asked (no check reads them); containerd's matters on edge hosts (KubeEdge
  # needs 1.6+) and kubelet's is named there, so those two are asked with --versions.
  P_CONTAINERD=''
  if have containerd; then
    if [ -n "$VERSIONS" ]; then P_CONTAINERD=$(containerd --version 2>&1) || P_CONTAINERD="!${P_CONTAINERD:-exit $?}"; else P_CONTAINERD=present; fi
  fi
  P_CRIO=''
  have crio && P_CRIO=present
  P_DOCKER=''
  have docker && P_DOCKER=present
  P_KUBELET=''
  if have kubelet; then
    if [ -n "$VERSIONS" ]; then P_KUBELET=$(kubelet --version 2>&1) || P_KUBELET="!${P_KUBELET:-exit $?}"; else P_KUBELET=present; fi
  fi
  # `read` is a builtin (no fork); dash's read returns 1 on /proc files but still sets the variable.
  P_HOSTNAME=''
  read -r P_HOSTNAME </proc/sys/kernel/hostname 2>/dev/null
  [ -n "$P_HOSTNAME" ] || P_HOSTNAME=$(uname -n)
  P_DNS=''
  have getent && P_DNS=$(getent ahosts "$P_HOSTNAME" 2>/dev/null)

  # sudo: as root (the probe was run under sudo) it works by definition; otherwise ask sudo without
  # a password, never waiting on a prompt.
  P_UID=''
  while read -r k v _; do
    [ "$k" = Uid: ] && { P_UID=$v; break; }
  done </proc/self/status
  if [ "$P_UID" = 0 ]; then
    P_SUDO=root
  elif ! have sudo; then
    P_SUDO=missing
  elif sudo -n true </dev/null >/dev/null 2>&1; then
    P_SUDO=nopasswd
  else
    case $(sudo -n true </dev/null 2>&1) in
    *assword*) P_SUDO=password ;;
    *) P_SUDO=refused ;;
    esac
  fi

  P_BIN=''
  for b in conntrack ip iptables mount nsenter ebtables ethtool socat tc touch keadm; do
    have "$b" && P_BIN="$P_BIN $b"
  done

  export FS_WRITES P_FSYNC P_UNAME P_DF P_IP P_PY P_CONTAINERD P_CRIO P_DOCKER P_KUBELET P_HOSTNAME P_DNS P_SUDO P_BIN NOW NTP

  # Files awk reads: shell globs expand them without a fork (an unmatched glob stays literal and simply
  # fails to open; `name[x]` globs are existence tests). The markers `@x@` separate the groups.
  set -- \
    @net@ /sys/class/net/* \
    @modload@ /etc/modules-load.d/*.conf /usr/lib/modules-load.d/*.conf /etc/modules \
    @comm@ /proc/[0-9]*/comm \
    @kube@ /etc/kubernetes/* /etc/kubernetes/*/* \
    @etcd@ /var/lib/etcd/* \
    @exists@ /sys/module/br_netfilte[r] /sys/module/overla[y] /run/containerd/containerd.soc[k] \
    /var/run/crio/crio.soc[k] /var/run/docker.soc[k]

  # The awk program is an argument rather than a here-document: a here-document longer than a pipe's
  # buffer costs the shell a fork to write it. No single quote inside (\047 where one is meant).
  FACTS_AWK='
function esc(s,    out, i, c) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\") out = out "\\\\"
    else if (c == "\"") out = out "\\\""
    else if (c == "\n") out = out "\\n"
    else if (c == "\t") out = out "\\t"
    else if (c == "\r") out = out "\\r"
    else if (c < " ") out = out sprintf("\\u%04x", ord[c])
    else out = out c
  }
  return out
}
function js(s) { return "\"" esc(s) "\"" }
function jsn(s) { return s == "" ? "null" : js(s) }
function isnum(s) { return s ~ /^[0-9]+$/ }
function emit(key, value) { printf ",\"%s\":%s\n", key, value }
function fail(key, why) { errors = errors (errors == "" ? "" : ",") js(key) ":" js(why) }
# first line of a file, or "\001" when it cannot be read
function first(path,    line, r) {
  r = (getline line < path)
  close(path)
  return r > 0 ? line : "\001"
}
function jarr(list, n,    i, out) {
  out = "["
  for (i = 1; i <= n; i++) out = out (i > 1 ? "," : "") js(list[i])
  return out "]"
}
function hex(s,    i, v) {
  s = toupper(s); v = 0
  for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
  return v
}
function ver(s) { return match(s, /[0-9]+\.[0-9]+(\.[0-9]+)?/) ? substr(s, RSTART, RLENGTH) : "" }
function cmdval(v) { return substr(v, 1, 1) == "!" ? "" : v }
function lines(s, arr) { return s == "" ? 0 : split(s, arr, "\n") }

function p_os(    f, line, k, v, id, vid, pretty, like) {
  f = "/etc/os-release"
  if (first(f) == "\001") f = "/usr/lib/os-release"
  if (first(f) == "\001") { fail("os", "no os-release"); return }
  while ((getline line < f) > 0) {
    k = line; sub(/=.*/, "", k); v = substr(line, length(k) + 2)
    if (v ~ /^".*"$/ || v ~ /^\047.*\047$/) v = substr(v, 2, length(v) - 2)
    if (k == "ID" && id == "") id = v
    else if (k == "VERSION_ID" && vid == "") vid = v
    else if (k == "PRETTY_NAME" && pretty == "") pretty = v
    else if (k == "ID_LIKE" && like == "") like = v
  }
  close(f)
  emit("os", "{\"id\":" js(id) ",\"versionId\":" js(vid) ",\"prettyName\":" js(pretty) ",\"idLike\":" js(like) "}")
}

function p_uname(    u, a) {
  u = ENVIRON["P_UNAME"]
  # uname prints the release before the machine, whatever the option order.
  if (substr(u, 1, 1) == "!" || split(u, a, " ") < 2) { fail("arch", u); fail("kernel", u); return }
  if (a[2] == "x86_64" || a[2] == "amd64") a[2] = "amd64"
  else if (a[2] == "aarch64" || a[2] == "arm64") a[2] = "arm64"
  else if (a[2] ~ /^armv7/) a[2] = "arm"
  emit("arch", js(a[2]))
  emit("kernel", js(a[1]))
}

# CPUs this process may run on (what nproc reports; taskset/cgroup cpusets shrink it).
function cpulist(s,    n, parts, i, r) {
  n = 0
  split(s, parts, ",")
  for (i in parts) {
    if (split(parts[i], r, "-") == 2) n += r[2] - r[1] + 1
    else if (parts[i] != "") n++
  }
  return n
}
function p_cpus(    line, n, f) {
  f = "/proc/self/status"; n = 0
  while ((getline line < f) > 0) if (line ~ /^Cpus_allowed_list:/) { sub(/^[^:]*:[ \t]*/, "", line); n = cpulist(line) }
  close(f)
  if (n == 0) { f = "/proc/cpuinfo"; while ((getline line < f) > 0) if (line ~ /^processor/) n++; close(f) }
  if (n > 0) emit("cpus", n); else fail("cpus", "no cpu count")
}

function p_meminfo(    f, line, a, total, swap) {
  f = "/proc/meminfo"
  while ((getline line < f) > 0) {
    split(line, a, /[: \t]+/)
    if (a[1] == "MemTotal") total = a[2]
  }
  close(f)
  if (isnum(total)) emit("memoryKb", total); else fail("memoryKb", "no MemTotal in /proc/meminfo")
}

# Active swap as kubeadm sees it: the sizes listed in /proc/swaps.
function p_swap(    f, line, a, n, s, r) {
  f = "/proc/swaps"; s = 0; n = 0
  while ((r = (getline line < f)) > 0) { if (n++ > 0) { split(line, a, /[ \t]+/); s += a[3] } }
  close(f)
  if (n == 0 && r < 0) { fail("swapKb", "cannot read /proc/swaps"); return }
  emit("swapKb", s)
  # Swap lines in fstab that are not commented out: what comes back after a reboot.
  f = "/etc/fstab"; s = "false"
  while ((getline line < f) > 0) { split(line, a, /[ \t]+/); if (line !~ /^[ \t]*#/ && a[3] == "swap") s = "true" }
  close(f)
  emit("swapInFstab", s)
}

function p_df(    d, l, n, i, a, root, var) {
  d = ENVIRON["P_DF"]
  if (substr(d, 1, 1) == "!") { fail("disk", d); return }
  n = lines(d, l)
  for (i = 2; i <= n; i++) { split(l[i], a, /[ \t]+/); if (a[6] == "/var" || (i == 3 && var == "")) var = a[4]; if (i == 2) root = a[4] }
  if (!isnum(root)) { fail("disk", "unexpected df output"); return }
  if (!isnum(var)) var = root
  emit("disk", "{\"rootFreeKb\":" root ",\"varFreeKb\":" var "}")
}

function p_simple(    v) {
  emit("hostname", js(ENVIRON["P_HOSTNAME"]))
  v = first("/sys/class/dmi/id/product_uuid")
  if (v == "\001") fail("productUuid", "/sys/class/dmi/id/product_uuid not readable (root only)"); else emit("productUuid", js(v))
  v = first("/etc/machine-id")
  if (v == "\001" || v == "") v = first("/var/lib/dbus/machine-id")
  if (v == "\001" || v == "") fail("machineId", "no machine-id"); else emit("machineId", js(v))
}

function p_net(    i, name, addr, nm, macs, n, out, ip, il, k, a, dev, mtu, state, ad, an, sep) {
  ip = ENVIRON["P_IP"]
  if (substr(ip, 1, 1) == "!") { fail("interfaces.addresses", ip); ip = "" }
  n = lines(ip, il)
  out = "["; sep = ""; nm = 0
  for (i = 1; i <= netn; i++) {
    name = net[i]; sub(/.*\//, "", name)
    mtu = first(net[i] "/mtu"); state = first(net[i] "/operstate"); addr = first(net[i] "/address")
    if (name != "lo" && addr != "\001" && addr != "" && addr != "00:00:00:00:00:00" && !(addr in seenmac)) { seenmac[addr] = 1; macs[++nm] = addr }
    an = 0; delete ad
    for (k = 1; k <= n; k++) {
      split(il[k], a, /[ \t]+/); dev = a[2]; sub(/@.*/, "", dev)
      if (dev != name) continue
      for (j = 3; j < 12; j++) if (a[j] == "inet" || a[j] == "inet6") ad[++an] = a[j + 1]
    }
    out = out sep "{\"name\":" js(name) ",\"addresses\":" jarr(ad, an)
    if (isnum(mtu)) out = out ",\"mtu\":" mtu
    if (state != "\001") out = out ",\"state\":" js(state)
    out = out "}"; sep = ","
  }
  emit("macs", jarr(macs, nm))
  emit("interfaces", out "]")
}

# The summary line of dd: "… copied, 0.0123 s, 9.3 MB/s" (GNU; busybox prints no time, which is then an error).
function p_fsync(    v, n, l, i, secs, why) {
  v = ENVIRON["P_FSYNC"]
  if (v == "") return
  n = lines(v, l)
  for (i = 2; i <= n; i++) if (match(l[i], /copied, [0-9.]+ s/)) secs = substr(l[i], RSTART + 8, RLENGTH - 10)
  if (secs == "") {
    for (i = 2; i <= n; i++) why = why (i > 2 ? " " : "") l[i]
    fail("fsync", why == "" ? "dd printed nothing" : why)
    return
  }
  emit("fsync", "{\"path\":" js(l[1]) ",\"writes\":" ENVIRON["FS_WRITES"] ",\"avgMs\":" sprintf("%.3f", secs * 1000 / ENVIRON["FS_WRITES"]) "}")
}

# Default route from /proc/net/route (IPv4): destination 0, gateway as little-endian hex.
function p_route(    f, line, a, gw, r) {
  f = "/proc/net/route"; r = "null"
  while ((getline line < f) > 0) {
    split(line, a, /[ \t]+/)
    if (a[2] == "00000000" && a[8] == "00000000") {
      gw = a[3]
      r = "{\"via\":" (gw == "00000000" ? "null" : js(hex(substr(gw, 7, 2)) "." hex(substr(gw, 5, 2)) "." hex(substr(gw, 3, 2)) "." hex(substr(gw, 1, 2)))) ",\"dev\":" js(a[1]) "}"
      break
    }
  }
  close(f)
  emit("defaultRoute", r)
}

# Listening TCP ports of this network namespace, straight from /proc (no ss/netstat needed).
function p_listening(    f, line, a, n, p, seen, out, sep, k) {
  out = "["; sep = ""
  for (k = 1; k <= 2; k++) {
    f = k == 1 ? "/proc/net/tcp" : "/proc/net/tcp6"
    while ((getline line < f) > 0) {
      sub(/^[ \t]+/, "", line); split(line, a, /[ \t]+/)
      if (a[4] != "0A") continue
      n = split(a[2], pp, ":"); p = hex(pp[n])
      if (!(p in seen)) { seen[p] = 1; out = out sep p; sep = "," }
    }
    close(f)
  }
  emit("listening", out "]")
}

function p_modules(    f, line, a, loaded, persisted, i, m, out, out2, k) {
  f = "/proc/modules"
  while ((getline line < f) > 0) { split(line, a, " "); loaded[a[1]] = 1 }
  close(f)
  for (i = 1; i <= modn; i++) {
    f = modfiles[i]
    while ((getline line < f) > 0) { sub(/#.*/, "", line); gsub(/[ \t]/, "", line); if (line != "") persisted[line] = 1 }
    close(f)
  }
  split("br_netfilter overlay", m, " ")
  for (k = 1; k <= 2; k++) {
    out = out (k > 1 ? "," : "") "\"" m[k] "\":" ((m[k] in loaded) || (("/sys/module/" m[k]) in exists) ? "true" : "false")
    out2 = out2 (k > 1 ? "," : "") "\"" m[k] "\":" ((m[k] in persisted) ? "true" : "false")
  }
  emit("modules", "{" out "}")
  emit("modulesPersisted", "{" out2 "}")
}

function p_sysctl(    k, n, keys, path, v, out) {
  n = split("net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables", keys, " ")
  for (k = 1; k <= n; k++) {
    path = "/proc/sys/" keys[k]; gsub(/\./, "/", path)
    v = first(path)
    out = out (k > 1 ? "," : "") "\"" keys[k] "\":" (v == "\001" ? "null" : js(v))
  }
  emit("sysctl", "{" out "}")
}

function p_mounts(    f, line, a, cg, unified) {
  f = "/proc/mounts"; cg = ""
  while ((getline line < f) > 0) {
    split(line, a, " ")
    if (a[2] == "/sys/fs/cgroup") cg = a[3]
    if (a[2] == "/sys/fs/cgroup/unified" && a[3] == "cgroup2") unified = 1
  }
  close(f)
  emit("cgroup", cg == "cgroup2" ? "\"v2\"" : cg == "" ? "null" : unified ? "\"hybrid\"" : "\"v1\"")
}

function p_security(    v) {
  v = first("/sys/fs/selinux/enforce")
  emit("selinux", v == "\001" ? "null" : v == "1" ? "\"enforcing\"" : "\"permissive\"")
  v = first("/sys/module/apparmor/parameters/enabled")
  emit("apparmor", v == "\001" ? "null" : v == "Y" ? "true" : "false")
}

function p_procs(    i, c, out, k, names) {
  for (i = 1; i <= commn; i++) { c = first(comm[i]); if (c != "\001") running[c] = 1 }
  if ("firewalld" in running) emit("firewall", "{\"active\":true,\"kind\":\"firewalld\"}")
  else if (ufw_enabled()) emit("firewall", "{\"active\":true,\"kind\":\"ufw\"}")
  else emit("firewall", "{\"active\":false,\"kind\":null}")
  split("kube-proxy edgecore cloudcore kube-apiserver etcd containerd crio dockerd", names, " ")
  for (k = 1; k <= 8; k++) out = out (k > 1 ? "," : "") "\"" names[k] "\":" ((names[k] in running) ? "true" : "false")
  emit("processes", "{" out "}")
}
function ufw_enabled(    f, line, on) {
  f = "/etc/ufw/ufw.conf"
  while ((getline line < f) > 0) if (toupper(line) ~ /^ENABLED=YES/) on = 1
  close(f)
  return on
}

function p_software(    v, k) {
  v = ENVIRON["P_PY"]
  emit("python3", v == "" ? "null" : substr(v, 1, 1) == "!" ? "null" : jsn(ver(v)))
  emit("runtimes", "{\"containerd\":" rt(ENVIRON["P_CONTAINERD"], "/run/containerd/containerd.sock") \
    ",\"crio\":" rt(ENVIRON["P_CRIO"], "/var/run/crio/crio.sock") ",\"docker\":" rt(ENVIRON["P_DOCKER"], "/var/run/docker.sock") "}")
  v = ENVIRON["P_KUBELET"]
  emit("kubelet", "{\"installed\":" (v == "" ? "false" : "true") ",\"running\":" (("kubelet" in running) ? "true" : "false") \
    ",\"version\":" (v == "present" ? "null" : jsn(ver(cmdval(v)))) "}")
}
# A runtime: its version when the binary answers, "" when only its socket is there, null when absent.
function rt(v, sock) {
  if (v == "present") return "\"\""
  if (v != "") return js(ver(cmdval(v)))
  return (sock in exists) ? "\"\"" : "null"
}

function p_leftovers(    i, out, sep, p) {
  out = "["; sep = ""
  for (i = 1; i <= kuben; i++) { p = kube[i]; sub(/^\/etc\/kubernetes\//, "", p); out = out sep js(p); sep = "," }
  emit("leftovers", "{\"etcKubernetes\":" out "],\"varLibEtcd\":" (etcdn > 0 ? "true" : "false") "}")
}

function p_sudo(    s) {
  s = ENVIRON["P_SUDO"]
  emit("sudo", "{\"ok\":" (s == "root" || s == "nopasswd" ? "true" : "false") ",\"needsPassword\":" (s == "password" ? "true" : "false") \
    ",\"asRoot\":" (s == "root" ? "true" : "false") (s == "missing" ? ",\"missing\":true" : "") "}")
}

# getent ahosts prints each address once per socket type: keep the first column, once.
function p_dns(    n, l, i, f, a, k, seen) {
  n = lines(ENVIRON["P_DNS"], l); k = 0
  for (i = 1; i <= n; i++) { split(l[i], f, /[ \t]+/); if (f[1] != "" && !(f[1] in seen)) { seen[f[1]] = 1; a[++k] = f[1] } }
  emit("dns", "{\"selfResolves\":" (k > 0 ? "true" : "false") ",\"addresses\":" jarr(a, k) "}")
}

function p_nameservers(    f, line, a, n, ns) {
  f = "/etc/resolv.conf"; n = 0
  while ((getline line < f) > 0) { split(line, a, /[ \t]+/); if (a[1] == "nameserver") ns[++n] = a[2] }
  close(f)
  emit("nameservers", jarr(ns, n))
}

function p_binaries(    all, have, k, out, n) {
  split(ENVIRON["P_BIN"], have, " ")
  for (k in have) got[have[k]] = 1
  n = split("conntrack ip iptables mount nsenter ebtables ethtool socat tc touch keadm", all, " ")
  for (k = 1; k <= n; k++) out = out (k > 1 ? "," : "") "\"" all[k] "\":" ((all[k] in got) ? "true" : "false")
  emit("binaries", "{" out "}")
}

function p_user(    f, line, a, uid, name) {
  f = "/proc/self/status"
  while ((getline line < f) > 0) if (line ~ /^Uid:/) { split(line, a, /[ \t]+/); uid = a[2] }
  close(f)
  f = "/etc/passwd"
  while ((getline line < f) > 0) { split(line, a, ":"); if (a[3] == uid && name == "") name = a[1] }
  close(f)
  if (!isnum(uid)) { fail("user", "no uid"); return }
  emit("user", "{\"name\":" js(name) ",\"uid\":" uid (ENVIRON["SUDO_USER"] != "" ? ",\"sudoUser\":" js(ENVIRON["SUDO_USER"]) : "") "}")
}

BEGIN {
  for (i = 1; i < 32; i++) ord[sprintf("%c", i)] = i
  group = ""
  for (i = 1; i < ARGC; i++) {
    a = ARGV[i]; ARGV[i] = ""
    if (a ~ /^@[a-z]+@$/) { group = a; continue }
    if (a ~ /[*]/) continue
    if (group == "@net@") net[++netn] = a
    else if (group == "@modload@") modfiles[++modn] = a
    else if (group == "@comm@") comm[++commn] = a
    else if (group == "@kube@") kube[++kuben] = a
    else if (group == "@etcd@") etcdn++
    else if (group == "@exists@") exists[a] = 1
  }
  p_os(); p_uname(); p_cpus(); p_meminfo(); p_df(); p_swap(); p_simple(); p_net(); p_route()
  p_listening(); p_modules(); p_sysctl(); p_mounts(); p_security(); p_procs(); p_software()
  p_leftovers(); p_sudo(); p_dns(); p_nameservers(); p_binaries(); p_user(); p_fsync()
  printf ",\"errors\":{%s}\n", errors
  exit 0
}
'
  DOC=$(awk "$FACTS_AWK" "$@") && [ -n "$DOC" ] && {
    printf '%s\n' "$DOC"
    return 0
  }
  # awk failed: still one valid document, naming the failure.
  printf ',"errors":{"probe":"the fact reader (awk) failed on this host"}\n'
}

# Reach and facts side by side; stdin of both is closed so nothing eats the rest of this script (it
# arrives on the shell's stdin).
if [ $# -gt 0 ]; then
  case $REACH_TOOL in
  python3) set -- python3 -I -S -c "$REACH_PY" "$REACH_T" "$@" ;;
  *) set -- untested "$@" ;;
  esac
  "$@" </dev/null 2>/dev/null | {
    facts </dev/null
    reach_member
  }
else
  facts </dev/null
fi
printf '}\n'
# The end: what follows on stdin is probe.pl, for `perl -x`.
exit 0
