//! The shared shape of every operation's builder: `send()`, `IntoFuture`, and for lists the
//! all-pages streams. Each builder holds a clone of [`Users`](crate::Users) and implements
//! `fn request(&self) -> Result<ApiRequest>`; these macros add the rest.

/// A boxed, `Send` future, as `IntoFuture` needs a nameable type.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

/// `send()` and `IntoFuture` for a builder whose response is one JSON value (`json`) or empty
/// (`empty`).
macro_rules! single {
    ($builder:ident $(<$p:ident>)? => $output:ty, json) => {
        $crate::call::single!(@impl $builder $(<$p>)? => $output, fetch_json);
    };
    ($builder:ident $(<$p:ident>)? => (), empty) => {
        $crate::call::single!(@impl $builder $(<$p>)? => (), fetch_empty);
    };
    (@impl $builder:ident $(<$p:ident>)? => $output:ty, $fetch:ident) => {
        impl<S: $crate::HttpService $(, $p: ::serde::Serialize + ::serde::de::DeserializeOwned + Send + 'static)?> $builder<S $(, $p)?> {
            /// Sends the request and waits for its response.
            pub async fn send(self) -> $crate::Result<$output> {
                let request = self.request()?;
                self.users.$fetch(request).await
            }
        }

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
