//! Whether a profile read back holds what a call sent.

use serde_json::{Map, Value};

/// Whether every attribute `sent` sets has that value in `read`; an attribute sent as `null`
/// (cleared) must be absent or `null`. What a partial update, and a create, leave behind.
pub(crate) fn holds(sent: &Map<String, Value>, read: &Map<String, Value>) -> bool {
    sent.iter()
        .all(|(name, value)| match (value, read.get(name)) {
            (Value::Null, None | Some(Value::Null)) => true,
            (value, Some(found)) => value == found,
            (_, None) => false,
        })
}

/// Whether `read` is `sent` as a whole: [`holds`], and every other attribute of `read` is
/// `null`. What a replace leaves behind.
pub(crate) fn is(sent: &Map<String, Value>, read: &Map<String, Value>) -> bool {
    holds(sent, read)
        && read
            .iter()
            .all(|(name, value)| value.is_null() || sent.contains_key(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        }
    }

    #[test]
    fn a_partial_profile_holds_when_each_attribute_sent_has_its_value() {
        let read = map(json!({"login": "a@x.io", "title": "Countess", "nickName": null}));
        assert!(holds(&map(json!({"title": "Countess"})), &read));
        assert!(holds(&map(json!({"nickName": null, "zip": null})), &read));
        assert!(!holds(&map(json!({"title": "Count"})), &read));
        assert!(!holds(&map(json!({"division": "R&D"})), &read));
        assert!(!holds(&map(json!({"login": null})), &read));
        assert!(holds(&map(json!({})), &read));
    }

    #[test]
    fn a_whole_profile_is_the_read_one_when_nothing_else_is_set() {
        let sent = map(json!({"login": "a@x.io", "title": "Countess"}));
        assert!(is(
            &sent,
            &map(json!({"login": "a@x.io", "title": "Countess", "zip": null}))
        ));
        assert!(!is(
            &sent,
            &map(json!({"login": "a@x.io", "title": "Countess", "zip": "1"}))
        ));
        assert!(!is(&sent, &map(json!({"login": "a@x.io"}))));
    }
}
