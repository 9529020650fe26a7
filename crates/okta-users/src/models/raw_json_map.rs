//! [`RawJsonMap`]: the attributes a model does not type (a profile's custom attributes, a
//! link's other keys), kept as JSON text in one buffer and decoded on access.
//!
//! A profile's custom attributes used to be a `serde_json::Map`: a heap `String` per key, a
//! `Value` per attribute (a heap string, a heap array…) and a tree node — about a dozen
//! allocations per user, a third of the profile's decoding. Here an object's attributes take
//! two: the text (names and values) and the index. serde-transcode is not used to write the
//! text: it converts the input's errors to the output's type and back, losing serde_json's
//! line and column.

use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Named JSON values kept as text, in one buffer, sorted by name; read with
/// [`get`](Self::get) (decoded on access), [`get_raw`](Self::get_raw) (the JSON text) or
/// [`get_as`](Self::get_as) (your own type).
///
/// Decoding keeps what `serde_json::Map<String, Value>` would: the last of a name given twice,
/// numbers as serde_json reads them (`u64`, `i64`, else `f64`), strings unescaped. Encoding
/// writes the attributes sorted by name, each value as serde_json writes that `Value`, so a
/// map read and sent back encodes exactly as the `Map` did.
///
/// ```
/// use okta_users::models::RawJsonMap;
/// let mut map = RawJsonMap::new();
/// map.insert("level", &serde_json::json!(3));
/// assert_eq!(map.get_raw("level"), Some("3"));
/// assert_eq!(map.get_as::<u8>("level").transpose().unwrap(), Some(3));
/// assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"level":3}"#);
/// ```
#[derive(Clone, Default)]
pub struct RawJsonMap {
    /// Each entry's name (unescaped) followed by its value (JSON), in the order written; an
    /// entry replaced or removed leaves its bytes behind until they outweigh the live ones
    /// (then the text is rewritten: see `compact_if_sparse`).
    text: String,
    /// The live entries, sorted by name.
    entries: Vec<Entry>,
}

#[derive(Clone, Copy)]
struct Entry {
    name_start: usize,
    value_start: usize,
    value_end: usize,
}

impl Entry {
    fn name(self) -> Range<usize> {
        self.name_start..self.value_start
    }

    fn value(self) -> Range<usize> {
        self.value_start..self.value_end
    }
}

impl RawJsonMap {
    /// An empty map (allocates nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` if there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `true` if `name` has a value.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// The value of `name`, decoded.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.get_raw(name).map(decode_own_text)
    }

    /// The value of `name` as JSON text (as serde_json writes it).
    pub fn get_raw(&self, name: &str) -> Option<&str> {
        let index = self.find(name).ok()?;
        Some(&self.text[self.entries[index].value()])
    }

    /// The value of `name` decoded as a `T`, straight from its text (no [`Value`] built).
    pub fn get_as<T: de::DeserializeOwned>(&self, name: &str) -> Option<serde_json::Result<T>> {
        self.get_raw(name).map(serde_json::from_str)
    }

    /// Every name and its value's JSON text, sorted by name.
    pub fn iter_raw(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|entry| (&self.text[entry.name()], &self.text[entry.value()]))
    }

    /// Every name, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter_raw().map(|(name, _)| name)
    }

    /// Sets `name` to `value`; returns the previous value.
    pub fn insert(&mut self, name: &str, value: &Value) -> Option<Value> {
        let name_start = self.text.len();
        self.text.push_str(name);
        let value_start = self.text.len();
        // Writing a `Value` to a `String` cannot fail: its keys are strings.
        let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
        self.text.push_str(&json);
        let entry = Entry {
            name_start,
            value_start,
            value_end: self.text.len(),
        };
        let previous = match self.find(name) {
            Ok(index) => {
                let old = std::mem::replace(&mut self.entries[index], entry);
                Some(decode_own_text(&self.text[old.value()]))
            }
            Err(index) => {
                self.entries.insert(index, entry);
                None
            }
        };
        self.compact_if_sparse();
        previous
    }

    /// Removes `name`; returns its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let index = self.find(name).ok()?;
        let entry = self.entries.remove(index);
        let value = decode_own_text(&self.text[entry.value()]);
        self.compact_if_sparse();
        Some(value)
    }

    /// Rewrites the text with the live entries only once replaced and removed ones take more
    /// than half of it, so that setting one attribute over and over does not grow the map.
    fn compact_if_sparse(&mut self) {
        if self.entries.is_empty() {
            self.text.clear();
            return;
        }
        let live: usize = self
            .entries
            .iter()
            .map(|entry| entry.value_end - entry.name_start)
            .sum();
        if self.text.len() <= 2 * live + COMPACTION_SLACK {
            return;
        }
        let mut text = String::with_capacity(live);
        for entry in &mut self.entries {
            let name_start = text.len();
            text.push_str(&self.text[entry.name_start..entry.value_end]);
            *entry = Entry {
                name_start,
                value_start: name_start + (entry.value_start - entry.name_start),
                value_end: text.len(),
            };
        }
        self.text = text;
    }

    /// The entries as a `serde_json::Map`.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter_raw()
            .map(|(name, json)| (name.to_owned(), decode_own_text(json)))
            .collect()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|entry| self.text[entry.name()].cmp(name))
    }
}

/// The map's own text is JSON serde_json wrote: decoding it cannot fail.
fn decode_own_text(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}

impl PartialEq for RawJsonMap {
    /// Equal names and equal values (each written the one way serde_json writes a value).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter_raw().eq(other.iter_raw())
    }
}

impl fmt::Debug for RawJsonMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Json<'a>(&'a str);
        impl fmt::Debug for Json<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
        f.debug_map()
            .entries(self.iter_raw().map(|(name, json)| (name, Json(json))))
            .finish()
    }
}

impl From<Map<String, Value>> for RawJsonMap {
    fn from(map: Map<String, Value>) -> Self {
        let mut raw = RawJsonMap::new();
        for (name, value) in &map {
            raw.insert(name, value);
        }
        raw
    }
}

impl Serialize for RawJsonMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        self.serialize_entries(&mut map, |_| false)?;
        map.end()
    }
}

impl RawJsonMap {
    /// Writes the entries whose name `skip` does not refuse, each value decoded from its text.
    pub(crate) fn serialize_entries<M: SerializeMap>(
        &self,
        map: &mut M,
        skip: impl Fn(&str) -> bool,
    ) -> Result<(), M::Error> {
        for (name, json) in self.iter_raw() {
            if !skip(name) {
                map.serialize_entry(name, &decode_own_text(json))?;
            }
        }
        Ok(())
    }

    /// The number of entries whose name `skip` does not refuse.
    pub(crate) fn count_unless(&self, skip: impl Fn(&str) -> bool) -> usize {
        self.keys().filter(|name| !skip(name)).count()
    }
}

impl<'de> Deserialize<'de> for RawJsonMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor;

        impl<'de> Visitor<'de> for MapVisitor {
            type Value = RawJsonMap;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawJsonMap, A::Error> {
                let mut builder = RawJsonMapBuilder::default();
                // no name is typed here: each starts an entry
                while let Some(None) = map.next_key_seed(builder.name_reader(|_| None::<()>))? {
                    map.next_value_seed(builder.value_writer())?;
                    builder.finish_entry();
                }
                builder.finish()
            }
        }

        deserializer.deserialize_map(MapVisitor)
    }
}

/// Dead bytes a map's text may hold beyond as many as its live ones before it is rewritten.
const COMPACTION_SLACK: usize = 256;

/// Bytes of text reserved for the first entry of an object (Okta sends a handful of custom
/// attributes, names and values of 10–30 bytes each).
const INITIAL_TEXT_CAPACITY: usize = 256;
/// Entries reserved for the first entry of an object.
const INITIAL_ENTRIES: usize = 8;

/// Builds a [`RawJsonMap`] while an object is decoded: each entry's name, then its value
/// written as JSON straight from the deserializer.
#[derive(Default)]
pub(crate) struct RawJsonMapBuilder {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    name_start: usize,
    value_start: usize,
}

impl RawJsonMapBuilder {
    /// Starts the entry `name`; its value follows, written with [`value_writer`](Self::value_writer)
    /// or [`push_null`](Self::push_null), then [`finish_entry`](Self::finish_entry).
    pub(crate) fn start_entry(&mut self, name: &str) {
        if self.entries.capacity() == 0 {
            // room for a typical profile's extra attributes, rather than growing by doubling
            self.bytes.reserve(INITIAL_TEXT_CAPACITY);
            self.entries.reserve(INITIAL_ENTRIES);
        }
        self.name_start = self.bytes.len();
        self.bytes.extend_from_slice(name.as_bytes());
        self.value_start = self.bytes.len();
    }

    /// A seed that reads an object's next name: `Some(known)` where `typed` knows it (a typed
    /// attribute), else `None` with an entry of that name started (the value must follow).
    pub(crate) fn name_reader<K, F: Fn(&str) -> Option<K>>(
        &mut self,
        typed: F,
    ) -> NameReader<'_, F> {
        NameReader {
            builder: self,
            typed,
        }
    }

    /// A seed that writes the next value of the input as JSON.
    pub(crate) fn value_writer(&mut self) -> JsonWriter<'_> {
        JsonWriter(&mut self.bytes)
    }

    /// Writes `null` as the entry's value.
    pub(crate) fn push_null(&mut self) {
        self.bytes.extend_from_slice(b"null");
    }

    /// Ends the entry started last (sorted, and an earlier entry of the same name dropped, by
    /// [`finish`](Self::finish)).
    pub(crate) fn finish_entry(&mut self) {
        self.entries.push(Entry {
            name_start: self.name_start,
            value_start: self.value_start,
            value_end: self.bytes.len(),
        });
    }

    /// The map, or an error if the text is not UTF-8 (it always is: names came as `str`s and
    /// values were written by serde_json).
    pub(crate) fn finish<E: de::Error>(mut self) -> Result<RawJsonMap, E> {
        if self.entries.is_empty() {
            return Ok(RawJsonMap::new()); // the usual case for a link
        }
        let bytes = &self.bytes;
        // A stable sort keeps names given twice in the order received; of each run of equal
        // names the last is kept, as a map inserting them in turn would.
        self.entries
            .sort_by(|a, b| bytes[a.name()].cmp(&bytes[b.name()]));
        self.entries.dedup_by(|later, earlier| {
            let same = bytes[later.name()] == bytes[earlier.name()];
            if same {
                *earlier = *later;
            }
            same
        });
        let text = String::from_utf8(self.bytes).map_err(E::custom)?;
        Ok(RawJsonMap {
            text,
            entries: self.entries,
        })
    }
}

/// See [`RawJsonMapBuilder::name_reader`]: the name is read borrowed where the input allows it,
/// and copied once, into the map's text.
pub(crate) struct NameReader<'a, F> {
    builder: &'a mut RawJsonMapBuilder,
    typed: F,
}

impl<'de, K, F: Fn(&str) -> Option<K>> DeserializeSeed<'de> for NameReader<'_, F> {
    type Value = Option<K>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<K>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, K, F: Fn(&str) -> Option<K>> Visitor<'de> for NameReader<'_, F> {
    type Value = Option<K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Option<K>, E> {
        let known = (self.typed)(name);
        if known.is_none() {
            self.builder.start_entry(name);
        }
        Ok(known)
    }
}

/// Writes one value of any deserializer as JSON, as serde_json would write the `Value` it
/// decodes to (an object goes through a `Value`: the sorted keys and the last of a key given
/// twice are then the `Map`'s; Okta's custom attributes are never objects).
pub(crate) struct JsonWriter<'a>(&'a mut Vec<u8>);

impl JsonWriter<'_> {
    fn write<T: Serialize + ?Sized, E: de::Error>(self, value: &T) -> Result<(), E> {
        serde_json::to_writer(self.0, value).map_err(E::custom)
    }
}

impl<'de> DeserializeSeed<'de> for JsonWriter<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonWriter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        self.0
            .extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        self.write(&value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        self.write(&value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
        // as `Value` does: a non-finite number is `null`
        self.write(&Value::from(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.write(value)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let bytes = self.0;
        bytes.push(b'[');
        let mut first = true;
        loop {
            let before = bytes.len();
            if !first {
                bytes.push(b',');
            }
            if seq.next_element_seed(JsonWriter(bytes))?.is_none() {
                bytes.truncate(before);
                break;
            }
            first = false;
        }
        bytes.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let object = Map::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.write(&object)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn decode(text: &str) -> RawJsonMap {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn keeps_what_a_serde_json_map_keeps() {
        let texts = [
            r#"{"s":"plain","e":"Zo\u00eb \ud83d\ude80 \"q\" \\ \/ \n\t\b\f\r \u0000","k\u0041":1}"#,
            r#"{"max":9223372036854775807,"min":-9223372036854775808,"u":18446744073709551615}"#,
            r#"{"past_u64":18446744073709551616,"neg_past_i64":-9223372036854775809}"#,
            r#"{"f":0.1,"tiny":5e-324,"huge":1.7976931348623157e308,"exp":1E2,"neg0":-0.0,"one":1.0}"#,
            r#"{"dup":1,"other":true,"dup":[2,"two"],"dup":{"x":3}}"#,
            r#"{"nested":{"b":[{"z":1,"a":null}],"a":{}},"empty":[],"t":true,"f":false,"n":null}"#,
            r#"{"Ζωή":"東京","🚀":["🚀"],"":""}"#,
            r#"{}"#,
        ];
        for text in texts {
            let raw = decode(text);
            let map: Map<String, Value> = serde_json::from_str(text).unwrap();
            assert_eq!(raw.to_map(), map, "{text}");
            // encoded byte for byte as the map, through text and through `Value`
            assert_eq!(
                serde_json::to_string(&raw).unwrap(),
                serde_json::to_string(&map).unwrap(),
                "{text}"
            );
            assert_eq!(
                serde_json::to_value(&raw).unwrap(),
                Value::Object(map.clone())
            );
            for (name, value) in &map {
                assert_eq!(raw.get(name).as_ref(), Some(value), "{name} in {text}");
                assert_eq!(raw.get_raw(name).unwrap(), value.to_string());
            }
            // from bytes, a reader, a `Value`, and built from the map: all the same
            assert_eq!(
                serde_json::from_slice::<RawJsonMap>(text.as_bytes()).unwrap(),
                raw
            );
            assert_eq!(
                serde_json::from_reader::<_, RawJsonMap>(text.as_bytes()).unwrap(),
                raw
            );
            assert_eq!(
                serde_json::from_value::<RawJsonMap>(Value::Object(map.clone())).unwrap(),
                raw
            );
            assert_eq!(RawJsonMap::from(map), raw);
        }
    }

    #[test]
    fn numbers_at_the_edges_read_back_exactly() {
        let raw = decode(
            r#"{"max":9223372036854775807,"min":-9223372036854775808,"u":18446744073709551615,
                "f":0.30000000000000004,"tiny":5e-324,"huge":1.7976931348623157e308}"#,
        );
        assert_eq!(raw.get_as::<i64>("max").unwrap().unwrap(), i64::MAX);
        assert_eq!(raw.get_as::<i64>("min").unwrap().unwrap(), i64::MIN);
        assert_eq!(raw.get_as::<u64>("u").unwrap().unwrap(), u64::MAX);
        assert_eq!(raw.get_as::<f64>("f").unwrap().unwrap(), 0.1 + 0.2);
        assert_eq!(raw.get_as::<f64>("tiny").unwrap().unwrap(), 5e-324);
        assert_eq!(raw.get_as::<f64>("huge").unwrap().unwrap(), f64::MAX);
        assert!(raw.get_as::<u8>("max").unwrap().is_err());
        assert!(raw.get_as::<u8>("absent").is_none());
    }

    #[test]
    fn the_last_of_a_name_given_twice_wins() {
        let raw = decode(r#"{"b":1,"a":2,"b":"x","c":3,"b":null}"#);
        assert_eq!(raw.len(), 3);
        assert_eq!(raw.get("b"), Some(Value::Null));
        assert_eq!(
            raw.iter_raw().collect::<Vec<_>>(),
            [("a", "2"), ("b", "null"), ("c", "3")]
        );
    }

    #[test]
    fn invalid_input_is_an_error() {
        for bad in [
            &br#"{"a":"\xff"}"#[..],
            br#"{"a":"\ud800"}"#,
            br#"{"a":01}"#,
            br#"{"a":1,}"#,
            br#"{"a":[1,]}"#,
            br#"{"a":nul}"#,
            br#"{"a":1"#,
            br#"[1]"#,
        ] {
            assert!(
                serde_json::from_slice::<RawJsonMap>(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
            assert!(super::super::from_json_slice::<RawJsonMap>(bad).is_err());
        }
    }

    #[test]
    fn setting_one_name_over_and_over_does_not_grow_the_text() {
        let mut raw = decode(r#"{"keep":"this","and":[1,2,3]}"#);
        for n in 0..10_000 {
            raw.insert("counter", &json!(n));
        }
        assert!(raw.text.len() < 1024, "{} bytes", raw.text.len());
        assert_eq!(raw.get("counter"), Some(json!(9_999)));
        assert_eq!(raw.get("keep"), Some(json!("this")));
        assert_eq!(raw.get("and"), Some(json!([1, 2, 3])));
        assert_eq!(raw.len(), 3);
    }

    #[test]
    fn insert_replace_remove() {
        let mut raw = RawJsonMap::new();
        assert!(raw.is_empty());
        assert_eq!(raw.insert("b", &json!([1, "two"])), None);
        assert_eq!(raw.insert("a", &json!({"y": 1, "x": 2})), None);
        assert_eq!(raw.insert("b", &json!(3.5)), Some(json!([1, "two"])));
        assert_eq!(raw.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(
            serde_json::to_string(&raw).unwrap(),
            r#"{"a":{"x":2,"y":1},"b":3.5}"#
        );
        assert!(raw.contains_key("a"));
        assert_eq!(raw.remove("a"), Some(json!({"x": 2, "y": 1})));
        assert_eq!(raw.remove("a"), None);
        assert_eq!(raw.remove("b"), Some(json!(3.5)));
        assert!(raw.is_empty() && raw.text.is_empty());
        assert_eq!(
            format!("{:?}", decode(r#"{"k":[1,"v"]}"#)),
            r#"{"k": [1,"v"]}"#
        );
    }
}
