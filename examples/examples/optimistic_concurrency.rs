//! Optimistic concurrency with `ETag` and `If-Match`, against the embedded mock org in process:
//! two writers change the same user at once; each reads the user, changes its copy and writes
//! it back only if nobody wrote in between, and reads again when Okta answers 412.
//!
//! ```text
//! cargo run -p okta-examples --example optimistic_concurrency
//! ```

use okta_client::Client;
use okta_mock::{DEFAULT_SERVICE_BASE_URL, MockOrg};
use okta_users::models::{CreateUserRequest, UpdateUserRequest, UserProfile};
use okta_users::{HttpService, Users};

/// Appends `tag` to the user's `title`, without losing a concurrent writer's tag: read, change,
/// write back if unchanged; on a 412 (someone wrote in between), start over. Returns how many
/// tries it took.
async fn append_to_title(
    users: &Users<impl HttpService>,
    id: &str,
    tag: &str,
) -> okta_users::Result<u32> {
    let mut tries = 0;
    loop {
        tries += 1;
        let user = users.get(id).await?;
        let etag = user.etag.clone().expect("Okta sends an ETag with a user");
        let mut profile = user.profile;
        let title = profile.title.take().unwrap_or_default();
        profile.title = Some(format!("{title}{tag}").into());
        // Whatever the change costs to work out, another writer may write meanwhile.
        tokio::task::yield_now().await;
        match users
            .replace(id, UpdateUserRequest::profile(profile))
            .if_match(&etag)
            .await
        {
            Ok(_) => return Ok(tries),
            Err(error) if error.is_precondition_failed() && tries < 10 => continue,
            Err(error) => return Err(error),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let org = MockOrg::builder().build()?;
    let service = Client::builder()
        .org_url(DEFAULT_SERVICE_BASE_URL)
        .api_token(org.token())
        .build_service(org.service())?;
    let users = Users::new(service);
    let profile = UserProfile::new("Ada", "Lovelace", "ada@example.com", "ada@example.com");
    let id = users.create(CreateUserRequest::new(profile)).await?.id;

    // Both writers read the same version; the first to write wins, the other gets a 412,
    // reads the new version and writes its change on top of it (without `if_match`, the last
    // write would silently drop the other's tag).
    let (first, second) = tokio::join!(
        append_to_title(&users, &id, "[first]"),
        append_to_title(&users, &id, "[second]"),
    );
    let (first, second) = (first?, second?);

    let title = users.get(&id).await?.profile.title.unwrap_or_default();
    println!("title {title:?}; tries: first writer {first}, second writer {second}");
    assert!(
        title == "[first][second]" || title == "[second][first]",
        "no write lost"
    );
    assert_eq!(first + second, 3, "one writer read again after its 412");
    Ok(())
}
