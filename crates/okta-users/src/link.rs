//! RFC 8288 `Link` header parsing: Okta sends `self` and `next` as separate header lines.

use http::HeaderMap;
use http::header::LINK;

/// The target of the first link whose `rel` includes `relation`, across every `Link` header line
/// and every comma-separated link within a line.
pub fn find_link(headers: &HeaderMap, relation: &str) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(parse_links)
        .find(|link| {
            link.rels
                .split_ascii_whitespace()
                .any(|rel| rel.eq_ignore_ascii_case(relation))
        })
        .map(|link| link.target.to_owned())
}

/// One parsed link: its target and its `rel` parameter (possibly several space-separated values).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Link<'a> {
    pub(crate) target: &'a str,
    pub(crate) rels: &'a str,
}

/// Parses one header value, which may hold several links separated by commas; commas inside
/// `<…>` or quoted strings do not separate.
pub(crate) fn parse_links(value: &str) -> Vec<Link<'_>> {
    let mut links = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let Some(after_open) = rest.strip_prefix('<') else {
            break;
        };
        let Some(close) = after_open.find('>') else {
            break;
        };
        let target = &after_open[..close];
        rest = &after_open[close + 1..];
        let mut rels = "";
        // Parameters run until an unquoted comma.
        loop {
            rest = rest.trim_start_matches([' ', '\t']);
            let Some(after_semicolon) = rest.strip_prefix(';') else {
                break;
            };
            rest = after_semicolon.trim_start_matches([' ', '\t']);
            let name_end = rest.find(['=', ';', ',']).unwrap_or(rest.len());
            let name = rest[..name_end].trim();
            rest = &rest[name_end..];
            let mut param_value = "";
            if let Some(after_eq) = rest.strip_prefix('=') {
                let after_eq = after_eq.trim_start_matches([' ', '\t']);
                if let Some(quoted) = after_eq.strip_prefix('"') {
                    let end = quoted.find('"').unwrap_or(quoted.len());
                    param_value = &quoted[..end];
                    rest = quoted.get(end + 1..).unwrap_or("");
                } else {
                    let end = after_eq.find([';', ',']).unwrap_or(after_eq.len());
                    param_value = after_eq[..end].trim();
                    rest = &after_eq[end..];
                }
            }
            if name.eq_ignore_ascii_case("rel") && rels.is_empty() {
                rels = param_value;
            }
        }
        links.push(Link { target, rels });
        match rest.find(',') {
            Some(comma) => rest = &rest[comma + 1..],
            None => break,
        }
    }
    links
}

/// The path and query of a link target, absolute (`https://org/api/v1/users?after=x`) or not.
///
/// Only the path and query are kept: the next request goes to the org the service is configured
/// for, never to a host named in a response.
pub(crate) fn path_and_query(target: &str) -> Option<String> {
    let uri: http::Uri = target
        .parse()
        .ok()
        .or_else(|| encode_unsafe(target).parse().ok())?;
    uri.path_and_query().map(|pq| pq.as_str().to_owned())
}

// Characters a server should have encoded but did not, encoded so the URI parses.
fn encode_unsafe(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for byte in target.bytes() {
        if byte.is_ascii_graphic()
            && !matches!(
                byte,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            )
        {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append(LINK, HeaderValue::from_str(line).unwrap());
        }
        map
    }

    #[test]
    fn next_is_found_on_a_separate_header_line() {
        let map = headers(&[
            r#"<https://org.okta.com/api/v1/users?limit=2>; rel="self""#,
            r#"<https://org.okta.com/api/v1/users?after=00u2&limit=2>; rel="next""#,
        ]);
        assert_eq!(
            find_link(&map, "next").as_deref(),
            Some("https://org.okta.com/api/v1/users?after=00u2&limit=2")
        );
    }

    #[test]
    fn several_links_in_one_line_with_commas_inside_targets() {
        let map = headers(&[
            r#"<https://o/x?a=1,2>; rel="self", <https://o/x?after=b%2Cc>; title="n, x"; rel=next"#,
        ]);
        assert_eq!(
            find_link(&map, "self").as_deref(),
            Some("https://o/x?a=1,2")
        );
        assert_eq!(
            find_link(&map, "next").as_deref(),
            Some("https://o/x?after=b%2Cc")
        );
    }

    #[test]
    fn multiple_rel_values_and_case() {
        let map = headers(&[r#"<https://o/y>; rel="prefetch NEXT""#]);
        assert_eq!(find_link(&map, "next").as_deref(), Some("https://o/y"));
    }

    #[test]
    fn no_next_on_the_last_page() {
        let map = headers(&[r#"<https://o/x>; rel="self""#]);
        assert_eq!(find_link(&map, "next"), None);
        assert_eq!(find_link(&HeaderMap::new(), "next"), None);
    }

    #[test]
    fn garbage_is_ignored() {
        assert!(parse_links("nonsense").is_empty());
        assert!(parse_links("<unterminated; rel=next").is_empty());
    }

    #[test]
    fn path_and_query_of_absolute_and_odd_targets() {
        assert_eq!(
            path_and_query("https://evil.example/api/v1/users?after=x").as_deref(),
            Some("/api/v1/users?after=x")
        );
        assert_eq!(
            path_and_query("/api/v1/users?after=a%2Bb").as_deref(),
            Some("/api/v1/users?after=a%2Bb")
        );
        assert_eq!(
            path_and_query("https://o/api/v1/users?after=a b|c").as_deref(),
            Some("/api/v1/users?after=a%20b%7Cc")
        );
    }
}
