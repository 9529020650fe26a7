//! Deterministic, realistic seed data: the same seed always yields the same org.

use crate::ids::okta_id;
use crate::model::{App, CatalogApp, Grant, Group, Idp, LinkDef, RefreshToken, Role, Status};
use crate::store::{NewUser, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "John",
    "Radia",
    "Tim",
    "Hedy",
    "Edsger",
    "Katherine",
    "Donald",
    "Shafi",
    "Leslie",
    "Sophie",
    "Guido",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "McCarthy",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Dijkstra",
    "Johnson",
    "Knuth",
    "Goldwasser",
    "Lamport",
    "Wilson",
    "van Rossum",
];
const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Support",
    "Legal",
    "People",
];
const TITLES: &[&str] = &[
    "Engineer",
    "Manager",
    "Analyst",
    "Director",
    "Specialist",
    "Associate",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("San Francisco", "CA", "US"),
    ("New York", "NY", "US"),
    ("Austin", "TX", "US"),
    ("London", "", "GB"),
    ("Toronto", "ON", "CA"),
];

pub(crate) const CATALOG: &[CatalogApp] = &[
    CatalogApp {
        name: "salesforce",
        display: "Salesforce.com",
        category: "CRM",
    },
    CatalogApp {
        name: "box",
        display: "Box",
        category: "COLLABORATION",
    },
    CatalogApp {
        name: "slack",
        display: "Slack",
        category: "COLLABORATION",
    },
    CatalogApp {
        name: "zoomus",
        display: "Zoom",
        category: "COLLABORATION",
    },
    CatalogApp {
        name: "github",
        display: "GitHub",
        category: "DEVELOPER",
    },
];

/// A deterministic instant `hours` after 2023-01-01T00:00:00Z.
pub(crate) fn seed_time(hours: i64) -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::days(19_358) + Duration::hours(hours)
}

/// A profile for person number `n`.
pub(crate) fn profile(rng: &mut StdRng, n: usize) -> Map<String, Value> {
    let first = FIRST[rng.random_range(0..FIRST.len())];
    let last = LAST[rng.random_range(0..LAST.len())];
    let dept = DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())];
    let (city, state, country) = CITIES[rng.random_range(0..CITIES.len())];
    let email = format!(
        "{}.{}{n}@example.com",
        first.to_lowercase(),
        last.to_lowercase().replace([' ', '-'], "")
    );
    let Value::Object(map) = json!({
        "firstName": first,
        "lastName": last,
        "displayName": format!("{first} {last}"),
        "email": email,
        "login": email,
        "mobilePhone": format!("+1-555-{:04}", rng.random_range(0..10_000)),
        "secondEmail": null,
        "title": format!("{dept} {}", TITLES[rng.random_range(0..TITLES.len())]),
        "department": dept,
        "division": if dept == "Engineering" { "R&D" } else { "Operations" },
        "organization": "Example Corp",
        "city": city,
        "state": state,
        "countryCode": country,
        "locale": "en_US",
        "timezone": "America/Los_Angeles",
        "employeeNumber": format!("{}", 10_000 + n),
        "costCenter": format!("CC-{:03}", 100 + rng.random_range(0..40)),
        "userType": "Employee",
    }) else {
        unreachable!("json! object literal")
    };
    map
}

/// Fill `store` with `users` users and the groups, apps, clients, idps, roles, grants and
/// tokens around them.
pub(crate) fn seed(store: &mut Store, seed: u64, users: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let t0 = seed_time(0);
    store.groups.push(Group {
        id: okta_id(&mut rng, "00g"),
        name: "Everyone".into(),
        description: "All users in your organization".into(),
        built_in: true,
        created: t0,
    });
    for d in DEPARTMENTS {
        store.groups.push(Group {
            id: okta_id(&mut rng, "00g"),
            name: (*d).into(),
            description: format!("Everyone in {d}"),
            built_in: false,
            created: t0,
        });
    }
    for c in CATALOG {
        store.apps.push(App {
            id: okta_id(&mut rng, "0oa"),
            name: c.name.into(),
            label: c.display.into(),
            oauth: false,
        });
    }
    for (name, label) in [
        ("oidc_client", "Expense Portal"),
        ("oidc_client", "Mobile App"),
        ("oidc_client", "Partner API"),
    ] {
        store.apps.push(App {
            id: okta_id(&mut rng, "0oa"),
            name: name.into(),
            label: label.into(),
            oauth: true,
        });
    }
    for (name, kind, protocol) in [
        ("Google", "GOOGLE", "OIDC"),
        ("Corporate SAML", "SAML2", "SAML2"),
    ] {
        store.idps.push(Idp {
            id: okta_id(&mut rng, "0oa"),
            name: name.into(),
            kind,
            protocol,
            created: t0,
        });
    }
    store.link_defs.push(LinkDef {
        primary: "manager".into(),
        associated: "subordinate".into(),
    });

    let oauth_apps: Vec<usize> = (0..store.apps.len())
        .filter(|i| store.apps[*i].oauth)
        .collect();
    let plain_apps: Vec<usize> = (0..store.apps.len())
        .filter(|i| !store.apps[*i].oauth)
        .collect();
    let idp_count = store.idps.len();
    let mut ids = Vec::with_capacity(users);
    for n in 0..users {
        let status = match rng.random_range(0..100) {
            0..80 => Status::Active,
            80..85 => Status::Staged,
            85..89 => Status::Provisioned,
            89..92 => Status::Suspended,
            92..94 => Status::LockedOut,
            94..96 => Status::PasswordExpired,
            96..98 => Status::Recovery,
            _ => Status::Deprovisioned,
        };
        let profile = profile(&mut rng, n);
        let dept = profile
            .get("department")
            .and_then(Value::as_str)
            .unwrap_or("");
        let dept_group = DEPARTMENTS
            .iter()
            .position(|d| *d == dept)
            .map_or(0, |i| i + 1);
        let created = seed_time(n as i64);
        let has_password = !matches!(status, Status::Staged | Status::Provisioned);
        let id = store.insert_user(NewUser {
            profile,
            password: has_password.then(|| format!("Passw0rd!{n}")),
            recovery: has_password.then(|| ("What is your favorite color?".into(), "blue".into())),
            status,
            at: created,
        });
        let Some(seq) = store.resolve(&id) else {
            continue;
        };
        let apps: Vec<usize> = plain_apps
            .iter()
            .copied()
            .filter(|_| rng.random_bool(0.4))
            .collect();
        for app in apps {
            store.assign_app(seq, app);
        }
        let Some(u) = store.user_mut(&id) else {
            continue;
        };
        u.groups = vec![0, dept_group];
        if rng.random_bool(0.2) {
            u.idps.push(rng.random_range(0..idp_count));
        }
        if !matches!(status, Status::Staged | Status::Deprovisioned) {
            u.sessions = rng.random_range(0..3);
            u.factors = rng.random_range(0..2);
        }
        ids.push(id);
    }
    // Grants, refresh tokens, roles and managers, drawn after users so each is deterministic.
    for (n, id) in ids.iter().enumerate() {
        let client = &store.apps[oauth_apps[n % oauth_apps.len()]].id.clone();
        let created = seed_time(n as i64 + 1);
        if n % 3 == 0 {
            for scope in ["okta.users.read", "openid"] {
                let grant = Grant {
                    seq: store.next_seq(),
                    id: okta_id(&mut rng, "oag"),
                    client_id: client.clone(),
                    scope_id: scope.into(),
                    created,
                    source: "END_USER",
                };
                if let Some(u) = store.user_mut(id) {
                    u.grants.push(grant);
                }
            }
            let token = RefreshToken {
                seq: store.next_seq(),
                id: okta_id(&mut rng, "oar"),
                client_id: client.clone(),
                scopes: vec!["offline_access".into(), "openid".into()],
                created,
                expires: created + Duration::days(90),
            };
            if let Some(u) = store.user_mut(id) {
                u.tokens.push(token);
            }
        }
        if n % 50 == 0 {
            let role = Role {
                id: okta_id(&mut rng, "ra1"),
                kind: if n % 100 == 0 {
                    "APP_ADMIN".into()
                } else {
                    "USER_ADMIN".into()
                },
                custom: None,
                created,
                app_targets: Vec::new(),
                group_targets: Vec::new(),
            };
            if let Some(u) = store.user_mut(id) {
                u.roles.push(role);
            }
        }
        if n > 0 && n % 10 != 0 {
            let manager = ids[(n / 10) * 10].clone();
            store.linked.insert((id.clone(), "manager".into()), manager);
        }
    }
    for id in &ids {
        store.rerender(id);
    }
}
