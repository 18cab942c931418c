# cp-installer reachability test, run ON a host (`sh -s -- ADDRESS:PORT ...`, built with shellJoin):
# TCP-connects to each target at once, with a short timeout, and prints one line per target:
#   ADDRESS:PORT RESULT
# RESULT is open | refused | timeout | unreachable | error | untested. Before an install nothing listens,
# so `refused` means the packet got there and back (reachable); `timeout` / `unreachable` mean filtered.
# python3 when present (it can tell refused from timeout for every target in parallel); else bash's
# /dev/tcp under `timeout`; else every target is `untested`.

T=${CP_REACH_TIMEOUT:-2}

if command -v python3 >/dev/null 2>&1; then
  exec python3 - "$T" "$@" <<'PY'
import errno, socket, sys, threading
timeout = float(sys.argv[1])
results = {}
def probe(target):
    host, _, port = target.rpartition(':')
    host = host.strip('[]')
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except Exception:
        results[target] = 'error'
        return
    fam, typ, proto, _, addr = infos[0]
    s = socket.socket(fam, typ, proto)
    s.settimeout(timeout)
    try:
        s.connect(addr)
        results[target] = 'open'
    except ConnectionRefusedError:
        results[target] = 'refused'
    except socket.timeout:
        results[target] = 'timeout'
    except OSError as e:
        results[target] = 'unreachable' if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH) else 'error'
    finally:
        s.close()
threads = [threading.Thread(target=probe, args=(t,)) for t in sys.argv[2:]]
for t in threads: t.start()
for t in threads: t.join()
for t in sys.argv[2:]:
    print(t, results.get(t, 'error'))
PY
fi

if command -v bash >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
  for target in "$@"; do
    (
      host=${target%:*}
      port=${target##*:}
      err=$(timeout "$T" bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>&1)
      rc=$?
      case $rc:$err in
      0:*) r=open ;;
      124:*) r=timeout ;;
      *refused*) r=refused ;;
      *'No route'* | *unreachable*) r=unreachable ;;
      *) r=error ;;
      esac
      echo "$target $r"
    ) &
  done
  wait
  exit 0
fi

for target in "$@"; do echo "$target untested"; done
