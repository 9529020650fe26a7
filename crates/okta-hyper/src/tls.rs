//! TLS trust: the bundled Mozilla roots (feature `webpki-roots`) or the operating system's
//! verifier (feature `platform-verifier`), plus the roots added on the builder.

use std::path::Path;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::BuildError;

/// The client configuration: ring, TLS 1.2 and 1.3, trusting the roots of the enabled feature
/// and `extra_roots`.
pub(crate) fn client_config(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<ClientConfig, BuildError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(BuildError::Tls)?;

    #[cfg(feature = "platform-verifier")]
    let builder = {
        // The OS decides (its store, its policies, its revocation checks), and our extra roots
        // are trusted as well.
        let verifier =
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider)
                .map_err(BuildError::TrustStore)?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    };

    #[cfg(not(feature = "platform-verifier"))]
    let builder = {
        let _ = provider;
        let mut roots = rustls::RootCertStore::empty();
        #[cfg(feature = "webpki-roots")]
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for certificate in extra_roots {
            roots
                .add(certificate)
                .map_err(BuildError::InvalidRootCertificate)?;
        }
        builder.with_root_certificates(roots)
    };

    Ok(builder.with_no_client_auth())
}

/// Every `CERTIFICATE` in the PEM file at `path` (other sections are skipped); none is an error.
pub(crate) fn read_pem_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, BuildError> {
    let failed = |reason: String| BuildError::RootCertificatesFile {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|error| failed(error.to_string()))?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| failed(format!("not valid PEM ({error})")))?;
    if certificates.is_empty() {
        return Err(failed("no CERTIFICATE section".to_owned()));
    }
    Ok(certificates)
}
