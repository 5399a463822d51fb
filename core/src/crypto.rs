//! RSA PKCS#1 v1.5 behind a small internal interface.
//!
//! OWNER: protocol-core helper (keys/signing). The portable backend is
//! RustCrypto `rsa` 0.10; with the `native-crypto` feature a `ring` backend
//! is used where it supports the operation. Both must pass the same tests.
