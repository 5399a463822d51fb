//! RSA PKCS#1 v1.5 behind a small internal interface.
//!
//! The portable backend is RustCrypto `rsa` 0.10 (constant-time big-integer
//! arithmetic). It is always compiled, is what wasm uses, and handles every
//! key and hash. Two native backends can be compiled in, and are used where
//! they support the operation (SHA-256 signing, SHA-256/SHA-1 verification,
//! keys of 2048 bits and more):
//!
//! * feature `native-crypto`: `ring` 0.17 (signing 2048..=4096 bits,
//!   verification 2048..=8192 bits; `ring` re-parses the public key on every
//!   verification, it has no parsed public key type);
//! * feature `native-crypto-awslc`: AWS-LC through `aws-lc-rs` (signing and
//!   verification 2048..=8192 bits; the public key is parsed once into an
//!   `EVP_PKEY`). Where the CPU has them, AWS-LC signs with the same AVX-512
//!   IFMA RSA code as OpenSSL 3 (its public-key operation does not use it;
//!   see `vartime-verify` below). [`Backend::Native`] prefers it over `ring`.
//!
//! Everything else (SHA-1 signing, small keys, keys a native library
//! rejects) falls back to `rsa`. All give byte-identical signatures (PKCS#1
//! v1.5 is deterministic) and pass the same tests.
//!
//! # Blinding without an RNG
//!
//! The core takes no randomness of its own, but RSA blinding needs random
//! numbers. The portable backend derives them deterministically, in the
//! spirit of RFC 6979: an HMAC-DRBG (SP 800-90A, HMAC-SHA-256) seeded with a
//! per-key secret (SHA-256 of the private key's DER, computed once at parse
//! time) and the message digest. The blinding factor is therefore unknown to
//! anyone without the private key, and the signature value is unchanged
//! (blinding cancels out). `ring` does its own blinding with the OS RNG
//! (native hosts only), and so does AWS-LC; it does not affect the output
//! either.

use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::Pkcs1v15Sign;
use sha1::Sha1;
use sha2::digest::const_oid::AssociatedOid;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};
use crate::sign::SignType;

/// Which implementation performs an RSA operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// RustCrypto `rsa` (portable, always available).
    Portable,
    /// The best native backend compiled in: [`Backend::AwsLc`] with the
    /// `native-crypto-awslc` feature, else [`Backend::Ring`] with
    /// `native-crypto`, else [`Backend::Portable`]. Falls back to
    /// [`Backend::Portable`] for what it does not support.
    Native,
    /// `ring` (only with the `native-crypto` feature; otherwise, and for
    /// what it does not support, [`Backend::Portable`]).
    Ring,
    /// AWS-LC via `aws-lc-rs` (only with the `native-crypto-awslc` feature;
    /// otherwise, and for what it does not support, [`Backend::Portable`]).
    AwsLc,
    /// Variable-time verification of the `rsa-vartime-verify` crate (only
    /// with the `vartime-verify` feature; public data only): its AVX-512
    /// IFMA kernel on x86-64 CPUs that have it, else its scalar kernel.
    /// Signing with it, and verification without the feature, is
    /// [`Backend::Portable`].
    Vartime,
}

impl Backend {
    /// The backend used by default: native when compiled in, else
    /// [`Backend::Vartime`] with `vartime-verify` (its signing is portable),
    /// else portable. Verification through the default backend prefers
    /// [`Backend::Vartime`] when it is compiled in and the CPU runs its
    /// AVX-512 IFMA kernel (faster than AWS-LC and ring there).
    pub const fn default_backend() -> Backend {
        if cfg!(any(
            feature = "native-crypto",
            feature = "native-crypto-awslc"
        )) {
            Backend::Native
        } else if cfg!(feature = "vartime-verify") {
            Backend::Vartime
        } else {
            Backend::Portable
        }
    }

    /// Whether this backend is compiled in.
    pub const fn is_available(self) -> bool {
        match self {
            Backend::Portable => true,
            Backend::Native => cfg!(any(
                feature = "native-crypto",
                feature = "native-crypto-awslc"
            )),
            Backend::Ring => cfg!(feature = "native-crypto"),
            Backend::AwsLc => cfg!(feature = "native-crypto-awslc"),
            Backend::Vartime => cfg!(feature = "vartime-verify"),
        }
    }

    /// The backend [`RsaPublic::verify`] uses: [`Backend::Vartime`] with the
    /// `vartime-verify` feature on a CPU with its fast kernel (AVX-512 IFMA,
    /// detected once per process), else [`Backend::default_backend`].
    fn default_verify_backend() -> Backend {
        #[cfg(feature = "vartime-verify")]
        if crate::crypto_vartime::fast_kernel_available() {
            return Backend::Vartime;
        }
        Backend::default_backend()
    }

    /// [`Backend::Native`] resolved to the library it stands for.
    const fn resolve(self) -> Backend {
        match self {
            Backend::Native if cfg!(feature = "native-crypto-awslc") => Backend::AwsLc,
            Backend::Native if cfg!(feature = "native-crypto") => Backend::Ring,
            Backend::Native => Backend::Portable,
            Backend::Ring if !cfg!(feature = "native-crypto") => Backend::Portable,
            Backend::AwsLc if !cfg!(feature = "native-crypto-awslc") => Backend::Portable,
            Backend::Vartime if !cfg!(feature = "vartime-verify") => Backend::Portable,
            other => other,
        }
    }
}

/// A parsed private key, in every backend's parsed form.
pub(crate) struct RsaPrivate {
    key: rsa::PrivateKey,
    /// The public half, derived once.
    public: RsaPublic,
    /// Secret seed for the deterministic blinding DRBG.
    blind_seed: Zeroizing<[u8; 32]>,
    #[cfg(feature = "native-crypto")]
    ring: Option<ring::signature::RsaKeyPair>,
    #[cfg(feature = "native-crypto-awslc")]
    awslc: Option<aws_lc_rs::signature::RsaKeyPair>,
}

/// A parsed public key, in every backend's form.
#[derive(Clone)]
pub(crate) struct RsaPublic {
    key: rsa::PublicKey,
    /// SPKI DER, encoded once (exports and equality never fail or re-encode).
    spki_der: Arc<[u8]>,
    /// PKCS#1 `RSAPublicKey` DER, the form `ring` verifies with (`ring` has
    /// no pre-parsed public key type for verification).
    #[cfg(feature = "native-crypto")]
    pkcs1_der: Arc<[u8]>,
    /// AWS-LC's parsed forms (one per hash: `aws-lc-rs` binds a parsed key
    /// to its algorithm), `None` outside 2048..=8192 bits.
    #[cfg(feature = "native-crypto-awslc")]
    awslc: Option<Arc<AwsLcPublic>>,
    /// Montgomery constants for variable-time verification, computed on the
    /// first verification that uses them (a key verified by another backend,
    /// or only used to sign, never pays for them) and shared by the clones;
    /// `None` for an even modulus (then `rsa` verifies).
    #[cfg(feature = "vartime-verify")]
    vartime: Arc<std::sync::OnceLock<Option<crate::crypto_vartime::VartimeKey>>>,
}

/// AWS-LC parsed public keys.
#[cfg(feature = "native-crypto-awslc")]
struct AwsLcPublic {
    sha256: aws_lc_rs::signature::ParsedPublicKey,
    sha1: aws_lc_rs::signature::ParsedPublicKey,
}

fn internal(msg: &str) -> Error {
    Error::new(ErrorCode::Internal, msg)
}

impl RsaPrivate {
    /// Wraps a parsed `rsa` key, deriving the other backends' forms.
    pub(crate) fn new(key: rsa::PrivateKey) -> Result<Self> {
        let der = key
            .to_pkcs1_der()
            .map_err(|_| Error::new(ErrorCode::KeyFormat, "cannot encode the private key"))?;
        let mut seed = Zeroizing::new([0u8; 32]);
        let mut h = Sha256::new();
        h.update(b"alipay-f2f blinding seed v1");
        h.update(der.as_bytes());
        seed.copy_from_slice(&h.finalize());
        #[cfg(feature = "native-crypto")]
        let ring = {
            let bits = key.n().bit_width() as usize;
            if (2048..=4096).contains(&bits) {
                ring::signature::RsaKeyPair::from_der(der.as_bytes()).ok()
            } else {
                None
            }
        };
        #[cfg(feature = "native-crypto-awslc")]
        let awslc = {
            let bits = key.n().bit_width() as usize;
            if (2048..=8192).contains(&bits) {
                aws_lc_rs::signature::RsaKeyPair::from_der(der.as_bytes()).ok()
            } else {
                None
            }
        };
        let public = RsaPublic::new(key.to_public_key())?;
        Ok(RsaPrivate {
            key,
            public,
            blind_seed: seed,
            #[cfg(feature = "native-crypto")]
            ring,
            #[cfg(feature = "native-crypto-awslc")]
            awslc,
        })
    }

    /// The `rsa` form.
    pub(crate) fn rsa(&self) -> &rsa::PrivateKey {
        &self.key
    }

    /// Modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        self.key.n().bit_width() as usize
    }

    /// The public half.
    pub(crate) fn public(&self) -> &RsaPublic {
        &self.public
    }

    /// RSASSA-PKCS1-v1_5 over `message` with the default backend.
    pub(crate) fn sign(&self, message: &[u8], sign_type: SignType) -> Result<Vec<u8>> {
        self.sign_with(Backend::default_backend(), message, sign_type)
    }

    /// RSASSA-PKCS1-v1_5 over `message` with a chosen backend.
    pub(crate) fn sign_with(
        &self,
        backend: Backend,
        message: &[u8],
        sign_type: SignType,
    ) -> Result<Vec<u8>> {
        let backend = backend.resolve();
        #[cfg(feature = "native-crypto-awslc")]
        if backend == Backend::AwsLc && sign_type == SignType::Rsa2 {
            if let Some(pair) = &self.awslc {
                // aws-lc-rs ignores this argument (AWS-LC blinds with its own RNG)
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &rng,
                    message,
                    &mut sig,
                )
                .map_err(|_| internal("AWS-LC failed to sign"))?;
                return Ok(sig);
            }
        }
        #[cfg(feature = "native-crypto")]
        if backend == Backend::Ring && sign_type == SignType::Rsa2 {
            if let Some(pair) = &self.ring {
                let rng = ring::rand::SystemRandom::new();
                let mut sig = vec![0u8; pair.public().modulus_len()];
                pair.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
                    .map_err(|_| internal("ring failed to sign"))?;
                return Ok(sig);
            }
        }
        let _ = backend;
        match sign_type {
            SignType::Rsa2 => self.sign_portable::<Sha256>(message),
            SignType::Rsa => self.sign_portable::<Sha1>(message),
        }
    }

    fn sign_portable<D>(&self, message: &[u8]) -> Result<Vec<u8>>
    where
        D: Digest + AssociatedOid,
    {
        let hashed = D::digest(message);
        let mut rng = HmacDrbg::new(&self.blind_seed[..], &hashed);
        self.key
            .sign_with_rng(&mut rng, Pkcs1v15Sign::new::<D>(), &hashed)
            .map_err(|_| internal("RSA signing failed"))
    }
}

impl RsaPublic {
    /// Wraps a parsed `rsa` public key.
    pub(crate) fn new(key: rsa::PublicKey) -> Result<Self> {
        #[cfg(feature = "native-crypto")]
        let pkcs1_der = {
            use rsa::pkcs1::EncodeRsaPublicKey;
            let doc = key
                .to_pkcs1_der()
                .map_err(|_| Error::new(ErrorCode::KeyFormat, "cannot encode the public key"))?;
            Arc::from(doc.as_bytes())
        };
        let spki_der: Arc<[u8]> = {
            use rsa::pkcs8::EncodePublicKey;
            let doc = key
                .to_public_key_der()
                .map_err(|_| Error::new(ErrorCode::KeyFormat, "cannot encode the public key"))?;
            Arc::from(doc.as_bytes())
        };
        #[cfg(feature = "native-crypto-awslc")]
        let awslc = {
            use aws_lc_rs::signature::{
                ParsedPublicKey, RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                RSA_PKCS1_2048_8192_SHA256,
            };
            let bits = key.n().bit_width() as usize;
            if (2048..=8192).contains(&bits) {
                let sha256 = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &spki_der[..]);
                let sha1 = ParsedPublicKey::new(
                    &RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    &spki_der[..],
                );
                match (sha256, sha1) {
                    (Ok(sha256), Ok(sha1)) => Some(Arc::new(AwsLcPublic { sha256, sha1 })),
                    _ => None,
                }
            } else {
                None
            }
        };
        Ok(RsaPublic {
            key,
            spki_der,
            #[cfg(feature = "native-crypto")]
            pkcs1_der,
            #[cfg(feature = "native-crypto-awslc")]
            awslc,
            #[cfg(feature = "vartime-verify")]
            vartime: Arc::default(),
        })
    }

    /// Modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        self.key.n().bit_width() as usize
    }

    /// The SPKI DER.
    pub(crate) fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// Verifies with the default backend. `ERR_SIGNATURE` on mismatch.
    pub(crate) fn verify(
        &self,
        message: &[u8],
        signature: &[u8],
        sign_type: SignType,
    ) -> Result<()> {
        self.verify_with(
            Backend::default_verify_backend(),
            message,
            signature,
            sign_type,
        )
    }

    /// Verifies with a chosen backend. `ERR_SIGNATURE` on mismatch.
    pub(crate) fn verify_with(
        &self,
        backend: Backend,
        message: &[u8],
        signature: &[u8],
        sign_type: SignType,
    ) -> Result<()> {
        let bad = || Error::new(ErrorCode::Signature, "signature verification failed");
        let backend = backend.resolve();
        #[cfg(feature = "native-crypto-awslc")]
        if backend == Backend::AwsLc {
            if let Some(parsed) = &self.awslc {
                let key = match sign_type {
                    SignType::Rsa2 => &parsed.sha256,
                    SignType::Rsa => &parsed.sha1,
                };
                return key.verify_sig(message, signature).map_err(|_| bad());
            }
        }
        #[cfg(feature = "native-crypto")]
        if backend == Backend::Ring && (2048..=8192).contains(&self.bits()) {
            let alg: &dyn ring::signature::VerificationAlgorithm = match sign_type {
                SignType::Rsa2 => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                SignType::Rsa => &ring::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            };
            return ring::signature::UnparsedPublicKey::new(alg, &self.pkcs1_der[..])
                .verify(message, signature)
                .map_err(|_| bad());
        }
        // feature `vartime-verify`: public data only, no constant time needed
        #[cfg(feature = "vartime-verify")]
        if backend == Backend::Vartime {
            let key = self
                .vartime
                .get_or_init(|| crate::crypto_vartime::VartimeKey::new(&self.key));
            if let Some(key) = key {
                return crate::crypto_vartime::verify(key, sign_type, message, signature)
                    .then_some(())
                    .ok_or_else(bad);
            }
        }
        let _ = backend;
        let res = match sign_type {
            SignType::Rsa2 => self.key.verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(message),
                signature,
            ),
            SignType::Rsa => self.key.verify(
                Pkcs1v15Sign::new::<Sha1>(),
                &Sha1::digest(message),
                signature,
            ),
        };
        res.map_err(|_| bad())
    }
}

impl PartialEq for RsaPublic {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for RsaPublic {}

/// Shared handle, so cloning a key never copies secret material.
pub(crate) type SharedPrivate = Arc<RsaPrivate>;

/// HMAC-DRBG (NIST SP 800-90A) with HMAC-SHA-256, no reseeding, no
/// personalization. Used only to derive blinding factors.
pub(crate) struct HmacDrbg {
    k: Zeroizing<[u8; 32]>,
    v: Zeroizing<[u8; 32]>,
}

type HmacSha256 = Hmac<Sha256>;

impl HmacDrbg {
    /// Instantiates with `entropy || nonce` as seed material.
    pub(crate) fn new(entropy: &[u8], nonce: &[u8]) -> Self {
        let mut d = HmacDrbg {
            k: Zeroizing::new([0u8; 32]),
            v: Zeroizing::new([1u8; 32]),
        };
        d.update(&[entropy, nonce]);
        d
    }

    fn mac(&self) -> HmacSha256 {
        <HmacSha256 as KeyInit>::new_from_slice(&self.k[..]).expect("HMAC accepts any key length")
    }

    fn update(&mut self, seed: &[&[u8]]) {
        for round in [0u8, 1u8] {
            let mut m = self.mac();
            m.update(&self.v[..]);
            m.update(&[round]);
            for s in seed {
                m.update(s);
            }
            self.k.copy_from_slice(&m.finalize().into_bytes());
            let mut m = self.mac();
            m.update(&self.v[..]);
            self.v.copy_from_slice(&m.finalize().into_bytes());
            if seed.iter().all(|s| s.is_empty()) {
                break;
            }
        }
    }

    /// Fills `out` with generated bytes.
    pub(crate) fn generate(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(32) {
            let mut m = self.mac();
            m.update(&self.v[..]);
            self.v.copy_from_slice(&m.finalize().into_bytes());
            chunk.copy_from_slice(&self.v[..chunk.len()]);
        }
        self.update(&[]);
    }
}

impl rand_core::TryRng for HmacDrbg {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.generate(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.generate(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
        self.generate(dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for HmacDrbg {}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn hmac_drbg_matches_nist_cavp_vector() {
        // NIST CAVP HMAC_DRBG.rsp, [SHA-256] [PredictionResistance = False]
        // [EntropyInputLen = 256] [NonceLen = 128] [PersonalizationStringLen = 0]
        // [AdditionalInputLen = 0] [ReturnedBitsLen = 1024], COUNT = 0.
        let entropy =
            hex_decode("ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488");
        let nonce = hex_decode("659ba96c601dc69fc902940805ec0ca8");
        let mut d = HmacDrbg::new(&entropy, &nonce);
        let mut out = [0u8; 128];
        d.generate(&mut out);
        d.generate(&mut out);
        assert_eq!(
            hex(&out),
            "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89\
             d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc1\
             07694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668\
             961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8"
        );
    }

    fn hex_decode(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn native_backend_holds_a_parsed_ring_key_for_2048_bits() {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        // A 2048-bit fixture key: ring takes it when compiled in.
        let pem = include_str!("../tests/data/rsa3072-private-pkcs1.pem");
        let k = RsaPrivate::new(rsa::PrivateKey::from_pkcs1_pem(pem).unwrap()).unwrap();
        assert_eq!(k.bits(), 3072);
        #[cfg(feature = "native-crypto")]
        assert!(k.ring.is_some());
        #[cfg(feature = "native-crypto-awslc")]
        assert!(k.awslc.is_some() && k.public().awslc.is_some());
        let pem = include_str!("../tests/data/rsa1024-private-pkcs1.pem");
        let small = RsaPrivate::new(rsa::PrivateKey::from_pkcs1_pem(pem).unwrap()).unwrap();
        #[cfg(feature = "native-crypto")]
        assert!(small.ring.is_none());
        #[cfg(feature = "native-crypto-awslc")]
        assert!(small.awslc.is_none() && small.public().awslc.is_none());
        // Every backend agrees on both keys and both hashes.
        for key in [&k, &small] {
            for st in [SignType::Rsa2, SignType::Rsa] {
                let a = key.sign_with(Backend::Portable, b"m", st).unwrap();
                for be in ALL {
                    assert_eq!(key.sign_with(be, b"m", st).unwrap(), a, "{be:?} {st:?}");
                }
                for be in ALL {
                    key.public().verify_with(be, b"m", &a, st).unwrap();
                    assert_eq!(
                        key.public()
                            .verify_with(be, b"n", &a, st)
                            .unwrap_err()
                            .code(),
                        ErrorCode::Signature
                    );
                }
            }
        }
    }

    #[test]
    fn blinding_rng_is_deterministic_per_message() {
        let mut a = HmacDrbg::new(b"seed", b"digest-1");
        let mut b = HmacDrbg::new(b"seed", b"digest-1");
        let mut c = HmacDrbg::new(b"seed", b"digest-2");
        let (mut x, mut y, mut z) = ([0u8; 40], [0u8; 40], [0u8; 40]);
        a.generate(&mut x);
        b.generate(&mut y);
        c.generate(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
        let mut w = [0u8; 40];
        a.generate(&mut w);
        assert_ne!(x, w);
    }

    /// Whether the vartime crate's fast kernel runs here.
    fn rsa_vartime_fast() -> bool {
        #[cfg(feature = "vartime-verify")]
        return crate::crypto_vartime::fast_kernel_available();
        #[cfg(not(feature = "vartime-verify"))]
        false
    }

    const ALL: [Backend; 5] = [
        Backend::Portable,
        Backend::Native,
        Backend::Ring,
        Backend::AwsLc,
        Backend::Vartime,
    ];

    #[test]
    fn backend_availability() {
        assert!(Backend::Portable.is_available());
        assert_eq!(
            Backend::Native.is_available(),
            cfg!(any(
                feature = "native-crypto",
                feature = "native-crypto-awslc"
            ))
        );
        assert_eq!(
            Backend::Ring.is_available(),
            cfg!(feature = "native-crypto")
        );
        assert_eq!(
            Backend::AwsLc.is_available(),
            cfg!(feature = "native-crypto-awslc")
        );
        assert_eq!(
            Backend::Vartime.is_available(),
            cfg!(feature = "vartime-verify")
        );
        assert!(Backend::default_backend().is_available());
        let verify = Backend::default_verify_backend();
        assert!(verify.is_available());
        if cfg!(feature = "vartime-verify") && rsa_vartime_fast() {
            assert_eq!(verify, Backend::Vartime);
        } else {
            assert_eq!(verify, Backend::default_backend());
        }
        for be in ALL {
            assert!(be.resolve().is_available());
            assert_ne!(be.resolve(), Backend::Native);
        }
        let native = Backend::Native.resolve();
        if cfg!(feature = "native-crypto-awslc") {
            assert_eq!(native, Backend::AwsLc);
        } else if cfg!(feature = "native-crypto") {
            assert_eq!(native, Backend::Ring);
        } else {
            assert_eq!(native, Backend::Portable);
        }
    }
}
