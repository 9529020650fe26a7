//! `limit`/`after` paging: opaque cursors (over the creation sequence, or for a sorted search
//! the last item's sort value and sequence), and RFC 8288 `Link` headers
//! (`self` and `next` as separate lines, absolute URLs).

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderValue;

/// The largest page Okta returns.
pub(crate) const MAX_LIMIT: usize = 200;

/// Parse `limit`: missing → `default`, larger than 200 → 200, below 1 → 1.
pub(crate) fn limit(raw: Option<&str>, default: usize) -> Result<usize, ApiError> {
    match raw {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .map(|n| n.clamp(1, MAX_LIMIT as i64) as usize)
            .map_err(|_| ApiError::validation("limit", "must be an integer")),
    }
}

/// An opaque cursor for the item with creation sequence `seq`.
pub(crate) fn encode_cursor(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("c{seq}"))
}

/// The sequence a cursor points at; `None` (start) when absent.
pub(crate) fn decode_cursor(raw: Option<&str>) -> Result<Option<u64>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix('c').and_then(|n| n.parse().ok()))
        .map(Some)
        .ok_or_else(|| ApiError::validation("after", "invalid cursor"))
}

/// The cursor of a sorted search: the last item's sort value (any JSON) and id, so that the next
/// page starts after that item wherever it now sorts — a user created or changed meanwhile
/// neither shifts the rest nor repeats it.
pub(crate) fn encode_sort_cursor(value: &serde_json::Value, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("k{}", serde_json::json!([value, id])))
}

/// The sort value and id a sorted search's cursor holds; `None` (start) when absent.
pub(crate) fn decode_sort_cursor(
    raw: Option<&str>,
) -> Result<Option<(serde_json::Value, String)>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let json = s.strip_prefix('k')?;
            serde_json::from_str::<(serde_json::Value, String)>(json).ok()
        })
        .map(Some)
        .ok_or_else(|| ApiError::validation("after", "invalid cursor"))
}

/// `Link` header values: `self` for this request, and `next` when another page exists.
pub(crate) fn link_headers(
    base: &str,
    path: &str,
    raw_query: &str,
    next: Option<&str>,
) -> Vec<HeaderValue> {
    let mut out = Vec::with_capacity(2);
    let q = if raw_query.is_empty() {
        String::new()
    } else {
        format!("?{raw_query}")
    };
    if let Ok(v) = HeaderValue::from_str(&format!("<{base}{path}{q}>; rel=\"self\"")) {
        out.push(v);
    }
    if let Some(cursor) = next {
        let mut parts: Vec<&str> = raw_query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("after="))
            .collect();
        let after = format!("after={cursor}");
        parts.push(&after);
        if let Ok(v) =
            HeaderValue::from_str(&format!("<{base}{path}?{}>; rel=\"next\"", parts.join("&")))
        {
            out.push(v);
        }
    }
    out
}

/// One page of `items` (already in cursor order) after `after`, with the cursor of the next page.
pub(crate) fn page<T>(
    items: impl Iterator<Item = T>,
    seq_of: impl Fn(&T) -> u64,
    after: Option<u64>,
    limit: usize,
) -> (Vec<T>, Option<String>) {
    let mut it = items
        .filter(|t| after.is_none_or(|a| seq_of(t) > a))
        .peekable();
    let mut out = Vec::with_capacity(limit.min(64));
    while out.len() < limit {
        match it.next() {
            Some(t) => out.push(t),
            None => break,
        }
    }
    let next = match (it.peek(), out.last()) {
        (Some(_), Some(last)) => Some(encode_cursor(seq_of(last))),
        _ => None,
    };
    (out, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_clamps() {
        assert_eq!(limit(None, 200).unwrap(), 200);
        assert_eq!(limit(Some("1000"), 200).unwrap(), 200);
        assert_eq!(limit(Some("0"), 200).unwrap(), 1);
        assert_eq!(limit(Some("5"), 200).unwrap(), 5);
        assert!(limit(Some("x"), 200).is_err());
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(Some(&encode_cursor(42))).unwrap(), Some(42));
        assert!(decode_cursor(Some("!!")).is_err());
        assert_eq!(decode_cursor(None).unwrap(), None);
    }

    #[test]
    fn sort_cursors_round_trip_and_do_not_mix_with_plain_ones() {
        let value = serde_json::json!({"s": "Ada"});
        let cursor = encode_sort_cursor(&value, "00u7");
        assert_eq!(
            decode_sort_cursor(Some(&cursor)).unwrap(),
            Some((value, "00u7".to_owned()))
        );
        assert!(decode_sort_cursor(Some(&encode_cursor(7))).is_err());
        assert!(decode_cursor(Some(&cursor)).is_err());
        assert_eq!(decode_sort_cursor(None).unwrap(), None);
    }

    #[test]
    fn pages_and_links() {
        let (p, next) = page(1..=5u64, |x| *x, Some(1), 2);
        assert_eq!(p, vec![2, 3]);
        let next = next.unwrap();
        let (p2, last) = page(1..=5u64, |x| *x, decode_cursor(Some(&next)).unwrap(), 10);
        assert_eq!(p2, vec![4, 5]);
        assert!(last.is_none());
        let links = link_headers(
            "http://h",
            "/api/v1/users",
            "limit=2&after=old",
            Some("NEW"),
        );
        assert_eq!(
            links[0],
            "<http://h/api/v1/users?limit=2&after=old>; rel=\"self\""
        );
        assert_eq!(
            links[1],
            "<http://h/api/v1/users?limit=2&after=NEW>; rel=\"next\""
        );
    }
}
