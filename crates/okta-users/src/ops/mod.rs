//! One builder per operation, grouped by resource. Each file adds its methods to
//! [`Users`](crate::Users).

pub mod credentials;
pub mod lifecycle;
pub mod linked_objects;
pub mod oauth;
pub mod related;
pub mod roles;
pub mod sessions;
pub mod user;
