//! User and group profiles: typed standard attributes plus lossless custom attributes.

use compact_str::CompactString;
use serde_json::Value;

use super::lossless::lossless_struct;
use super::raw_json_map::RawJsonMap;

lossless_struct! {
    /// A user's profile (`UserProfile`): Okta's standard attributes, typed, plus every custom
    /// attribute of your org's user schema, kept as JSON text in [`custom`](Self::custom) and
    /// decoded when read.
    ///
    /// A profile read from Okta and sent back (read-modify-write) keeps every custom
    /// attribute unchanged, whatever its JSON type. See [the module docs](super) for typing
    /// your custom attributes with your own struct instead.
    ///
    /// **`null`**: a standard attribute received as `null` reads as `None` and is sent back as
    /// `null` (a marker stays in `custom` under its key). Setting the field to `Some(..)`
    /// overrides the marker. To clear a standard attribute in a partial update, send it as
    /// `null` with [`set_custom`](Self::set_custom)`(key, Value::Null)`; a field that is just
    /// `None` is left out of the JSON.
    ///
    /// ```
    /// use okta_users::models::UserProfile;
    /// let mut profile = UserProfile::new("Ada", "Lovelace", "ada@example.com", "ada@example.com");
    /// profile.title = Some("Countess".into());
    /// profile.set_custom("favoriteNumbers", serde_json::json!([3, 7]));
    /// assert_eq!(profile.custom("favoriteNumbers"), Some(serde_json::json!([3, 7])));
    /// assert_eq!(profile.custom_as::<Vec<u8>>("favoriteNumbers").unwrap().unwrap(), [3, 7]);
    /// ```
    #[derive(Debug, Clone, Default, PartialEq)]
    #[non_exhaustive]
    pub struct UserProfile {
        /// `login`: the unique sign-in name, usually an email address.
        login: CompactString = "login",
        /// `email`: primary email address.
        email: CompactString = "email",
        /// `secondEmail`: secondary email address.
        second_email: CompactString = "secondEmail",
        /// `firstName`: given name.
        first_name: CompactString = "firstName",
        /// `lastName`: family name.
        last_name: CompactString = "lastName",
        /// `middleName`: middle name.
        middle_name: CompactString = "middleName",
        /// `honorificPrefix`, e.g. `Dr.`.
        honorific_prefix: CompactString = "honorificPrefix",
        /// `honorificSuffix`, e.g. `Jr.`.
        honorific_suffix: CompactString = "honorificSuffix",
        /// `title`: job title.
        title: CompactString = "title",
        /// `displayName`: name shown to end users.
        display_name: CompactString = "displayName",
        /// `nickName`: casual name.
        nick_name: CompactString = "nickName",
        /// `profileUrl`: URL of the user's online profile.
        profile_url: CompactString = "profileUrl",
        /// `mobilePhone`: mobile phone number.
        mobile_phone: CompactString = "mobilePhone",
        /// `primaryPhone`: primary phone number.
        primary_phone: CompactString = "primaryPhone",
        /// `streetAddress`: street address.
        street_address: CompactString = "streetAddress",
        /// `city`.
        city: CompactString = "city",
        /// `state`: state or region.
        state: CompactString = "state",
        /// `zipCode`: ZIP or postal code.
        zip_code: CompactString = "zipCode",
        /// `postalAddress`: mailing address.
        postal_address: CompactString = "postalAddress",
        /// `countryCode`: ISO 3166-1 alpha-2 country code.
        country_code: CompactString = "countryCode",
        /// `preferredLanguage`, e.g. `en-US`.
        preferred_language: CompactString = "preferredLanguage",
        /// `locale`, e.g. `en_US`.
        locale: CompactString = "locale",
        /// `timezone`, e.g. `America/Los_Angeles`.
        timezone: CompactString = "timezone",
        /// `userType`: the org's own classification of the user (free text).
        user_type: CompactString = "userType",
        /// `employeeNumber`.
        employee_number: CompactString = "employeeNumber",
        /// `costCenter`.
        cost_center: CompactString = "costCenter",
        /// `organization`.
        organization: CompactString = "organization",
        /// `division`.
        division: CompactString = "division",
        /// `department`.
        department: CompactString = "department",
        /// `managerId`: the manager's id.
        manager_id: CompactString = "managerId",
        /// `manager`: the manager's display name.
        manager: CompactString = "manager",
    }
    /// Every other attribute, in JSON, by name (custom attributes of the org's schema),
    /// plus `null` markers of standard attributes received or to be sent as `null`.
    extra custom;
    str_accessors (yes);
}

impl UserProfile {
    /// A profile with the four attributes Okta requires to create a user.
    pub fn new(
        first_name: impl Into<CompactString>,
        last_name: impl Into<CompactString>,
        email: impl Into<CompactString>,
        login: impl Into<CompactString>,
    ) -> Self {
        Self {
            first_name: Some(first_name.into()),
            last_name: Some(last_name.into()),
            email: Some(email.into()),
            login: Some(login.into()),
            ..Self::default()
        }
    }

    /// A custom attribute (or the `null` marker of a standard attribute), by its JSON name,
    /// decoded from the JSON text it is kept as.
    ///
    /// Standard attributes are read from their fields (`profile.city()`), not from here.
    pub fn custom(&self, name: &str) -> Option<Value> {
        self.custom.get(name)
    }

    /// A custom attribute decoded as your own type, straight from its JSON text (no `Value`
    /// built): `profile.custom_as::<u32>("clearanceLevel")`.
    pub fn custom_as<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Option<serde_json::Result<T>> {
        self.custom.get_as(name)
    }

    /// Sets an attribute by its JSON name.
    ///
    /// A custom attribute is stored as given (`Value::Null` is sent as `null`). The name of a
    /// standard attribute sets its field when `value` is a string, and clears it when `value`
    /// is `null` (sending `null`, which clears it in a partial update).
    pub fn set_custom(&mut self, name: impl Into<String>, value: Value) {
        self.set_value(name.into(), value);
    }

    /// Removes a custom attribute (or a `null` marker) and returns its value; a removed
    /// attribute is left out of the JSON, which a partial update leaves unchanged.
    pub fn remove_custom(&mut self, name: &str) -> Option<Value> {
        self.custom.remove(name)
    }

    /// Every custom attribute (and `null` marker), by name, as JSON text.
    pub fn custom_attributes(&self) -> &RawJsonMap {
        &self.custom
    }
}

lossless_struct! {
    /// A group's profile (`GroupProfile`: `OktaUserGroupProfile` or
    /// `OktaActiveDirectoryGroupProfile`), with every other attribute kept in
    /// [`custom`](Self::custom). Same `null` handling as [`UserProfile`].
    #[derive(Debug, Clone, Default, PartialEq)]
    #[non_exhaustive]
    pub struct GroupProfile {
        /// `name` of the group.
        name: CompactString = "name",
        /// `description` of the group.
        description: CompactString = "description",
        /// `dn`: distinguished name (Active Directory groups).
        dn: CompactString = "dn",
        /// `externalId`: the group's id in Active Directory.
        external_id: CompactString = "externalId",
        /// `samAccountName` (Active Directory groups).
        sam_account_name: CompactString = "samAccountName",
        /// `windowsDomainQualifiedName` (Active Directory groups).
        windows_domain_qualified_name: CompactString = "windowsDomainQualifiedName",
    }
    /// Every other attribute, in JSON, by name (custom attributes of the group schema).
    extra custom;
    str_accessors (yes);
}

impl GroupProfile {
    /// A profile with a name and an optional description.
    pub fn new(name: impl Into<CompactString>, description: Option<CompactString>) -> Self {
        Self {
            name: Some(name.into()),
            description,
            ..Self::default()
        }
    }

    /// A custom attribute (or the `null` marker of a standard attribute), by its JSON name,
    /// decoded from the JSON text it is kept as.
    pub fn custom(&self, name: &str) -> Option<Value> {
        self.custom.get(name)
    }

    /// Sets an attribute by its JSON name (see [`UserProfile::set_custom`]).
    pub fn set_custom(&mut self, name: impl Into<String>, value: Value) {
        self.set_value(name.into(), value);
    }

    /// Removes a custom attribute (or a `null` marker) and returns its value.
    pub fn remove_custom(&mut self, name: &str) -> Option<Value> {
        self.custom.remove(name)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn custom_profile() -> Value {
        json!({
            "login": "isaac.brock@example.com",
            "firstName": "Isaac",
            "lastName": "Brock",
            "email": "isaac.brock@example.com",
            "secondEmail": null,
            "city": "San Francisco",
            "employeeBadge": "A-1234",
            "shoeSize": 44.5,
            "clearance": 3,
            "isContractor": false,
            "skills": ["rust", "okta", 7, null],
            "address": {"home": {"street": "1 Main St", "geo": [37.7, -122.4]}, "verified": true},
            "pager": null,
            "emptyList": [],
            "emptyObject": {},
            "big": 18446744073709551615u64,
            "negative": -42,
            "unicode": "Zoë 🚀 \"quoted\" \\ back"
        })
    }

    #[test]
    fn decodes_standard_and_custom_attributes() {
        let profile: UserProfile = serde_json::from_value(custom_profile()).unwrap();
        assert_eq!(profile.login.as_deref(), Some("isaac.brock@example.com"));
        assert_eq!(profile.city.as_deref(), Some("San Francisco"));
        assert_eq!(profile.second_email, None);
        assert_eq!(profile.custom("secondEmail"), Some(Value::Null));
        assert_eq!(profile.custom("shoeSize"), Some(json!(44.5)));
        assert_eq!(profile.custom("pager"), Some(Value::Null));
        assert_eq!(
            profile.custom("address").unwrap()["home"]["street"],
            "1 Main St"
        );
        assert_eq!(profile.custom("city"), None);
        assert_eq!(profile.custom("absent"), None);
    }

    #[test]
    fn read_modify_write_keeps_every_custom_attribute() {
        let before = custom_profile();
        // decode from text, as a response body would be
        let text = serde_json::to_string(&before).unwrap();
        let mut profile: UserProfile = serde_json::from_str(&text).unwrap();
        profile.city = Some("Portland".into());
        let after = serde_json::to_value(&profile).unwrap();

        let (before, after) = (before.as_object().unwrap(), after.as_object().unwrap());
        assert_eq!(after["city"], "Portland");
        assert_eq!(before.len(), after.len());
        for (key, value) in before {
            if key != "city" {
                assert_eq!(after.get(key), Some(value), "attribute {key} changed");
            }
        }
    }

    #[test]
    fn unchanged_profile_round_trips_exactly() {
        let before = custom_profile();
        let profile: UserProfile = serde_json::from_value(before.clone()).unwrap();
        assert_eq!(serde_json::to_value(&profile).unwrap(), before);
        // and through text, twice
        let text = serde_json::to_string(&profile).unwrap();
        let again: UserProfile = serde_json::from_str(&text).unwrap();
        assert_eq!(again, profile);
    }

    #[test]
    fn setting_a_standard_field_overrides_its_null_marker() {
        let mut profile: UserProfile =
            serde_json::from_value(json!({"secondEmail": null})).unwrap();
        profile.second_email = Some("b@example.com".into());
        assert_eq!(
            serde_json::to_value(&profile).unwrap(),
            json!({"secondEmail": "b@example.com"})
        );
    }

    #[test]
    fn set_custom_routes_standard_names_to_their_fields() {
        let mut profile = UserProfile::new("Ada", "Lovelace", "ada@example.com", "ada@example.com");
        profile.cost_center = Some("10".into());
        profile.set_custom("costCenter", "42".into());
        assert_eq!(profile.cost_center.as_deref(), Some("42"));
        profile.set_custom("mobilePhone", Value::Null);
        profile.set_custom("firstName", Value::Null);
        profile.set_custom("level", json!(7));
        assert_eq!(
            serde_json::to_value(&profile).unwrap(),
            json!({
                "login": "ada@example.com",
                "email": "ada@example.com",
                "lastName": "Lovelace",
                "costCenter": "42",
                "mobilePhone": null,
                "firstName": null,
                "level": 7
            })
        );
        assert_eq!(profile.remove_custom("level"), Some(json!(7)));
        assert!(!profile.custom_attributes().contains_key("level"));
    }

    #[test]
    fn none_fields_are_left_out() {
        let profile = UserProfile::new("Ada", "Lovelace", "ada@example.com", "ada@example.com");
        assert_eq!(
            serde_json::to_string(&profile).unwrap(),
            r#"{"login":"ada@example.com","email":"ada@example.com","firstName":"Ada","lastName":"Lovelace"}"#
        );
        assert_eq!(
            serde_json::to_string(&UserProfile::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn escaped_keys_and_values_decode() {
        let profile: UserProfile =
            serde_json::from_str(r#"{"first\u004eame":"A\u0064a","cust\u006fm":"x"}"#).unwrap();
        assert_eq!(profile.first_name.as_deref(), Some("Ada"));
        assert_eq!(profile.custom("custom"), Some(json!("x")));
    }

    #[test]
    fn standard_values_inline_or_on_the_heap_decode_and_round_trip_exactly() {
        // 24 bytes is the most a value holds inline; 25 goes to the heap
        let inline = "a".repeat(24);
        let heap = "b".repeat(25);
        let text = format!(
            r#"{{"login":"{inline}","email":"{heap}","city":"","title":"Zo\u00eb \ud83d\ude80 \"q\" \\ \n\t\/","displayName":"Ζωή 東京 🚀"}}"#
        );
        let profile: UserProfile = serde_json::from_str(&text).unwrap();
        assert_eq!(profile.login(), Some(inline.as_str()));
        assert!(!profile.login.as_ref().unwrap().is_heap_allocated());
        assert_eq!(profile.email(), Some(heap.as_str()));
        assert!(profile.email.as_ref().unwrap().is_heap_allocated());
        assert_eq!(profile.city(), Some(""));
        assert_eq!(profile.title(), Some("Zoë 🚀 \"q\" \\ \n\t/"));
        assert_eq!(profile.display_name(), Some("Ζωή 東京 🚀"));
        assert_eq!(profile.first_name(), None);
        // re-encoded as serde_json encodes a `String`, and back to the same profile
        let encoded = serde_json::to_string(&profile).unwrap();
        assert_eq!(
            encoded,
            format!(
                r#"{{"login":"{inline}","email":"{heap}","title":"Zoë 🚀 \"q\" \\ \n\t/","displayName":"Ζωή 東京 🚀","city":""}}"#
            )
        );
        let as_value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            serde_json::from_str::<UserProfile>(&encoded).unwrap(),
            profile
        );
        // from bytes, a reader and a `Value` alike
        assert_eq!(
            serde_json::from_slice::<UserProfile>(text.as_bytes()).unwrap(),
            profile
        );
        assert_eq!(
            serde_json::from_reader::<_, UserProfile>(text.as_bytes()).unwrap(),
            profile
        );
        assert_eq!(
            serde_json::from_value::<UserProfile>(as_value).unwrap(),
            profile
        );
    }

    #[test]
    fn a_standard_attribute_given_twice_keeps_the_last() {
        let profile: UserProfile =
            serde_json::from_str(r#"{"city":"Paris","city":"Lyon","title":null,"title":"CEO"}"#)
                .unwrap();
        assert_eq!(profile.city(), Some("Lyon"));
        assert_eq!(profile.title(), Some("CEO"));
        assert_eq!(
            serde_json::to_value(&profile).unwrap(),
            json!({"city": "Lyon", "title": "CEO"})
        );
    }

    #[test]
    fn invalid_utf8_or_a_lone_surrogate_is_an_error() {
        assert!(serde_json::from_slice::<UserProfile>(b"{\"city\":\"Par\xffis\"}").is_err());
        assert!(super::super::from_json_slice::<UserProfile>(b"{\"city\":\"Par\xffis\"}").is_err());
        assert!(serde_json::from_str::<UserProfile>(r#"{"city":"\ud83d"}"#).is_err());
    }

    #[test]
    fn wrong_type_for_a_standard_attribute_is_an_error() {
        assert!(serde_json::from_str::<UserProfile>(r#"{"firstName": 3}"#).is_err());
        assert!(serde_json::from_str::<UserProfile>(r#"[]"#).is_err());
    }

    #[test]
    fn group_profile_keeps_extra_keys() {
        let before = json!({"name": "Eng", "description": "Engineers", "samAccountName": "eng", "costCode": 12});
        let mut profile: GroupProfile = serde_json::from_value(before.clone()).unwrap();
        assert_eq!(profile.sam_account_name.as_deref(), Some("eng"));
        assert_eq!(profile.custom("costCode"), Some(json!(12)));
        assert_eq!(serde_json::to_value(&profile).unwrap(), before);
        profile.set_custom("costCode", json!(13));
        assert_eq!(serde_json::to_value(&profile).unwrap()["costCode"], 13);
        assert_eq!(GroupProfile::new("Eng", None).name.as_deref(), Some("Eng"));
    }
}
