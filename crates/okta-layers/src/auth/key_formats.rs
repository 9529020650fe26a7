//! Private keys as users hold them — PEM (PKCS#8, PKCS#1, SEC1) or a JWK, as Okta's admin
//! console and its SDKs hand them out — read into *ring* key pairs, and fresh ES256 keys.
//!
//! *ring* reads PKCS#8 and PKCS#1 DER and JWK components itself; the one thing it lacks is
//! SEC1 (`EC PRIVATE KEY`), which is wrapped here into the PKCS#8 envelope *ring* reads (a few
//! bytes of DER: no crate in the tree writes it for us). Every error names what is wrong,
//! never the key; every decoded secret is zeroed when dropped.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ring::rand::SystemRandom;
use ring::rsa::{KeyPairComponents, PublicKeyComponents};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RsaKeyPair};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::ConfigError;

/// A key pair able to sign, with the algorithm it signs with.
pub(crate) enum KeyPair {
    /// ECDSA on P-256 with SHA-256.
    Es256(EcdsaKeyPair),
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048 to 8192 bits.
    Rs256(RsaKeyPair),
}

/// A key pair and the key id its source carried (a JWK's `kid`).
pub(crate) struct ReadKey {
    pub(crate) pair: KeyPair,
    pub(crate) key_id: Option<String>,
}

const NOT_P256: &str = "the EC key cannot sign ES256 (it must be on P-256)";
const RSA_TOO_SMALL: &str = "the RSA key cannot sign RS256 (it must have 2048 to 8192 bits)";
/// DER of the OID 1.2.840.113549.1.1.1 (rsaEncryption).
const RSA_OID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
/// DER of the OID 1.2.840.10045.2.1 (id-ecPublicKey).
const EC_OID: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// DER of the OID 1.2.840.10045.3.1.7 (prime256v1, P-256).
const P256_OID: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

fn invalid(reason: impl Into<String>) -> ConfigError {
    ConfigError::private_key(reason)
}

/// A PEM private key: the first `PRIVATE KEY` (PKCS#8, RSA or EC P-256), `RSA PRIVATE KEY`
/// (PKCS#1) or `EC PRIVATE KEY` (SEC1, P-256) block; other blocks (`EC PARAMETERS`, as
/// `openssl ecparam -genkey` writes before the key) are skipped.
pub(crate) fn from_pem(pem: &[u8]) -> Result<ReadKey, ConfigError> {
    let text = String::from_utf8_lossy(pem);
    if !text.contains("-----BEGIN") {
        return Err(invalid("not a PEM key (no -----BEGIN line)"));
    }
    let blocks = pem::parse_many(pem).map_err(|_| invalid("not a well-formed PEM block"))?;
    let Some(block) = blocks.into_iter().find(|block| {
        matches!(
            block.tag(),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY"
        )
    }) else {
        return Err(
            if text.contains("PUBLIC KEY") || text.contains("CERTIFICATE") {
                invalid("a public key or certificate, not a private key")
            } else {
                invalid(
                    "no private key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) in the PEM",
                )
            },
        );
    };
    if block.tag() == "ENCRYPTED PRIVATE KEY"
        || block
            .headers()
            .get("Proc-Type")
            .is_some_and(|value| value.contains("ENCRYPTED"))
    {
        return Err(invalid(
            "encrypted private keys are not supported: decrypt it with `openssl pkcs8 -nocrypt`",
        ));
    }
    let tag = block.tag().to_owned();
    let der = Zeroizing::new(block.into_contents());
    let pair = match tag.as_str() {
        "RSA PRIVATE KEY" => KeyPair::Rs256(RsaKeyPair::from_der(&der).map_err(rsa_rejected)?),
        "EC PRIVATE KEY" => es256_from_pkcs8(&Zeroizing::new(sec1_to_pkcs8(&der)))?,
        _ => from_pkcs8(&der)?,
    };
    Ok(ReadKey { pair, key_id: None })
}

/// PKCS#8 DER, RSA or EC P-256 (told apart by the algorithm OID, to say what is wrong).
fn from_pkcs8(der: &[u8]) -> Result<KeyPair, ConfigError> {
    let head = &der[..der.len().min(40)];
    if contains(head, EC_OID) {
        es256_from_pkcs8(der)
    } else if contains(head, RSA_OID) {
        Ok(KeyPair::Rs256(
            RsaKeyPair::from_pkcs8(der).map_err(rsa_rejected)?,
        ))
    } else {
        Err(invalid(
            "not an RSA or EC private key (PKCS#8 with another algorithm, or not PKCS#8 at all)",
        ))
    }
}

fn es256_from_pkcs8(der: &[u8]) -> Result<KeyPair, ConfigError> {
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new())
        .map(KeyPair::Es256)
        .map_err(|rejected| match rejected.to_string().as_str() {
            "WrongAlgorithm" => invalid(NOT_P256),
            _ => {
                invalid("the EC key cannot be read (it must be on P-256 and carry its public key)")
            }
        })
}

fn rsa_rejected(rejected: ring::error::KeyRejected) -> ConfigError {
    match rejected.to_string().as_str() {
        "TooSmall" | "TooLarge" => invalid(RSA_TOO_SMALL),
        "PrivateModulusLenNotMultipleOf512Bits" => {
            invalid("the RSA key cannot sign RS256 here (its size must be a multiple of 512 bits)")
        }
        _ => invalid("the RSA key cannot be read (not a valid RSA private key)"),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// SEC1 `ECPrivateKey` DER inside a PKCS#8 `PrivateKeyInfo` for P-256 (RFC 5915, RFC 5208):
/// `SEQUENCE { INTEGER 0, SEQUENCE { id-ecPublicKey, prime256v1 }, OCTET STRING { sec1 } }`.
/// A SEC1 key on another curve says so in its own parameters, which *ring* checks.
fn sec1_to_pkcs8(sec1: &[u8]) -> Vec<u8> {
    let algorithm = der(0x30, &[EC_OID, P256_OID].concat());
    let body = [&[0x02, 0x01, 0x00][..], &algorithm, &der(0x04, sec1)].concat();
    der(0x30, &body)
}

/// One DER element: tag, definite length, content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|byte| **byte == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// The members of a private JWK (RFC 7517, 7518) that matter here.
#[derive(Deserialize)]
struct Jwk {
    kty: Option<String>,
    alg: Option<String>,
    kid: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
    d: Option<Zeroizing<String>>,
    p: Option<Zeroizing<String>>,
    q: Option<Zeroizing<String>>,
    dp: Option<Zeroizing<String>>,
    dq: Option<Zeroizing<String>>,
    qi: Option<Zeroizing<String>>,
}

/// A JWK, or a JWK set holding it (some consoles export a set of one).
#[derive(Deserialize)]
#[serde(untagged)]
enum JwkOrSet {
    Set { keys: Vec<Jwk> },
    Key(Box<Jwk>),
}

/// base64url, with or without padding.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A private JWK (or a JWK set of exactly one key): `kty` `EC` (`crv` `P-256`, `x`, `y`, `d`)
/// or `RSA` (`n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi`); its `kid` is kept.
pub(crate) fn from_jwk(json: &[u8]) -> Result<ReadKey, ConfigError> {
    let jwk = match serde_json::from_slice::<JwkOrSet>(json) {
        Ok(JwkOrSet::Key(jwk)) => *jwk,
        Ok(JwkOrSet::Set { mut keys }) if keys.len() == 1 => keys.remove(0),
        Ok(JwkOrSet::Set { keys }) => {
            return Err(invalid(format!(
                "a JWK set of {} keys: give the one key to sign with",
                keys.len()
            )));
        }
        Err(_) => {
            return Err(invalid(
                "not a JSON Web Key (not JSON, or a member of the wrong type)",
            ));
        }
    };
    if jwk.d.is_none() {
        return Err(invalid("a public JWK (no `d`), not a private key"));
    }
    let pair = match jwk.kty.as_deref() {
        Some("EC") => ec_from_jwk(&jwk)?,
        Some("RSA") => rsa_from_jwk(&jwk)?,
        Some(other) => {
            return Err(invalid(format!(
                "a JWK of type {other:?}: only RSA (RS256) and EC P-256 (ES256) keys can sign"
            )));
        }
        None => return Err(invalid("a JWK without `kty`")),
    };
    let expected = match pair {
        KeyPair::Es256(_) => "ES256",
        KeyPair::Rs256(_) => "RS256",
    };
    if let Some(alg) = jwk.alg.as_deref()
        && alg != expected
    {
        return Err(invalid(format!(
            "the JWK says `alg` {alg:?}; this key signs {expected}"
        )));
    }
    Ok(ReadKey {
        pair,
        key_id: jwk.kid.clone(),
    })
}

/// A base64url member, decoded (secret members are zeroed on drop).
fn member(value: Option<&str>, name: &str) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
    let text = value.ok_or_else(|| invalid(format!("the JWK has no `{name}`")))?;
    B64URL
        .decode(text)
        .map(Zeroizing::new)
        .map_err(|_| invalid(format!("the JWK's `{name}` is not base64url")))
}

fn secret(value: &Option<Zeroizing<String>>) -> Option<&str> {
    value.as_ref().map(|text| text.as_str())
}

fn ec_from_jwk(jwk: &Jwk) -> Result<KeyPair, ConfigError> {
    if jwk.crv.as_deref() != Some("P-256") {
        return Err(invalid(NOT_P256));
    }
    let x = member(jwk.x.as_deref(), "x")?;
    let y = member(jwk.y.as_deref(), "y")?;
    let d = member(secret(&jwk.d), "d")?;
    if x.len() != 32 || y.len() != 32 || d.len() != 32 {
        return Err(invalid(
            "the JWK's x, y and d must be 32 bytes each on P-256",
        ));
    }
    let public = [&[0x04][..], &x, &y].concat();
    EcdsaKeyPair::from_private_key_and_public_key(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &d,
        &public,
        &SystemRandom::new(),
    )
    .map(KeyPair::Es256)
    .map_err(|_| invalid("the EC JWK's d does not match its x and y"))
}

fn rsa_from_jwk(jwk: &Jwk) -> Result<KeyPair, ConfigError> {
    let crt = [&jwk.p, &jwk.q, &jwk.dp, &jwk.dq, &jwk.qi];
    if crt.iter().any(|part| part.is_none()) {
        return Err(invalid(
            "the RSA JWK lacks p, q, dp, dq or qi (its CRT parameters are needed to sign)",
        ));
    }
    let components = KeyPairComponents {
        public_key: PublicKeyComponents {
            n: member(jwk.n.as_deref(), "n")?,
            e: member(jwk.e.as_deref(), "e")?,
        },
        d: member(secret(&jwk.d), "d")?,
        p: member(secret(&jwk.p), "p")?,
        q: member(secret(&jwk.q), "q")?,
        dP: member(secret(&jwk.dp), "dp")?,
        dQ: member(secret(&jwk.dq), "dq")?,
        qInv: member(secret(&jwk.qi), "qi")?,
    };
    RsaKeyPair::from_components(&components)
        .map(KeyPair::Rs256)
        .map_err(rsa_rejected)
}

/// A new P-256 key from the OS's randomness.
pub(crate) fn generate_es256() -> Result<KeyPair, ConfigError> {
    let random = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random)
        .map_err(|_| invalid("no randomness to generate a DPoP key"))?;
    let der = Zeroizing::new(pkcs8.as_ref().to_vec());
    es256_from_pkcs8(&der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_use_the_short_and_long_forms() {
        assert_eq!(der(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let long = der(0x04, &[0u8; 200]);
        assert_eq!(&long[..3], &[0x04, 0x81, 200]);
        let longer = der(0x04, &[0u8; 300]);
        assert_eq!(&longer[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }
}
