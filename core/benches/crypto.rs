//! Signing, verification and request building, per RSA backend.
//!
//! `cargo bench -p alipay-f2f-core --bench crypto [--features native-crypto,native-crypto-awslc] -- --warm-up-time 1 --measurement-time 2`
//!
//! The portable (`rsa` 0.10) rows always run; the `ring` rows with
//! `native-crypto`, the AWS-LC rows with `native-crypto-awslc`, the
//! variable-time verification rows with `vartime-verify` (its sign rows are
//! `rsa`; its verify rows use the AVX-512 IFMA kernel on CPUs with it, the
//! scalar kernel elsewhere), in the same process. With `vartime-verify`, the
//! `rsa_public_2048` rows time the bare `s^65537 mod n` of each vartime
//! kernel (`vartime-ifma` only where the CPU has AVX-512 IFMA). `build_request` rows use the default backend (AWS-LC if compiled
//! in, else ring, else rsa).

use std::hint::black_box;
use std::path::PathBuf;

use alipay_f2f_core::keys::Backend;
use alipay_f2f_core::request::{Signer, SignerConfig};
use alipay_f2f_core::sign::{self, SignType};
use alipay_f2f_core::{Charset, PrivateKey, PublicKey, Verifier};
use criterion::{criterion_group, criterion_main, Criterion};

fn key(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/keys")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

const BIZ: &str = r#"{"out_trade_no":"20240102150405001","scene":"bar_code","auth_code":"28763443825664394","product_code":"FACE_TO_FACE_PAYMENT","subject":"测试商品 A&B=1","total_amount":"88.88","store_id":"NJ_001","timeout_express":"2m"}"#;

const ANSWER: &str = r#"{"code":"10000","msg":"Success","buyer_logon_id":"abc***@x.com","buyer_pay_amount":"88.88","buyer_user_id":"2088000000000001","fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}],"gmt_payment":"2026-01-01 12:00:01","invoice_amount":"88.88","out_trade_no":"20240102150405001","point_amount":"0.00","receipt_amount":"88.88","total_amount":"88.88","trade_no":"2026010122001400000000000001"}"#;

fn params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("method", "alipay.trade.pay"),
        ("app_id", "2021000122671080"),
        ("charset", "utf-8"),
        ("version", "1.0"),
        ("sign_type", "RSA2"),
        ("timestamp", "2024-01-02 15:04:05"),
        ("notify_url", "https://example.com/notify"),
        ("biz_content", BIZ),
    ]
}

fn backends() -> Vec<(&'static str, Backend)> {
    [
        ("rsa", Backend::Portable),
        ("ring", Backend::Ring),
        ("aws-lc", Backend::AwsLc),
        ("vartime", Backend::Vartime),
    ]
    .into_iter()
    .filter(|(_, b)| b.is_available())
    .collect()
}

fn bench(c: &mut Criterion) {
    let private = PrivateKey::parse(&key("app-private-key.pem")).unwrap();
    let public = PublicKey::parse(&key("app-public-key.pem")).unwrap();
    let content = sign::sign_content(params());
    let msg = content.as_bytes().to_vec();
    let sig256 = private.sign(&msg, SignType::Rsa2).unwrap();
    let sig1 = private.sign(&msg, SignType::Rsa).unwrap();

    c.bench_function("sign_content", |b| {
        b.iter(|| sign::sign_content(black_box(params())))
    });
    c.bench_function("parse_private_key_pkcs1_pem", |b| {
        let text = key("app-private-key.pem");
        b.iter(|| PrivateKey::parse(black_box(&text)).unwrap())
    });
    c.bench_function("parse_public_key_spki_pem", |b| {
        let text = key("alipay-public-key.pem");
        b.iter(|| PublicKey::parse(black_box(&text)).unwrap())
    });
    for (name, backend) in backends() {
        c.bench_function(&format!("sign_rsa2_2048/{name}"), |b| {
            b.iter(|| {
                private
                    .sign_with_backend(black_box(&msg), SignType::Rsa2, backend)
                    .unwrap()
            })
        });
        c.bench_function(&format!("sign_rsa_sha1_2048/{name}"), |b| {
            b.iter(|| {
                private
                    .sign_with_backend(black_box(&msg), SignType::Rsa, backend)
                    .unwrap()
            })
        });
        c.bench_function(&format!("verify_rsa2_2048/{name}"), |b| {
            b.iter(|| {
                public
                    .verify_with_backend(black_box(&msg), &sig256, SignType::Rsa2, backend)
                    .unwrap()
            })
        });
        c.bench_function(&format!("verify_rsa_sha1_2048/{name}"), |b| {
            b.iter(|| {
                public
                    .verify_with_backend(black_box(&msg), &sig1, SignType::Rsa, backend)
                    .unwrap()
            })
        });
    }
    #[cfg(feature = "vartime-verify")]
    kernels(c, &public, &sig256);
    // the addon's paths: sign(params) and verifyResponse(body), default backend
    c.bench_function("sign_params_rsa2/default_backend", |b| {
        b.iter(|| {
            sign::sign_params(black_box(params()), &private, SignType::Rsa2, Charset::Utf8).unwrap()
        })
    });
    let answer = format!(
        r#"{{"alipay_trade_pay_response":{ANSWER},"sign":"{}"}}"#,
        sign::sign_content_base64(ANSWER, &private, SignType::Rsa2, Charset::Utf8).unwrap()
    );
    let verifier = Verifier::new(public.clone(), SignType::Rsa2);
    c.bench_function("verify_response_rsa2/default_backend", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(&answer), "alipay.trade.pay")
                .unwrap()
        })
    });
    let signer = Signer::new(
        SignerConfig {
            notify_url: Some("https://example.com/notify".into()),
            ..SignerConfig::new("2021000122671080")
        },
        private.clone(),
        None,
    )
    .unwrap();
    c.bench_function("build_request_utf8/default_backend", |b| {
        b.iter(|| {
            signer
                .build_request("alipay.trade.pay", black_box(BIZ), 1_704_179_045_000)
                .unwrap()
        })
    });
    let gbk = Signer::new(
        SignerConfig {
            charset: Charset::Gbk,
            ..SignerConfig::new("2021000122671080")
        },
        private,
        None,
    )
    .unwrap();
    c.bench_function("build_request_gbk/default_backend", |b| {
        b.iter(|| {
            gbk.build_request("alipay.trade.pay", black_box(BIZ), 1_704_179_045_000)
                .unwrap()
        })
    });
}

/// The bare public operation of each vartime kernel, on the same key and
/// signature as the verify rows.
#[cfg(feature = "vartime-verify")]
fn kernels(c: &mut Criterion, public: &PublicKey, sig: &[u8]) {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::PublicKey::from_public_key_der(&public.to_spki_der()).unwrap();
    let (n, e) = (key.n_bytes(), key.e_bytes());
    let mut out = vec![0u8; n.len()];
    let scalar = rsa_vartime_verify::PublicKey::from_be_bytes(&n, &e).unwrap();
    c.bench_function("rsa_public_2048/vartime-scalar", |b| {
        b.iter(|| assert!(scalar.pow_be(black_box(sig), &mut out)))
    });
    #[cfg(target_arch = "x86_64")]
    match rsa_vartime_verify::x86_ifma::IfmaKey::from_be_bytes(&n, &e) {
        Some(ifma) => c.bench_function("rsa_public_2048/vartime-ifma", |b| {
            b.iter(|| assert!(ifma.pow_be(black_box(sig), &mut out)))
        }),
        None => {
            eprintln!("note: no AVX-512 IFMA on this CPU: vartime rows are the scalar kernel");
            c
        }
    };
}

criterion_group!(benches, bench);
criterion_main!(benches);
