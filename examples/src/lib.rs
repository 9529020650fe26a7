//! Examples for the Okta Users client: `quickstart` (the main job), `tour`, `custom_layer`.
//!
//! This library holds nothing but the README's code, compiled as a doctest so it stays true.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
