//! The `lossless_struct!` macro: a JSON object with typed attributes that keeps every other
//! key, without `#[serde(flatten)]`.
//!
//! `#[serde(flatten)]` into a map buffers the whole object into `Content` values first, which
//! made decoding a 200-user page several times slower. The generated `Deserialize` instead
//! walks the object's keys once: a known key (matched on the borrowed string, no allocation)
//! decodes straight into its typed field, any other key and its value are written as JSON
//! text into the extra [`RawJsonMap`](super::RawJsonMap). The generated `Serialize` writes the
//! typed fields that are set, then the extra keys.
//!
//! `null` handling: a typed attribute received as `null` decodes to `None` *and* leaves a
//! `null` marker under its key in the extra map, so it is sent back as `null` (Okta's partial
//! update clears an attribute sent as `null` and keeps one left out). A typed field that is
//! `Some` always wins over an extra entry of the same key.
//!
//! `str_accessors (yes);` after the extra map adds a `fn field(&self) -> Option<&str>` per typed
//! attribute (for structs whose attributes are all strings), so that callers can read them
//! without depending on their storage type.

/// Generates a struct of `Option<T>` attributes plus an extra map, and its serde impls.
macro_rules! lossless_struct {
    (@str_accessors [] $name:ident { $($field:ident = $key:literal),* }) => {};
    (@str_accessors [$_yes:tt] $name:ident { $($field:ident = $key:literal),* }) => {
        impl $name {
            $(
                #[doc = concat!("`", $key, "` as a `&str`, whatever the field's storage.")]
                pub fn $field(&self) -> ::std::option::Option<&str> {
                    self.$field.as_deref()
                }
            )*
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty = $key:literal,
            )*
        }
        $(#[$emeta:meta])*
        extra $extra:ident;
        $(str_accessors $str_accessors:tt;)?
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: ::std::option::Option<$ty>,
            )*
            $(#[$emeta])*
            pub $extra: $crate::models::RawJsonMap,
        }

        lossless_struct!(@str_accessors [$($str_accessors)?] $name { $($field = $key),* });

        impl $name {
            /// The JSON keys of the typed attributes.
            pub const STANDARD_KEYS: &'static [&'static str] = &[$($key),*];

            /// `true` if `key` is the JSON key of one of the typed attributes.
            pub fn is_standard_key(key: &str) -> bool {
                matches!(key, $($key)|*)
            }

            /// `true` if `key` is a typed attribute that currently holds a value.
            fn standard_is_set(&self, key: &str) -> bool {
                match key {
                    $($key => self.$field.is_some(),)*
                    _ => false,
                }
            }

            /// Sets the attribute `key` from a JSON value: a typed attribute takes a value of
            /// its type (`null` clears it and is sent as `null`; a value of another type is
            /// kept raw in the extra map); any other key goes to the extra map.
            #[allow(dead_code)]
            fn set_value(&mut self, key: ::std::string::String, value: ::serde_json::Value) {
                match key.as_str() {
                    $(
                        $key => {
                            if value.is_null() {
                                self.$field = ::std::option::Option::None;
                                self.$extra.insert(&key, &value);
                            } else {
                                match <$ty as ::serde::Deserialize>::deserialize(&value) {
                                    ::std::result::Result::Ok(typed) => {
                                        self.$field = ::std::option::Option::Some(typed);
                                        self.$extra.remove(&key);
                                    }
                                    ::std::result::Result::Err(_) => {
                                        self.$field = ::std::option::Option::None;
                                        self.$extra.insert(&key, &value);
                                    }
                                }
                            }
                        }
                    )*
                    _ => {
                        self.$extra.insert(&key, &value);
                    }
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut len = 0usize;
                $(len += usize::from(self.$field.is_some());)*
                len += self.$extra.count_unless(|key| self.standard_is_set(key));
                let mut map = serializer.serialize_map(::std::option::Option::Some(len))?;
                $(
                    if let ::std::option::Option::Some(value) = &self.$field {
                        map.serialize_entry($key, value)?;
                    }
                )*
                self.$extra.serialize_entries(&mut map, |key| self.standard_is_set(key))?;
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #[allow(non_camel_case_types)]
                enum Key {
                    $($field,)*
                }

                fn typed(key: &str) -> ::std::option::Option<Key> {
                    match key {
                        $($key => ::std::option::Option::Some(Key::$field),)*
                        _ => ::std::option::Option::None,
                    }
                }

                struct Visitor;

                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<$name, A::Error> {
                        let mut out = $name {
                            $($field: ::std::option::Option::None,)*
                            $extra: $crate::models::RawJsonMap::new(),
                        };
                        let mut extra = $crate::models::raw_json_map::RawJsonMapBuilder::default();
                        while let ::std::option::Option::Some(key) = map.next_key_seed(extra.name_reader(typed))? {
                            match key {
                                $(
                                    ::std::option::Option::Some(Key::$field) => match map.next_value::<::std::option::Option<$ty>>()? {
                                        ::std::option::Option::Some(value) => {
                                            out.$field = ::std::option::Option::Some(value);
                                        }
                                        ::std::option::Option::None => {
                                            out.$field = ::std::option::Option::None;
                                            extra.start_entry($key);
                                            extra.push_null();
                                            extra.finish_entry();
                                        }
                                    },
                                )*
                                ::std::option::Option::None => {
                                    map.next_value_seed(extra.value_writer())?;
                                    extra.finish_entry();
                                }
                            }
                        }
                        out.$extra = extra.finish()?;
                        ::std::result::Result::Ok(out)
                    }
                }

                deserializer.deserialize_map(Visitor)
            }
        }
    };
}

pub(crate) use lossless_struct;
