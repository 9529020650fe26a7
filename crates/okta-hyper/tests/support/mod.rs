//! Real parts for the transport's tests, all on loopback: a test CA, origin servers (HTTP and
//! HTTPS), a forward proxy, and raw TCP servers that write whatever bytes a test gives them.

// Each test file uses part of this.
#![allow(dead_code)]

pub mod compress;
pub mod origin;
pub mod pki;
pub mod proxy;
pub mod raw;

use std::time::Duration;

/// A guard against a hang in a test that would otherwise wait forever when the code under test
/// is wrong; never reached when it is right (no timing is asserted).
pub const HANG_GUARD: Duration = Duration::from_secs(20);
