//! Examples for the Okta Users client: `quickstart` (the main job), `tour`, `custom_layer`.
//!
//! This library holds what the examples share, and the README's code, compiled as a doctest so
//! it stays true.

/// Prints the client's spans and events as `RUST_LOG` asks (nothing by default): with
/// `RUST_LOG=okta_layers=debug`, each call's and attempt's span as it closes (method, URL,
/// status, request id, re-sends) and every rate-limit wait.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .init();
}

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
