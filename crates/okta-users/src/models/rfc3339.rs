//! Timestamps as Okta writes them (`2013-07-02T21:36:25.344Z`) decoded without the `time`
//! crate's general RFC 3339 parser, which was 4 % of decoding a page of users (six timestamps a
//! user); anything else — another offset, a lower-case `t` or `z`, a leap second, more than nine
//! fraction digits, an invalid date — goes to that parser, so that what is accepted, and every
//! error, is exactly `time`'s. Encoding is `time`'s.
//!
//! Use as `#[serde(default, with = "super::rfc3339::option", skip_serializing_if = …)]`.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Parses `text` as RFC 3339, as [`OffsetDateTime::parse`] with [`Rfc3339`] would.
pub(crate) fn parse(text: &str) -> Result<OffsetDateTime, time::error::Parse> {
    match parse_utc_fast(text.as_bytes()) {
        Some(parsed) => Ok(parsed),
        None => OffsetDateTime::parse(text, &Rfc3339),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z` with a valid date and a second below 60, else `None`.
fn parse_utc_fast(bytes: &[u8]) -> Option<OffsetDateTime> {
    let (&b'Z', rest) = bytes.split_last()? else {
        return None;
    };
    let (fixed, fraction) = rest.split_at_checked(19)?;
    let [
        y1,
        y2,
        y3,
        y4,
        b'-',
        mo1,
        mo2,
        b'-',
        d1,
        d2,
        b'T',
        h1,
        h2,
        b':',
        mi1,
        mi2,
        b':',
        s1,
        s2,
    ] = *fixed
    else {
        return None;
    };
    let year = i32::from(number(&[y1, y2, y3, y4])?);
    let month = Month::try_from(u8::try_from(number(&[mo1, mo2])?).ok()?).ok()?;
    let day = u8::try_from(number(&[d1, d2])?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let nanosecond = match fraction {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let value = digits.iter().try_fold(0u32, |value, &digit| {
                digit
                    .is_ascii_digit()
                    .then(|| value * 10 + u32::from(digit - b'0'))
            })?;
            value * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let hour = u8::try_from(number(&[h1, h2])?).ok()?;
    let minute = u8::try_from(number(&[mi1, mi2])?).ok()?;
    let second = u8::try_from(number(&[s1, s2])?).ok()?;
    let time = Time::from_hms_nano(hour, minute, second, nanosecond).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// ASCII digits as a number (at most four here).
fn number(digits: &[u8]) -> Option<u16> {
    digits.iter().try_fold(0u16, |value, &digit| {
        digit
            .is_ascii_digit()
            .then(|| value * 10 + u16::from(digit - b'0'))
    })
}

/// `Option<OffsetDateTime>` as an RFC 3339 string or `null`.
pub(crate) mod option {
    use std::fmt;

    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use time::OffsetDateTime;

    /// As `time::serde::rfc3339::option::serialize`.
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        time::serde::rfc3339::option::serialize(value, serializer)
    }

    /// As `time::serde::rfc3339::option::deserialize`, Okta's usual form parsed faster.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }

    struct OptionVisitor;

    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<OffsetDateTime>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC3339-formatted `OffsetDateTime` or `null`")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_str(TextVisitor).map(Some)
        }
    }

    struct TextVisitor;

    impl Visitor<'_> for TextVisitor {
        type Value = OffsetDateTime;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC3339-formatted `OffsetDateTime`")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<OffsetDateTime, E> {
            super::parse(text).map_err(E::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use time::format_description::well_known::Rfc3339;
    use time::{OffsetDateTime, macros::datetime};

    use super::{parse, parse_utc_fast};

    #[test]
    fn okta_forms_take_the_fast_path_and_agree_with_time() {
        for (text, expected) in [
            (
                "2013-07-02T21:36:25.344Z",
                datetime!(2013-07-02 21:36:25.344 UTC),
            ),
            ("2013-07-02T21:36:25Z", datetime!(2013-07-02 21:36:25 UTC)),
            (
                "2024-02-29T23:59:59.999999999Z",
                datetime!(2024-02-29 23:59:59.999999999 UTC),
            ),
            (
                "0000-01-01T00:00:00.1Z",
                datetime!(0000-01-01 00:00:00.1 UTC),
            ),
            (
                "9999-12-31T23:59:59.000000001Z",
                datetime!(9999-12-31 23:59:59.000000001 UTC),
            ),
        ] {
            assert_eq!(parse_utc_fast(text.as_bytes()), Some(expected), "{text}");
            assert_eq!(
                OffsetDateTime::parse(text, &Rfc3339).unwrap(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn everything_else_is_time_s_answer() {
        for text in [
            "2013-07-02t21:36:25.344z",
            "2013-07-02T21:36:25.344+02:00",
            "2013-07-02T21:36:25-00:30",
            "2016-12-31T23:59:60Z",
            "2013-07-02T21:36:25.1234567891Z",
            "2023-02-29T00:00:00Z",
            "2013-13-02T21:36:25Z",
            "2013-07-02T24:00:00Z",
            "2013-07-02T21:60:00Z",
            "2013-07-02T21:36:25.Z",
            "2013-07-02T21:36:25",
            "2013-07-02 21:36:25Z",
            "2013-7-02T21:36:25Z",
            "+2013-07-02T21:36:25Z",
            "2013-07-02T21:36:2aZ",
            "",
            "Z",
            "2013-07-02T21:36:25.3٤Z",
        ] {
            let fast = parse_utc_fast(text.as_bytes());
            let time = OffsetDateTime::parse(text, &Rfc3339);
            if let Some(fast) = fast {
                assert_eq!(Ok(fast), time.map_err(|e| e.to_string()), "{text}");
            }
            assert_eq!(
                parse(text).map_err(|e| e.to_string()),
                time.map_err(|e| e.to_string()),
                "{text}"
            );
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Stamped {
        #[serde(default, with = "super::option")]
        at: Option<OffsetDateTime>,
    }

    #[test]
    fn the_serde_module_reads_and_writes_as_time_s() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct ByTime {
            #[serde(default, with = "time::serde::rfc3339::option")]
            at: Option<OffsetDateTime>,
        }
        for text in [
            r#"{"at":"2013-07-02T21:36:25.344Z"}"#,
            r#"{"at":"2013-07-02T21:36:25+01:00"}"#,
            r#"{"at":null}"#,
            r#"{}"#,
        ] {
            let ours: Stamped = serde_json::from_str(text).unwrap();
            let theirs: ByTime = serde_json::from_str(text).unwrap();
            assert_eq!(ours.at, theirs.at, "{text}");
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&theirs).unwrap()
            );
        }
        for bad in [
            r#"{"at":"yesterday"}"#,
            r#"{"at":3}"#,
            r#"{"at":"2023-02-29T00:00:00Z"}"#,
        ] {
            assert!(serde_json::from_str::<Stamped>(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<ByTime>(bad).is_err(), "{bad}");
        }
    }
}
