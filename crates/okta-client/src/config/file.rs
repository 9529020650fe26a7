//! Reading one `okta.yaml`: its `okta.client` section, every key checked (unknown keys and
//! values of the wrong kind refused with the file, line and key named), with saphyr.
//!
//! Why saphyr: a maintained, pure-Rust YAML 1.2 parser (yaml-rust2's successor, by its
//! maintainers) with line numbers on every node, which the errors name; its default-features-off
//! build is three small crates. `serde_yaml` is archived; its forks (`serde_yaml_ng`,
//! `serde_norway`) compile a C-to-Rust translation of libyaml and would give serde's errors,
//! which cannot say "unknown key, here are the ones this client reads" or skip the sections
//! of Okta's other tools.

use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::keys::{self, DPOP_MODES, Key, Kind};
use super::{Layer, Setting, SettingSource};
use crate::error::BuildError;

/// The largest `okta.yaml` read: a real one is a few KiB (a PEM key included).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The settings of the file at `path`, or `None` if there is no such file.
pub(crate) fn read(path: &Path) -> Result<Option<Layer>, BuildError> {
    let unreadable = |reason: String| BuildError::ConfigFile {
        path: path.to_owned(),
        reason,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(unreadable(error.to_string())),
    };
    if !metadata.is_file() {
        return Err(unreadable("not a file".to_owned()));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(unreadable(format!(
            "{} bytes is more than an okta.yaml can be ({MAX_FILE_BYTES})",
            metadata.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|error| unreadable(error.to_string()))?;
    parse(path, &text).map(Some)
}

/// The settings of `text`, read from `path`.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Layer, BuildError> {
    let invalid = |reason: String| BuildError::ConfigFile {
        path: path.to_owned(),
        reason,
    };
    let documents =
        MarkedYaml::load_from_str(text).map_err(|error| invalid(format!("not YAML: {error}")))?;
    let mut layer = Layer::new();
    let root = match documents.as_slice() {
        [] => return Ok(layer),
        [root] => root,
        _ => return Err(invalid("holds more than one YAML document".to_owned())),
    };
    let file = File { path };
    let Some(okta) = file.section(root, "okta", "the file")? else {
        return Ok(layer);
    };
    let Some(client) = file.section(okta, "client", "okta")? else {
        return Ok(layer);
    };
    file.read_section(client, &[], &mut layer)?;
    Ok(layer)
}

struct File<'a> {
    path: &'a Path,
}

impl File<'_> {
    fn error(&self, node: &MarkedYaml<'_>, key: String, reason: String) -> BuildError {
        BuildError::InvalidSetting {
            origin: SettingSource::File {
                path: self.path.to_owned(),
                line: node.span.start.line(),
            },
            key,
            reason,
        }
    }

    /// The mapping under `name` in `parent` (`None` when absent or null); `parent_name` names
    /// `parent` in errors. Keys are matched without regard to ASCII case, as .NET's SDK does.
    fn section<'n, 'i>(
        &self,
        parent: &'n MarkedYaml<'i>,
        name: &str,
        parent_name: &str,
    ) -> Result<Option<&'n MarkedYaml<'i>>, BuildError> {
        let entries = match &parent.data {
            YamlData::Mapping(entries) => entries,
            YamlData::Value(Scalar::Null) => return Ok(None),
            _ => {
                return Err(self.error(
                    parent,
                    parent_name.to_owned(),
                    "expected a mapping of keys".to_owned(),
                ));
            }
        };
        for (key, value) in entries {
            if key_text(key).is_some_and(|k| k.eq_ignore_ascii_case(name)) {
                return match &value.data {
                    YamlData::Mapping(_) => Ok(Some(value)),
                    YamlData::Value(Scalar::Null) => Ok(None),
                    _ => Err(self.error(
                        value,
                        dotted(parent_name, name),
                        "expected a mapping of keys".to_owned(),
                    )),
                };
            }
        }
        Ok(None)
    }

    /// Every entry of the mapping `node`, found at `prefix` under `okta.client`.
    fn read_section(
        &self,
        node: &MarkedYaml<'_>,
        prefix: &[&str],
        layer: &mut Layer,
    ) -> Result<(), BuildError> {
        let YamlData::Mapping(entries) = &node.data else {
            return Ok(());
        };
        let here = std::iter::once("okta.client")
            .chain(prefix.iter().copied())
            .collect::<Vec<_>>()
            .join(".");
        for (key_node, value) in entries {
            let Some(name) = key_text(key_node) else {
                return Err(self.error(
                    key_node,
                    here.clone(),
                    "holds a key that is not text".to_owned(),
                ));
            };
            let full = dotted(&here, name);
            let depth = prefix.len();
            let is_at = |path: &[&str]| {
                path.len() > depth
                    && path[..depth]
                        .iter()
                        .zip(prefix)
                        .all(|(a, b)| a.eq_ignore_ascii_case(b))
            };
            if keys::OTHER_SDKS.iter().any(|path| {
                is_at(path) && path.len() == depth + 1 && path[depth].eq_ignore_ascii_case(name)
            }) {
                tracing::warn!(
                    file = %self.path.display(),
                    key = %full,
                    "okta.yaml: a setting of Okta's other SDKs that this client does not use; ignored"
                );
                continue;
            }
            let found = keys::ALL.iter().copied().find(|key| {
                is_at(key.path)
                    && (key.path[depth].eq_ignore_ascii_case(name)
                        || (key.path.len() == depth + 1
                            && key
                                .yaml_aliases
                                .iter()
                                .any(|a| a.eq_ignore_ascii_case(name))))
            });
            let Some(key) = found else {
                return Err(self.error(
                    key_node,
                    full,
                    format!("is not a key this client knows; {}", expected_here(prefix)),
                ));
            };
            if key.path.len() > depth + 1 {
                // A section: `proxy`, `rateLimit`.
                match &value.data {
                    YamlData::Mapping(_) => {
                        let mut inner = prefix.to_vec();
                        inner.push(key.path[depth]);
                        self.read_section(value, &inner, layer)?;
                    }
                    YamlData::Value(Scalar::Null) => {}
                    _ => {
                        return Err(self.error(
                            value,
                            full,
                            "expected a mapping of keys".to_owned(),
                        ));
                    }
                }
                continue;
            }
            if let Some(text) = self.value(key, value, &full)? {
                let source = SettingSource::File {
                    path: self.path.to_owned(),
                    line: value.span.start.line(),
                };
                layer.insert(
                    key.var,
                    Setting {
                        value: text,
                        source,
                        name: full,
                    },
                );
            }
        }
        Ok(())
    }

    /// The value of `key` as text (`None` for null or empty), checked against its kind.
    fn value(
        &self,
        key: &Key,
        node: &MarkedYaml<'_>,
        full: &str,
    ) -> Result<Option<String>, BuildError> {
        let wrong = |expected: &str| {
            let found = match (&node.data, key.kind) {
                (_, Kind::Secret) => String::new(),
                (YamlData::Value(scalar), _) => format!(", found {}", show(scalar)),
                (YamlData::Sequence(_), _) => ", found a list".to_owned(),
                (YamlData::Mapping(_), _) => ", found a mapping".to_owned(),
                _ => String::new(),
            };
            self.error(node, full.to_owned(), format!("expected {expected}{found}"))
        };
        let text = match (&node.data, key.kind) {
            (YamlData::Value(Scalar::Null), _) => return Ok(None),
            (YamlData::Value(Scalar::String(text)), _) => text.to_string(),
            (
                YamlData::Value(Scalar::Integer(n)),
                Kind::Text | Kind::Seconds | Kind::Count | Kind::Port,
            ) => n.to_string(),
            (YamlData::Value(Scalar::Boolean(on)), Kind::DpopMode) => on.to_string(),
            (YamlData::Sequence(items), Kind::Scopes) => {
                let mut scopes = Vec::with_capacity(items.len());
                for item in items {
                    match &item.data {
                        YamlData::Value(Scalar::String(scope)) => scopes.push(scope.to_string()),
                        _ => return Err(wrong("a list of scopes (text)")),
                    }
                }
                scopes.join(" ")
            }
            (_, Kind::Text) => return Err(wrong("text")),
            (_, Kind::Secret) => return Err(wrong("text")),
            (_, Kind::Scopes) => {
                return Err(wrong(
                    "a list of scopes, or scopes separated by commas or spaces",
                ));
            }
            (_, Kind::Seconds) => return Err(wrong("a whole number of seconds")),
            (_, Kind::Count) => return Err(wrong("a whole number")),
            (_, Kind::Port) => return Err(wrong("a port number (1-65535)")),
            (_, Kind::DpopMode) => return Err(wrong(DPOP_MODES)),
        };
        Ok(Some(text).filter(|text| !text.trim().is_empty()))
    }
}

fn key_text<'a>(node: &'a MarkedYaml<'_>) -> Option<&'a str> {
    match &node.data {
        YamlData::Value(Scalar::String(text)) => Some(text),
        _ => None,
    }
}

fn dotted(parent: &str, name: &str) -> String {
    if parent == "the file" {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// A scalar as the user wrote it, for an error message.
fn show(scalar: &Scalar<'_>) -> String {
    match scalar {
        Scalar::Null => "null".to_owned(),
        Scalar::Boolean(b) => b.to_string(),
        Scalar::Integer(n) => n.to_string(),
        Scalar::FloatingPoint(f) => f.to_string(),
        Scalar::String(text) => format!("{:?}", text.as_ref()),
    }
}

/// "expected one of: orgUrl, token, …" for the keys under `prefix`.
fn expected_here(prefix: &[&str]) -> String {
    let depth = prefix.len();
    let mut names: Vec<&str> = keys::ALL
        .iter()
        .filter(|key| {
            key.path.len() > depth
                && key.path[..depth]
                    .iter()
                    .zip(prefix)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
        .map(|key| key.path[depth])
        .collect();
    names.dedup();
    format!("expected one of: {}", names.join(", "))
}
