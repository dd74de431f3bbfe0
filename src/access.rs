//! Who may write: API keys, what they look like, how they are checked, and what roles allow.
//!
//! A key is `vk_<id>_<secret>`: the id finds the stored key without touching secrets, and only
//! SHA-256 of the 256-bit random secret is stored. A fast hash is the right one for random
//! secrets of this length (nothing to brute-force, unlike passwords); the comparison is
//! constant-time, and a key whose id is unknown costs the same comparison as one whose secret
//! is wrong.

use entity::api_key;
use sea_orm::{ConnectionTrait, DbErr};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use entity::api_key::Role;

use crate::store;

const PREFIX: &str = "vk_";
const ID_BYTES: usize = 6;
const SECRET_BYTES: usize = 32;

/// A key as made: the text handed to its owner once, and what is stored of it.
#[derive(Debug)]
pub struct NewKey {
    pub token: String,
    pub public_id: String,
    pub secret_hash: Vec<u8>,
}

/// Makes a key from the operating system's random source.
pub fn generate() -> Result<NewKey, getrandom::Error> {
    let public_id = hex::encode(random::<ID_BYTES>()?);
    let secret = hex::encode(random::<SECRET_BYTES>()?);
    Ok(NewKey {
        token: format!("{PREFIX}{public_id}_{secret}"),
        public_id,
        secret_hash: hash(&secret),
    })
}

/// A random secret for signing, as hex.
pub fn secret() -> Result<String, getrandom::Error> {
    Ok(hex::encode(random::<SECRET_BYTES>()?))
}

fn random<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The id and secret of text shaped like a key.
fn parse(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.strip_prefix(PREFIX)?.split_once('_')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

/// Who a request speaks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Caller {
    /// No key was sent: a reader.
    #[default]
    Public,
    /// A key was sent that is malformed, unknown or revoked.
    Refused,
    Key {
        id: i64,
        name: String,
        role: Role,
    },
}

impl Caller {
    /// Whether the caller holds `role` or a stronger one.
    pub fn has(&self, role: Role) -> bool {
        matches!(self, Self::Key { role: held, .. } if *held >= role)
    }
}

/// Checks the key sent as `Authorization: Bearer <key>`.
pub async fn authenticate(db: &impl ConnectionTrait, token: &str) -> Result<Caller, DbErr> {
    let Some((id, secret)) = parse(token) else {
        return Ok(Caller::Refused);
    };
    let stored = store::keys::find_by_public_id(db, id).await?;
    let expected = stored
        .as_ref()
        .map_or(&[0u8; 32][..], |key| &key.secret_hash[..]);
    let matches = bool::from(hash(secret).ct_eq(expected));
    Ok(match stored {
        Some(api_key::Model {
            id,
            name,
            role,
            revoked_at: None,
            ..
        }) if matches => Caller::Key { id, name, role },
        _ => Caller::Refused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_parses_back_to_its_hash() {
        let key = generate().expect("the system has randomness");
        let (id, secret) = parse(&key.token).expect("a key has the shape of one");
        assert_eq!(id, key.public_id);
        assert_eq!(hash(secret), key.secret_hash);
        assert_ne!(generate().expect("randomness").token, key.token);
    }

    #[test]
    fn text_not_shaped_like_a_key_is_refused() {
        for token in ["", "vk_", "vk__x", "vk_abc_", "abc_def", "Bearer vk_a_b"] {
            assert_eq!(parse(token), None, "{token}");
        }
    }

    #[test]
    fn roles_are_ordered_by_what_they_allow() {
        let admin = Caller::Key {
            id: 1,
            name: "a".into(),
            role: Role::Admin,
        };
        let editor = Caller::Key {
            id: 2,
            name: "e".into(),
            role: Role::Editor,
        };
        assert!(admin.has(Role::Editor) && admin.has(Role::Admin));
        assert!(editor.has(Role::Editor) && !editor.has(Role::Admin));
        assert!(!Caller::Public.has(Role::Editor) && !Caller::Refused.has(Role::Editor));
    }
}
