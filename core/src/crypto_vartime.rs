//! Variable-time RSA PKCS#1 v1.5 signature **verification** (feature
//! `vartime-verify`, enabled by the WebAssembly build).
//!
//! Verification only handles public data (the public key, the signature, the
//! message), so it needs no constant-time arithmetic. The constant-time
//! `crypto-bigint` code of the `rsa` crate is slow on `wasm32` (32-bit limbs,
//! boxed integers, full-width loops); `num-bigint`'s variable-time Montgomery
//! `modpow` with the usual exponent 65537 is 16 squarings and one
//! multiplication. Signing never comes here: it stays on `rsa`
//! (constant-time, blinded).
//!
//! The check is RFC 8017 §8.2.2 with the encoding-comparison method:
//! `s < n`, `m = s^e mod n`, and `m` must equal the expected
//! `EMSA-PKCS1-v1_5` encoding `00 01 FF..FF 00 || DigestInfo || H(message)`
//! (at least 8 bytes of `FF`), byte for byte — no parsing of the decoded
//! block, so no Bleichenbacher-style lenient parsing.

use num_bigint::BigUint;
use rsa::traits::PublicKeyParts;
use rsa_vartime_verify::Montgomery;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::sign::SignType;

/// DER `DigestInfo` prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
/// DER `DigestInfo` prefix for SHA-1.
const SHA1_PREFIX: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

/// Verifies an RSASSA-PKCS1-v1_5 signature over `message` (SHA-256 for RSA2,
/// SHA-1 for RSA) with `key`, in variable time. `true` when it verifies.
pub(crate) fn verify(
    key: &rsa::PublicKey,
    sign_type: SignType,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let n = BigUint::from_bytes_be(&key.n_bytes());
    let e = BigUint::from_bytes_be(&key.e_bytes());
    let hash: Vec<u8> = match sign_type {
        SignType::Rsa2 => Sha256::digest(message).to_vec(),
        SignType::Rsa => Sha1::digest(message).to_vec(),
    };
    let prefix: &[u8] = match sign_type {
        SignType::Rsa2 => &SHA256_PREFIX,
        SignType::Rsa => &SHA1_PREFIX,
    };
    verify_raw(&n, &e, prefix, &hash, signature)
}

/// The arithmetic and the encoding comparison, on parsed parts.
fn verify_raw(n: &BigUint, e: &BigUint, prefix: &[u8], hash: &[u8], signature: &[u8]) -> bool {
    let k = n.bits().div_ceil(8) as usize;
    // RFC 8017 §8.2.2 step 1: the signature is exactly k octets
    if signature.len() != k || k < prefix.len() + hash.len() + 11 {
        return false;
    }
    let s = BigUint::from_bytes_be(signature);
    if &s >= n {
        return false;
    }
    let m = match Monty::cached(n) {
        Some(monty) => monty.pow(&s, e),
        None => s.modpow(e, n), // even modulus: not an RSA key, but stay correct
    };
    let m = m.to_bytes_be();
    if m.len() > k - 1 {
        return false; // the encoding starts with 00 (so m < 2^(8(k-1)))
    }
    // expected EM without its leading 00: 01 FF..FF 00 || prefix || hash, k-1 bytes
    let t_len = prefix.len() + hash.len();
    let ps_len = k - 3 - t_len;
    let mut expected = Vec::with_capacity(k - 1);
    expected.push(0x01);
    expected.resize(1 + ps_len, 0xff);
    expected.push(0x00);
    expected.extend_from_slice(prefix);
    expected.extend_from_slice(hash);
    m == expected
}

/// Montgomery square-and-multiply modulo an odd `n` lives in the
/// dependency-free crate `rsa-vartime-verify` (32-bit limbs: wasm32 has
/// 32×32→64 multiplication but no 64×64→128), which the wasm build compiles
/// at `opt-level = 3` while the rest stays size-optimized.
///
/// `num-bigint`'s own `modpow` recomputes `R² mod n` with a long division,
/// precomputes a 16-entry window table and walks the exponent in 4-bit
/// windows: about 55 multiplications for `e = 65537` instead of the 18 this
/// square-and-multiply needs, so it was slower on wasm than `rsa` itself.
struct Monty(Montgomery);

thread_local! {
    /// The Montgomery context of the last modulus used (`R² mod n` is
    /// computed once per modulus): a POS verifies every answer with the same
    /// Alipay key.
    static LAST: std::cell::RefCell<Option<(BigUint, std::rc::Rc<Monty>)>> =
        const { std::cell::RefCell::new(None) };
}

impl Monty {
    /// The context for `n`, from the one-entry cache or freshly computed.
    fn cached(n: &BigUint) -> Option<std::rc::Rc<Monty>> {
        LAST.with(|last| {
            if let Some((m, monty)) = last.borrow().as_ref() {
                if m == n {
                    return Some(monty.clone());
                }
            }
            let monty = std::rc::Rc::new(Monty::new(n)?);
            *last.borrow_mut() = Some((n.clone(), monty.clone()));
            Some(monty)
        })
    }

    /// The context for `n`; `None` when `n` is even (or below 3).
    fn new(n: &BigUint) -> Option<Monty> {
        Montgomery::new(&n.to_u32_digits()).map(Monty)
    }

    /// `base^e mod n` (`base < n`; a larger base is reduced first).
    fn pow(&self, base: &BigUint, e: &BigUint) -> BigUint {
        let e = e.to_u32_digits();
        match self.0.pow(&base.to_u32_digits(), &e) {
            Some(limbs) => BigUint::new(limbs),
            None => {
                // base ≥ n: never on the verify path (it checks s < n first)
                let n = BigUint::new(self.0.modulus().to_vec());
                let reduced = (base % &n).to_u32_digits();
                self.0
                    .pow(&reduced, &e)
                    .map_or_else(BigUint::default, BigUint::new)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::Pkcs1v15Sign;

    fn fixture(p: &str) -> String {
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("..")
            .join("shared")
            .join("fixtures");
        std::fs::read_to_string(base.join(p)).unwrap_or_else(|e| panic!("fixture {p}: {e}"))
    }

    fn public(pem: &str) -> rsa::PublicKey {
        let der = crate::keys::PublicKey::parse(pem)
            .expect("public key")
            .to_spki_der();
        rsa::PublicKey::from_public_key_der(&der).expect("spki")
    }

    fn b64(s: &str) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .expect("base64")
    }

    /// The rsa crate's (constant-time) verdict, the reference.
    fn reference(key: &rsa::PublicKey, st: SignType, msg: &[u8], sig: &[u8]) -> bool {
        match st {
            SignType::Rsa2 => key
                .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), sig)
                .is_ok(),
            SignType::Rsa => key
                .verify(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(msg), sig)
                .is_ok(),
        }
    }

    #[test]
    fn response_vectors_verify_and_tampering_fails() {
        let vectors: serde_json::Value =
            serde_json::from_str(&fixture("response_verify_vectors.json")).unwrap();
        let mut checked = 0;
        for v in vectors.as_array().unwrap() {
            if v["expected_verify"] != serde_json::Value::Bool(true) {
                continue;
            }
            let key = public(&fixture(
                v["alipay_public_key_file"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap(),
            ));
            let body: serde_json::Value =
                serde_json::from_str(v["response_body"].as_str().unwrap()).unwrap();
            let sig = b64(body["sign"].as_str().unwrap());
            let content = v["expected_sign_content"].as_str().unwrap().as_bytes();
            assert!(verify(&key, SignType::Rsa2, content, &sig));
            assert!(reference(&key, SignType::Rsa2, content, &sig));
            let mut tampered = content.to_vec();
            tampered[3] ^= 1;
            assert!(!verify(&key, SignType::Rsa2, &tampered, &sig));
            assert!(
                !verify(&key, SignType::Rsa, content, &sig),
                "SHA-1 must not accept a SHA-256 signature"
            );
            checked += 1;
        }
        assert!(checked >= 3);
    }

    #[test]
    fn agrees_with_rsa_on_request_vectors_both_sign_types_and_corruptions() {
        let vectors: serde_json::Value =
            serde_json::from_str(&fixture("request_sign_vectors.json")).unwrap();
        for v in vectors.as_array().unwrap() {
            let key = public(&fixture(
                v["public_key_file"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap(),
            ));
            let st = SignType::parse(v["sign_type"].as_str().unwrap()).unwrap();
            let content = v["expected_sign_content"].as_str().unwrap().as_bytes();
            let sig = b64(v["expected_sign"].as_str().unwrap());
            assert!(verify(&key, st, content, &sig));
            assert!(reference(&key, st, content, &sig));
            // every single-bit flip of the signature, and a few of the message: same verdict as rsa (false)
            for i in (0..sig.len() * 8).step_by(37) {
                let mut s = sig.clone();
                s[i / 8] ^= 1 << (i % 8);
                assert_eq!(
                    verify(&key, st, content, &s),
                    reference(&key, st, content, &s)
                );
                assert!(!verify(&key, st, content, &s));
            }
            // wrong lengths, zero, n itself, n-1
            let n = key.n_bytes();
            for bad in [
                Vec::new(),
                sig[1..].to_vec(),
                [sig.clone(), vec![0]].concat(),
                vec![0; sig.len()],
                n.to_vec(),
            ] {
                assert!(!verify(&key, st, content, &bad));
                assert_eq!(
                    verify(&key, st, content, &bad),
                    reference(&key, st, content, &bad)
                );
            }
        }
    }

    #[test]
    fn signatures_of_the_rsa_signer_verify_here() {
        use crate::keys::PrivateKey;
        for file in [
            "keys/app-private-key.pem",
            "keys/privateKey_ProdCert_pkcs8.pem",
        ] {
            let key = PrivateKey::parse(&fixture(file)).expect("private key");
            let public = public(&key.public_key().to_spki_pem());
            for (i, st) in [SignType::Rsa2, SignType::Rsa].into_iter().enumerate() {
                let msg = format!("message {i} 中文 {file}");
                let sig = key.sign(msg.as_bytes(), st).expect("sign");
                assert!(verify(&public, st, msg.as_bytes(), &sig));
                assert!(!verify(&public, st, b"other", &sig));
                let other = if st == SignType::Rsa2 {
                    SignType::Rsa
                } else {
                    SignType::Rsa2
                };
                assert!(!verify(&public, other, msg.as_bytes(), &sig));
            }
        }
    }

    #[test]
    fn montgomery_pow_matches_num_bigint() {
        // odd moduli of several sizes, including ones whose top limb is small
        let moduli = [
            BigUint::from(0xffff_fffbu32),
            (BigUint::from(1u32) << 127) - 1u32,
            (BigUint::from(1u32) << 521) - 1u32,
            BigUint::parse_bytes(
                b"f123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef1",
                16,
            )
            .unwrap(),
            BigUint::from(1u32) + (BigUint::from(1u32) << 64),
        ];
        let exps = [0u32, 1, 2, 3, 17, 65537, 0xffff_ffff];
        for n in &moduli {
            let monty = Monty::new(n).expect("odd");
            let mut base = BigUint::from(0x1234_5678u32);
            for i in 0..20u32 {
                base = (&base * &base + i) % n;
                for &e in &exps {
                    let e = BigUint::from(e);
                    assert_eq!(
                        monty.pow(&base, &e),
                        base.modpow(&e, n),
                        "n={n:x} base={base:x} e={e}"
                    );
                }
            }
            assert_eq!(
                monty.pow(&(n - 1u32), &BigUint::from(2u32)),
                BigUint::from(1u32) % n
            );
        }
        assert!(Monty::new(&BigUint::from(10u32)).is_none());
        // the one-entry cache follows the modulus
        for _ in 0..3 {
            for n in &moduli {
                let base = BigUint::from(7u32) % n;
                let e = BigUint::from(65537u32);
                let monty = Monty::cached(n).expect("odd");
                assert_eq!(monty.pow(&base, &e), base.modpow(&e, n));
            }
        }
        assert!(Monty::cached(&BigUint::from(10u32)).is_none());
    }
}
