//! `invitations-bench`: the figures of issue #6 ("Proof"), each comparison run side by
//! side in one run on one machine. `scripts/bench` builds and runs it; see
//! docs/performance.md for what each figure means.
//!
//!   invitations-bench [--quick] [--cold-runs N] [--invites N] [--link-samples N]
//!                     [--load-seconds N] [--rounds N] [--memory-seconds N]
//!                     [--handler PATH] [--package-zip PATH] [--json PATH] [--label TEXT]
//!                     [--perf DIR]
//!
//! `--perf DIR` records the handler with `perf record` while the POSTs, the link openings
//! and the memory load run (DIR/invite.data, link.data, load.data): give it a handler
//! built with symbols (CARGO_PROFILE_RELEASE_STRIP=false) to read them.

mod claims;
mod coldstart;
mod handler;
mod latency;
mod load;
mod procs;
mod stack;
mod stats;
mod storage;

use procs::{fail, file_size, proc_status_kib};
use stats::{Samples, bytes_mib, mib, ms};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Storage reads a link opened before costs (the invitation row since issue #17; three
/// before): Azurite's reads per second over this are its links per second.
const READS_A_LINK: f64 = 1.0;

struct Options {
    root: PathBuf,
    handler: PathBuf,
    package_zip: Option<PathBuf>,
    json: Option<PathBuf>,
    label: Option<String>,
    perf: Option<PathBuf>,
    cold_runs: usize,
    invites: usize,
    link_samples: usize,
    load_seconds: u64,
    rounds: usize,
    memory_seconds: u64,
}

fn options() -> Options {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut o = Options {
        handler: root.join("target/release/handler"),
        root,
        package_zip: None,
        json: None,
        label: None,
        perf: None,
        cold_runs: 30,
        invites: 200,
        link_samples: 1000,
        load_seconds: 6,
        rounds: 2,
        memory_seconds: 60,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| fail(&format!("{arg} needs a value")))
        };
        let mut number = |name: &str| -> u64 {
            value()
                .parse()
                .unwrap_or_else(|_| fail(&format!("{name} needs a whole number")))
        };
        match arg.as_str() {
            "--quick" => {
                o.cold_runs = 5;
                o.invites = 20;
                o.link_samples = 100;
                o.load_seconds = 2;
                o.rounds = 1;
                o.memory_seconds = 5;
            }
            "--cold-runs" => o.cold_runs = number("--cold-runs") as usize,
            "--invites" => o.invites = number("--invites") as usize,
            "--link-samples" => o.link_samples = number("--link-samples") as usize,
            "--load-seconds" => o.load_seconds = number("--load-seconds"),
            "--rounds" => o.rounds = number("--rounds") as usize,
            "--memory-seconds" => o.memory_seconds = number("--memory-seconds"),
            "--handler" => o.handler = PathBuf::from(value()),
            "--package-zip" => o.package_zip = Some(PathBuf::from(value())),
            "--json" => o.json = Some(PathBuf::from(value())),
            "--label" => o.label = Some(value()),
            "--perf" => o.perf = Some(PathBuf::from(value())),
            "-h" | "--help" => {
                println!(
                    "usage: invitations-bench [--quick] [--cold-runs N] [--invites N] [--link-samples N] \
                     [--load-seconds N] [--rounds N] [--memory-seconds N] [--handler PATH] \
                     [--package-zip PATH] [--json PATH] [--label TEXT] [--perf DIR]"
                );
                std::process::exit(0);
            }
            other => fail(&format!("unknown argument {other} (try --help)")),
        }
    }
    if o.invites < 10 || o.cold_runs < 1 || o.link_samples < 1 || o.rounds < 1 {
        fail("--invites must be at least 10, the other counts at least 1");
    }
    o
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{cpus} CPUs ({model}), {:.1} GiB, Linux {}",
        mem_kib as f64 / 1024.0 / 1024.0,
        kernel.trim()
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn row(label: &str, s: &Samples) -> String {
    format!(
        "  {label:<44} {:>5} {:>10} {:>10}",
        s.len(),
        ms(s.median()),
        ms(s.p99())
    )
}

/// `perf record` of the handler during one phase, when `--perf` asks for it.
fn perf_start(o: &Options, pid: u32, phase: &str) -> Option<procs::Guard> {
    let dir = o.perf.as_ref()?;
    let _ = std::fs::create_dir_all(dir);
    let mut command = std::process::Command::new("perf");
    command
        .args(["record", "-F", "1999", "--call-graph", "dwarf,16384", "-p"])
        .arg(pid.to_string())
        .arg("-o")
        .arg(dir.join(format!("{phase}.data")))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    procs::tie_to_parent(&mut command);
    let child = command
        .spawn()
        .unwrap_or_else(|e| fail(&format!("cannot run perf: {e}")));
    std::thread::sleep(Duration::from_millis(300));
    Some(procs::Guard(Some(child)))
}

/// Stops `perf record` with SIGINT, so that it writes its file.
fn perf_stop(perf: Option<procs::Guard>) {
    if let Some(mut child) = perf.and_then(|mut guard| guard.0.take()) {
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) on our own unreaped child.
            unsafe {
                libc::kill(pid, libc::SIGINT);
            }
        }
        let _ = child.wait();
    }
}

fn background(cpu: &procs::CpuSplit) -> String {
    format!(
        "  meanwhile other processes kept {:.2} cores busy",
        cpu.others_cores()
    )
}

fn say(message: &str) {
    eprintln!("bench: {message}");
}

fn main() {
    let o = options();
    let started = Instant::now();
    let work = o.root.join("target/bench/run");
    std::fs::create_dir_all(&work)
        .unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", work.display())));
    if !o.handler.is_file() {
        fail(&format!(
            "{} is missing: cargo build --release --bin handler",
            o.handler.display()
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("tokio: {e}")));
    let run_id = format!("{:x}", rand::random::<u32>());
    let prefix = format!("bench{run_id}");
    let mut out: Vec<String> = Vec::new();
    let mut json = serde_json::Map::new();

    say("starting Azurite, maildev and the OpenID stand-ins (node local/services.mjs)");
    let (stack, services, _services_stdin) = stack::start(&o.root, &work.join("services.log"));
    let mut pids = procs::Pids {
        handler: 0,
        azurite: procs::find_child(services.pid(), "azurite").unwrap_or(0),
        services: services.pid(),
        maildev: procs::find_child(services.pid(), "maildev").unwrap_or(0),
    };
    let settings = handler::Settings::new(&stack, &prefix);
    let mut whole_run = procs::CpuSplit::default();

    // ------------------------------------------------------------ 1. cold start
    say(&format!(
        "1/4 cold start: {} starts of each, alternating",
        o.cold_runs
    ));
    let meter = procs::CpuMeter::start(pids);
    let cold = coldstart::run(
        &o.handler,
        &settings,
        &o.root.join("bench/node-server.cjs"),
        o.cold_runs,
        &work.join("coldstart.log"),
    );
    let cold_cpu = meter.split(pids);
    whole_run.add(cold_cpu);
    let (h, n) = (cold.handler.median(), cold.node.median());
    out.push(format!(
        "1. Cold start: spawn → first 200 on GET / ({} starts each, alternating)",
        o.cold_runs
    ));
    out.push(format!(
        "  {:<44} {:>5} {:>10} {:>10}",
        "", "n", "median", "p99"
    ));
    out.push(row("release handler", &cold.handler));
    out.push(row("minimal Node.js http server", &cold.node));
    out.push(format!(
        "  handler/Node: {:.3} (target < 0.200: {}); handler median ≤ 10 ms: {}",
        h / n,
        verdict(h / n < 0.2),
        verdict(h <= 10.0)
    ));
    out.push(background(&cold_cpu));
    json.insert(
        "coldStart".into(),
        serde_json::json!({"handlerMs": cold.handler.values(), "nodeMs": cold.node.values(),
            "handlerMedian": h, "nodeMedian": n, "handlerP99": cold.handler.p99(), "nodeP99": cold.node.p99()}),
    );

    // ------------------------------------------------------------ the long-lived handler
    let running = handler::start(&o.handler, &settings, &work.join("handler.log"));
    let pid = running.pid();
    pids.handler = pid;
    let base = running.base();
    std::thread::sleep(Duration::from_secs(1)); // tables created in the background
    let idle_kib = proc_status_kib(pid, "VmRSS").unwrap_or(0);

    let client = latency::http_client();
    let service =
        storage::service_client(&stack.storage_connection_string).unwrap_or_else(|e| fail(&e));
    let tables = storage::Tables::new(&service, &prefix);

    // ------------------------------------------------------------ 2. latency
    say(&format!(
        "2/4 latency: {} invitations and {} link openings, each beside its storage calls",
        o.invites, o.link_samples
    ));
    let meter = procs::CpuMeter::start(pids);
    let setup = runtime.block_on(async {
        let token = latency::staff_token(&client, &stack).await?;
        // Warm-up: metadata, keys, connection pools; and rows to copy the shapes from.
        let mut warm = Vec::new();
        for i in 0..5 {
            let email = format!("bench-{run_id}-warm{i}@example.com");
            match latency::invite(&client, &base, &token, &email).await? {
                (_, Ok(created)) => warm.push(created),
                (_, Err(status)) => return Err(format!("warm-up invitation answered {status}")),
            }
        }
        let templates = storage::Templates::from_handler_rows(
            &tables,
            &warm[0].id,
            &format!("bench-{run_id}-warm0@example.com"),
        )
        .await?;
        let (subject, text, html) = latency::sample_email(&client, &stack.maildev_url).await?;
        let mail = storage::Mail::new(&stack.smtp_url, subject, text, html)?;
        for i in 0..5 {
            let email = format!("bench-{run_id}-warmb{i}@example.com");
            let mut ops = storage::CreateOps::new(&tables, &templates, email.clone());
            ops.store(latency::BASELINE_STAFF).await?;
            mail.send(&email).await?;
            ops.record_sent().await?;
        }
        Ok::<_, String>((token, templates, mail))
    });
    let (token, templates, mail) = setup.unwrap_or_else(|e| fail(&e));

    let perf = perf_start(&o, pid, "invite");
    let before = procs::cpu_seconds(pid).unwrap_or(0.0);
    let invites = runtime
        .block_on(latency::invites(
            &client, &base, &token, &tables, &templates, &mail, &run_id, o.invites,
        ))
        .unwrap_or_else(|e| fail(&e));
    let invite_cpu =
        (procs::cpu_seconds(pid).unwrap_or(0.0) - before) / invites.handler.len().max(1) as f64;
    perf_stop(perf);
    if invites.created.len() < 10 {
        fail(&format!(
            "only {} invitations were created ({})",
            invites.created.len(),
            invites.unexpected.describe()
        ));
    }
    // First openings write once (the `opened` event): do them before measuring.
    runtime
        .block_on(async {
            for inv in &invites.created {
                let (_, status) = latency::open_link(&client, &base, inv).await?;
                if status != 302 {
                    return Err(format!("a fresh link answered {status}"));
                }
                tables.open_link(&inv.id, &inv.link_hash()).await?;
            }
            Ok::<_, String>(())
        })
        .unwrap_or_else(|e| fail(&e));
    let perf = perf_start(&o, pid, "link");
    let before = procs::cpu_seconds(pid).unwrap_or(0.0);
    let links = runtime
        .block_on(latency::links(
            &client,
            &base,
            &tables,
            &invites.created,
            o.link_samples,
        ))
        .unwrap_or_else(|e| fail(&e));
    let link_cpu =
        (procs::cpu_seconds(pid).unwrap_or(0.0) - before) / links.handler.len().max(1) as f64;
    perf_stop(perf);
    let claims = runtime
        .block_on(claims::run(
            &client,
            &base,
            &stack.events_token_url,
            &tables,
            &run_id,
            o.link_samples,
        ))
        .unwrap_or_else(|e| fail(&e));
    let latency_cpu = meter.split(pids);
    whole_run.add(latency_cpu);
    let link_over = links.handler.median() - links.storage.median();
    let invite_over = invites.handler.median() - invites.storage_and_smtp.median();
    out.push(String::new());
    out.push(
        "2. Latency over storage: one request at a time, kept-alive connections, turn about".into(),
    );
    out.push(format!(
        "  {:<44} {:>5} {:>10} {:>10}",
        "", "n", "median", "p99"
    ));
    out.push(row("GET link (302): handler", &links.handler));
    out.push(row("GET link: its point read, straight", &links.storage));
    out.push(format!(
        "  overhead: difference of medians {} (target ≤ 1 ms: {}); median of paired differences {}; p99 difference {}",
        ms(link_over),
        verdict(link_over <= 1.0),
        ms(links.handler.paired_median_difference(&links.storage)),
        ms(links.handler.p99() - links.storage.p99())
    ));
    out.push(row("POST InviteUser (201): handler", &invites.handler));
    out.push(row("POST: its 8 storage calls, straight", &invites.storage));
    out.push(row("POST: its SMTP send, straight", &invites.smtp));
    out.push(row(
        "POST: storage calls + SMTP send",
        &invites.storage_and_smtp,
    ));
    out.push(format!(
        "  overhead over storage + SMTP: difference of medians {} (target ≤ 1 ms: {}); median of paired differences {}; p99 difference {}",
        ms(invite_over),
        verdict(invite_over <= 1.0),
        ms(invites.handler.paired_median_difference(&invites.storage_and_smtp)),
        ms(invites.handler.p99() - invites.storage_and_smtp.p99())
    ));
    claims::report(&claims, &mut out);
    let link_base_cpu = links.baseline_cpu / links.storage.len().max(1) as f64;
    let invite_base_cpu = invites.baseline_cpu / invites.storage.len().max(1) as f64;
    out.push(format!(
        "  CPU a request (user + system), handler vs the straight calls: GET link {:.0} vs {:.0} µs, POST InviteUser {:.0} vs {:.0} µs",
        link_cpu * 1e6,
        link_base_cpu * 1e6,
        invite_cpu * 1e6,
        invite_base_cpu * 1e6
    ));
    out.push(background(&latency_cpu));
    if invites.unexpected.total() + links.unexpected.total() > 0 {
        out.push(format!(
            "  unexpected answers: POST {}; GET link {}",
            invites.unexpected.describe(),
            links.unexpected.describe()
        ));
    }
    json.insert(
        "latency".into(),
        serde_json::json!({
            "linkHandlerMs": links.handler.values(), "linkStorageMs": links.storage.values(),
            "inviteHandlerMs": invites.handler.values(), "inviteStorageMs": invites.storage.values(),
            "inviteSmtpMs": invites.smtp.values(), "inviteStorageSmtpMs": invites.storage_and_smtp.values(),
            "unexpectedPost": invites.unexpected.0, "unexpectedLink": links.unexpected.0,
            "claimsHandlerMs": claims.handler.values(), "claimsStorageMs": claims.storage.values(),
            "handlerCpuPerLinkUs": link_cpu * 1e6, "handlerCpuPerInviteUs": invite_cpu * 1e6,
            "baselineCpuPerLinkUs": links.baseline_cpu / links.storage.len().max(1) as f64 * 1e6,
            "baselineCpuPerInviteUs": invites.baseline_cpu / invites.storage.len().max(1) as f64 * 1e6,
        }),
    );

    // ------------------------------------------------------------ 3. throughput
    say(&format!(
        "3/4 throughput: wrk, 16 and 64 connections, {} round(s) of {} s per side",
        o.rounds, o.load_seconds
    ));
    let scripts = load::Scripts {
        dir: o.root.join("bench/wrk"),
    };
    let links_file = work.join("links.txt");
    load::write_lines(&links_file, invites.created.iter().map(|i| i.path()))
        .unwrap_or_else(|e| fail(&e));
    let signer = load::Signer::from_connection_string(
        &stack.storage_connection_string,
        &stack.table_endpoint,
    )
    .unwrap_or_else(|e| fail(&e));
    let table_origin = {
        let u = url::Url::parse(&stack.table_endpoint).unwrap_or_else(|e| fail(&e.to_string()));
        format!(
            "http://{}:{}",
            u.host_str().unwrap_or("127.0.0.1"),
            u.port().unwrap_or(80)
        )
    };
    let reads_file = work.join("reads.txt");
    let sign_now = || {
        let reads = signer.link_reads(&prefix, &invites.created);
        for read in reads.iter().take(3) {
            if let Err(e) = runtime.block_on(load::check_signed(&client, &table_origin, read)) {
                fail(&e);
            }
        }
        load::write_lines(
            &reads_file,
            reads.into_iter().map(|(p, d, a)| format!("{p}\t{d}\t{a}")),
        )
        .unwrap_or_else(|e| fail(&e));
    };
    out.push(String::new());
    out.push(format!(
        "3. Throughput: wrk -t2, {} round(s) × {} s per side, alternating; Azurite alone replays the link's point read",
        o.rounds, o.load_seconds
    ));
    out.push(format!(
        "  {:<30} {:>5} {:>11} {:>10} {:>10} {:>7}",
        "", "conns", "links/s", "p50", "p99", "errors"
    ));
    let mut load_json = Vec::new();
    let measured = |script: &str, url: &str, data: &Path, connections: u32| {
        let meter = procs::CpuMeter::start(pids);
        let result = scripts
            .run(script, url, data, connections, o.load_seconds)
            .unwrap_or_else(|e| fail(&e));
        (result, meter.split(pids))
    };
    let hashes: Vec<(String, String)> = invites
        .created
        .iter()
        .map(|i| (i.id.clone(), i.link_hash()))
        .collect();
    for connections in [16u32, 64] {
        let mut sdk_cpu = procs::CpuSplit::default();
        let (mut sdk_links, mut sdk_errors, mut sdk_secs) = (0u64, 0u64, 0.0f64);
        let mut handler_cpu = procs::CpuSplit::default();
        let mut table_cpu = procs::CpuSplit::default();
        let mut handler_runs = Vec::new();
        let mut table_runs = Vec::new();
        for round in 0..o.rounds {
            for side in 0..2 {
                if (side == 0) == (round % 2 == 0) {
                    let (result, cpu) = measured("links.lua", &base, &links_file, connections);
                    handler_runs.push(result);
                    handler_cpu.add(cpu);
                } else {
                    sign_now();
                    let (result, cpu) =
                        measured("table.lua", &table_origin, &reads_file, connections);
                    table_runs.push(result);
                    table_cpu.add(cpu);
                }
            }
            // The third side: the handler's storage client alone, in this program.
            let meter = procs::CpuMeter::start(pids);
            let (n, e, secs) = runtime.block_on(load::sdk_links(
                &tables,
                &hashes,
                connections,
                o.load_seconds,
            ));
            sdk_cpu.add(meter.split(pids));
            sdk_links += n;
            sdk_errors += e;
            sdk_secs += secs;
        }
        let hw = load::total(&handler_runs);
        let tw = load::total(&table_runs);
        let (h_rate, t_rate) = (hw.rate(), tw.rate() / READS_A_LINK);
        out.push(format!(
            "  {:<30} {:>5} {:>11.0} {:>10} {:>10} {:>7}",
            "handler, GET link",
            connections,
            h_rate,
            ms(hw.p50_us as f64 / 1000.0),
            ms(hw.p99_us as f64 / 1000.0),
            hw.errors()
        ));
        out.push(format!(
            "  {:<30} {:>5} {:>11.0} {:>10} {:>10} {:>7}",
            "Azurite alone, 1 read a link",
            connections,
            t_rate,
            ms(tw.p50_us as f64 / 1000.0),
            ms(tw.p99_us as f64 / 1000.0),
            tw.errors()
        ));
        out.push(format!(
            "  {:<30} {:>5} {:>11.0} {:>10} {:>10} {:>7}",
            "SDK client alone, 1 read",
            connections,
            sdk_links as f64 / sdk_secs,
            "",
            "",
            sdk_errors
        ));
        out.push(format!(
            "  handler/Azurite at {connections}: {:.0} % (target ≥ 80 %, no errors: {})",
            100.0 * h_rate / t_rate,
            verdict(h_rate >= 0.8 * t_rate && hw.errors() == 0)
        ));
        let per_link = |cpu: &procs::CpuSplit, links: f64| {
            format!(
                "handler {:>4.0} µs, Azurite {:>4.0} µs, wrk and the rest {:>3.0} µs; {:.0} new TCP connections; other processes {:.2} cores",
                cpu.handler / links * 1e6,
                cpu.azurite / links * 1e6,
                cpu.rest_of_bench / links * 1e6,
                cpu.tcp_opens,
                cpu.others_cores()
            )
        };
        out.push(format!(
            "    CPU a link, handler runs: {}",
            per_link(&handler_cpu, hw.requests as f64)
        ));
        out.push(format!(
            "    CPU a link, Azurite runs: {}",
            per_link(&table_cpu, tw.requests as f64 / READS_A_LINK)
        ));
        out.push(format!(
            "    CPU a link, SDK runs:     {} (this program: the client)",
            per_link(&sdk_cpu, sdk_links as f64)
        ));
        whole_run.add(handler_cpu);
        whole_run.add(table_cpu);
        load_json.push(serde_json::json!({
            "handlerRunCpu": format!("{handler_cpu:?}"), "azuriteRunCpu": format!("{table_cpu:?}"),
            "connections": connections,
            "handler": handler_runs.iter().map(|r| serde_json::json!({"requests": r.requests, "durationUs": r.duration_us, "errors": r.errors(), "p50Us": r.p50_us, "p99Us": r.p99_us})).collect::<Vec<_>>(),
            "azurite": table_runs.iter().map(|r| serde_json::json!({"requests": r.requests, "durationUs": r.duration_us, "errors": r.errors(), "p50Us": r.p50_us, "p99Us": r.p99_us})).collect::<Vec<_>>(),
            "handlerLinksPerSecond": h_rate, "azuriteLinksPerSecond": t_rate,
            "sdkLinksPerSecond": sdk_links as f64 / sdk_secs, "sdkErrors": sdk_errors, "sdkRunCpu": format!("{sdk_cpu:?}"),
        }));
    }
    out.push("  (links/s: the handler's requests per second; Azurite's reads per second, one read a link; p50/p99 per request)".into());
    json.insert("throughput".into(), serde_json::Value::Array(load_json));

    // ------------------------------------------------------------ 4. memory and size
    say(&format!(
        "4/4 memory: {} s of wrk at 64 connections on the link, RSS sampled every 100 ms",
        o.memory_seconds
    ));
    let meter = procs::CpuMeter::start(pids);
    let perf = perf_start(&o, pid, "load");
    let mut wrk = scripts
        .spawn("links.lua", &base, &links_file, 64, o.memory_seconds)
        .unwrap_or_else(|e| fail(&e));
    let mut peak_sampled = 0u64;
    loop {
        if let Some(kib) = proc_status_kib(pid, "VmRSS") {
            peak_sampled = peak_sampled.max(kib);
        }
        match wrk.try_wait() {
            Ok(Some(_)) | Err(_) => break,
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    perf_stop(perf);
    let soak = load::finish(wrk).unwrap_or_else(|e| fail(&e));
    let soak_cpu = meter.split(pids);
    whole_run.add(soak_cpu);
    let hwm = proc_status_kib(pid, "VmHWM").unwrap_or(0);
    std::thread::sleep(Duration::from_secs(2));
    let after_kib = proc_status_kib(pid, "VmRSS").unwrap_or(0);
    drop(running);

    let binary = file_size(&o.handler).unwrap_or(0);
    let stripped = {
        let note = std::process::Command::new("file")
            .arg(&o.handler)
            .output()
            .ok()
            .map(|out| String::from_utf8_lossy(&out.stdout).contains("not stripped"));
        match note {
            Some(true) => "NOT stripped",
            Some(false) => "stripped",
            None => "stripping unknown",
        }
    };
    out.push(String::new());
    out.push("4. Memory and size".into());
    out.push(format!(
        "  RSS idle, 1 s after start:                     {}",
        mib(idle_kib)
    ));
    out.push(format!(
        "  RSS peak during {} s of load at 64 connections: {} sampled, {} VmHWM over the whole run (target ≤ 30 MB: {})",
        o.memory_seconds,
        mib(peak_sampled),
        mib(hwm),
        verdict(hwm * 1024 <= 30_000_000)
    ));
    out.push(format!(
        "  RSS 2 s after the load:                        {}",
        mib(after_kib)
    ));
    out.push(format!(
        "  that load: {:.0} links/s, {} errors, p99 {}",
        soak.rate(),
        soak.errors(),
        ms(soak.p99_us as f64 / 1000.0)
    ));
    out.push(background(&soak_cpu));
    out.push(format!(
        "  release binary ({stripped}): {} ({} bytes)",
        bytes_mib(binary),
        binary
    ));
    if let Some(zip) = &o.package_zip {
        match file_size(zip) {
            Some(size) => out.push(format!(
                "  deployment package {}: {} ({} bytes)",
                zip.strip_prefix(&o.root).unwrap_or(zip).display(),
                bytes_mib(size),
                size
            )),
            None => out.push(format!("  deployment package {}: missing", zip.display())),
        }
    }
    json.insert(
        "memory".into(),
        serde_json::json!({"idleKib": idle_kib, "peakSampledKib": peak_sampled, "vmHwmKib": hwm,
            "afterKib": after_kib, "soakRate": soak.rate(), "soakErrors": soak.errors(),
            "binaryBytes": binary, "packageBytes": o.package_zip.as_ref().and_then(|z| file_size(z))}),
    );

    println!();
    println!("Invitation service benchmark, {}", machine());
    let revision = o.label.clone().unwrap_or_else(|| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(&o.root)
            .args(["describe", "--always", "--dirty"])
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default()
    });
    println!(
        "handler {} built from {revision}; every comparison side by side in this run ({:.0} s)",
        o.handler
            .strip_prefix(&o.root)
            .unwrap_or(&o.handler)
            .display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "other processes on the machine kept {:.2} of its cores busy during the measurements{}",
        whole_run.others_cores(),
        if whole_run.others_cores() > 0.1 {
            " (NOT quiet: figures are pessimistic, the handler's side the more so)"
        } else {
            ""
        }
    );
    println!();
    for line in &out {
        println!("{line}");
    }
    json.insert("machine".into(), machine().into());
    json.insert("revision".into(), revision.into());
    json.insert(
        "otherProcessesCores".into(),
        whole_run.others_cores().into(),
    );
    if let Some(path) = &o.json {
        let text =
            serde_json::to_string_pretty(&serde_json::Value::Object(json)).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text) {
            fail(&format!("cannot write {}: {e}", path.display()));
        }
    }
}
