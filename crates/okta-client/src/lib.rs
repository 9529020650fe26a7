//! okta-client
