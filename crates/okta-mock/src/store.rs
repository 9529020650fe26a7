//! The org's state: users indexed by id, login and creation order, plus the resources around them.

use crate::ids::okta_id;
use crate::model::{App, AppAssignment, Group, Idp, LinkDef, Status, User};
use crate::render;
use bytes::Bytes;
use http::HeaderValue;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// What a new user starts with.
pub(crate) struct NewUser {
    pub profile: Map<String, Value>,
    pub password: Option<String>,
    pub recovery: Option<(String, String)>,
    pub status: Status,
    pub at: OffsetDateTime,
}

/// Every resource of the org. Guarded by one `RwLock` in the server.
pub(crate) struct Store {
    pub base: String,
    pub users: BTreeMap<u64, User>,
    by_id: HashMap<String, u64>,
    by_login: HashMap<String, u64>,
    seq: u64,
    pub rng: StdRng,
    pub groups: Vec<Group>,
    pub apps: Vec<App>,
    pub idps: Vec<Idp>,
    pub link_defs: Vec<LinkDef>,
    /// (associated user id, primary relationship name) → primary user id.
    pub linked: HashMap<(String, String), String>,
}

impl Store {
    pub fn new(base: String, seed: u64) -> Self {
        Self {
            base,
            users: BTreeMap::new(),
            by_id: HashMap::new(),
            by_login: HashMap::new(),
            seq: 0,
            rng: StdRng::seed_from_u64(seed ^ 0x00c0_ffee),
            groups: Vec::new(),
            apps: Vec::new(),
            idps: Vec::new(),
            link_defs: Vec::new(),
            linked: HashMap::new(),
        }
    }

    /// The next value of the org-wide creation sequence.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Add a user; the caller has checked the login is free. Returns the new id.
    pub fn insert_user(&mut self, new: NewUser) -> String {
        let seq = self.next_seq();
        let id = okta_id(&mut self.rng, "00u");
        let active_ish = !matches!(new.status, Status::Staged | Status::Deprovisioned);
        let user = User {
            seq,
            id: id.clone(),
            status: new.status,
            created: new.at,
            activated: active_ish.then_some(new.at),
            status_changed: (new.status != Status::Staged).then_some(new.at),
            last_login: None,
            last_updated: new.at,
            password_changed: new.password.as_ref().map(|_| new.at),
            profile: new.profile,
            password: new.password,
            recovery: new.recovery,
            provider: ("OKTA".into(), "OKTA".into()),
            type_id: "oty1a2b3c4d5e6f7g8h9".into(),
            groups: vec![0],
            apps: Vec::new(),
            idps: Vec::new(),
            roles: Vec::new(),
            grants: Vec::new(),
            tokens: Vec::new(),
            sessions: 0,
            factors: 0,
            recovery_tokens: 0,
            json: Bytes::new(),
            json_list: Bytes::new(),
            etag: HeaderValue::from_static("W/\"0\""),
        };
        self.by_login.insert(user.login().to_lowercase(), seq);
        self.by_id.insert(id.clone(), seq);
        self.users.insert(seq, user);
        self.rerender(&id);
        id
    }

    /// The creation sequence of a user given by id or login (logins are case-insensitive).
    pub fn resolve(&self, id_or_login: &str) -> Option<u64> {
        self.by_id
            .get(id_or_login)
            .or_else(|| self.by_login.get(&id_or_login.to_lowercase()))
            .copied()
    }

    pub fn user(&self, id_or_login: &str) -> Option<&User> {
        self.users.get(&self.resolve(id_or_login)?)
    }

    pub fn user_mut(&mut self, id_or_login: &str) -> Option<&mut User> {
        let seq = self.resolve(id_or_login)?;
        self.users.get_mut(&seq)
    }

    /// Is `login` used by a user other than `except`?
    pub fn login_taken(&self, login: &str, except: Option<u64>) -> bool {
        self.by_login
            .get(&login.to_lowercase())
            .is_some_and(|s| Some(*s) != except)
    }

    /// Re-index the login after a profile change.
    pub fn reindex_login(&mut self, seq: u64, old_login: &str) {
        let Some(u) = self.users.get(&seq) else {
            return;
        };
        let new_login = u.login().to_lowercase();
        if new_login != old_login.to_lowercase() {
            self.by_login.remove(&old_login.to_lowercase());
            self.by_login.insert(new_login, seq);
        }
    }

    /// Refresh the cached JSON after any change to the user.
    pub fn rerender(&mut self, id: &str) {
        let Some(seq) = self.resolve(id) else { return };
        let base = self.base.clone();
        if let Some(u) = self.users.get_mut(&seq) {
            u.json =
                Bytes::from(serde_json::to_vec(&render::user(&base, u, true)).unwrap_or_default());
            u.json_list =
                Bytes::from(serde_json::to_vec(&render::user(&base, u, false)).unwrap_or_default());
            u.etag = entity_tag(&u.json);
        }
    }

    /// Assign app `app` to the user with sequence `seq`, with fresh assignment and link ids.
    pub fn assign_app(&mut self, seq: u64, app: usize) {
        let assignment_id = okta_id(&mut self.rng, "0ua");
        let link_id = okta_id(&mut self.rng, "0ul");
        if let Some(u) = self.users.get_mut(&seq)
            && !u.apps.iter().any(|a| a.app == app)
        {
            u.apps.push(AppAssignment {
                app,
                assignment_id,
                link_id,
            });
        }
    }

    /// Delete a user and everything pointing at it.
    pub fn remove_user(&mut self, seq: u64) {
        if let Some(u) = self.users.remove(&seq) {
            self.by_id.remove(&u.id);
            self.by_login.remove(&u.login().to_lowercase());
            self.linked
                .retain(|(assoc, _), primary| *assoc != u.id && *primary != u.id);
        }
    }

    /// How many users have exactly this login (case-insensitive).
    pub fn count_login(&self, login: &str) -> usize {
        self.users
            .values()
            .filter(|u| u.login().eq_ignore_ascii_case(login))
            .count()
    }

    pub fn group_index(&self, id: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.id == id)
    }
}

/// A weak entity tag for a representation: `W/"…"` over a 64-bit FNV-1a hash of its bytes (a
/// version tag, not a checksum: any change of the user changes its JSON, so its tag).
fn entity_tag(json: &[u8]) -> HeaderValue {
    let hash = json.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    HeaderValue::from_str(&format!("W/\"{hash:016x}\""))
        .unwrap_or(HeaderValue::from_static("W/\"0\""))
}

#[cfg(test)]
mod tests {
    use super::entity_tag;

    #[test]
    fn entity_tags_are_weak_and_follow_the_bytes() {
        let a = entity_tag(b"{\"a\":1}");
        assert_eq!(a, entity_tag(b"{\"a\":1}"));
        assert_ne!(a, entity_tag(b"{\"a\":2}"));
        let text = a.to_str().unwrap();
        assert!(
            text.starts_with("W/\"") && text.ends_with('"') && text.len() == 20,
            "{text}"
        );
    }
}
