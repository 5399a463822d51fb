//! Variable-time RSA PKCS#1 v1.5 signature **verification** (feature
//! `vartime-verify`: the WebAssembly build's verification, and
//! [`crate::keys::Backend::Vartime`] elsewhere).
//!
//! Verification only handles public data (the public key, the signature, the
//! message), so it needs no constant-time arithmetic. The constant-time
//! `crypto-bigint` code of the `rsa` crate is slow on `wasm32` (32-bit limbs,
//! boxed integers, full-width loops); the dependency-free crate
//! `rsa-vartime-verify` does variable-time Montgomery square-and-multiply
//! (`u64` limbs on 64-bit hosts, `u32` on wasm32): with the usual exponent
//! 65537, 16 squarings and 2 multiplications, on stack scratch, with the
//! Montgomery constants computed once per key, on its first verification
//! ([`VartimeKey`], held by `crate::crypto::RsaPublic`). Signing never comes
//! here: it stays on `rsa` (constant-time, blinded) or a native backend.
//!
//! On x86-64 CPUs with AVX-512 IFMA (detected at run time, once per process
//! by `std`) the key is prepared for the crate's IFMA kernel instead (radix
//! 2^52, eight limbs per 512-bit vector), several times faster than the
//! scalar kernel and than AWS-LC; [`fast_kernel_available`] tells, and the
//! default verification backend prefers [`crate::keys::Backend::Vartime`]
//! then (see `crate::crypto`).
//!
//! The check is RFC 8017 §8.2.2 with the encoding-comparison method:
//! `s < n`, `m = s^e mod n`, and `m` must equal the expected
//! `EMSA-PKCS1-v1_5` encoding `00 01 FF..FF 00 || DigestInfo || H(message)`
//! (at least 8 bytes of `FF`), byte for byte — no parsing of the decoded
//! block, so no Bleichenbacher-style lenient parsing.

use rsa::traits::PublicKeyParts;
#[cfg(target_arch = "x86_64")]
use rsa_vartime_verify::x86_ifma::IfmaKey;
use rsa_vartime_verify::{PublicKey, MAX_BITS};
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

/// An RSA public key prepared for variable-time verification (Montgomery
/// constants and `R^e mod n` computed once) with the fastest kernel this CPU
/// runs. `Debug` shows only the kernel and the size.
#[derive(Clone, Debug)]
pub(crate) struct VartimeKey(Kernel);

/// The kernel a [`VartimeKey`] was prepared for.
#[derive(Clone, Debug)]
enum Kernel {
    /// The portable scalar kernel (`u64` limbs on 64-bit hosts, `u32` on wasm32).
    Scalar(PublicKey),
    /// The AVX-512 IFMA kernel (only built when the CPU has it).
    #[cfg(target_arch = "x86_64")]
    Ifma(IfmaKey),
}

/// Whether this CPU runs a vector kernel faster than the native backends
/// (x86-64 with AVX-512F and AVX-512 IFMA; cached by `std` after the first
/// call). Decides the default verification backend.
pub(crate) fn fast_kernel_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    return rsa_vartime_verify::x86_ifma::available();
    #[cfg(not(target_arch = "x86_64"))]
    false
}

impl VartimeKey {
    /// Prepares `key` for the IFMA kernel when the CPU has it, else for the
    /// scalar one; `None` when the modulus is even or above [`MAX_BITS`]
    /// (the caller then verifies with `rsa`).
    pub(crate) fn new(key: &rsa::PublicKey) -> Option<Self> {
        let (n, e) = (key.n_bytes(), key.e_bytes());
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = IfmaKey::from_be_bytes(&n, &e) {
            return Some(VartimeKey(Kernel::Ifma(k)));
        }
        Self::scalar(&n, &e)
    }

    /// The scalar kernel's key, whatever the CPU.
    fn scalar(n: &[u8], e: &[u8]) -> Option<Self> {
        PublicKey::from_be_bytes(n, e).map(|k| VartimeKey(Kernel::Scalar(k)))
    }

    /// Byte length of the modulus.
    fn modulus_len(&self) -> usize {
        match &self.0 {
            Kernel::Scalar(k) => k.modulus_len(),
            #[cfg(target_arch = "x86_64")]
            Kernel::Ifma(k) => k.modulus_len(),
        }
    }

    /// `out = s^e mod n` (big-endian, modulus length); `false` on a length
    /// mismatch or `s ≥ n`.
    fn pow_be(&self, s: &[u8], out: &mut [u8]) -> bool {
        match &self.0 {
            Kernel::Scalar(k) => k.pow_be(s, out),
            #[cfg(target_arch = "x86_64")]
            Kernel::Ifma(k) => k.pow_be(s, out),
        }
    }
}

/// Verifies an RSASSA-PKCS1-v1_5 signature over `message` (SHA-256 for RSA2,
/// SHA-1 for RSA) with `key`, in variable time. `true` when it verifies.
pub(crate) fn verify(
    key: &VartimeKey,
    sign_type: SignType,
    message: &[u8],
    signature: &[u8],
) -> bool {
    match sign_type {
        SignType::Rsa2 => verify_raw(key, &SHA256_PREFIX, &Sha256::digest(message), signature),
        SignType::Rsa => verify_raw(key, &SHA1_PREFIX, &Sha1::digest(message), signature),
    }
}

/// The arithmetic and the encoding comparison (no allocation).
fn verify_raw(key: &VartimeKey, prefix: &[u8], hash: &[u8], signature: &[u8]) -> bool {
    let k = key.modulus_len();
    let t_len = prefix.len() + hash.len();
    // RFC 8017 §8.2.2 step 1: the signature is exactly k octets
    if signature.len() != k || k < t_len + 11 {
        return false;
    }
    let mut buf = [0u8; MAX_BITS / 8];
    let em = &mut buf[..k];
    // s < n is checked there (false otherwise)
    if !key.pow_be(signature, em) {
        return false;
    }
    // expected EM: 00 01 FF..FF 00 || prefix || hash (k bytes, ≥ 8 bytes FF)
    let ps_end = k - t_len - 1;
    let (head, rest) = em.split_at(2);
    let (ps, rest) = rest.split_at(ps_end - 2);
    let (sep, rest) = rest.split_at(1);
    let (pre, h) = rest.split_at(prefix.len());
    head == [0x00, 0x01]
        && ps.iter().all(|&b| b == 0xff)
        && sep == [0x00]
        && pre == prefix
        && h == hash
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

    /// Every kernel this CPU runs for `(n, e)`: scalar, and IFMA when the
    /// CPU has it (else a note).
    fn kernels_for(n: &[u8], e: &[u8]) -> Vec<VartimeKey> {
        let mut v = vec![VartimeKey::scalar(n, e).expect("odd modulus")];
        #[cfg(target_arch = "x86_64")]
        match IfmaKey::from_be_bytes(n, e) {
            Some(k) => v.push(VartimeKey(Kernel::Ifma(k))),
            None => eprintln!("note: no AVX-512 IFMA on this CPU, IFMA kernel not tested"),
        }
        v
    }

    fn kernels(key: &rsa::PublicKey) -> Vec<VartimeKey> {
        kernels_for(&key.n_bytes(), &key.e_bytes())
    }

    /// The vartime verdict for an `rsa` key: the same with every kernel.
    fn verify(key: &rsa::PublicKey, st: SignType, msg: &[u8], sig: &[u8]) -> bool {
        let verdict = super::verify(&VartimeKey::new(key).expect("odd modulus"), st, msg, sig);
        for k in kernels(key) {
            assert_eq!(super::verify(&k, st, msg, sig), verdict, "{k:?}");
        }
        verdict
    }

    #[test]
    fn the_ifma_kernel_is_chosen_when_the_cpu_has_it() {
        let key = public(&fixture("keys/alipay-public-key.pem"));
        let vk = VartimeKey::new(&key).expect("odd");
        let scalar = matches!(vk.0, Kernel::Scalar(_));
        assert_eq!(scalar, !fast_kernel_available(), "{vk:?}");
        if !fast_kernel_available() {
            eprintln!("note: no AVX-512 IFMA on this CPU, the scalar kernel verifies");
        }
        assert_eq!(vk.modulus_len(), key.n_bytes().len());
        let dbg = format!("{vk:?}");
        assert!(dbg.contains("bytes: 256"), "{dbg}");
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

    /// The shared request vectors: (public key, sign type, sign content, signature).
    fn request_vectors() -> Vec<(rsa::PublicKey, SignType, Vec<u8>, Vec<u8>)> {
        let vectors: serde_json::Value =
            serde_json::from_str(&fixture("request_sign_vectors.json")).unwrap();
        let text = |v: &serde_json::Value| v.as_str().unwrap().to_string();
        let all = vectors
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let file = text(&v["public_key_file"]);
                (
                    public(&fixture(file.split(' ').next().unwrap())),
                    SignType::parse(&text(&v["sign_type"])).unwrap(),
                    text(&v["expected_sign_content"]).into_bytes(),
                    b64(&text(&v["expected_sign"])),
                )
            })
            .collect::<Vec<_>>();
        assert!(all.len() >= 2, "the shared request vectors are missing");
        all
    }

    #[test]
    fn agrees_with_rsa_on_request_vectors_both_sign_types_and_corruptions() {
        for (key, st, content, sig) in request_vectors() {
            let content = &content[..];
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
    fn every_signature_bit_flip_fails() {
        for (key, st, content, sig) in request_vectors() {
            let content = &content[..];
            for vk in kernels(&key) {
                assert!(super::verify(&vk, st, content, &sig), "{vk:?}");
                for i in 0..sig.len() * 8 {
                    let mut s = sig.clone();
                    s[i / 8] ^= 1 << (i % 8);
                    assert!(!super::verify(&vk, st, content, &s), "bit {i} {vk:?}");
                }
                // s ≥ n: n, n + 1, all FF
                let n = key.n_bytes();
                let mut n1 = n.to_vec();
                *n1.last_mut().unwrap() += 1; // n is odd: no carry
                for bad in [n.to_vec(), n1, vec![0xff; n.len()]] {
                    assert!(!super::verify(&vk, st, content, &bad));
                }
            }
        }
    }

    /// With `e = 1` the "signature" is the encoded block itself, so every
    /// deviation from `00 01 FF..FF 00 || DigestInfo || H` can be tried.
    #[test]
    fn encoding_is_compared_byte_for_byte() {
        let key = public(&fixture("keys/alipay-public-key.pem"));
        let n = key.n_bytes();
        let k = n.len();
        for vk in kernels_for(&n, &[1]) {
            encoding_checks(&vk, k);
        }
        // a key too small for the DigestInfo: refused, no panic
        for tiny in kernels_for(&[0xc5; 40], &[1]) {
            assert!(!super::verify(
                &tiny,
                SignType::Rsa2,
                b"message",
                &[0x01; 40]
            ));
        }
        // even modulus: no vartime key (the caller uses `rsa`)
        assert!(PublicKey::from_be_bytes(&[0xc4; 256], &[1, 0, 1]).is_none());
        assert!(VartimeKey::scalar(&[0xc4; 256], &[1, 0, 1]).is_none());
    }

    fn encoding_checks(vk: &VartimeKey, k: usize) {
        let msg = b"message";
        let hash = Sha256::digest(msg);
        let t: Vec<u8> = [&SHA256_PREFIX[..], &hash[..]].concat();
        let encode = |ps_len: usize, t: &[u8]| -> Vec<u8> {
            let mut em = vec![0x00, 0x01];
            em.resize(2 + ps_len, 0xff);
            em.push(0x00);
            em.extend_from_slice(t);
            em
        };
        let good = encode(k - 3 - t.len(), &t);
        assert_eq!(good.len(), k);
        assert!(super::verify(vk, SignType::Rsa2, msg, &good));
        assert!(!super::verify(vk, SignType::Rsa, msg, &good));
        assert!(!super::verify(vk, SignType::Rsa2, b"other", &good));
        // every single byte changed (to 0x00 and to 0x5a) fails
        for i in 0..k {
            for x in [0x00, 0x5a] {
                let mut em = good.clone();
                if em[i] == x {
                    continue;
                }
                em[i] = x;
                assert!(!super::verify(vk, SignType::Rsa2, msg, &em), "byte {i}");
            }
        }
        // shorter padding with garbage after the hash, and a missing separator
        let mut shifted = encode(k - 4 - t.len(), &t);
        shifted.push(0);
        assert!(!super::verify(vk, SignType::Rsa2, msg, &shifted));
        let mut no_sep = good.clone();
        no_sep[k - t.len() - 1] = 0xff;
        assert!(!super::verify(vk, SignType::Rsa2, msg, &no_sep));
        // wrong lengths
        assert!(!super::verify(vk, SignType::Rsa2, msg, &good[1..]));
        assert!(!super::verify(
            vk,
            SignType::Rsa2,
            msg,
            &[&[0][..], &good].concat()
        ));
        assert!(!super::verify(vk, SignType::Rsa2, msg, &[]));
    }
}
