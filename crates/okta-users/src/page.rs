//! One page of a list, and streams that follow `rel="next"` across all of them.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use http::Method;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::link;
use crate::request::ApiRequest;
use crate::service::HttpService;
use crate::users::Users;

/// One page of a list: its items and where the next page is, if there is one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The path and query of the next page, from the response's `rel="next"` link.
    pub next: Option<String>,
    /// The `X-Okta-Request-Id` of the response.
    pub request_id: Option<String>,
}

impl<T> Page<T> {
    /// Whether another page follows.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

    /// The `after` cursor of the next page, decoded, to resume a listing later with `.after(..)`.
    pub fn next_cursor(&self) -> Option<String> {
        let next = self.next.as_deref()?;
        let query = next.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let value = pair.strip_prefix("after=")?;
            Some(
                percent_encoding::percent_decode_str(value)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<S: HttpService> Users<S> {
    /// Sends a list request and reads one page.
    pub(crate) async fn fetch_page<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
    ) -> Result<Page<T>> {
        let expected = request.limit().unwrap_or(0);
        let response = self.execute(request).await?;
        let items = response.json_page(expected)?;
        let next = link::find_link(&response.headers, "next")
            .and_then(|target| link::path_and_query(&target));
        Ok(Page {
            items,
            next,
            request_id: response.request_id(),
        })
    }

    /// Every page of a list, starting with `first`, one request at a time.
    pub(crate) fn paginate<T>(&self, first: Result<ApiRequest>) -> Pages<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let users = self.clone();
        let state = Some(first);
        let stream = futures_util::stream::try_unfold(state, move |state| {
            let users = users.clone();
            async move {
                let Some(request) = state else {
                    return Ok(None);
                };
                let request = request?;
                let operation = request.operation;
                let current = request.path_and_query();
                let page: Page<T> = users.fetch_page(request).await?;
                // A `next` link pointing at the page just read would loop forever: stop there.
                let next =
                    page.next
                        .clone()
                        .filter(|next| *next != current)
                        .map(|path_and_query| {
                            let (path, query) = match path_and_query.split_once('?') {
                                Some((path, query)) => (path.to_owned(), query.to_owned()),
                                None => (path_and_query, String::new()),
                            };
                            let mut request = ApiRequest::new(operation, Method::GET, path);
                            request.query = query;
                            Ok(request)
                        });
                Ok(Some((page, next)))
            }
        });
        Pages {
            inner: stream.boxed(),
        }
    }
}

/// A stream of every page of a list; it holds one page at a time.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    inner: BoxStream<'static, Result<Page<T>>>,
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Pages<T> {
    /// The items of every page, one after another.
    pub fn items(self) -> Items<T> {
        Items {
            pages: self,
            buffer: VecDeque::new(),
            done: false,
        }
    }

    /// Reads every page and collects all items.
    pub async fn collect_items(self) -> Result<Vec<T>> {
        self.items().try_collect().await
    }
}

impl<T> Stream for Pages<T> {
    type Item = Result<Page<T>>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

/// A stream of the items of every page of a list; it holds one page at a time.
#[must_use = "streams do nothing unless polled"]
pub struct Items<T> {
    pages: Pages<T>,
    buffer: VecDeque<T>,
    done: bool,
}

impl<T> std::fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<T> Unpin for Items<T> {}

impl<T> Stream for Items<T> {
    type Item = Result<T>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if self.done {
                return Poll::Ready(None);
            }
            match self.pages.inner.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => self.done = true,
                Poll::Ready(Some(Err(error))) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(Some(Ok(page))) => self.buffer = page.items.into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_cursor_is_decoded() {
        let page: Page<()> = Page {
            items: vec![],
            next: Some("/api/v1/users?limit=2&after=a%2Bb%3D".into()),
            request_id: None,
        };
        assert_eq!(page.next_cursor().as_deref(), Some("a+b="));
    }
}
