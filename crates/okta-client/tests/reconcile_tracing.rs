//! Each reconciliation is one `tracing` event (target `okta_users::reconcile`): `info` when it
//! settled the call, `warn` when it could not. Alone in its test binary, so that no other test's
//! thread meets the event's callsite first without a subscriber (tracing caches that interest).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use okta_client::Client;
use okta_mock::{DEFAULT_SERVICE_BASE_URL, Fault, FaultPlan, Method, MockOrg};
use okta_users::Users;
use okta_users::models::{CreateUserRequest, UserProfile};
use tracing_subscriber::layer::SubscriberExt;

/// The `okta_users::reconcile` events: level and fields.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Events {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!(" {}={value:?}", field.name()));
            }
        }
        if event.metadata().target() == "okta_users::reconcile" {
            let mut fields = Fields(event.metadata().level().to_string());
            event.record(&mut fields);
            self.0.lock().unwrap().push(fields.0);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn each_reconciliation_is_one_tracing_event() {
    let events = Events::default();
    let subscriber = tracing_subscriber::registry().with(events.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let suspend = "/api/v1/users/*/lifecycle/suspend";
    let plan = FaultPlan::new(0).with(Fault::reset_after().on(Method::POST, suspend));
    let org = MockOrg::builder().seed(7).faults(plan).build().unwrap();
    let service = Client::builder()
        .org_url(DEFAULT_SERVICE_BASE_URL)
        .api_token(org.token())
        .build_service(org.service())
        .unwrap();
    let users = Users::new(service);
    let login = "ada@example.com";
    let body = CreateUserRequest::new(UserProfile::new("Ada", "Lovelace", login, login))
        .password("correct horse battery staple");
    let id = users.create(body).await.unwrap().id;

    users.suspend(&id).await.unwrap();
    tokio::time::advance(Duration::from_secs(60)).await;
    // Suspended before the call: refused and lost, and so is the re-send: undecided.
    users.suspend(&id).await.unwrap_err();

    let events = events.0.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[0].starts_with("INFO"), "{}", events[0]);
    assert!(
        events[0].contains("operation=\"okta.users.suspend\""),
        "{}",
        events[0]
    );
    assert!(events[0].contains("finding=Applied"), "{}", events[0]);
    assert!(events[0].contains("reads=1 resent=false"), "{}", events[0]);
    assert!(events[1].starts_with("WARN"), "{}", events[1]);
    assert!(events[1].contains("finding=Undecided"), "{}", events[1]);
    assert!(events[1].contains("resent=true"), "{}", events[1]);
}
