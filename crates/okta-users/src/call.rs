//! The shared shape of every operation's builder: `send()`, `IntoFuture`, and for lists the
//! all-pages streams. Each builder holds a clone of [`Users`](crate::Users) and implements
//! `fn request(&self) -> Result<ApiRequest>`; these macros add the rest.

/// A boxed, `Send` future, as `IntoFuture` needs a nameable type.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

/// `send()` and `IntoFuture` for a builder whose response is one JSON value (`json`), a user
/// with its `ETag` (`user`) or empty (`empty`).
///
/// A write adds `reconcile resend` (its endpoint's [`Rule`](crate::reconcile::Rule), run by
/// the generic re-send), `reconcile custom` (the endpoint's rule, run by the builder's own
/// `async fn reconcile_after(self, reconciler)`) or `reconcile custom_rule` (that, and a rule
/// chosen by the builder's own `fn rule(&self, endpoint)` from what the request asks): then
/// `send()` reconciles an outcome-unknown failure, and `send_reconciled()` and `.reconcile(on)`
/// are added.
macro_rules! single {
    ($builder:ident $(<$p:ident>)? => $output:ty, $kind:ident) => {
        impl<S: $crate::HttpService $(, $p: ::serde::Serialize + ::serde::de::DeserializeOwned + Send + 'static)?> $builder<S $(, $p)?> {
            /// Sends the request and waits for its response.
            pub async fn send(self) -> $crate::Result<$output> {
                let request = self.request()?;
                $crate::call::single!(@fetch $kind, self.users, request)
            }
        }
        $crate::call::single!(@into_future $builder $(<$p>)? => $output);
    };
    ($builder:ident $(<$p:ident>)? => $output:ty, $kind:ident, reconcile $how:ident) => {
        impl<S: $crate::HttpService $(, $p: ::serde::Serialize + ::serde::de::DeserializeOwned + Send + 'static)?> $builder<S $(, $p)?> {
            /// Sends the request and waits for its response. When the answer is lost (an
            /// [outcome-unknown](crate::Error::is_outcome_unknown) failure), the write is
            /// [reconciled](crate::reconcile) by its rule unless turned off, and returns what
            /// really happened; [`send_reconciled`](Self::send_reconciled) says so.
            pub async fn send(self) -> $crate::Result<$output> {
                self.send_reconciled().await.map($crate::reconcile::Outcome::into_value)
            }

            /// Like [`send`](Self::send), with whether the value comes from Okta's answer or
            /// from a [reconciliation](crate::reconcile) of a lost one (and what it did).
            pub async fn send_reconciled(self) -> $crate::Result<$crate::reconcile::Outcome<$output>> {
                let request = self.request()?;
                let endpoint = request.endpoint;
                let started = ::tokio::time::Instant::now();
                let cause = match $crate::call::single!(@fetch $kind, self.users, request) {
                    Ok(value) => return Ok($crate::reconcile::Outcome::answered(value)),
                    Err(cause) => cause,
                };
                let rule = $crate::call::single!(@rule $how, self, endpoint);
                if !self.users.reconcile
                    || rule == $crate::reconcile::Rule::None
                    || !cause.is_outcome_unknown()
                {
                    return Err(cause);
                }
                let reconciler = $crate::reconcile::Reconciler::new(
                    self.users.clone(), endpoint, rule, started, cause,
                );
                $crate::call::single!(@run $how $kind, self, reconciler, endpoint)
            }

            /// Whether this call is [reconciled](crate::reconcile) after an ambiguous failure
            /// (default: as [`Users::reconcile`](crate::Users::reconcile) says, on unless
            /// turned off there).
            pub fn reconcile(mut self, on: bool) -> Self {
                self.users.reconcile = on;
                self
            }
        }
        $crate::call::single!(@into_future $builder $(<$p>)? => $output);
    };
    (@fetch json, $users:expr, $request:ident) => { $users.fetch_json($request).await };
    (@fetch user, $users:expr, $request:ident) => { $users.fetch_user($request).await };
    (@fetch empty, $users:expr, $request:ident) => { $users.fetch_empty($request).await };
    (@rule custom_rule, $self:ident, $endpoint:ident) => { $self.rule($endpoint) };
    (@rule $how:ident, $self:ident, $endpoint:ident) => { $endpoint.reconcile };
    (@run custom_rule $kind:ident, $self:ident, $reconciler:ident, $endpoint:ident) => {
        $self.reconcile_after($reconciler).await
    };
    (@run custom $kind:ident, $self:ident, $reconciler:ident, $endpoint:ident) => {
        $self.reconcile_after($reconciler).await
    };
    (@run resend empty, $self:ident, $reconciler:ident, $endpoint:ident) => {{
        let request = $self.request()?;
        $crate::reconcile::flows::resend_empty(
            $reconciler,
            $endpoint.method == ::http::Method::DELETE,
            $self.users.fetch_empty(request),
        )
        .await
    }};
    (@run resend $kind:ident, $self:ident, $reconciler:ident, $endpoint:ident) => {{
        let request = $self.request()?;
        $crate::reconcile::flows::resend(
            $reconciler,
            async { $crate::call::single!(@fetch $kind, $self.users, request) },
        )
        .await
    }};
    (@into_future $builder:ident $(<$p:ident>)? => $output:ty) => {
        impl<S: $crate::HttpService $(, $p: ::serde::Serialize + ::serde::de::DeserializeOwned + Send + 'static)?> ::core::future::IntoFuture
            for $builder<S $(, $p)?>
        {
            type Output = $crate::Result<$output>;
            type IntoFuture = $crate::call::BoxFuture<$crate::Result<$output>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use single;

/// `send()` (one page), `pages()`, `stream()`, `collect_all()` and `IntoFuture` for a list.
macro_rules! paged {
    ($builder:ident $(<$p:ident>)? => $item:ty) => {
        impl<S: $crate::HttpService $(, $p: ::serde::de::DeserializeOwned + Send + 'static)?> $builder<S $(, $p)?> {
            /// Sends the request and reads one page (the first, or the one `after` points at).
            pub async fn send(self) -> $crate::Result<$crate::Page<$item>> {
                let request = self.request()?;
                self.users.fetch_page(request).await
            }

            /// Every page, following each response's `rel="next"` link until the last.
            pub fn pages(self) -> $crate::Pages<$item> {
                self.users.paginate(self.request())
            }

            /// Every item of every page, one page held at a time.
            pub fn stream(self) -> $crate::Items<$item> {
                self.pages().items()
            }

            /// Reads every page and collects all items.
            pub async fn collect_all(self) -> $crate::Result<Vec<$item>> {
                self.pages().collect_items().await
            }
        }

        impl<S: $crate::HttpService $(, $p: ::serde::de::DeserializeOwned + Send + 'static)?> ::core::future::IntoFuture
            for $builder<S $(, $p)?>
        {
            type Output = $crate::Result<$crate::Page<$item>>;
            type IntoFuture = $crate::call::BoxFuture<$crate::Result<$crate::Page<$item>>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use paged;
