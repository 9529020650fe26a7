//! Builds the default `User-Agent` at compile time, in the form Okta's SDKs use:
//! `okta-users-rs/<version> rust/<rustc version> <os>/<arch>`.
//!
//! One `rustc --version` at build time (the compiler cargo gives build scripts in `RUSTC`)
//! rather than a `rustc_version` dependency; the target's OS and architecture come from the
//! `CARGO_CFG_TARGET_*` variables cargo sets, so a cross build names its target, not its host.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    // "rustc 1.88.0 (6b00bc388 2025-06-23)" -> "1.88.0"; "unknown" if it cannot be run.
    let rustc_version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_owned))
        .filter(|version| version.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or_else(|| "unknown".to_owned());
    let target = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or_else(|| "unknown".to_owned())
    };
    let os = target("CARGO_CFG_TARGET_OS");
    let arch = target("CARGO_CFG_TARGET_ARCH");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!(
        "cargo:rustc-env=OKTA_USERS_RS_USER_AGENT=okta-users-rs/{version} rust/{rustc_version} {os}/{arch}"
    );
}
