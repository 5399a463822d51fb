//! Certificate SN vectors (`cert_sn_vectors.json`, protocol §4).

use alipay_f2f_core::cert::{self, CertInfo};
use alipay_f2f_core::ErrorCode;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures");

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{rel}")).unwrap()
}

fn vectors() -> Vec<Value> {
    serde_json::from_str(&read("cert_sn_vectors.json")).unwrap()
}

#[test]
fn single_certificate_vectors() {
    let mut n = 0;
    for v in vectors() {
        let Some(expected) = v.get("expected_sn") else {
            continue;
        };
        let pem = read(v["cert_file"].as_str().unwrap());
        let info = cert::cert_info(&pem).unwrap();
        assert_eq!(info.issuer, v["issuer_dn_rfc2253"].as_str().unwrap());
        assert_eq!(info.serial, v["serial_decimal"].as_str().unwrap());
        assert_eq!(
            format!("{}{}", info.issuer, info.serial),
            v["md5_input"].as_str().unwrap()
        );
        assert_eq!(info.sn, expected.as_str().unwrap());
        assert_eq!(cert::cert_sn(&pem).unwrap(), info.sn);
        n += 1;
    }
    assert_eq!(n, 2);
}

#[test]
fn root_bundle_vector() {
    let v = vectors()
        .into_iter()
        .find(|v| v.get("expected_root_sn").is_some())
        .unwrap();
    let pem = read(v["cert_file"].as_str().unwrap());
    assert_eq!(
        cert::root_cert_sn(&pem).unwrap(),
        v["expected_root_sn"].as_str().unwrap()
    );
    let infos = cert::bundle_info(&pem).unwrap();
    let expected = v["certs_in_file_order"].as_array().unwrap();
    assert_eq!(infos.len(), expected.len());
    for (info, e) in infos.iter().zip(expected) {
        assert_eq!(info.issuer, e["issuer_dn"].as_str().unwrap());
        assert_eq!(info.serial, e["serial_decimal"].as_str().unwrap());
        assert_eq!(info.signature_algorithm, e["sig_alg_oid"].as_str().unwrap());
        assert_eq!(info.is_rsa_signed(), e["included"].as_bool().unwrap());
        assert_eq!(info.sn, e["md5"].as_str().unwrap());
    }
}

#[test]
fn java_sdk_app_cert_sn() {
    // protocol §4.1: computed value for the Java SDK's app certificate
    let pem = read("keys/appCertPublicKey_2021003126695331.crt");
    assert_eq!(
        cert::cert_sn(&pem).unwrap(),
        "c5f1c14ddd03800943ddf3f452aaf3d9"
    );
}

#[test]
fn tolerant_pem_forms() {
    let pem = read("keys/alipayCertPublicKey_RSA2.crt");
    let sn = "7513daaaa48aa3ba2e4018d84402479c";
    // CRLF line ends, indentation, surrounding text
    let crlf = pem.replace('\n', "\r\n");
    assert_eq!(cert::cert_sn(&crlf).unwrap(), sn);
    let indented = format!("subject: whatever\n  {}\n", pem.replace('\n', "\n  "));
    assert_eq!(cert::cert_sn(&indented).unwrap(), sn);
    // bare base64 DER
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("");
    assert_eq!(cert::cert_sn(&body).unwrap(), sn);
}

#[test]
fn validity_period_is_reported() {
    let info: CertInfo = cert::cert_info(&read("keys/alipayCertPublicKey_RSA2.crt")).unwrap();
    // valid 2020-05-14 .. 2022-05-14 (protocol §4.3)
    assert!(info.is_valid_at(1_609_459_200)); // 2021-01-01
    assert!(!info.is_valid_at(1_704_067_200)); // 2024-01-01
    assert!(info.not_before < info.not_after);
    assert!(info.is_rsa_signed());
}

#[test]
fn truncated_and_wrong_inputs_are_cert_errors() {
    let pem = read("keys/alipayCertPublicKey_RSA2.crt");
    for cut in [10, pem.len() / 2, pem.len() - 30] {
        let e = cert::cert_sn(&pem[..cut]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Cert, "cut at {cut}");
    }
    let key = read("keys/alipay-public-key.pem");
    assert_eq!(cert::cert_sn(&key).unwrap_err().code(), ErrorCode::Cert);
    assert_eq!(
        cert::public_key_from_cert(&key).unwrap_err().code(),
        ErrorCode::Cert
    );
    // a bundle of only non-RSA-signed certs has no root SN
    let bundle = read("keys/alipayRootCert.crt");
    let blocks: Vec<&str> = bundle
        .split_inclusive("-----END CERTIFICATE-----")
        .collect();
    let sm2_only = blocks[0];
    assert_eq!(
        cert::root_cert_sn(sm2_only).unwrap_err().code(),
        ErrorCode::Cert
    );
}

#[test]
fn public_key_of_cert_matches_the_pem_key() {
    // the Java SDK's certificate and its public key (fixtures README)
    let from_cert =
        cert::public_key_from_cert(&read("keys/appCertPublicKey_2021003126695331.crt")).unwrap();
    let pem =
        alipay_f2f_core::PublicKey::parse(&read("keys/app_2021003126695331_pub.pem")).unwrap();
    assert_eq!(from_cert.to_spki_pem(), pem.to_spki_pem());
    assert_eq!(from_cert.bits(), 2048);
}
