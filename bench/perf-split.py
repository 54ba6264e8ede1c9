#!/usr/bin/env python3
"""Splits a `perf record -g` profile of the handler into what the time went to.

    perf script -i target/bench/perf/link.data | python3 bench/perf-split.py

Each sample is put in the first category (in the order below) that one of the frames
of its call stack matches, so a sample counts once: the RSA check of a staff token
counts as "staff token", even though it runs inside warp's filters. The shares are of
the handler's own CPU time (perf's cpu-clock samples only while it runs).
"""
import collections
import re
import sys

CATEGORIES = [
    ("staff token check (jsonwebtoken: RS256 verify, claims)", r"jsonwebtoken|StaffAuthenticator|identity::staff"),
    ("email: render (askama) and build (lettre message)", r"askama|mail::invitation::render|mail::build_message|lettre::message"),
    ("SMTP client (lettre transport)", r"lettre::|SmtpMailer"),
    ("session/flow cookie sealing (AES-GCM)", r"cookies::|aes_gcm|CookieCodec"),
    ("authorize URL, PKCE, state, nonce", r"authorize_url|AuthRequest|identity::customer"),
    ("Table Storage client: azure SDK (signing, pipeline, JSON entity)", r"azure_core|azure_storage|azure_data_tables|storage::invitations|storage::entity|storage::edm"),
    ("HTTP client: reqwest, hyper client connections", r"reqwest::|hyper_util::client|hyper::client|role::Client|hyper::proto::h1::dispatch::Client"),
    ("domain and service code", r"invitations::(domain|service)"),
    ("HTTP server: warp filters, hyper server, responses", r"warp::|hyper::server|role::Server|hyper_util::server|invitations::http"),
    ("tracing (logs)", r"tracing_subscriber|tracing::|tracing_core"),
    ("tokio runtime: scheduling, I/O driver, parking", r"tokio::"),
]
compiled = [(name, re.compile(pattern)) for name, pattern in CATEGORIES]


def samples(stream):
    stack = []
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line.startswith((" ", "\t")):
            parts = line.strip().split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else parts[0])
        else:
            stack = []  # the sample's header line
    if stack:
        yield stack


def main():
    counts = collections.Counter()
    leaves = collections.defaultdict(collections.Counter)
    total = 0
    for stack in samples(sys.stdin):
        total += 1
        # Only the head of each frame: warp's future types name every filter of the
        # service in their generic parameters, which would match anything.
        text = "\n".join(frame[:80] for frame in stack)
        name = next((n for n, rx in compiled if rx.search(text)), "other (leaf shown below)")
        counts[name] += 1
        leaf = re.sub(r"\+0x[0-9a-f]+.*$", "", stack[0])[:90]
        leaves[name][leaf] += 1
    if not total:
        print("no samples (was the profile recorded with -g and the handler built with symbols?)")
        return
    print(f"{total} samples")
    for name, n in counts.most_common():
        print(f"{100.0 * n / total:6.1f} %  {name}")
    print("\nhottest leaf functions of each category:")
    for name, n in counts.most_common():
        top = ", ".join(f"{leaf} {100.0 * c / total:.1f}%" for leaf, c in leaves[name].most_common(3))
        print(f"  {name}: {top}")


if __name__ == "__main__":
    main()
