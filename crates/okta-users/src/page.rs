//! One page of a list, and streams that follow `rel="next"` across all of them.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::link;
use crate::redact::Redactor;
use crate::request::ApiRequest;
use crate::seen_pages::SeenPages;
use crate::service::HttpService;
use crate::users::{PageBounds, Users, snippet};

/// One page of a list: its items and where the next page is, if there is one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The path and query of the next page, from the response's `rel="next"` link.
    pub next: Option<String>,
    /// The `X-Okta-Request-Id` of the response.
    pub request_id: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items`, followed by the page at `next` (a path and query) if any.
    pub fn new(items: Vec<T>, next: Option<String>) -> Self {
        Page {
            items,
            next,
            request_id: None,
        }
    }

    /// With the `X-Okta-Request-Id` of the response that carried the page.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Whether another page follows.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

    /// The `after` cursor of the next page, decoded, to resume a listing later with `.after(..)`.
    ///
    /// The query is read as `application/x-www-form-urlencoded`, `+` as a space, as Okta's
    /// servers read it.
    pub fn next_cursor(&self) -> Option<String> {
        let next = self.next.as_deref()?;
        let query = next.split_once('?')?.1;
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "after")
            .map(|(_, cursor)| cursor.into_owned())
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// A page as read, before its `next` link is judged.
struct PageRead<T> {
    page: Page<T>,
    /// The `next` link's path and query, or why it cannot be followed.
    next: std::result::Result<Option<String>, Error>,
    redactor: Redactor,
}

impl<S: HttpService> Users<S> {
    /// Sends a list request and reads one page; a `next` link that cannot be followed is an
    /// error.
    pub(crate) async fn fetch_page<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
    ) -> Result<Page<T>> {
        let bounds = PageBounds::of(&request);
        let read = self.read_page(request, bounds).await?;
        let mut page = read.page;
        page.next = read.next?;
        Ok(page)
    }

    async fn read_page<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
        bounds: PageBounds,
    ) -> Result<PageRead<T>> {
        let response = self.execute(request).await?;
        let items = response.json_page(bounds)?;
        let next =
            match link::find_link(&response.headers, "next") {
                None => Ok(None),
                Some(target) => link::path_and_query(&target).map(Some).map_err(|reason| {
                    Error::InvalidNextLink {
                        link: snippet(target.as_bytes(), &response.redactor),
                        reason,
                    }
                }),
            };
        Ok(PageRead {
            page: Page {
                items,
                next: None,
                request_id: response.request_id(),
            },
            next,
            redactor: response.redactor,
        })
    }

    /// Every page of a list, starting with `first`, one request at a time.
    ///
    /// Every page is held to the bounds of the first request (its `limit`, else the list's
    /// documented maximum), whatever `limit` a server's `next` link carries. A `next` link back
    /// to a page read before ends the walk with [`Error::PaginationCycle`]; one that cannot be
    /// followed with [`Error::InvalidNextLink`]: either after the items of the page carrying it.
    pub(crate) fn paginate<T>(&self, first: Result<ApiRequest>) -> Pages<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let walk = Walk {
            users: self.clone(),
            next: Some(first),
            bounds: None,
            seen: SeenPages::new(),
        };
        let stream = futures_util::stream::try_unfold(walk, |mut walk| async move {
            let Some(request) = walk.next.take() else {
                return Ok(None);
            };
            let request = request?;
            let bounds = match walk.bounds {
                Some(bounds) => bounds,
                None => {
                    // The first page; every later one was visited as a `next` link.
                    walk.seen.visit(&request.path_and_query());
                    *walk.bounds.insert(PageBounds::of(&request))
                }
            };
            let endpoint = request.endpoint;
            let read: PageRead<T> = walk.users.read_page(request, bounds).await?;
            let mut page = read.page;
            walk.next = match read.next {
                Ok(None) => None,
                Ok(Some(next)) => {
                    let seen_before = walk.seen.visit(&next);
                    page.next = Some(next.clone());
                    Some(if seen_before {
                        Err(Error::PaginationCycle {
                            next: snippet(next.as_bytes(), &read.redactor),
                        })
                    } else {
                        Ok(ApiRequest::next_page(endpoint, next))
                    })
                }
                Err(error) => Some(Err(error)),
            };
            Ok(Some((page, walk)))
        });
        Pages {
            inner: stream.boxed(),
        }
    }
}

/// The state of one walk through a list.
struct Walk<S> {
    users: Users<S>,
    /// The next page's request, or the error that ends the walk after the page just read.
    next: Option<Result<ApiRequest>>,
    /// The bounds of the first request, held for every page.
    bounds: Option<PageBounds>,
    seen: SeenPages,
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
        let cursor = |next: &str| Page::<()>::new(vec![], Some(next.into())).next_cursor();
        assert_eq!(
            cursor("/api/v1/users?limit=2&after=a%2Bb%3D").as_deref(),
            Some("a+b=")
        );
        assert_eq!(cursor("/x?after=a+b").as_deref(), Some("a b"));
        assert_eq!(cursor("/x?limit=2"), None);
        assert_eq!(Page::<()>::new(vec![], None).next_cursor(), None);
    }
}
