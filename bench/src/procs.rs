//! Child processes (the handler, Node, wrk, the local services), free ports and memory
//! figures read from /proc.
//!
//! Every child gets `PR_SET_PDEATHSIG`: if this program dies, however it dies, its
//! children are sent SIGTERM by the kernel, so a benchmark never leaves servers behind.
//! Children are spawned from the main thread only (the death signal follows the thread
//! that spawned them).

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Makes `command` die with this process.
pub fn tie_to_parent(command: &mut Command) -> &mut Command {
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| fail(&format!("no free port on 127.0.0.1: {e}")))
}

/// SIGTERM, then SIGKILL after `grace`; waits for the exit either way.
pub fn stop(child: &mut Child, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: plain kill(2) on our own child's pid, which has not been reaped yet.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A child that is stopped when dropped.
pub struct Guard(pub Option<Child>);

impl Guard {
    pub fn pid(&self) -> u32 {
        self.0.as_ref().map(Child::id).unwrap_or(0)
    }
    pub fn child(&mut self) -> &mut Child {
        match self.0.as_mut() {
            Some(c) => c,
            None => fail("child already stopped"),
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            stop(&mut child, Duration::from_secs(3));
        }
    }
}

/// One `GET /` over a fresh connection; true on a 200.
pub fn get_root(addr: SocketAddr, timeout: Duration) -> std::io::Result<bool> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_nodelay(true)?;
    stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut head = [0u8; 12];
    let mut got = 0;
    while got < head.len() {
        let n = stream.read(&mut head[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(head.starts_with(b"HTTP/1.1 200") || head.starts_with(b"HTTP/1.0 200"))
}

/// Waits until `GET /` answers 200, polling every 100 µs; the time from `t0`.
pub fn wait_ready(
    child: &mut Child,
    addr: SocketAddr,
    t0: Instant,
    limit: Duration,
) -> Result<Duration, String> {
    loop {
        // A refused connect costs a few microseconds: poll tightly but yield the CPU.
        if let Ok(true) = get_root(addr, Duration::from_secs(2)) {
            return Ok(t0.elapsed());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited before answering ({status})"));
        }
        if t0.elapsed() > limit {
            return Err(format!("did not answer GET / within {limit:?}"));
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

pub fn file_size(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

pub fn fail(message: &str) -> ! {
    eprintln!("bench: {message}");
    std::process::exit(1)
}

/// CPU time (user + system) a live process has used so far, in seconds.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some((utime + stime) / ticks)
}

/// CPU time used by the children this process has waited for (wrk runs), in seconds.
pub fn waited_children_cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// The child of `pid` whose command line contains `needle` (Azurite under the services).
pub fn find_child(pid: u32, needle: &str) -> Option<u32> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children
            .split_whitespace()
            .filter_map(|c| c.parse::<u32>().ok())
        {
            let cmdline = std::fs::read(format!("/proc/{child}/cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmdline).contains(needle) {
                return Some(child);
            }
        }
    }
    None
}

/// CPU seconds the whole machine spent busy (all CPUs), from /proc/stat.
pub fn machine_busy_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().next() else {
        return 0.0;
    };
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait
    let busy: f64 = v
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4 && *i < 8)
        .map(|(_, x)| x)
        .sum();
    // SAFETY: sysconf has no preconditions.
    busy / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

/// TCP connections opened on this machine so far (ActiveOpens of /proc/net/snmp).
pub fn tcp_active_opens() -> f64 {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
    let mut tcp = snmp.lines().filter(|l| l.starts_with("Tcp:"));
    let (Some(names), Some(values)) = (tcp.next(), tcp.next()) else {
        return 0.0;
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(n, _)| *n == "ActiveOpens")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0.0)
}

/// CPU seconds used by this program itself.
pub fn self_cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// The pids that make up the benchmark's own load: the handler, Azurite and the rest of
/// the local services (maildev, the OpenID stand-ins).
#[derive(Clone, Copy)]
pub struct Pids {
    pub handler: u32,
    pub azurite: u32,
    pub services: u32,
    pub maildev: u32,
}

/// Where the CPU went between two readings.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuSplit {
    pub wall: f64,
    pub handler: f64,
    pub azurite: f64,
    /// wrk, this program, maildev, the OpenID stand-ins
    pub rest_of_bench: f64,
    /// everything else on the machine
    pub others: f64,
    /// TCP connections opened meanwhile (by anyone)
    pub tcp_opens: f64,
}

#[derive(Clone, Copy)]
pub struct CpuMeter {
    at: std::time::Instant,
    machine: f64,
    handler: f64,
    azurite: f64,
    rest: f64,
    tcp_opens: f64,
}

impl CpuMeter {
    pub fn start(p: Pids) -> Self {
        let cpu = |pid: u32| {
            if pid == 0 {
                0.0
            } else {
                cpu_seconds(pid).unwrap_or(0.0)
            }
        };
        Self {
            at: std::time::Instant::now(),
            machine: machine_busy_seconds(),
            tcp_opens: tcp_active_opens(),
            handler: cpu(p.handler),
            azurite: cpu(p.azurite),
            rest: cpu(p.services)
                + cpu(p.maildev)
                + self_cpu_seconds()
                + waited_children_cpu_seconds(),
        }
    }

    pub fn split(&self, p: Pids) -> CpuSplit {
        let now = Self::start(p);
        let handler = (now.handler - self.handler).max(0.0);
        let azurite = (now.azurite - self.azurite).max(0.0);
        let rest = (now.rest - self.rest).max(0.0);
        let machine = now.machine - self.machine;
        CpuSplit {
            wall: (now.at - self.at).as_secs_f64(),
            handler,
            azurite,
            rest_of_bench: rest,
            others: (machine - handler - azurite - rest).max(0.0),
            tcp_opens: now.tcp_opens - self.tcp_opens,
        }
    }
}

impl CpuSplit {
    pub fn add(&mut self, o: CpuSplit) {
        self.wall += o.wall;
        self.handler += o.handler;
        self.azurite += o.azurite;
        self.rest_of_bench += o.rest_of_bench;
        self.others += o.others;
        self.tcp_opens += o.tcp_opens;
    }
    /// Cores kept busy by processes outside the benchmark.
    pub fn others_cores(&self) -> f64 {
        if self.wall > 0.0 {
            self.others / self.wall
        } else {
            0.0
        }
    }
}
