//! Certificate chain trust (protocol §4.3, Java `AntCertificationUtil.isTrusted`)
//! with a generated test chain (`tests/data/cert-chain/gen.sh`): root A →
//! "Class 2 R1" intermediate → leaf (sha256 and sha1 variants), a leaf
//! signed by root A directly, and an unrelated root B.

use alipay_f2f_core::cert;
use alipay_f2f_core::response::Verifier;
use alipay_f2f_core::{ErrorCode, PrivateKey, SignType};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

fn data(name: &str) -> String {
    std::fs::read_to_string(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cert-chain/").to_string() + name,
    )
    .unwrap()
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/").to_string() + rel,
    )
    .unwrap()
}

/// 2030-01-01 and 2025-01-01, 2200-01-01 (UTC).
const Y2030: u64 = 1_893_456_000;
const Y2025: u64 = 1_735_689_600;
const Y2200: u64 = 7_258_118_400;

/// md5("CN=Test Class 2 R1,OU=Certification Authority,O=Test CA,C=CN" + "4242424242424242424242"),
/// computed independently (Python hashlib); the serial is 0x00E5FB76A3286AA6C9B2 in DER.
const LEAF_SN: &str = "ff5fe638eb7b74de4e2b0c7bf98343d2";

#[test]
fn generated_leaf_sn_matches_independent_computation() {
    let info = cert::cert_info(&data("leaf.pem")).unwrap();
    assert_eq!(info.serial, "4242424242424242424242");
    assert_eq!(
        info.issuer,
        "CN=Test Class 2 R1,OU=Certification Authority,O=Test CA,C=CN"
    );
    assert_eq!(info.sn, LEAF_SN);
    assert!(info
        .subject
        .contains("测试(中国)网络技术有限公司-2088000000000000"));
}

#[test]
fn valid_chains_are_trusted() {
    let root = data("root-a.pem");
    let leaf_inter = data("leaf.pem") + &data("inter.pem");
    let inter_leaf = data("inter.pem") + &data("leaf.pem");
    for chain in [&leaf_inter, &inter_leaf] {
        let info = cert::verify_chain(chain, &root, Y2030).unwrap();
        assert_eq!(info.sn, LEAF_SN);
    }
    // sha1WithRSA link
    let sha1 = data("leaf-sha1.pem") + &data("inter.pem");
    assert_eq!(
        cert::verify_chain(&sha1, &root, Y2030).unwrap().serial,
        "77"
    );
    // issued by the root directly
    cert::verify_chain(&data("leaf-direct.pem"), &root, Y2030).unwrap();
    // the root may be part of the chain, and the bundle may hold other roots
    let with_root = leaf_inter.clone() + &root;
    let bundle = fixture("keys/alipayRootCert.crt") + &data("root-b.pem") + &root;
    assert_eq!(
        cert::verify_chain(&with_root, &bundle, Y2030).unwrap().sn,
        LEAF_SN
    );
}

#[test]
fn untrusted_chains_are_refused() {
    let root_a = data("root-a.pem");
    let root_b = data("root-b.pem");
    let chain = data("leaf.pem") + &data("inter.pem");
    let cases: Vec<(String, String, u64, &str)> = vec![
        (chain.clone(), root_b.clone(), Y2030, "trusted root"),
        (data("leaf.pem"), root_a.clone(), Y2030, "trusted root"),
        (chain.clone(), root_a.clone(), Y2025, "not valid"),
        (chain.clone(), root_a.clone(), Y2200, "not valid"),
        // the real Alipay certificate needs its intermediate; it expired in 2022
        (
            fixture("keys/alipayCertPublicKey_RSA2.crt"),
            fixture("keys/alipayRootCert.crt"),
            1_609_459_200,
            "trusted root",
        ),
        (
            fixture("keys/alipayCertPublicKey_RSA2.crt"),
            fixture("keys/alipayRootCert.crt"),
            Y2030,
            "not valid",
        ),
    ];
    for (chain, roots, now, why) in cases {
        let e = cert::verify_chain(&chain, &roots, now).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Cert);
        assert!(e.message().contains(why), "{why}: {}", e.message());
    }
}

#[test]
fn a_tampered_certificate_fails_its_signature() {
    let pem = data("leaf.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = STANDARD.decode(body).unwrap();
    let serial = [0xE5, 0xFB, 0x76, 0xA3, 0x28, 0x6A, 0xA6, 0xC9, 0xB2];
    let at = der.windows(serial.len()).position(|w| w == serial).unwrap();
    der[at + serial.len() - 1] ^= 0x01;
    let forged = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        STANDARD.encode(&der)
    );
    let e =
        cert::verify_chain(&(forged + &data("inter.pem")), &data("root-a.pem"), Y2030).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Cert);
    assert!(e.message().contains("does not verify"), "{}", e.message());
}

#[test]
fn downloaded_certificate_is_added_after_the_trust_check() {
    let chain = data("leaf.pem") + &data("inter.pem");
    let content = STANDARD.encode(&chain);
    let pem = cert::decode_downloaded_cert(&content).unwrap();
    assert_eq!(pem, chain);
    for bad in [
        "***",
        &STANDARD.encode([0xff, 0xfe]),
        &STANDARD.encode("hello"),
    ] {
        assert_eq!(
            cert::decode_downloaded_cert(bad).unwrap_err().code(),
            ErrorCode::Cert
        );
    }

    let mut v = Verifier::from_certs(
        &[fixture("keys/alipayCertPublicKey_RSA2.crt")],
        SignType::Rsa2,
    )
    .unwrap();
    // untrusted: refused, nothing added
    assert_eq!(
        v.add_trusted_cert(&pem, &data("root-b.pem"), Y2030)
            .unwrap_err()
            .code(),
        ErrorCode::Cert
    );
    assert_eq!(v.cert_sns().len(), 1);
    assert_eq!(
        v.add_trusted_cert(&pem, &data("root-a.pem"), Y2030)
            .unwrap(),
        LEAF_SN
    );
    assert_eq!(v.cert_sns().len(), 2);

    // a response signed with the leaf key and naming its SN verifies
    let key = PrivateKey::parse(&data("leaf-key.pem")).unwrap();
    let content = r#"{"code":"10000","msg":"Success","trade_no":"t"}"#;
    let sig = STANDARD.encode(key.sign(content.as_bytes(), SignType::Rsa2).unwrap());
    let body = format!(
        "{{\"alipay_trade_query_response\":{content},\"alipay_cert_sn\":\"{LEAF_SN}\",\"sign\":\"{sig}\"}}"
    );
    let r = v.verify(&body, "alipay.trade.query").unwrap();
    assert_eq!(r.cert_sn.as_deref(), Some(LEAF_SN));

    // the key of the chain's leaf, looked up by SN
    let k = cert::public_key_for_sn(&pem, LEAF_SN).unwrap();
    assert!(k.matches(&key));
    assert_eq!(
        cert::public_key_for_sn(&pem, "00").unwrap_err().code(),
        ErrorCode::Cert
    );
}
