//! The `open_enum!` macro: string enums that accept values Okta adds later.
//!
//! Every enum of the models is "open": besides the variants the spec lists, it has an
//! `Other(String)` variant that keeps any other value verbatim, so a new status or type
//! introduced by Okta decodes (and re-encodes identically) instead of failing the whole
//! response.

/// Generates an open string enum.
///
/// ```text
/// open_enum! {
///     /// Doc of the enum.
///     pub enum Color {
///         /// Doc of the variant (optional).
///         Red = "RED",
///         Green = "GREEN",
///     }
/// }
/// ```
///
/// generates the enum with an extra `Other(String)` variant, `as_str()`, `is_known()`,
/// `Display`, an infallible `FromStr`, `From<&str>`, `From<String>`, `AsRef<str>`,
/// `Serialize` (as the string) and `Deserialize` (a known value borrowed from the input
/// allocates nothing; an unknown value becomes `Other`).
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                #[doc = concat!("`", $value, "`")]
                $(#[$vmeta])*
                $variant,
            )*
            /// A value this version of the crate does not know, kept verbatim.
            ///
            /// Build known values with their own variant: `Other` holding a known string
            /// is not equal to that variant (parse with `str::parse` to normalize).
            Other(::std::string::String),
        }

        impl $name {
            /// Every value the spec lists, in declaration order.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The wire value, e.g. `"ACTIVE"`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Other(other) => other.as_str(),
                }
            }

            /// `true` unless this is [`Other`](Self::Other).
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }

            fn known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    $($value => ::std::option::Option::Some(Self::$variant),)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(::std::convert::From::from(value))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::known(value).unwrap_or_else(|| Self::Other(value.to_owned()))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::known(&value).unwrap_or(Self::Other(value))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;

                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }

                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<$name, E> {
                        ::std::result::Result::Ok(::std::convert::From::from(value))
                    }

                    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<$name, E> {
                        ::std::result::Result::Ok(::std::convert::From::from(value))
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    open_enum! {
        /// A test enum.
        pub enum Color {
            Red = "RED",
            /// Green.
            LightGreen = "LIGHT_GREEN",
        }
    }

    #[test]
    fn known_and_unknown_values() {
        assert_eq!("RED".parse::<Color>().unwrap(), Color::Red);
        assert_eq!(Color::from("LIGHT_GREEN"), Color::LightGreen);
        assert_eq!(Color::from("BLUE".to_owned()), Color::Other("BLUE".into()));
        assert_eq!(Color::LightGreen.to_string(), "LIGHT_GREEN");
        assert_eq!(Color::Other("X".into()).as_str(), "X");
        assert!(Color::Red.is_known());
        assert!(!Color::Other("X".into()).is_known());
        assert_eq!(Color::KNOWN, &["RED", "LIGHT_GREEN"]);
    }

    #[test]
    fn serde_round_trip() {
        let decoded: Vec<Color> =
            serde_json::from_str(r#"["RED","PURPLE","LIGHT_GREEN","esc\u0061ped"]"#).unwrap();
        assert_eq!(
            decoded,
            vec![
                Color::Red,
                Color::Other("PURPLE".into()),
                Color::LightGreen,
                Color::Other("escaped".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&decoded).unwrap(),
            r#"["RED","PURPLE","LIGHT_GREEN","escaped"]"#
        );
        // from a reader (no borrowing possible)
        let from_reader: Color = serde_json::from_reader(&br#""RED""#[..]).unwrap();
        assert_eq!(from_reader, Color::Red);
        assert!(serde_json::from_str::<Color>("3").is_err());
    }
}
