//! The org's principals — its API tokens and OAuth service apps — and each one's share of every
//! rate-limit bucket (Okta: 50 % by default, set per token or app).

use crate::error::MockError;
use std::collections::HashMap;

/// The name of the principal holding the token given to [`crate::MockOrgBuilder::token`].
pub const DEFAULT_PRINCIPAL: &str = "default";

/// The share of every bucket a principal may use unless set otherwise (Okta's default).
pub const DEFAULT_SHARE_PERCENT: u8 = 50;

/// One principal: a name for counters and configuration, and its share of each bucket.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub name: String,
    pub share: u8,
}

/// Every principal of the org, looked up by API token or OAuth client id.
#[derive(Debug)]
pub(crate) struct Principals {
    list: Vec<Principal>,
    by_token: HashMap<String, usize>,
    by_client: HashMap<String, usize>,
    primary_token: String,
}

/// What the builder collected.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalConfig {
    /// `(name, token)`, the primary token first.
    pub tokens: Vec<(String, String)>,
    /// OAuth client ids (each its own principal, named by its id).
    pub clients: Vec<String>,
    pub shares: Vec<(String, u8)>,
    pub default_share: u8,
}

fn check_share(name: &str, share: u8) -> Result<u8, MockError> {
    if (1..=100).contains(&share) {
        Ok(share)
    } else {
        Err(MockError::Config(format!(
            "the share of {name} must be 1..=100 percent, not {share}"
        )))
    }
}

impl Principals {
    pub fn new(config: &PrincipalConfig) -> Result<Self, MockError> {
        let default_share = check_share("every principal", config.default_share)?;
        let mut list = Vec::new();
        let mut by_token = HashMap::new();
        let mut by_client = HashMap::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut add = |name: &str| -> Result<usize, MockError> {
            if names.contains_key(name) {
                return Err(MockError::Config(format!("two principals named {name}")));
            }
            names.insert(name.to_owned(), list.len());
            list.push(Principal {
                name: name.to_owned(),
                share: default_share,
            });
            Ok(list.len() - 1)
        };
        for (name, token) in &config.tokens {
            let index = add(name)?;
            if token.is_empty() || by_token.insert(token.clone(), index).is_some() {
                return Err(MockError::Config(format!(
                    "the API token of {name} is empty or already another principal's"
                )));
            }
        }
        for client in &config.clients {
            let index = add(client)?;
            by_client.insert(client.clone(), index);
        }
        for (name, share) in &config.shares {
            let index = *names.get(name).ok_or_else(|| {
                MockError::Config(format!("a share for {name}, no such principal"))
            })?;
            list[index].share = check_share(name, *share)?;
        }
        Ok(Self {
            list,
            by_token,
            by_client,
            primary_token: config
                .tokens
                .first()
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
        })
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn get(&self, index: usize) -> Option<&Principal> {
        self.list.get(index)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|p| p.name.as_str())
    }

    /// The principal whose API token this is.
    pub fn by_token(&self, token: &str) -> Option<usize> {
        self.by_token.get(token).copied()
    }

    /// The principal of an OAuth client.
    pub fn by_client(&self, client_id: &str) -> Option<usize> {
        self.by_client.get(client_id).copied()
    }

    /// The token of [`DEFAULT_PRINCIPAL`].
    pub fn primary_token(&self) -> &str {
        &self.primary_token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PrincipalConfig {
        PrincipalConfig {
            tokens: vec![
                (DEFAULT_PRINCIPAL.into(), "t0".into()),
                ("replica".into(), "t1".into()),
            ],
            clients: vec!["0oa1".into()],
            shares: vec![("replica".into(), 30)],
            default_share: DEFAULT_SHARE_PERCENT,
        }
    }

    #[test]
    fn principals_are_found_by_token_and_client_with_their_shares() {
        let p = Principals::new(&config()).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p.by_token("t1"), Some(1));
        assert_eq!(p.by_client("0oa1"), Some(2));
        assert_eq!(p.by_token("nope"), None);
        assert_eq!(p.get(0).unwrap().share, 50);
        assert_eq!(p.get(1).unwrap().share, 30);
        assert_eq!(p.primary_token(), "t0");
    }

    #[test]
    fn bad_configurations_are_refused() {
        let mut c = config();
        c.shares.push(("ghost".into(), 10));
        assert!(Principals::new(&c).is_err());
        let mut c = config();
        c.shares.push(("replica".into(), 0));
        assert!(Principals::new(&c).is_err());
        let mut c = config();
        c.default_share = 101;
        assert!(Principals::new(&c).is_err());
        let mut c = config();
        c.tokens.push(("other".into(), "t0".into()));
        assert!(Principals::new(&c).is_err());
        let mut c = config();
        c.tokens.push(("replica".into(), "t9".into()));
        assert!(Principals::new(&c).is_err());
    }
}
