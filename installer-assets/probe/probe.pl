#!/usr/bin/perl
# cp-installer host probe, the fast path: the same document as probe.sh (the `Facts` type of
# core/preflight/types.ts, member for member, error for error) from ONE perl process where perl is present —
# perl-base is part of every Debian and Ubuntu, the only systems the catalog supports. probe.sh stays the
# fallback for a host without perl; the payload sent on stdin is probe.sh, then this file, and the command
# line (core/preflight/cross.ts probeCommand) picks `perl -x` (which skips to the `#!…perl` line above) or
# `sh -s` (which stops at probe.sh's `exit`).
#
# Why perl and why like this: 50 hosts probe at once, and on a host every process is milliseconds of CPU
# (a fork and an exec cost more than all the reading). The shell probe starts eight programs (date, df, ip,
# awk, the reach tool, …); this one reads /proc, /sys and /etc itself, asks the kernel directly where the
# answer is a system call (the clock, statfs, the addresses over rtnetlink), and starts only what has no
# file to read: `getent ahosts` (the resolver), `python3 --version`, and, where they apply, `sudo -n true`
# (not root), timedatectl or chronyc (systemd or chrony hosts), the runtimes' versions (--versions), dd
# (--fsync). Those start at once and run while the reach connects wait, in one select loop.
# No `use` line: every module is a file found and compiled on each host (strict.pm alone is a fifth of
# this program's start-up); the tests compile it under strict and warnings instead.
#
# Arguments: `--fsync`, `--versions`, then ADDRESS:PORT reach targets, as probe.sh takes them.

# What the BEGIN block below sets: declared first, without a value, so running these lines leaves it be.
my ($SYS, @children, %child, %installed, $hostname, $status, $uid, $FSYNC, $VERSIONS, $FS_WRITES, @targets, $fsDir, $kRel, $kArch);

# --- small readers -------------------------------------------------------------------------------------
# A whole file through sysread (PerlIO's open costs three more system calls a file, and /proc has hundreds).
sub slurp {
  sysopen(my $f, $_[0], 0) or return undef;
  my $text = '';
  1 while sysread($f, $text, 65536, length $text);
  return $text;
}
# First line of a file, or undef when it cannot be read or is empty (awk's getline in probe.sh, the same).
sub first { my $t = slurp($_[0]); return defined $t && $t ne '' ? ($t =~ /^([^\n]*)/)[0] : undef }
sub lines_of { my $t = slurp($_[0]); return defined $t ? split(/\n/, $t) : () }
sub trim { my $s = shift; return '' unless defined $s; $s =~ s/^\s+|\s+$//g; return $s }
sub have {
  my $name = shift;
  for my $dir (split /:/, $ENV{PATH}) { my $p = ($dir eq '' ? '.' : $dir) . "/$name"; return 1 if -f $p && -x _ }
  return 0;
}
# Non-dot entries of a directory, sorted as the shell's glob sorts them (bytes, LC_ALL=C).
sub entries {
  opendir(my $d, $_[0]) or return ();
  my @e = sort grep { !/^\./ } readdir $d;
  return @e;
}

# --- children: started at once, read in the select loop ------------------------------------------------
# A child's output as `$(cmd 2>&1)` gives it (trailing newlines dropped), or "!output" ("!exit N" when it
# printed nothing) when it failed: probe.sh's convention, which the document's error texts carry.
sub spawn {
  my ($stderr, @cmd) = @_;
  pipe(my $r, my $w) or return undef;
  my $pid = fork;
  return undef unless defined $pid;
  if (!$pid) {
    close $r;
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>&', $w);
    if ($stderr eq 'null') { open(STDERR, '>', '/dev/null') } else { open(STDERR, '>&', $w) }
    exec { $cmd[0] } @cmd;
    exit 127;
  }
  close $w;
  my $child = { pid => $pid, fh => $r, out => '', open => 1 };
  push @children, $child;
  return $child;
}
sub finish {
  my $c = shift;
  while ($c->{open}) { my $n = sysread($c->{fh}, my $buf, 65536); if ($n) { $c->{out} .= $buf } else { $c->{open} = 0 } }
  if (!defined $c->{status}) { waitpid($c->{pid}, 0); $c->{status} = $? }
  close $c->{fh};
  (my $out = $c->{out}) =~ s/\n+\z//;
  return $out if $c->{status} == 0;
  return '!' . ($out ne '' ? $out : 'exit ' . ($c->{status} >> 8));
}
sub run { my $c = spawn(@_); return defined $c ? finish($c) : '!cannot start ' . $_[1] }
sub ok { my $v = shift; return defined $v && substr($v, 0, 1) ne '!' }

# Run while the rest of this file is still to be compiled: a fork copies the process, and perl is smallest
# now (after the compile, each fork and the copy-on-write faults after it cost milliseconds more).
BEGIN {
  $ENV{LC_ALL} = 'C';
  $ENV{PATH} = (defined $ENV{PATH} ? $ENV{PATH} : '') . ':/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  # System call numbers for the ABI this perl runs in (read from its own ELF header): x86-64 and arm64,
  # whose struct statfs and timespec have the same 64-bit layout. Elsewhere the probe runs the commands.
  my %syscalls = (62 => { clock_gettime => 228, statfs => 137 }, 183 => { clock_gettime => 113, statfs => 43 });
  my $head = '';
  if (sysopen(my $exe, '/proc/self/exe', 0)) { sysread($exe, $head, 20) }
  $SYS = length($head) == 20 ? $syscalls{ unpack('x18 S', $head) } : undef;

  # --- the clock, first: NTP status (it does not move the clock reading), then the clock itself, printed
  # on the first line before anything slower so the installer can bound when it was read.
  my $ntp = 'null';
  if (-d '/run/systemd/system' && have('timedatectl')) {
    my $v = run('null', 'timedatectl', 'show', '-p', 'NTPSynchronized', '--value');
    $v = substr($v, 1) if substr($v, 0, 1) eq '!';
    $ntp = $v eq 'yes' ? 'true' : $v eq 'no' ? 'false' : 'null';
  }
  if ($ntp eq 'null' && have('chronyc')) {
    my $v = run('null', 'chronyc', '-n', 'tracking');
    $ntp = $v =~ /^!?Leap status *: *Normal/m ? 'true' : 'false';
  }
  my $now;
  if ($SYS) {
    my ($clock, $ts) = (0, pack('q2', 0, 0));
    if (syscall($SYS->{clock_gettime}, $clock, $ts) == 0) { my ($s, $ns) = unpack('q2', $ts); $now = $s * 1000 + int($ns / 1_000_000) }
  }
  if (!defined $now) { my $v = run('null', 'date', '+%s%3N'); $now = $v =~ /^\d+$/ ? $v : time() * 1000 }
  { local $| = 1; print qq({"probeVersion":1,"clock":{"epochMs":$now,"ntpSynchronized":$ntp}\n) }

  ($FSYNC, $VERSIONS, $FS_WRITES) = (0, 0, 50);
  while (@ARGV) {
    if ($ARGV[0] eq '--fsync') { $FSYNC = 1 } elsif ($ARGV[0] eq '--versions') { $VERSIONS = 1 } else { last }
    shift @ARGV;
  }
  @targets = @ARGV;

  # --- what only a program can say: started now, read after the reach wait
  $hostname = trim(first('/proc/sys/kernel/hostname'));
  $hostname = run('null', 'uname', '-n') if $hostname eq '';
  $hostname = '' if substr($hostname, 0, 1) eq '!';
  # This process's status, read once: its real uid here, its CPU affinity for the document.
  $status = slurp('/proc/self/status');
  $uid = defined $status && $status =~ /^Uid:\s+(\S+)/m ? $1 : '';
  $child{dns} = spawn('null', 'getent', 'ahosts', $hostname) if have('getent');
  $child{python3} = spawn('out', 'python3', '--version') if have('python3');
  $child{sudo} = spawn('out', 'sudo', '-n', 'true') if $uid ne '0' && have('sudo');
  %installed = map { $_ => have($_) } qw(containerd crio docker kubelet);
  if ($VERSIONS) { for my $tool (qw(containerd kubelet)) { $child{$tool} = spawn('out', $tool, '--version') if $installed{$tool} } }
  if ($FSYNC) {
    # etcd's disk: FS_WRITES synced writes of 2300 bytes (the WAL entry size of etcd's own disk guidance, as
    # in `fio --fdatasync=1 --bs=2300`); dd reports how long they took. Needs root (/var/lib).
    $fsDir = -d '/var/lib/etcd' ? '/var/lib/etcd' : '/var/lib';
    $child{fsync} = spawn('out', 'dd', 'if=/dev/zero', "of=$fsDir/.cp-installer-fsync.$$", 'bs=2300', "count=$FS_WRITES", 'oflag=dsync');
  }
  ($kRel, $kArch) = (trim(first('/proc/sys/kernel/osrelease')), trim(first('/proc/sys/kernel/arch')));
  $child{uname} = spawn('out', 'uname', '-m', '-r') unless $kRel ne '' && $kArch ne '';
}

# The generic Linux numbers (x86, arm, ppc, s390x, riscv) of the socket calls below.
my ($ECONNREFUSED, $ETIMEDOUT, $EHOSTUNREACH, $ENETUNREACH, $EINPROGRESS) = (111, 110, 113, 101, 115);
my ($F_GETFL, $F_SETFL, $O_NONBLOCK, $SOL_SOCKET, $SO_ERROR) = (3, 4, 2048, 1, 4);
my $REACH_T = defined $ENV{CP_REACH_TIMEOUT} ? $ENV{CP_REACH_TIMEOUT} : 2;
my $REACH_NONE = defined $ENV{CP_REACH_TOOL} && $ENV{CP_REACH_TOOL} eq 'none';

# --- JSON -----------------------------------------------------------------------------------------------
sub esc {
  my $s = shift;
  $s =~ s/([\\"])/\\$1/g;
  $s =~ s/\n/\\n/g;
  $s =~ s/\t/\\t/g;
  $s =~ s/\r/\\r/g;
  $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
  return $s;
}
sub js { my $s = shift; return '"' . esc(defined $s ? $s : '') . '"' }
sub jsn { my $s = shift; return defined $s && $s ne '' ? js($s) : 'null' }
sub jarr { return '[' . join(',', map { js($_) } @_) . ']' }
sub jbools { my ($map, @keys) = @_; return '{' . join(',', map { qq("$_":) . ($map->{$_} ? 'true' : 'false') } @keys) . '}' }
sub ver { my $s = shift; return defined $s && $s =~ /([0-9]+\.[0-9]+(\.[0-9]+)?)/ ? $1 : '' }
sub cmdval { my $v = shift; return defined $v && substr($v, 0, 1) ne '!' ? $v : '' }
my ($doc, @errors) = ('');
sub emit { $doc .= qq(,"$_[0]":$_[1]\n) }
sub fail { push @errors, js($_[0]) . ':' . js($_[1]) }
sub isnum { return defined $_[0] && $_[0] =~ /^[0-9]+$/ }

# Free space as `df -Pk / /var` prints it: f_bavail in f_frsize units, in KiB rounded up.
sub free_kb {
  my $path = shift;
  return undef unless $SYS;
  my $buf = "\0" x 120;
  return undef unless syscall($SYS->{statfs}, $path, $buf) == 0;
  my (undef, $bsize, undef, undef, $bavail, undef, undef, undef, undef, undef, $frsize) = unpack('q q Q Q Q Q Q l l q q', $buf);
  return int(($bavail * ($frsize || $bsize) + 1023) / 1024);
}
my @free = (free_kb('/'), free_kb('/var'));
$child{df} = spawn('out', 'df', '-Pk', '/', '/var') unless defined $free[0] && defined $free[1];

# The interfaces' addresses over rtnetlink (RTM_GETADDR dump), in the order `ip -o addr show` prints them;
# `ip` itself only where the socket cannot be had.
sub ip6text {
  my @w = unpack('n8', shift);
  my ($best, $bestLen, $at, $len) = (-1, 0, -1, 0);
  for my $i (0 .. 8) {
    if ($i < 8 && $w[$i] == 0) { ($at, $len) = ($i, 0) if $at < 0 || $len == 0; $len++; next }
    ($best, $bestLen) = ($at, $len) if $len > $bestLen && $len >= 2;
    $len = 0;
    $at = -1;
  }
  # An IPv4-compatible or -mapped address is written with its IPv4 tail, as inet_ntop does.
  if ($best == 0 && ($bestLen == 6 || ($bestLen == 5 && $w[5] == 0xffff))) {
    return ($bestLen == 5 ? '::ffff:' : '::') . join('.', unpack('x12 C4', pack('n8', @w)));
  }
  return join(':', map { sprintf('%x', $_) } @w) if $best < 0;
  my $head = join(':', map { sprintf('%x', $_) } @w[0 .. $best - 1]);
  my $tail = join(':', map { sprintf('%x', $_) } @w[$best + $bestLen .. 7]);
  return "${head}::$tail";
}
sub rtnl_addresses {
  my %byIndex;
  socket(my $nl, 16, 3, 0) or return undef;    # AF_NETLINK, SOCK_RAW, NETLINK_ROUTE
  # nlmsghdr (RTM_GETADDR = 22, NLM_F_REQUEST | NLM_F_DUMP) + ifaddrmsg (any family)
  send($nl, pack('L S S L L C C C C L', 24, 22, 0x301, 1, 0, 0, 0, 0, 0, 0), 0) or return undef;
  while (1) {
    defined recv($nl, my $buf, 65536, 0) or return undef;
    my $off = 0;
    while ($off + 16 <= length $buf) {
      my ($len, $type) = unpack("x$off L S", $buf);
      return undef if $len < 16;
      return \%byIndex if $type == 3;          # NLMSG_DONE
      return undef if $type == 2;              # NLMSG_ERROR
      if ($type == 20 && $len >= 24) {         # RTM_NEWADDR
        my ($family, $plen, undef, undef, $index) = unpack('x' . ($off + 16) . ' C C C C L', $buf);
        my ($local, $address);
        my $a = $off + 24;
        while ($a + 4 <= $off + $len) {
          my ($alen, $atype) = unpack("x$a S S", $buf);
          last if $alen < 4;
          my $data = substr($buf, $a + 4, $alen - 4);
          $local = $data if $atype == 2;       # IFA_LOCAL
          $address = $data if $atype == 1;     # IFA_ADDRESS
          $a += ($alen + 3) & ~3;
        }
        my $raw = defined $local ? $local : $address;
        if (defined $raw) {
          my $text = $family == 2 && length($raw) == 4 ? join('.', unpack('C4', $raw)) : $family == 10 && length($raw) == 16 ? ip6text($raw) : undef;
          push @{ $byIndex{$index} }, "$text/$plen" if defined $text;
        }
      }
      $off += ($len + 3) & ~3;
    }
  }
}
my $rtnl = rtnl_addresses();
$child{ip} = spawn('out', 'ip', '-o', 'addr', 'show') if !defined $rtnl && have('ip');

# --- the reach connects: all leave together, each round trip counts from the start of the wait ---------
my (%result, %ms, %pending, @dial);
my ($rbits, $wbits) = ('', '');
sub verdict {
  my $e = shift;
  return $e == 0 ? 'open' : $e == $ECONNREFUSED ? 'refused' : $e == $ETIMEDOUT ? 'timeout'
    : ($e == $EHOSTUNREACH || $e == $ENETUNREACH) ? 'unreachable' : 'error';
}
# IPv6 text to 16 bytes ("::" expands to the missing zero groups); undef when it is not one.
sub ip6 {
  my ($head, $tail) = split /::/, shift, -1;
  my @h = length $head ? split /:/, $head : ();
  my @t = defined $tail && length $tail ? split /:/, $tail : ();
  my $fill = 8 - @h - @t;
  return undef if $fill < 0 || (!defined $tail && $fill) || grep { !/^[0-9A-Fa-f]{1,4}$/ } @h, @t;
  return pack 'n8', map { hex } @h, ('0') x $fill, @t;
}
if (!$REACH_NONE) {
  for my $t (@targets) {
    my ($host, $port) = $t =~ /^\[?([^\]]*)\]?:(\d+)$/ or next;
    if ($host =~ /:/) {
      my $a = ip6($host);
      push @dial, [$t, 10, pack('S n N a16 N', 10, $port, 0, $a, 0)] if defined $a;
    } else {
      my $a = $host =~ /^\d+\.\d+\.\d+\.\d+$/ ? pack('C4', split /\./, $host) : (gethostbyname $host)[4];
      push @dial, [$t, 2, pack('S n a4 x8', 2, $port, $a)] if defined $a;
    }
  }
}
for my $d (@dial) {
  my ($t, $family, $sa) = @$d;
  socket(my $fh, $family, 1, 0) or next;
  fcntl($fh, $F_SETFL, fcntl($fh, $F_GETFL, 0) | $O_NONBLOCK);
  if (connect($fh, $sa)) { ($result{$t}, $ms{$t}) = ('open', 0); next }
  if ($! + 0 != $EINPROGRESS) { ($result{$t}, $ms{$t}) = (verdict($! + 0), 0); next }
  $pending{ fileno $fh } = [$fh, $t];
  vec($wbits, fileno $fh, 1) = 1;
}
my %reading = map { fileno($_->{fh}) => $_ } @children;
vec($rbits, $_, 1) = 1 for keys %reading;
# select leaves the time still to wait in $left (Linux): the time taken so far needs no module.
my $left = $REACH_T;
while (%pending || %reading) {
  my ($r, $w) = (%reading ? $rbits : undef, %pending ? $wbits : undef);
  my ($n, $remaining) = select($r, $w, undef, %pending ? $left : undef);
  last if $n < 0;
  if (%pending) {
    $left = $remaining;
    for my $fd (grep { vec($w, $_, 1) } keys %pending) {
      my ($fh, $t) = @{ delete $pending{$fd} };
      vec($wbits, $fd, 1) = 0;
      $result{$t} = verdict(unpack 'i', getsockopt($fh, $SOL_SOCKET, $SO_ERROR));
      $ms{$t} = ($REACH_T - $left) * 1000;
    }
    if ($left <= 0) { $result{ $_->[1] } = 'timeout' for values %pending; %pending = () }
  }
  for my $fd (grep { vec($r, $_, 1) } keys %reading) {
    my $c = $reading{$fd};
    my $got = sysread($c->{fh}, my $buf, 65536);
    if ($got) { $c->{out} .= $buf; next }
    $c->{open} = 0;
    vec($rbits, $fd, 1) = 0;
    delete $reading{$fd};
  }
}
$result{ $_->[1] } = 'timeout' for values %pending;
my %out = map { $_ => finish($child{$_}) } grep { defined $child{$_} } keys %child;
unlink "$fsDir/.cp-installer-fsync.$$" if $FSYNC;

# --- the document, member by member in probe.sh's order ------------------------------------------------
my $facts = eval {
  {
    my $text = slurp('/etc/os-release');
    $text = slurp('/usr/lib/os-release') unless defined $text && $text ne '';
    if (!defined $text || $text eq '') { fail('os', 'no os-release') }
    else {
      my %v;
      for my $line (split /\n/, $text) {
        my ($k) = $line =~ /^([^=]*)/;
        my $value = length($line) > length($k) ? substr($line, length($k) + 1) : '';
        $value = substr($value, 1, -1) if $value =~ /^".*"$/s || $value =~ /^'.*'$/s;
        $v{$k} = $value unless defined $v{$k} && $v{$k} ne '';
      }
      emit('os', '{"id":' . js($v{ID}) . ',"versionId":' . js($v{VERSION_ID}) . ',"prettyName":' . js($v{PRETTY_NAME}) . ',"idLike":' . js($v{ID_LIKE}) . '}');
    }
  }
  {
    # uname prints the release before the machine, whatever the option order.
    my $u = $kRel ne '' && $kArch ne '' ? "$kRel $kArch" : defined $out{uname} ? $out{uname} : '!uname did not start';
    my @a = split ' ', $u;
    if (substr($u, 0, 1) eq '!' || @a < 2) { fail('arch', $u); fail('kernel', $u) }
    else {
      my $arch = $a[1] eq 'x86_64' || $a[1] eq 'amd64' ? 'amd64' : $a[1] eq 'aarch64' || $a[1] eq 'arm64' ? 'arm64' : $a[1] =~ /^armv7/ ? 'arm' : $a[1];
      emit('arch', js($arch));
      emit('kernel', js($a[0]));
    }
  }
  {
    # CPUs this process may run on (what nproc reports; taskset/cgroup cpusets shrink it).
    my $n = 0;
    for (split /\n/, defined $status ? $status : '') {
      next unless s/^Cpus_allowed_list:[ \t]*//;
      $n = 0;
      for my $part (split /,/) { my @r = split /-/, $part; $n += @r == 2 ? $r[1] - $r[0] + 1 : $part ne '' ? 1 : 0 }
    }
    if ($n == 0) { $n = grep { /^processor/ } lines_of('/proc/cpuinfo') }
    if ($n > 0) { emit('cpus', $n) } else { fail('cpus', 'no cpu count') }
  }
  {
    my $total;
    for (lines_of('/proc/meminfo')) { my @a = split /[: \t]+/; $total = $a[1] if $a[0] eq 'MemTotal' }
    if (isnum($total)) { emit('memoryKb', $total) } else { fail('memoryKb', 'no MemTotal in /proc/meminfo') }
  }
  if (defined $free[0] && defined $free[1]) { emit('disk', qq({"rootFreeKb":$free[0],"varFreeKb":$free[1]})) }
  elsif (!ok($out{df})) { fail('disk', $out{df}) }
  else {
    my @l = split /\n/, $out{df};
    my ($root, $var);
    for my $i (1 .. $#l) { my @a = split /[ \t]+/, $l[$i]; $var = $a[3] if (defined $a[5] && $a[5] eq '/var') || ($i == 2 && !defined $var); $root = $a[3] if $i == 1 }
    if (!isnum($root)) { fail('disk', 'unexpected df output') }
    else { $var = $root unless isnum($var); emit('disk', qq({"rootFreeKb":$root,"varFreeKb":$var})) }
  }
  {
    # Active swap as kubeadm sees it: the sizes listed in /proc/swaps; then swap lines in fstab that are not
    # commented out (what comes back after a reboot).
    if (open(my $f, '<', '/proc/swaps')) {
      my ($n, $s) = (0, 0);
      while (my $line = <$f>) { chomp $line; if ($n++ > 0) { my @a = split /[ \t]+/, $line; $s += $a[2] if defined $a[2] && $a[2] =~ /^\d+$/ } }
      emit('swapKb', $s);
    } else { fail('swapKb', 'cannot read /proc/swaps') }
    my $inFstab = 0;
    for (lines_of('/etc/fstab')) { my @a = split /[ \t]+/; $inFstab = 1 if !/^[ \t]*#/ && defined $a[2] && $a[2] eq 'swap' }
    emit('swapInFstab', $inFstab ? 'true' : 'false');
  }
  {
    emit('hostname', js($hostname));
    my $v = first('/sys/class/dmi/id/product_uuid');
    if (!defined $v) { fail('productUuid', '/sys/class/dmi/id/product_uuid not readable (root only)') } else { emit('productUuid', js($v)) }
    $v = first('/etc/machine-id');
    $v = first('/var/lib/dbus/machine-id') if !defined $v || $v eq '';
    if (!defined $v || $v eq '') { fail('machineId', 'no machine-id') } else { emit('machineId', js($v)) }
  }
  {
    my @nets = entries('/sys/class/net');
    my %addrs;
    if ($rtnl) {
      my %nameOf;
      for my $name (@nets) { my $i = first("/sys/class/net/$name/ifindex"); $nameOf{$i} = $name if defined $i }
      for my $i (sort { $a <=> $b } keys %$rtnl) { push @{ $addrs{ $nameOf{$i} } }, @{ $rtnl->{$i} } if defined $nameOf{$i} }
    } elsif (defined $out{ip}) {
      fail('interfaces.addresses', $out{ip}) unless ok($out{ip});
      for my $line (ok($out{ip}) ? split(/\n/, $out{ip}) : ()) {
        my @a = split /[ \t]+/, $line;
        next unless defined $a[1];
        (my $dev = $a[1]) =~ s/@.*//;
        for my $j (2 .. 10) { push @{ $addrs{$dev} }, $a[$j + 1] if defined $a[$j] && ($a[$j] eq 'inet' || $a[$j] eq 'inet6') && defined $a[$j + 1] }
      }
    }
    my (@macs, %seen, @ifaces);
    for my $name (@nets) {
      my $dir = "/sys/class/net/$name";
      my ($mtu, $state, $mac) = (first("$dir/mtu"), first("$dir/operstate"), first("$dir/address"));
      if ($name ne 'lo' && defined $mac && $mac ne '' && $mac ne '00:00:00:00:00:00' && !$seen{$mac}++) { push @macs, $mac }
      my $o = '{"name":' . js($name) . ',"addresses":' . jarr(@{ $addrs{$name} || [] });
      $o .= qq(,"mtu":$mtu) if isnum($mtu);
      $o .= ',"state":' . js($state) if defined $state;
      push @ifaces, "$o}";
    }
    emit('macs', jarr(@macs));
    emit('interfaces', '[' . join(',', @ifaces) . ']');
  }
  {
    # Default route from /proc/net/route (IPv4): destination 0, gateway as little-endian hex.
    my $route = 'null';
    for (lines_of('/proc/net/route')) {
      my @a = split /[ \t]+/;
      next unless defined $a[7] && $a[1] eq '00000000' && $a[7] eq '00000000';
      my $gw = $a[2];
      $route = '{"via":' . ($gw eq '00000000' ? 'null' : js(join('.', map { hex substr($gw, $_, 2) } 6, 4, 2, 0))) . ',"dev":' . js($a[0]) . '}';
      last;
    }
    emit('defaultRoute', $route);
  }
  {
    # Listening TCP ports of this network namespace, straight from /proc (no ss/netstat needed).
    my (@ports, %seen);
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
      for (lines_of($f)) {
        my @a = split /[ \t]+/, trim($_);
        next unless defined $a[3] && $a[3] eq '0A';
        my $p = hex((split /:/, $a[1])[-1]);
        push @ports, $p unless $seen{$p}++;
      }
    }
    emit('listening', '[' . join(',', @ports) . ']');
  }
  my %running;
  {
    my (%loaded, %persisted);
    for (lines_of('/proc/modules')) { $loaded{ (split / /)[0] } = 1 }
    $loaded{$_} ||= -e "/sys/module/$_" for qw(br_netfilter overlay);
    my @files = ((map { "/etc/modules-load.d/$_" } grep { /\.conf$/ } entries('/etc/modules-load.d')),
      (map { "/usr/lib/modules-load.d/$_" } grep { /\.conf$/ } entries('/usr/lib/modules-load.d')), '/etc/modules');
    for my $f (@files) { for (lines_of($f)) { s/#.*//; s/[ \t]//g; $persisted{$_} = 1 if $_ ne '' } }
    emit('modules', jbools(\%loaded, qw(br_netfilter overlay)));
    emit('modulesPersisted', jbools(\%persisted, qw(br_netfilter overlay)));
  }
  {
    my @keys = qw(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables);
    emit('sysctl', '{' . join(',', map { (my $p = "/proc/sys/$_") =~ tr/./\//; my $v = first($p); qq("$_":) . (defined $v ? js($v) : 'null') } @keys) . '}');
  }
  {
    my ($cg, $unified) = ('', 0);
    for (lines_of('/proc/mounts')) {
      my @a = split / /;
      next unless defined $a[2];
      $cg = $a[2] if $a[1] eq '/sys/fs/cgroup';
      $unified = 1 if $a[1] eq '/sys/fs/cgroup/unified' && $a[2] eq 'cgroup2';
    }
    emit('cgroup', $cg eq 'cgroup2' ? '"v2"' : $cg eq '' ? 'null' : $unified ? '"hybrid"' : '"v1"');
  }
  {
    my $v = first('/sys/fs/selinux/enforce');
    emit('selinux', !defined $v ? 'null' : $v eq '1' ? '"enforcing"' : '"permissive"');
    $v = first('/sys/module/apparmor/parameters/enabled');
    emit('apparmor', !defined $v ? 'null' : $v eq 'Y' ? 'true' : 'false');
  }
  {
    if (opendir(my $proc, '/proc')) { for my $pid (grep { /^[0-9]+$/ } readdir $proc) { my $c = first("/proc/$pid/comm"); $running{$c} = 1 if defined $c } }
    if ($running{firewalld}) { emit('firewall', '{"active":true,"kind":"firewalld"}') }
    elsif (grep { uc($_) =~ /^ENABLED=YES/ } lines_of('/etc/ufw/ufw.conf')) { emit('firewall', '{"active":true,"kind":"ufw"}') }
    else { emit('firewall', '{"active":false,"kind":null}') }
    emit('processes', jbools(\%running, qw(kube-proxy edgecore cloudcore kube-apiserver etcd containerd crio dockerd)));
  }
  {
    my $py = $out{python3};
    emit('python3', !defined $py || !ok($py) ? 'null' : jsn(ver($py)));
    # A runtime: its version when the binary answers, "" when only its presence or its socket is known, null when absent.
    my $rt = sub {
      my ($tool, $sock) = @_;
      return js(ver(cmdval($out{$tool}))) if defined $out{$tool};
      return '""' if $installed{$tool};
      return -e $sock ? '""' : 'null';
    };
    emit('runtimes', '{"containerd":' . $rt->('containerd', '/run/containerd/containerd.sock') . ',"crio":' . $rt->('crio', '/var/run/crio/crio.sock')
      . ',"docker":' . $rt->('docker', '/var/run/docker.sock') . '}');
    emit('kubelet', '{"installed":' . ($installed{kubelet} ? 'true' : 'false') . ',"running":' . ($running{kubelet} ? 'true' : 'false')
      . ',"version":' . (defined $out{kubelet} ? jsn(ver(cmdval($out{kubelet}))) : 'null') . '}');
  }
  {
    my @kube = (entries('/etc/kubernetes'));
    my @deeper = sort map { my $d = $_; -d "/etc/kubernetes/$d" ? map { "$d/$_" } entries("/etc/kubernetes/$d") : () } @kube;
    emit('leftovers', '{"etcKubernetes":' . jarr(@kube, @deeper) . ',"varLibEtcd":' . (entries('/var/lib/etcd') ? 'true' : 'false') . '}');
  }
  {
    # sudo: as root (the probe was run under sudo) it works by definition; otherwise sudo was asked without
    # a password, never waiting on a prompt.
    my $sudo = $uid eq '0' ? 'root' : !defined $out{sudo} ? 'missing' : ok($out{sudo}) ? 'nopasswd' : $out{sudo} =~ /assword/ ? 'password' : 'refused';
    emit('sudo', '{"ok":' . ($sudo eq 'root' || $sudo eq 'nopasswd' ? 'true' : 'false') . ',"needsPassword":' . ($sudo eq 'password' ? 'true' : 'false')
      . ',"asRoot":' . ($sudo eq 'root' ? 'true' : 'false') . ($sudo eq 'missing' ? ',"missing":true' : '') . '}');
  }
  {
    # getent ahosts prints each address once per socket type: keep the first column, once.
    my (@a, %seen);
    # Its output whatever its exit status, as probe.sh reads it.
    my $dns = defined $child{dns} ? $child{dns}{out} : '';
    for (split /\n/, $dns) { my ($f) = split /[ \t]+/; push @a, $f if defined $f && $f ne '' && !$seen{$f}++ }
    emit('dns', '{"selfResolves":' . (@a ? 'true' : 'false') . ',"addresses":' . jarr(@a) . '}');
  }
  emit('nameservers', jarr(map { my @a = split /[ \t]+/; defined $a[0] && $a[0] eq 'nameserver' ? (defined $a[1] ? $a[1] : '') : () } lines_of('/etc/resolv.conf')));
  {
    my @all = qw(conntrack ip iptables mount nsenter ebtables ethtool socat tc touch keadm);
    my %got = map { $_ => have($_) } @all;
    emit('binaries', jbools(\%got, @all));
  }
  {
    my $name;
    for (lines_of('/etc/passwd')) { my @a = split /:/; if (defined $a[2] && $a[2] eq $uid) { $name = $a[0]; last } }
    if (!isnum($uid)) { fail('user', 'no uid') }
    else {
      my $sudoUser = defined $ENV{SUDO_USER} && $ENV{SUDO_USER} ne '' ? ',"sudoUser":' . js($ENV{SUDO_USER}) : '';
      emit('user', '{"name":' . js($name) . ",\"uid\":$uid$sudoUser}");
    }
  }
  if ($FSYNC) {
    # The summary line of dd: "… copied, 0.0123 s, 9.3 MB/s" (GNU; busybox prints no time, which is then an error).
    my $v = $out{fsync};
    my ($secs) = $v =~ /copied, ([0-9.]+) s/;
    if (!defined $secs) { (my $why = $v) =~ s/\n/ /g; fail('fsync', $why eq '' ? 'dd printed nothing' : $why) }
    else { emit('fsync', '{"path":' . js($fsDir) . ",\"writes\":$FS_WRITES,\"avgMs\":" . sprintf('%.3f', $secs * 1000 / $FS_WRITES) . '}') }
  }
  1;
};
if ($facts) { print $doc, ',"errors":{', join(',', @errors), "}\n" }
else { print $doc, ',"errors":{"probe":', js('the fact reader (perl) failed on this host: ' . trim($@)), "}\n" }

# The "reach" member: ADDRESS:PORT RESULT [MS] per target, in the order given (anything but plain text dropped).
my @reach;
for my $t (@targets) {
  my $r = $REACH_NONE ? 'untested' : defined $result{$t} ? $result{$t} : 'error';
  my $rtt = ($r eq 'open' || $r eq 'refused') && defined $ms{$t} ? sprintf(' %.1f', $ms{$t}) : '';
  push @reach, qq("$t $r$rtt") unless "$t $r" =~ /[^A-Za-z0-9.:_\[\] -]/;
}
print ',"reach":[', join(',', @reach), "]\n" if @targets;
print "}\n";
