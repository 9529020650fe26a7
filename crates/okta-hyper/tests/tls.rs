//! Trust: roots from a PEM file (on the transport and on the okta-client builder), unusable
//! files refused by `build()`, and the test CA untrusted without them. Run with the default
//! `webpki-roots` and with `--features platform-verifier` (the OS verifier plus extra roots).

mod support;

use std::path::PathBuf;

use okta_hyper::{BuildError, HyperTransport};
use okta_users::Error;
use support::pki::pki;
use support::{get, origin, send};

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("okta-hyper-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn roots_from_a_pem_file_are_trusted() {
    let pki = pki();
    let origin = origin::https(&pki, &[b"http/1.1"]).await;
    // Another certificate first: every CERTIFICATE of the file is taken.
    let other = support::pki::pki();
    let file = TempFile::new("roots.pem", &format!("{}{}", other.ca_pem, pki.ca_pem));

    let untrusting = HyperTransport::builder().no_proxy().build().unwrap();
    let error = send(&untrusting, get(origin.url("/json")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { not_sent: true, .. }),
        "{error:?}"
    );

    let trusting = HyperTransport::builder()
        .no_proxy()
        .add_root_certificates_pem_file(&file.0)
        .build()
        .unwrap();
    send(&trusting, get(origin.url("/json"))).await.unwrap();
}

#[test]
fn an_unreadable_or_certificate_free_file_is_refused_by_build() {
    let missing = std::env::temp_dir().join("okta-hyper-no-such-roots.pem");
    let key_only = TempFile::new(
        "key-only.pem",
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
    );
    let not_pem = TempFile::new("not-pem.pem", "hello\n");
    let broken = TempFile::new(
        "broken.pem",
        "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    );
    for (path, reason) in [
        (&missing, "No such file"),
        (&key_only.0, "no CERTIFICATE"),
        (&not_pem.0, "no CERTIFICATE"),
        (&broken.0, "not valid PEM"),
    ] {
        let error = HyperTransport::builder()
            .no_proxy()
            .add_root_certificates_pem_file(path)
            .build()
            .unwrap_err();
        assert!(
            matches!(&error, BuildError::RootCertificatesFile { path: p, .. } if p == path),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(
            text.contains(reason) && text.contains(&*path.to_string_lossy()),
            "{text}"
        );
    }
    // The same through the okta-client builder.
    let error = okta_client::Client::builder()
        .org_url("https://dev-123.okta.com")
        .api_token("00token")
        .add_root_certificates_pem_file(&missing)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            error,
            okta_client::BuildError::Transport(BuildError::RootCertificatesFile { .. })
        ),
        "{error:?}"
    );
}
