//! The main job: a realistic admin flow against Okta's Users API.
//!
//! With an org configured as Okta's SDKs read it — `~/.okta/okta.yaml`, `./okta.yaml`,
//! `./.okta/okta.yaml`, or the environment: `OKTA_CLIENT_ORGURL` with `OKTA_CLIENT_TOKEN` (an API
//! token), or `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey` with `OKTA_CLIENT_CLIENTID`,
//! `OKTA_CLIENT_SCOPES` and `OKTA_CLIENT_PRIVATEKEY` (OAuth 2.0, DPoP-bound when the app requires
//! it; `OKTA_CLIENT_DPOPENABLED=true|false|auto`) — it runs the read-only part against that org.
//! Otherwise it starts the embedded mock org on loopback and walks the whole flow: create,
//! activate, update, list with paging, search, lifecycle, roles, an error handled, delete — with
//! an API token, or with `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey` as a service app requiring
//! DPoP.
//!
//! ```sh
//! cargo run --example quickstart
//! OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey RUST_LOG=okta_layers=debug cargo run --example quickstart
//! ```

use anyhow::Context;
use futures_util::TryStreamExt;
use okta_client::{BuildError, ClientBuilder};
use okta_users::models::{CreateUserRequest, RoleType, UpdateUserRequest, UserProfile};
use okta_users::{HttpService, Users};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `RUST_LOG=okta_layers=debug` prints the client's spans and rate-limit waits.
    okta_examples::init_tracing();
    let configured = ClientBuilder::from_okta_config()
        .and_then(ClientBuilder::build)
        .map(Some)
        .or_else(|error| match error {
            // No org anywhere: the embedded one below.
            BuildError::MissingOrgUrl => Ok(None),
            error => Err(error),
        })
        .context("configuring the client from okta.yaml and OKTA_CLIENT_* variables")?;
    if let Some(client) = configured {
        println!("Using the Okta org at {} (read-only)", client.org_url());
        return read_only(&client.users()).await;
    }

    let (org, builder) = okta_examples::embedded_org(42, 250).await?;
    println!(
        "Started an embedded Okta org at {} with 250 seeded users",
        org.base_url()
    );
    let client = builder.build()?;
    let users = client.users();

    read_only(&users).await?;
    admin_flow(&users).await?;

    org.shutdown().await;
    println!("Done.");
    Ok(())
}

/// What is safe against any org: read a page, walk every page, search, look at one user.
async fn read_only<S: HttpService>(users: &Users<S>) -> anyhow::Result<()> {
    let first = users.list().limit(5).await?;
    println!("\nFirst page of users (limit 5):");
    for user in &first.items {
        println!(
            "  {:<22} {:<16} {}",
            user.id,
            user.status,
            user.profile.login.as_deref().unwrap_or("-")
        );
    }
    println!(
        "  next page cursor: {}",
        first.next_cursor().as_deref().unwrap_or("(last page)")
    );

    let mut pages = users.list().limit(100).pages();
    let (mut page_count, mut user_count) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        user_count += page.items.len();
    }
    println!(
        "\nWalked {page_count} pages of up to 100: {user_count} users (DEPROVISIONED ones are not listed)"
    );

    let engineers = users
        .list()
        .search(r#"profile.department eq "Engineering" and status eq "ACTIVE""#)
        .sort_by("profile.lastName")
        .collect_all()
        .await?;
    println!(
        "Search: {} active engineers; first by last name: {}",
        engineers.len(),
        name_of(engineers.first())
    );

    if let Some(someone) = first.items.first() {
        let groups = users.list_groups(&someone.id).collect_all().await?;
        let names: Vec<_> = groups
            .iter()
            .filter_map(|g| g.profile.name.clone())
            .collect();
        println!(
            "{} is in groups: {}",
            name_of(Some(someone)),
            names.join(", ")
        );
    }

    match users.get("nobody-here@example.com").await {
        Err(error) if error.is_not_found() => println!("Looking up an unknown login: {error}"),
        Err(error) => return Err(error.into()),
        Ok(user) => println!("Unexpectedly found {}", user.id),
    }
    Ok(())
}

/// Writes: only against the embedded org.
async fn admin_flow<S: HttpService>(users: &Users<S>) -> anyhow::Result<()> {
    println!("\nAdmin flow:");
    let mut profile = UserProfile::new(
        "Ada",
        "Lovelace",
        "ada.lovelace@example.com",
        "ada.lovelace@example.com",
    );
    profile.department = Some("Engineering".into());
    profile.set_custom("favoriteLanguage", "Analytical Engine".into());
    let request = CreateUserRequest::new(profile)
        .password("Tr1cky-Engine!")
        .recovery_question("First machine?", "difference engine");

    let ada = users.create(request.clone()).activate(false).await?;
    println!("  created {} as {} (activate=false)", ada.id, ada.status);

    users.activate(&ada.id).send_email(false).await?;
    let ada = users.get(&ada.id).await?;
    println!("  activated: now {}", ada.status);

    let mut change = UserProfile::default();
    change.title = Some("Countess of Lovelace".into());
    let ada = users
        .update(&ada.id, UpdateUserRequest::profile(change))
        .await?;
    println!(
        "  partial update: title = {:?}, custom favoriteLanguage kept = {}",
        ada.profile.title.as_deref().unwrap_or("-"),
        ada.profile.custom("favoriteLanguage").is_some()
    );

    let by_login = users
        .list()
        .filter(r#"profile.login eq "ada.lovelace@example.com""#)
        .await?;
    println!("  filter by login finds {} user(s)", by_login.items.len());

    users.suspend(&ada.id).await?;
    println!("  suspended: {}", users.get(&ada.id).await?.status);
    users.unsuspend(&ada.id).await?;
    println!("  unsuspended: {}", users.get(&ada.id).await?.status);

    let role = users.assign_role(&ada.id, RoleType::HelpDeskAdmin).await?;
    let roles = users.list_roles(&ada.id).collect_all().await?;
    let kind = role.r#type.as_str();
    println!(
        "  assigned role {} ({kind}); the user now has {} role(s)",
        role.id,
        roles.len()
    );
    users.unassign_role(&ada.id, &role.id).await?;

    match users.create(request).await {
        Err(error) => {
            let api = error.api().context("an Okta error body")?;
            println!(
                "  creating the same login again is refused: {} {}",
                api.error_code, api.error_summary
            );
            for cause in &api.error_causes {
                println!("    cause: {}", cause.error_summary);
            }
        }
        Ok(user) => anyhow::bail!("a duplicate login was accepted as {}", user.id),
    }

    users.delete(&ada.id).await?;
    println!(
        "  first delete deactivates: {}",
        users.get(&ada.id).await?.status
    );
    users.delete(&ada.id).await?;
    match users.get(&ada.id).await {
        Err(error) if error.is_not_found() => println!(
            "  second delete removes the user: {}",
            error.error_code().unwrap_or("-")
        ),
        other => anyhow::bail!("expected the user to be gone, got {other:?}"),
    }
    Ok(())
}

fn name_of<P>(user: Option<&okta_users::models::User<P>>) -> String
where
    P: ProfileName,
{
    user.map(|u| u.profile.display())
        .unwrap_or_else(|| "-".into())
}

/// How to print a user's name.
trait ProfileName {
    fn display(&self) -> String;
}

impl ProfileName for UserProfile {
    fn display(&self) -> String {
        format!(
            "{} {}",
            self.first_name.as_deref().unwrap_or(""),
            self.last_name.as_deref().unwrap_or("")
        )
    }
}
