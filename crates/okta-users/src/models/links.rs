//! `_links` (HAL-style link objects) and linked-object responses.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use compact_str::CompactString;

use super::lossless::lossless_struct;

lossless_struct! {
    /// One link (`HrefObject`): where it points, plus optional metadata. Keys the spec does
    /// not list (Okta sends e.g. `method`) are kept in [`extra`](Self::extra).
    #[derive(Debug, Clone, Default, PartialEq)]
    #[non_exhaustive]
    pub struct HrefObject {
        /// `href`: the link's URL.
        href: String = "href",
        /// `name`: a name for the target (e.g. a logo size).
        name: CompactString = "name",
        /// `type`: the media type of the target.
        r#type: CompactString = "type",
        /// `templated`: whether `href` is a URI template.
        templated: bool = "templated",
        /// `hints`: e.g. the HTTP methods the target allows.
        hints: HrefHints = "hints",
        /// `title`: a human-readable title.
        title: CompactString = "title",
        /// `method`: the HTTP method of the target (Okta sends it on lifecycle links, e.g.
        /// `POST` for `activate`; not in the spec's `HrefObject`, but in its examples).
        method: CompactString = "method",
    }
    /// Every other key of the link object.
    extra extra;
}

impl HrefObject {
    /// A link to `href`.
    pub fn new(href: impl Into<String>) -> Self {
        Self {
            href: Some(href.into()),
            ..Self::default()
        }
    }

    /// The link's URL, if it has one.
    pub fn href(&self) -> Option<&str> {
        self.href.as_deref()
    }
}

/// Hints about a link's target (`HrefHints`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HrefHints {
    /// `allow`: the HTTP methods the target accepts, e.g. `["GET", "DELETE"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
}

/// The value of one relation in `_links`: a single link or a list of links.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkValue {
    /// A single link object (the usual case).
    One(HrefObject),
    /// A list of link objects (e.g. `logo` in several sizes).
    Many(Vec<HrefObject>),
}

impl LinkValue {
    /// The first link (the only one for [`One`](Self::One)).
    pub fn first(&self) -> Option<&HrefObject> {
        match self {
            LinkValue::One(link) => Some(link),
            LinkValue::Many(links) => links.first(),
        }
    }

    /// The first link's URL.
    pub fn href(&self) -> Option<&str> {
        self.first().and_then(HrefObject::href)
    }

    /// Every link of this relation.
    pub fn as_slice(&self) -> &[HrefObject] {
        match self {
            LinkValue::One(link) => std::slice::from_ref(link),
            LinkValue::Many(links) => links,
        }
    }
}

impl From<HrefObject> for LinkValue {
    fn from(link: HrefObject) -> Self {
        LinkValue::One(link)
    }
}

impl Serialize for LinkValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            LinkValue::One(link) => link.serialize(serializer),
            LinkValue::Many(links) => links.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for LinkValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrMany;

        impl<'de> Visitor<'de> for OneOrMany {
            type Value = LinkValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a link object or an array of link objects")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<LinkValue, A::Error> {
                HrefObject::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(LinkValue::One)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LinkValue, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(LinkValue::Many)
            }
        }

        deserializer.deserialize_any(OneOrMany)
    }
}

/// A resource's `_links`: relation name → link(s), in the order received.
///
/// ```
/// use okta_users::models::{HrefObject, Links};
/// let mut links = Links::default();
/// links.insert("self", HrefObject::new("https://example.okta.com/api/v1/users/00u1"));
/// assert_eq!(links.href("self"), Some("https://example.okta.com/api/v1/users/00u1"));
/// assert!(links.get("next").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Links {
    entries: Vec<(Rel, LinkValue)>,
}

/// Room made for more links once a `_links` object holds more than its first.
const LINKS_AFTER_THE_FIRST: usize = 15;

/// A relation name. Okta's usual ones are `&'static str`s, so that decoding them allocates
/// nothing (a user has five to ten links).
#[derive(Clone)]
enum Rel {
    Known(&'static str),
    Other(String),
}

macro_rules! known_rels {
    ($($rel:literal)*) => {
        fn known_rel(rel: &str) -> Option<&'static str> {
            match rel {
                $($rel => Some($rel),)*
                _ => None,
            }
        }
    };
}

known_rels! {
    "self" "next" "prev" "schema" "type" "activate" "reactivate" "deactivate" "suspend"
    "unsuspend" "unlock" "resetPassword" "resetFactors" "expirePassword" "forgotPassword"
    "changePassword" "changeRecoveryQuestion" "groups" "apps" "factors" "roles" "user" "users"
    "member" "app" "group" "role" "assignee" "permissions" "resource-set" "revoke" "client"
    "issuer" "logo" "authorize" "metadata" "keys" "acs" "target"
}

impl Rel {
    fn as_str(&self) -> &str {
        match self {
            Rel::Known(rel) => rel,
            Rel::Other(rel) => rel,
        }
    }
}

impl From<String> for Rel {
    fn from(rel: String) -> Self {
        match known_rel(&rel) {
            Some(known) => Rel::Known(known),
            None => Rel::Other(rel),
        }
    }
}

impl PartialEq for Rel {
    fn eq(&self, other: &Rel) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Rel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<'de> Deserialize<'de> for Rel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RelVisitor;

        impl Visitor<'_> for RelVisitor {
            type Value = Rel;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a link relation name")
            }

            fn visit_str<E: de::Error>(self, rel: &str) -> Result<Rel, E> {
                Ok(match known_rel(rel) {
                    Some(known) => Rel::Known(known),
                    None => Rel::Other(rel.to_owned()),
                })
            }

            fn visit_string<E: de::Error>(self, rel: String) -> Result<Rel, E> {
                Ok(Rel::from(rel))
            }
        }

        deserializer.deserialize_str(RelVisitor)
    }
}

impl Links {
    /// No links.
    pub fn new() -> Self {
        Self::default()
    }

    /// The link(s) of relation `rel` (e.g. `"self"`, `"next"`, `"activate"`).
    pub fn get(&self, rel: &str) -> Option<&LinkValue> {
        self.entries
            .iter()
            .find(|(name, _)| name.as_str() == rel)
            .map(|(_, value)| value)
    }

    /// The URL of the (first) link of relation `rel`.
    pub fn href(&self, rel: &str) -> Option<&str> {
        self.get(rel).and_then(LinkValue::href)
    }

    /// Whether relation `rel` is present (Okta lists e.g. `activate` only when allowed).
    pub fn contains(&self, rel: &str) -> bool {
        self.get(rel).is_some()
    }

    /// Sets relation `rel`, replacing any previous value; returns the previous value.
    pub fn insert(
        &mut self,
        rel: impl Into<String>,
        value: impl Into<LinkValue>,
    ) -> Option<LinkValue> {
        let rel = Rel::from(rel.into());
        let value = value.into();
        match self.entries.iter_mut().find(|(name, _)| *name == rel) {
            Some((_, old)) => Some(std::mem::replace(old, value)),
            None => {
                self.entries.push((rel, value));
                None
            }
        }
    }

    /// Removes relation `rel`.
    pub fn remove(&mut self, rel: &str) -> Option<LinkValue> {
        let index = self
            .entries
            .iter()
            .position(|(name, _)| name.as_str() == rel)?;
        Some(self.entries.remove(index).1)
    }

    /// Every relation and its link(s).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &LinkValue)> {
        self.entries
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }

    /// The number of relations.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` if there are no links.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Serialize for Links {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (rel, value) in &self.entries {
            map.serialize_entry(rel.as_str(), value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Links {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LinksVisitor;

        impl<'de> Visitor<'de> for LinksVisitor {
            type Value = Links;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a `_links` object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Links, A::Error> {
                let mut entries: Vec<(Rel, LinkValue)> =
                    Vec::with_capacity(map.size_hint().unwrap_or(1));
                while let Some((rel, value)) = map.next_entry::<Rel, LinkValue>()? {
                    match entries.iter_mut().find(|(name, _)| *name == rel) {
                        Some((_, old)) => *old = value,
                        None => {
                            if entries.len() == entries.capacity() {
                                // A listed user has one link (`self`), a user read alone about
                                // a dozen: grown once, not by doubling from one.
                                entries.reserve(LINKS_AFTER_THE_FIRST);
                            }
                            entries.push((rel, value));
                        }
                    }
                }
                Ok(Links { entries })
            }

            fn visit_unit<E: de::Error>(self) -> Result<Links, E> {
                Ok(Links::default())
            }
        }

        deserializer.deserialize_any(LinksVisitor)
    }
}

/// One item of a linked-objects list (`ResponseLinks`): a link to the related user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LinkedObject {
    /// `_links`; `self` points at the linked user.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

impl LinkedObject {
    /// The URL of the linked user (the `self` link).
    pub fn href(&self) -> Option<&str> {
        self.links.href("self")
    }

    /// The id of the linked user: the last path segment of the `self` link.
    pub fn user_id(&self) -> Option<&str> {
        let href = self.href()?;
        let path = href
            .split(['?', '#'])
            .next()
            .unwrap_or(href)
            .trim_end_matches('/');
        path.rsplit('/').next().filter(|id| !id.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn decodes_one_and_many_with_extra_keys() {
        let value = json!({
            "self": {"href": "https://x/api/v1/users/00u1"},
            "resetPassword": {"href": "https://x/reset", "method": "POST"},
            "logo": [
                {"name": "medium", "href": "https://x/m.png", "type": "image/png"},
                {"name": "large", "href": "https://x/l.png", "type": "image/png"}
            ],
            "revoke": {"href": "https://x/t", "hints": {"allow": ["DELETE"]}, "templated": false, "title": "Revoke"}
        });
        let links: Links = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(links.len(), 4);
        assert_eq!(links.href("self"), Some("https://x/api/v1/users/00u1"));
        let reset = links.get("resetPassword").unwrap().first().unwrap();
        assert_eq!(reset.method.as_deref(), Some("POST"));
        assert!(reset.extra.is_empty());
        let logos = links.get("logo").unwrap().as_slice();
        assert_eq!(logos.len(), 2);
        assert_eq!(logos[1].name.as_deref(), Some("large"));
        assert_eq!(logos[1].r#type.as_deref(), Some("image/png"));
        assert_eq!(links.href("logo"), Some("https://x/m.png"));
        let revoke = links.get("revoke").unwrap().first().unwrap();
        assert_eq!(
            revoke.hints.as_ref().unwrap().allow,
            vec!["DELETE".to_owned()]
        );
        assert_eq!(revoke.templated, Some(false));
        assert_eq!(links.href("next"), None);
        // lossless, `false` included
        let encoded = serde_json::to_value(&links).unwrap();
        assert_eq!(encoded, value);
        assert_eq!(encoded["revoke"]["templated"], json!(false));
    }

    #[test]
    fn known_and_other_relation_names_read_and_compare_alike() {
        let decoded: Links = serde_json::from_str(
            r#"{"self":{"href":"a"},"x-custom\u0041":{"href":"b"},"activate":{"href":"c"}}"#,
        )
        .unwrap();
        let rels: Vec<&str> = decoded.iter().map(|(rel, _)| rel).collect();
        assert_eq!(rels, ["self", "x-customA", "activate"]);
        let mut built = Links::new();
        built.insert(String::from("self"), HrefObject::new("a"));
        built.insert("x-customA", HrefObject::new("b"));
        built.insert("activate".to_owned(), HrefObject::new("c"));
        assert_eq!(decoded, built);
        assert_eq!(
            serde_json::to_string(&built).unwrap(),
            r#"{"self":{"href":"a"},"x-customA":{"href":"b"},"activate":{"href":"c"}}"#
        );
    }

    #[test]
    fn insert_replace_remove() {
        let mut links = Links::new();
        assert!(links.is_empty());
        assert!(links.insert("next", HrefObject::new("a")).is_none());
        assert_eq!(
            links.insert("next", HrefObject::new("b")).unwrap().href(),
            Some("a")
        );
        assert_eq!(links.href("next"), Some("b"));
        assert!(links.contains("next"));
        assert_eq!(links.iter().count(), 1);
        assert_eq!(links.remove("next").unwrap().href(), Some("b"));
        assert!(links.is_empty());
    }

    #[test]
    fn link_without_href_is_kept() {
        // the spec's custom-role example has a mangled `href\"` key
        let links: Links =
            serde_json::from_str(r#"{"assignee": {"href\"": "https://x/u/1"}}"#).unwrap();
        let assignee = links.get("assignee").unwrap().first().unwrap();
        assert_eq!(assignee.href(), None);
        assert_eq!(assignee.extra.get("href\""), Some(json!("https://x/u/1")));
    }

    #[test]
    fn not_a_link_is_an_error() {
        assert!(serde_json::from_str::<Links>(r#"{"self": "https://x"}"#).is_err());
        assert!(serde_json::from_str::<Links>(r#"[]"#).is_err());
    }

    #[test]
    fn linked_object_user_id() {
        let object: LinkedObject = serde_json::from_str(
            r#"{"_links":{"self":{"href":"https://x/api/v1/users/00u5zex6ztMbOZhF50h7"}}}"#,
        )
        .unwrap();
        assert_eq!(object.user_id(), Some("00u5zex6ztMbOZhF50h7"));
        let mut trailing = LinkedObject::default();
        trailing
            .links
            .insert("self", HrefObject::new("https://x/api/v1/users/00u9/?a=b"));
        assert_eq!(trailing.user_id(), Some("00u9"));
        assert_eq!(LinkedObject::default().user_id(), None);
    }
}
