//! Shared helpers for the benches: this process's CPU time and peak memory, the mock org (a
//! separate, pinned process when its binary is built, in-process otherwise), the bare hyper
//! client that is the floor, fixtures, the
//! default stack over any inner service, and a runner that alternates contenders round by round
//! and reports medians with their spread.
//!
//! Speed is only ever reported as a ratio against a baseline measured in the same run.

pub mod bare;
pub mod fixtures;
pub mod in_memory;
pub mod mock;
pub mod proc;
pub mod rounds;
pub mod sdk_policy;
pub mod stack;
