//! Decoding of the spec's example payloads.
