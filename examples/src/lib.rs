//! Examples for the Okta Users client.
