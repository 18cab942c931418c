# Shared state of the fake bosh / cf / uaac (tests only), installed next to them in a test host's
# /usr/local/bin. The "director", "Cloud Controller" and "UAA" live on the jump box as JSON files under
# /var/lib/cp-installer/fake-<name>/ (per test host: the harness bind-mounts it); writes are atomic and
# serialised with flock. Seeded by test/fakes/install.ts (seedBosh, seedCf, seedUaa).
import contextlib, fcntl, hashlib, json, os, sys

ROOT = os.environ.get('FAKE_BOSH_ROOT', '/var/lib/cp-installer')


def die(text, code=1):
    sys.stdout.write(text.rstrip('\n') + '\n')
    sys.stdout.flush()
    sys.exit(code)


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def state_path(name):
    return os.path.join(ROOT, 'fake-' + name, 'state.json')


@contextlib.contextmanager
def locked(name):
    d = os.path.dirname(state_path(name))
    os.makedirs(d, exist_ok=True)
    with shared_open(os.path.join(d, '.lock')) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load(name):
    try:
        with open(state_path(name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save(name, state):
    p = state_path(name)
    tmp = p + '.%d' % os.getpid()
    with open(tmp, 'w') as f:
        json.dump(state, f, indent=2)
    os.chmod(tmp, 0o666)
    os.replace(tmp, p)


def shared_open(path):
    """Opens for appending a file that root (the test) and the login user (the run) both write."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.fchmod(fd, 0o666)
    except PermissionError:
        pass
    return os.fdopen(fd, 'a')


def record(name, argv):
    """Every invocation, argv as given (the test checks no secret is ever a word of it)."""
    d = os.path.dirname(state_path(name))
    if not os.path.isdir(d):
        return
    with shared_open(os.path.join(d, 'calls.log')) as f:
        f.write(json.dumps(argv) + '\n')


def read_secret_line(prompt):
    """What a CLI's hidden prompt reads when stdin is not a terminal: one line."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        die('\nError: EOF while reading %s' % prompt.strip().rstrip(':'))
    sys.stdout.write('\n')
    return line.rstrip('\n')
