//! Capturing what is traced, for the tests that check spans, events and that no secret is
//! traced. The okta-layers, okta-client and okta-hyper tests share this one file (the last two
//! through `#[path]`: it needs only `tracing` and `tracing-subscriber`).
//!
//! Put a test that captures traces in a test binary of its own, its tests one at a time
//! ([`ONE_AT_A_TIME`]): `tracing` caches each callsite's interest globally, and a test running
//! meanwhile without a subscriber could switch off the callsites a capture waits for.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::{Context, SubscriberExt};

/// Held by each test of a capturing binary: one capture at a time.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A span's or an event's fields, by name, as text.
pub type Fields = BTreeMap<String, String>;

/// Everything a TRACE-level `fmt` subscriber writes (span opening and closing included, no
/// colours).
#[derive(Clone, Default)]
pub struct TraceText(Arc<Mutex<Vec<u8>>>);

impl TraceText {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for TraceText {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, for the current thread, a TRACE subscriber writing all it sees into the returned
/// [`TraceText`] (on a current-thread runtime: every task of the test, a mock org's too).
pub fn trace_text() -> (TraceText, tracing::subscriber::DefaultGuard) {
    let (_, text, guard) = capture();
    (text, guard)
}

/// Installs, for the current thread, a TRACE subscriber recording every span and event
/// ([`Captured`]) and writing all it sees ([`TraceText`]).
pub fn capture() -> (Captured, TraceText, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let text = TraceText::default();
    let writer = text.clone();
    let subscriber = tracing_subscriber::registry()
        .with(captured.clone())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(move || writer.clone())
                .with_span_events(FmtSpan::FULL)
                .with_ansi(false),
        )
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, text, guard)
}

/// Every span (its name and fields, as recorded by the end) and every event (its fields), in
/// the order they came.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Recorded>>);

/// What a [`Captured`] holds.
#[derive(Default)]
pub struct Recorded {
    /// Each span's name and fields, in creation order.
    pub spans: Vec<(String, Fields)>,
    /// Each event's fields.
    pub events: Vec<Fields>,
    /// Each span id's index in `spans`.
    ids: BTreeMap<u64, usize>,
}

impl Captured {
    /// What was recorded so far.
    pub fn recorded(&self) -> MutexGuard<'_, Recorded> {
        self.0.lock().unwrap()
    }

    /// The fields of every span named `name`, in creation order.
    pub fn spans_named(&self, name: &str) -> Vec<Fields> {
        self.recorded()
            .spans
            .iter()
            .filter(|(span, _)| span == name)
            .map(|(_, fields)| fields.clone())
            .collect()
    }
}

struct Visitor<'a>(&'a mut Fields);

impl Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut Visitor(&mut fields));
        let mut recorded = self.recorded();
        let index = recorded.spans.len();
        recorded
            .spans
            .push((attrs.metadata().name().to_owned(), fields));
        recorded.ids.insert(id.into_u64(), index);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut recorded = self.recorded();
        let index = recorded.ids[&id.into_u64()];
        values.record(&mut Visitor(&mut recorded.spans[index].1));
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut Visitor(&mut fields));
        self.recorded().events.push(fields);
    }
}
