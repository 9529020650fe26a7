//! One decode contender run `N` times on the `decode` bench's page (200 users, six custom
//! attributes each), for counting instructions with callgrind: a figure that does not move with
//! the machine's load, unlike wall-clock time. `benches/callgrind-decode.sh` runs it under
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_*'`, so that only
//! the decoding loops (and the drop of what they built) are counted, not building the page.
//!
//! `decode_instructions CONTENDER [N=20]` where CONTENDER is `value`, `typed`, `typed-grown`,
//! `profile-skipped` or `ignored` (the page), or `user-value` / `user` (one user as a get
//! returns it, with its lifecycle links: `N` × 200 decodes).

use std::hint::black_box;

use okta_benches::fixtures::{one_user, users_page};
use okta_users::models::User;
use serde::de::IgnoredAny;
use serde_json::Value;

fn main() {
    let mut args = std::env::args().skip(1);
    let contender = args.next().unwrap_or_else(|| "typed".to_owned());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
    let page = users_page(200, 1);
    match contender.as_str() {
        "value" => measured_value(&page, count),
        "typed" => measured_typed(&page, count),
        "typed-grown" => measured_typed_grown(&page, count),
        "profile-skipped" => measured_profile_skipped(&page, count),
        "ignored" => measured_ignored(&page, count),
        "user-value" => measured_user_value(&one_user(1), count * 200),
        "user" => measured_user(&one_user(1), count * 200),
        other => {
            eprintln!(
                "unknown contender {other}: value, typed, typed-grown, profile-skipped, \
                 ignored, user-value, user"
            );
            std::process::exit(2);
        }
    }
    println!("{contender}: {count} decodes of {} bytes", page.len());
}

#[inline(never)]
fn measured_value(page: &[u8], count: usize) {
    for _ in 0..count {
        let value: Value = serde_json::from_slice(black_box(page)).expect("Value");
        black_box(value);
    }
}

#[inline(never)]
fn measured_typed(page: &[u8], count: usize) {
    for _ in 0..count {
        let users: Vec<User> =
            okta_users::models::from_json_page(black_box(page), 200).expect("Vec<User>");
        black_box(users);
    }
}

#[inline(never)]
fn measured_typed_grown(page: &[u8], count: usize) {
    for _ in 0..count {
        let users: Vec<User> =
            okta_users::models::from_json_slice(black_box(page)).expect("Vec<User>");
        black_box(users);
    }
}

#[inline(never)]
fn measured_profile_skipped(page: &[u8], count: usize) {
    for _ in 0..count {
        let users: Vec<User<IgnoredAny>> =
            serde_json::from_slice(black_box(page)).expect("Vec<User<IgnoredAny>>");
        black_box(users);
    }
}

#[inline(never)]
fn measured_ignored(page: &[u8], count: usize) {
    for _ in 0..count {
        let any: IgnoredAny = serde_json::from_slice(black_box(page)).expect("IgnoredAny");
        black_box(any);
    }
}

#[inline(never)]
fn measured_user_value(user: &[u8], count: usize) {
    for _ in 0..count {
        let value: Value = serde_json::from_slice(black_box(user)).expect("Value");
        black_box(value);
    }
}

#[inline(never)]
fn measured_user(user: &[u8], count: usize) {
    for _ in 0..count {
        let user: User = okta_users::models::from_json_slice(black_box(user)).expect("User");
        black_box(user);
    }
}
