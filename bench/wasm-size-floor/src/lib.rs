//! A size probe, not a library: what the libraries the core is built on
//! weigh in a `.wasm` on their own, under exactly the shipped build flags
//! (`run.sh`). Each feature links one more of them through one small
//! `#[wasm_bindgen]` entry point that uses what the core uses (inputs come
//! from JavaScript, so nothing is folded away):
//!
//! - `rsa`: PKCS#8 and SPKI key parsing, blinded PKCS#1 v1.5 SHA-256 signing
//!   (randomness from HMAC-SHA256 over a caller seed, like the core's DRBG)
//!   and verification,
//! - `x509`: certificate parsing (serial, issuer attributes, SPKI),
//! - `aes`: AES-128-CBC with PKCS#7 padding, both ways,
//! - `misc`: SHA-1, MD5, base64,
//! - `json`: `serde_json::Value` parse and print.
//!
//! `run.sh` checks every probe against node:crypto before it reports a size.

use wasm_bindgen::prelude::*;

#[cfg(feature = "rsa")]
mod probe_rsa {
    use hmac::{Hmac, KeyInit, Mac};
    use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
    use rsa::Pkcs1v15Sign;
    use sha2::{Digest, Sha256};
    use wasm_bindgen::prelude::*;

    /// HMAC-SHA256 in counter mode over a caller seed: deterministic
    /// blinding randomness for the probe (the core uses an HMAC-DRBG).
    struct SeededRng {
        key: Vec<u8>,
        counter: u64,
    }

    impl SeededRng {
        fn block(&mut self) -> [u8; 32] {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
                .expect("HMAC takes any key length");
            mac.update(&self.counter.to_be_bytes());
            self.counter += 1;
            mac.finalize().into_bytes().into()
        }
    }

    impl rand_core::TryRng for SeededRng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let b = self.block();
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let b = self.block();
            Ok(u64::from_le_bytes([
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
            ]))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for chunk in dst.chunks_mut(32) {
                chunk.copy_from_slice(&self.block()[..chunk.len()]);
            }
            Ok(())
        }
    }

    impl rand_core::TryCryptoRng for SeededRng {}

    /// RSA2 signature of `msg` with a PKCS#8 DER key; `None` on a bad key.
    #[wasm_bindgen]
    pub fn rsa_sign(pkcs8_der: &[u8], seed: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
        let key = rsa::PrivateKey::from_pkcs8_der(pkcs8_der).ok()?;
        let hashed = Sha256::digest(msg);
        let mut rng = SeededRng {
            key: seed.to_vec(),
            counter: 0,
        };
        key.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<Sha256>(), &hashed)
            .ok()
    }

    /// Whether `sig` is an RSA2 signature of `msg` under an SPKI DER key.
    #[wasm_bindgen]
    pub fn rsa_verify(spki_der: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        rsa::PublicKey::from_public_key_der(spki_der).is_ok_and(|key| {
            key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), sig)
                .is_ok()
        })
    }
}

#[cfg(feature = "x509")]
mod probe_x509 {
    use der::{Decode, Encode};
    use wasm_bindgen::prelude::*;

    /// The serial number, then each issuer attribute value (DER), then the
    /// SPKI (DER), each preceded by its length as one byte pair.
    #[wasm_bindgen]
    pub fn cert_parts(cert_der: &[u8]) -> Option<Vec<u8>> {
        let cert = x509_cert::Certificate::from_der(cert_der).ok()?;
        let tbs = cert.tbs_certificate();
        let mut out = Vec::new();
        let mut push = |b: &[u8]| {
            out.extend_from_slice(&(b.len() as u16).to_be_bytes());
            out.extend_from_slice(b);
        };
        push(tbs.serial_number().as_bytes());
        for rdn in tbs.issuer().iter_rdn() {
            for atv in rdn.iter() {
                push(&atv.oid.to_der().ok()?);
                push(&atv.value.to_der().ok()?);
            }
        }
        push(&tbs.subject_public_key_info().to_der().ok()?);
        Some(out)
    }
}

#[cfg(feature = "aes")]
mod probe_aes {
    use aes::cipher::{block_padding::Pkcs7, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
    use wasm_bindgen::prelude::*;

    /// AES-128-CBC with PKCS#7 padding: encrypt or decrypt.
    #[wasm_bindgen]
    pub fn aes_cbc(key: &[u8], iv: &[u8], data: &[u8], encrypt: bool) -> Option<Vec<u8>> {
        if encrypt {
            let c = cbc::Encryptor::<aes::Aes128>::new_from_slices(key, iv).ok()?;
            Some(c.encrypt_padded_vec::<Pkcs7>(data))
        } else {
            let c = cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv).ok()?;
            c.decrypt_padded_vec::<Pkcs7>(data).ok()
        }
    }
}

#[cfg(feature = "misc")]
mod probe_misc {
    use base64::Engine;
    use sha1::Digest;
    use wasm_bindgen::prelude::*;

    /// SHA-1 ‖ MD5 of `data`.
    #[wasm_bindgen]
    pub fn sha1_md5(data: &[u8]) -> Vec<u8> {
        let mut out = sha1::Sha1::digest(data).to_vec();
        out.extend_from_slice(&md5::Md5::digest(data));
        out
    }

    /// Standard base64 of `data`, decoded back (`None` if that fails).
    #[wasm_bindgen]
    pub fn base64_round_trip(data: &[u8]) -> Option<String> {
        let text = base64::engine::general_purpose::STANDARD.encode(data);
        let back = base64::engine::general_purpose::STANDARD
            .decode(&text)
            .ok()?;
        (back == data).then_some(text)
    }
}

#[cfg(feature = "json")]
mod probe_json {
    use wasm_bindgen::prelude::*;

    /// `text` parsed into a `serde_json::Value` and printed back.
    #[wasm_bindgen]
    pub fn json_round_trip(text: &str) -> Option<String> {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .map(|v| v.to_string())
    }
}

/// The probe's feature levels, for the report.
#[wasm_bindgen]
pub fn levels() -> String {
    [
        (cfg!(feature = "rsa"), "rsa"),
        (cfg!(feature = "x509"), "x509"),
        (cfg!(feature = "aes"), "aes"),
        (cfg!(feature = "misc"), "misc"),
        (cfg!(feature = "json"), "json"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| *name)
    .collect::<Vec<_>>()
    .join("+")
}
