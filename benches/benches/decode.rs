//! Decoding a 200-user page (the mock's users plus six custom profile attributes each) into
//! `Vec<okta_users::models::User>` as the façade decodes a page asked for with `limit=200`
//! (`models::from_json_page`), against `serde_json::Value` parsing of the same bytes (the
//! baseline). Target: at least 2× as fast as `Value`, keeping custom attributes losslessly.
//!
//! Diagnostic lines follow: the same decode without room reserved for 200 users, users with
//! the profile skipped, and a parse that builds nothing (`IgnoredAny`), to show where the
//! typed decode's time goes.
//!
//! `cargo bench -p okta-benches --bench decode` (criterion, then alternating rounds with the
//! ratio; `ROUNDS=n` to change their count, `SKIP_CRITERION=1` for the rounds alone).

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use okta_benches::fixtures::{CUSTOM_ATTRIBUTES, users_page};
use okta_benches::rounds::{Contender, alternate, measure, print_table, rounds_from_env};
use okta_users::models::User;
use serde::de::IgnoredAny;
use serde_json::Value;

/// As the façade decodes a response body.
/// As the façade decodes a page asked for with `limit=200`.
fn decode_typed(bytes: &[u8]) -> Vec<User> {
    okta_users::models::from_json_page(bytes, 200).expect("typed decode")
}

fn decode_value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("Value decode")
}

/// Every custom attribute of every user survives the typed decode, and so does a
/// read-modify-write round trip of the profile.
fn check_lossless(bytes: &[u8]) {
    let typed = decode_typed(bytes);
    let value = decode_value(bytes);
    let array = value.as_array().expect("an array");
    assert_eq!(typed.len(), 200);
    assert_eq!(array.len(), typed.len());
    for (user, raw) in typed.iter().zip(array) {
        let profile = &raw["profile"];
        for name in CUSTOM_ATTRIBUTES {
            assert_eq!(
                user.profile.custom(name).as_ref(),
                Some(&profile[name]),
                "{name}"
            );
        }
        let back = serde_json::to_value(&user.profile).expect("profile to JSON");
        assert_eq!(&back, profile, "profile round trip of {}", user.id);
    }
}

fn main() {
    let page = users_page(200, 1);
    check_lossless(&page);
    println!(
        "page: 200 users, {} bytes, {} custom attributes each",
        page.len(),
        CUSTOM_ATTRIBUTES.len()
    );

    if !okta_benches::rounds::skip_criterion() {
        let mut criterion = Criterion::default().configure_from_args();
        let mut group = criterion.benchmark_group("decode_200_users");
        group.throughput(Throughput::Bytes(page.len() as u64));
        group.bench_function("serde_json::Value", |b| {
            b.iter(|| decode_value(black_box(&page)))
        });
        group.bench_function("Vec<User>", |b| b.iter(|| decode_typed(black_box(&page))));
        group.finish();
        criterion.final_summary();
    }

    let per_round = 100;
    let mut contenders = vec![
        Contender::new("serde_json::Value", || {
            measure(per_round, || {
                for _ in 0..per_round {
                    black_box(decode_value(black_box(&page)));
                }
            })
        }),
        Contender::new("Vec<User>", || {
            measure(per_round, || {
                for _ in 0..per_round {
                    black_box(decode_typed(black_box(&page)));
                }
            })
        }),
        // Diagnostics: where the typed decode's time goes.
        Contender::new(
            "(diag) Vec<User> grown by doubling (no room reserved)",
            || {
                measure(per_round, || {
                    for _ in 0..per_round {
                        let users: Vec<User> =
                            okta_users::models::from_json_slice(black_box(&page)).expect("decode");
                        black_box(users);
                    }
                })
            },
        ),
        Contender::new("(diag) Vec<User<IgnoredAny>>: profile skipped", || {
            measure(per_round, || {
                for _ in 0..per_round {
                    let users: Vec<User<IgnoredAny>> =
                        serde_json::from_slice(black_box(&page)).expect("decode");
                    black_box(users);
                }
            })
        }),
        Contender::new("(diag) IgnoredAny: parse only", || {
            measure(per_round, || {
                for _ in 0..per_round {
                    let any: IgnoredAny = serde_json::from_slice(black_box(&page)).expect("parse");
                    black_box(any);
                }
            })
        }),
    ];
    let reports = alternate(rounds_from_env(15), &mut contenders);
    print_table(
        "decode a 200-user page (target: Vec<User> throughput ≥ 2.0× Value)",
        &reports,
        0,
    );
    println!("\nmachine: {}", okta_benches::proc::machine());
}
