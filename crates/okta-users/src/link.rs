//! RFC 8288 `Link` header parsing: Okta sends `self` and `next` as separate header lines.

use http::HeaderMap;
use http::header::LINK;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

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

/// Why a `next` link cannot be followed.
pub(crate) type Unfollowable = &'static str;

/// The path and query of a `next` link's target, absolute (`https://org/api/v1/users?after=x`)
/// or a path (`/api/v1/users?after=x`).
///
/// Only the path and query are kept: the next request goes to the org the service is configured
/// for, never to a host named in a response. A protocol-relative target (`//host:port/…`)
/// names a host without a scheme, which Okta never sends: it is refused rather than read as a
/// path, as is any path starting with `//` (it reads as a host to some servers).
pub(crate) fn path_and_query(target: &str) -> Result<String, Unfollowable> {
    const PROTOCOL_RELATIVE: Unfollowable = "a protocol-relative link names a host but no scheme";
    if target.starts_with("//") {
        return Err(PROTOCOL_RELATIVE);
    }
    let uri: http::Uri = target
        .parse()
        .or_else(|_| encode_unsafe(target).parse())
        .map_err(|_| "not a URI reference")?;
    let Some(path_and_query) = uri.path_and_query() else {
        return Err("no path");
    };
    let path_and_query = path_and_query.as_str();
    if !path_and_query.starts_with('/') {
        return Err("not an absolute path");
    }
    if path_and_query.starts_with("//") {
        return Err(PROTOCOL_RELATIVE);
    }
    Ok(path_and_query.to_owned())
}

/// Characters a server should have encoded but did not (space, controls, non-ASCII and the
/// few visible ones RFC 3986 excludes), encoded so the URI parses.
const UNSAFE_IN_URI: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn encode_unsafe(target: &str) -> String {
    utf8_percent_encode(target, UNSAFE_IN_URI).to_string()
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
            Ok("/api/v1/users?after=x")
        );
        assert_eq!(
            path_and_query("/api/v1/users?after=a%2Bb").as_deref(),
            Ok("/api/v1/users?after=a%2Bb")
        );
        assert_eq!(
            path_and_query("https://o/api/v1/users?after=a b|c\u{e9}").as_deref(),
            Ok("/api/v1/users?after=a%20b%7Cc%C3%A9")
        );
    }

    #[test]
    fn protocol_relative_targets_never_become_paths() {
        for target in [
            "//evil.example:8443/api/v1/users?after=x",
            "//evil/x",
            "https://org.okta.com//evil/x",
        ] {
            assert!(path_and_query(target).is_err(), "{target}");
        }
    }

    #[test]
    fn targets_that_are_not_absolute_paths_are_refused() {
        for target in ["?after=x", "api/v1/users?after=x", "", "http://"] {
            assert!(path_and_query(target).is_err(), "{target:?}");
        }
    }
}
