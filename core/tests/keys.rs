//! Key parsing: every shared fixture key to the right kind, wrong-kind and
//! non-RSA errors, whitespace/CRLF/BOM variants, truncation and corruption,
//! key sizes, exports, equality, `Debug` hygiene, the app-key mix-up check.

use std::path::PathBuf;

use alipay_f2f_core::keys::{self, KeyArmor, KeyFormat, KeySyntax};
use alipay_f2f_core::request::{Signer, SignerConfig};
use alipay_f2f_core::sign::SignType;
use alipay_f2f_core::{ErrorCode, PrivateKey, PublicKey};
use base64::Engine as _;

fn shared(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/keys")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn data(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const PRIVATE: &[(&str, KeySyntax, KeyArmor)] = &[
    ("app-private-key.pem", KeySyntax::Pkcs1, KeyArmor::Pem),
    (
        "app-private-key-no-wrapper.pem",
        KeySyntax::Pkcs1,
        KeyArmor::Bare,
    ),
    ("app-private-key-pkcs8.pem", KeySyntax::Pkcs8, KeyArmor::Pem),
    (
        "app-private-key-pkcs8-no-wrapper.pem",
        KeySyntax::Pkcs8,
        KeyArmor::Bare,
    ),
    (
        "app_2014060600164699_rsa2_private_key_no_wrapper.pem",
        KeySyntax::Pkcs8,
        KeyArmor::Bare,
    ),
    (
        "privateKey_ProdCert_pkcs8.b64",
        KeySyntax::Pkcs8,
        KeyArmor::Bare,
    ),
    (
        "privateKey_ProdCert_pkcs1.pem",
        KeySyntax::Pkcs1,
        KeyArmor::Pem,
    ),
    (
        "privateKey_ProdCert_pkcs8.pem",
        KeySyntax::Pkcs8,
        KeyArmor::Pem,
    ),
];

const PUBLIC: &[&str] = &[
    "app-public-key.pem",
    "app-public-key-no-wrapper.pem",
    "alipay-public-key.pem",
    "alipay-public-key-no-wrapper.pem",
    "alipay_stable_rsa2_public_key.pem",
    "alipay-notify-sign-public-key-v1.pem",
    "alipay-notify-sign-public-key-v2.pem",
    "app_2014060600164699_rsa2_public_key_no_wrapper.pem",
    "app_2021003126695331_pub.pem",
    "appCertPublicKey_2021001161683774.crt",
    "alipayCertPublicKey_RSA2.crt",
    "appCertPublicKey_2021003126695331.crt",
];

#[test]
fn every_fixture_private_key_parses_with_its_format() {
    for (f, syntax, armor) in PRIVATE {
        let k = PrivateKey::parse(&shared(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(k.bits(), 2048, "{f}");
        assert_eq!(
            k.format(),
            KeyFormat {
                syntax: *syntax,
                armor: *armor
            },
            "{f}"
        );
    }
}

#[test]
fn every_fixture_public_key_and_cert_parses() {
    for f in PUBLIC {
        let k = PublicKey::parse(&shared(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(k.bits(), 2048, "{f}");
    }
}

#[test]
fn wrong_kind_is_named() {
    for (f, _, _) in PRIVATE {
        let e = PublicKey::parse(&shared(f)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyKind, "{f}");
        assert!(e.message().contains("private key"), "{f}: {e}");
    }
    for f in PUBLIC {
        let e = PrivateKey::parse(&shared(f)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyKind, "{f}");
        assert!(
            e.message().contains("public key") || e.message().contains("certificate"),
            "{f}: {e}"
        );
    }
    // Bare base64 DER of a certificate is a certificate too.
    let pem = shared("alipayCertPublicKey_RSA2.crt");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert_eq!(
        PrivateKey::parse(&body).unwrap_err().code(),
        ErrorCode::KeyKind
    );
    assert_eq!(
        PublicKey::parse(&body).unwrap(),
        PublicKey::parse(&pem).unwrap()
    );
}

#[test]
fn matching_pairs() {
    let pairs = [
        ("app-private-key.pem", "app-public-key.pem"),
        ("app-private-key-pkcs8.pem", "app-public-key-no-wrapper.pem"),
        (
            "app_2014060600164699_rsa2_private_key_no_wrapper.pem",
            "app_2014060600164699_rsa2_public_key_no_wrapper.pem",
        ),
        (
            "privateKey_ProdCert_pkcs8.b64",
            "app_2021003126695331_pub.pem",
        ),
        (
            "privateKey_ProdCert_pkcs1.pem",
            "appCertPublicKey_2021003126695331.crt",
        ),
    ];
    for (sk, pk) in pairs {
        let sk = PrivateKey::parse(&shared(sk)).unwrap();
        let pk = PublicKey::parse(&shared(pk)).unwrap();
        assert!(pk.matches(&sk));
        assert_eq!(sk.public_key(), pk);
    }
    let app = PrivateKey::parse(&shared("app-private-key.pem")).unwrap();
    for other in [
        "alipay-public-key.pem",
        "app_2021003126695331_pub.pem",
        "appCertPublicKey_2021001161683774.crt",
    ] {
        let pk = PublicKey::parse(&shared(other)).unwrap();
        assert!(!pk.matches(&app), "{other}");
        assert_ne!(app.public_key(), pk, "{other}");
    }
}

#[test]
fn pem_public_forms_are_equal() {
    let a = PublicKey::parse(&shared("app-public-key.pem")).unwrap();
    let b = PublicKey::parse(&shared("app-public-key-no-wrapper.pem")).unwrap();
    assert_eq!(a, b);
    let c = PublicKey::parse(&data("rsa3072-public.pem")).unwrap();
    let d = PublicKey::parse(&data("rsa3072-public-pkcs1.pem")).unwrap();
    let e = PublicKey::parse(&data("rsa3072-cert.pem")).unwrap();
    assert_eq!(c, d);
    assert_eq!(c, e);
    assert_eq!(c.bits(), 3072);
    let pkcs1_bare: String = data("rsa3072-public-pkcs1.pem")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert_eq!(PublicKey::parse(&pkcs1_bare).unwrap(), c);
}

/// Whitespace variants of a text key: CRLF, no final newline, indentation,
/// trailing spaces, tabs, BOM, one-line PEM body, bare base64 re-wrapped.
fn variants(text: &str) -> Vec<String> {
    let t = text.trim_end_matches('\n');
    vec![
        t.to_string(),
        format!("{t}\n\n\n"),
        t.replace('\n', "\r\n"),
        format!("{}\r\n", t.replace('\n', "\r\n")),
        t.lines()
            .map(|l| format!("  {l}  "))
            .collect::<Vec<_>>()
            .join("\n"),
        t.lines()
            .map(|l| format!("\t{l}\t"))
            .collect::<Vec<_>>()
            .join("\n"),
        format!("\u{feff}{t}\n"),
        format!("\n\n  {t}  \n\n"),
        // the body on one line (PEM) / wrapped at 64 (bare)
        if t.contains("-----BEGIN") {
            let lines: Vec<&str> = t.lines().collect();
            format!(
                "{}\n{}\n{}",
                lines[0],
                lines[1..lines.len() - 1].concat(),
                lines[lines.len() - 1]
            )
        } else {
            t.as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        },
    ]
}

#[test]
fn whitespace_crlf_bom_variants_parse_identically() {
    for (f, _, _) in PRIVATE {
        let reference = PrivateKey::parse(&shared(f)).unwrap().public_key();
        for (i, v) in variants(&shared(f)).iter().enumerate() {
            let k = PrivateKey::parse(v).unwrap_or_else(|e| panic!("{f} variant {i}: {e}"));
            assert_eq!(k.public_key(), reference, "{f} variant {i}");
        }
    }
    for f in PUBLIC {
        let reference = PublicKey::parse(&shared(f)).unwrap();
        for (i, v) in variants(&shared(f)).iter().enumerate() {
            let k = PublicKey::parse(v).unwrap_or_else(|e| panic!("{f} variant {i}: {e}"));
            assert_eq!(k, reference, "{f} variant {i}");
        }
    }
}

#[test]
fn config_file_mangling_is_undone() {
    for (f, _, _) in PRIVATE {
        let text = shared(f);
        let reference = PrivateKey::parse(&text).unwrap().public_key();
        let t = text.trim();
        let escaped = t.replace('\n', "\\n");
        let escaped_crlf = t.replace('\n', "\\r\\n");
        // Unicode spaces inside the base64 lines, zero-width characters anywhere.
        let mut nbsp = String::new();
        for (n, line) in t.lines().enumerate() {
            if line.starts_with("-----") {
                nbsp.push_str(&line.replacen(' ', " \u{200b}", 1));
            } else {
                for (i, c) in line.chars().enumerate() {
                    nbsp.push(c);
                    if i % 50 == 49 {
                        nbsp.push_str(
                            ["\u{a0}", "\u{3000}", "\u{200b}", "\u{feff}"][(i / 50 + n) % 4],
                        );
                    }
                }
            }
            nbsp.push('\n');
        }
        for (name, v) in [
            ("literal \\n", escaped.clone()),
            ("literal \\r\\n", escaped_crlf),
            ("json-quoted", format!("\"{escaped}\"")),
            ("single-quoted", format!("'{t}'\n")),
            ("invisible chars", nbsp),
        ] {
            let k = PrivateKey::parse(&v).unwrap_or_else(|e| panic!("{f} {name}: {e}"));
            assert_eq!(k.public_key(), reference, "{f} {name}");
        }
    }
    let pk = shared("alipay-public-key.pem");
    assert_eq!(
        PublicKey::parse(&format!("\"{}\"", pk.trim().replace('\n', "\\n"))).unwrap(),
        PublicKey::parse(&pk).unwrap()
    );
    // A stray backslash elsewhere is still corruption.
    let bare = shared("app-private-key-no-wrapper.pem");
    let mut broken = bare.trim().to_string();
    broken.insert_str(40, "\\x");
    assert_eq!(
        PrivateKey::parse(&broken).unwrap_err().code(),
        ErrorCode::KeyFormat
    );
}

#[test]
fn pem_preamble_and_relabelled_keys() {
    // openssl pkcs12 output puts "Bag Attributes" before the block.
    let pem = shared("privateKey_ProdCert_pkcs8.pem");
    let with_bag =
        format!("Bag Attributes\n    localKeyID: 01 02 03\nKey Attributes: <No Attributes>\n{pem}");
    let reference = PrivateKey::parse(&pem).unwrap();
    assert_eq!(
        PrivateKey::parse(&with_bag).unwrap().public_key(),
        reference.public_key()
    );
    // PKCS#8 content under a PKCS#1 label (node SDK's formatKey does this)
    // and the reverse: the content decides.
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let relabelled =
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n");
    let k = PrivateKey::parse(&relabelled).unwrap();
    assert_eq!(k.format().syntax, KeySyntax::Pkcs8);
    assert_eq!(k.public_key(), reference.public_key());
    let p1 = shared("privateKey_ProdCert_pkcs1.pem");
    let body1: String = p1.lines().filter(|l| !l.starts_with("-----")).collect();
    let relabelled1 = format!("-----BEGIN PRIVATE KEY-----\n{body1}\n-----END PRIVATE KEY-----");
    let k1 = PrivateKey::parse(&relabelled1).unwrap();
    assert_eq!(k1.format().syntax, KeySyntax::Pkcs1);
    assert_eq!(k1.public_key(), reference.public_key());
    // A private key under a PUBLIC KEY label is still named a private key.
    let mislabelled = format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----");
    assert_eq!(
        PublicKey::parse(&mislabelled).unwrap_err().code(),
        ErrorCode::KeyKind
    );
    // Mismatched BEGIN/END labels are a format error.
    let mismatched = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----");
    assert_eq!(
        PrivateKey::parse(&mismatched).unwrap_err().code(),
        ErrorCode::KeyFormat
    );
}

#[test]
fn from_der_accepts_every_der_form() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let bare = |f: &str, dir: fn(&str) -> String| -> Vec<u8> {
        let t: String = dir(f).lines().filter(|l| !l.starts_with("-----")).collect();
        b64.decode(t.trim()).unwrap()
    };
    let k1 = PrivateKey::from_der(&bare("app-private-key-no-wrapper.pem", shared)).unwrap();
    let k8 = PrivateKey::from_der(&bare("app-private-key-pkcs8-no-wrapper.pem", shared)).unwrap();
    assert_eq!(
        k1.format(),
        KeyFormat {
            syntax: KeySyntax::Pkcs1,
            armor: KeyArmor::Der
        }
    );
    assert_eq!(
        k8.format(),
        KeyFormat {
            syntax: KeySyntax::Pkcs8,
            armor: KeyArmor::Der
        }
    );
    let pk = PublicKey::from_der(&bare("app-public-key-no-wrapper.pem", shared)).unwrap();
    assert!(pk.matches(&k1) && pk.matches(&k8));
    assert_eq!(PublicKey::from_der(&pk.to_spki_der()).unwrap(), pk);
    let cert = PublicKey::from_der(&bare("rsa3072-cert.pem", data)).unwrap();
    assert_eq!(cert, PublicKey::parse(&data("rsa3072-public.pem")).unwrap());
    let pkcs1_pub = PublicKey::from_der(&bare("rsa3072-public-pkcs1.pem", data)).unwrap();
    assert_eq!(cert, pkcs1_pub);
    assert_eq!(
        PrivateKey::from_der(&pk.to_spki_der()).unwrap_err().code(),
        ErrorCode::KeyKind
    );
    assert_eq!(
        PublicKey::from_der(&bare("app-private-key-no-wrapper.pem", shared))
            .unwrap_err()
            .code(),
        ErrorCode::KeyKind
    );
    for junk in [&[][..], &[0x30, 0x03, 0x02, 0x01, 0x00], &[0xff; 40]] {
        assert_eq!(
            PrivateKey::from_der(junk).unwrap_err().code(),
            ErrorCode::KeyFormat
        );
        assert_eq!(
            PublicKey::from_der(junk).unwrap_err().code(),
            ErrorCode::KeyFormat
        );
    }
}

#[test]
fn truncated_or_corrupt_is_key_format() {
    for f in [
        "app-private-key-no-wrapper.pem",
        "app-private-key-pkcs8-no-wrapper.pem",
        "privateKey_ProdCert_pkcs8.b64",
    ] {
        let t = shared(f).trim().to_string();
        for cut in [
            1,
            2,
            3,
            4,
            8,
            100,
            t.len() / 2,
            t.len() - 5,
            t.len() - 4,
            t.len() - 3,
        ] {
            if t[cut..].bytes().all(|b| b == b'=') {
                // Only padding lost: the DER is complete, accepted.
                PrivateKey::parse(&t[..cut]).unwrap();
                continue;
            }
            let e = PrivateKey::parse(&t[..cut]).unwrap_err();
            assert_eq!(e.code(), ErrorCode::KeyFormat, "{f} cut at {cut}: {e}");
        }
        // One corrupted character in the middle.
        let mut b = t.clone().into_bytes();
        b[t.len() / 2] = b'!';
        let e = PrivateKey::parse(std::str::from_utf8(&b).unwrap()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyFormat);
    }
    // An openssl PEM with 64-character lines.
    let pem = data("rsa3072-private-pkcs1.pem");
    let lines: Vec<&str> = pem.lines().collect();
    assert!(lines.len() > 10);
    // Missing END line, missing BEGIN line, half the body, a dropped line.
    let no_end = lines[..lines.len() - 1].join("\n");
    let no_begin = lines[1..].join("\n");
    let half = format!(
        "{}\n{}\n{}",
        lines[0],
        lines[1..lines.len() / 2].join("\n"),
        lines[lines.len() - 1]
    );
    let mut dropped = lines.clone();
    dropped.remove(5);
    for (name, t) in [
        ("no end", no_end),
        ("no begin", no_begin),
        ("half", half),
        ("dropped line", dropped.join("\n")),
        ("empty", String::new()),
        ("blank", "  \n\r\n ".to_string()),
        ("not a key", "hello world".to_string()),
        ("random base64", "QUJDREVGR0hJSktMTU5PUA==".to_string()),
    ] {
        let e = PrivateKey::parse(&t).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyFormat, "{name}: {e}");
        // As a public key, a text labelled as a private key is named as such.
        let e = PublicKey::parse(&t).unwrap_err();
        let want = if t.contains("-----BEGIN RSA PRIVATE KEY-----") && t.contains("-----END") {
            ErrorCode::KeyKind
        } else {
            ErrorCode::KeyFormat
        };
        assert_eq!(e.code(), want, "public {name}: {e}");
    }
    let pub_t = shared("alipay-public-key-no-wrapper.pem")
        .trim()
        .to_string();
    for cut in [4, pub_t.len() / 2, pub_t.len() - 4] {
        assert_eq!(
            PublicKey::parse(&pub_t[..cut]).unwrap_err().code(),
            ErrorCode::KeyFormat
        );
    }
}

#[test]
fn non_rsa_keys_are_key_kind() {
    for f in [
        "ec-p256-private-sec1.pem",
        "ec-p256-private-pkcs8.pem",
        "ed25519-private.pem",
    ] {
        let t = data(f);
        let e = PrivateKey::parse(&t).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyKind, "{f}: {e}");
        assert!(e.message().contains("not an RSA key"), "{f}: {e}");
        // The same DER as bare base64.
        let bare: String = t.lines().filter(|l| !l.starts_with("-----")).collect();
        let e = PrivateKey::parse(&bare).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyKind, "{f} bare: {e}");
        assert_eq!(
            PublicKey::parse(&t).unwrap_err().code(),
            ErrorCode::KeyKind,
            "{f}"
        );
    }
    for f in ["ec-p256-public.pem", "ec-p256-cert.pem"] {
        let e = PublicKey::parse(&data(f)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyKind, "{f}: {e}");
        assert!(e.message().contains("not an RSA key"));
        assert_eq!(
            PrivateKey::parse(&data(f)).unwrap_err().code(),
            ErrorCode::KeyKind
        );
    }
    // The root bundle starts with an SM2 (EC) certificate.
    assert_eq!(
        PublicKey::parse(&shared("alipayRootCert.crt"))
            .unwrap_err()
            .code(),
        ErrorCode::KeyKind
    );
}

#[test]
fn encrypted_keys_are_refused_with_a_reason() {
    for f in [
        "rsa1024-private-encrypted-pkcs1.pem",
        "rsa1024-private-encrypted-pkcs8.pem",
    ] {
        let e = PrivateKey::parse(&data(f)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyFormat, "{f}");
        assert!(e.message().contains("encrypted"), "{f}: {e}");
    }
}

#[test]
fn key_sizes() {
    let small = PrivateKey::parse(&data("rsa1024-private-pkcs1.pem")).unwrap();
    assert_eq!(small.bits(), 1024);
    assert_eq!(
        small.sign(b"x", SignType::Rsa2).unwrap_err().code(),
        ErrorCode::KeySize
    );
    let sig = small.sign(b"x", SignType::Rsa).unwrap();
    let public = PublicKey::parse(&data("rsa1024-public.pem")).unwrap();
    public.verify(b"x", &sig, SignType::Rsa).unwrap();
    let cfg = SignerConfig::new("2021000000000000");
    assert_eq!(
        Signer::new(cfg.clone(), small.clone(), None)
            .unwrap_err()
            .code(),
        ErrorCode::KeySize
    );
    let legacy = SignerConfig {
        sign_type: SignType::Rsa,
        ..cfg
    };
    Signer::new(legacy, small, None).unwrap();
    let e = PrivateKey::parse(&data("rsa512-private-pkcs1.pem")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeySize, "{e}");
    for (f, bits) in [
        ("rsa3072-private-pkcs1.pem", 3072),
        ("rsa4096-private-pkcs1.pem", 4096),
    ] {
        let k = PrivateKey::parse(&data(f)).unwrap();
        assert_eq!(k.bits(), bits);
        k.sign(b"x", SignType::Rsa2).unwrap();
    }
}

#[test]
fn exports_round_trip() {
    for (f, _, _) in PRIVATE {
        let k = PrivateKey::parse(&shared(f)).unwrap();
        let pk = k.public_key();
        let p1 = k.to_pkcs1_pem().unwrap();
        assert!(p1.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let p8 = k.to_pkcs8_pem().unwrap();
        assert!(p8.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let b1 = k.to_pkcs1_der_base64().unwrap();
        let b8 = k.to_pkcs8_der_base64().unwrap();
        assert!(!b1.contains('\n') && !b8.contains('\n'));
        for (text, syntax, armor) in [
            (&*p1, KeySyntax::Pkcs1, KeyArmor::Pem),
            (&*p8, KeySyntax::Pkcs8, KeyArmor::Pem),
            (&*b1, KeySyntax::Pkcs1, KeyArmor::Bare),
            (&*b8, KeySyntax::Pkcs8, KeyArmor::Bare),
        ] {
            let again = PrivateKey::parse(text).unwrap();
            assert_eq!(again.format(), KeyFormat { syntax, armor });
            assert_eq!(again.public_key(), pk);
            assert_eq!(
                again.sign(b"m", SignType::Rsa2).unwrap(),
                k.sign(b"m", SignType::Rsa2).unwrap()
            );
        }
        let spki_pem = pk.to_spki_pem();
        assert!(spki_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(PublicKey::parse(&spki_pem).unwrap(), pk);
        assert_eq!(PublicKey::parse(&pk.to_spki_base64()).unwrap(), pk);
    }
    // The SPKI PEM is byte-identical to openssl's.
    let openssl_pem = data("rsa3072-public.pem");
    assert_eq!(
        PublicKey::parse(&openssl_pem).unwrap().to_spki_pem(),
        openssl_pem
    );
    // The SPKI base64 of a fixture equals the file's own bare base64.
    let bare = shared("alipay-public-key-no-wrapper.pem");
    assert_eq!(
        PublicKey::parse(&bare).unwrap().to_spki_base64(),
        bare.trim()
    );
}

#[test]
fn debug_never_prints_key_material() {
    let text = shared("app-private-key.pem");
    let k = PrivateKey::parse(&text).unwrap();
    let pk = k.public_key();
    let signer = Signer::new(SignerConfig::new("2021000122671080"), k.clone(), None).unwrap();
    let pem_body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(&pem_body)
        .unwrap();
    let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
    for dbg in [
        format!("{k:?}"),
        format!("{k:#?}"),
        format!("{pk:?}"),
        format!("{signer:?}"),
        format!("{signer:#?}"),
    ] {
        // No 12-char window of the base64 body or the hex DER appears.
        for w in pem_body.as_bytes().windows(12).step_by(7) {
            assert!(!dbg.contains(std::str::from_utf8(w).unwrap()), "{dbg}");
        }
        for w in hex.as_bytes().windows(16).step_by(8) {
            assert!(!dbg.contains(std::str::from_utf8(w).unwrap()), "{dbg}");
        }
        assert!(dbg.len() < 600, "{dbg}");
    }
    assert!(format!("{k:?}").contains("bits: 2048"));
    // The merchant's app_auth_token is redacted from the config's Debug.
    let cfg = SignerConfig {
        app_auth_token: Some("202401BBsecrettoken".into()),
        ..SignerConfig::new("2021000122671080")
    };
    let dbg = format!("{cfg:?}");
    assert!(
        !dbg.contains("secrettoken") && dbg.contains("<redacted>"),
        "{dbg}"
    );
    let signer = Signer::new(cfg, k.clone(), None).unwrap();
    assert!(!format!("{signer:?}").contains("secrettoken"));
    // Errors never carry the text either.
    let mut broken = text.clone();
    broken.replace_range(100..104, "!!!!");
    let e = PrivateKey::parse(&broken).unwrap_err();
    for w in pem_body.as_bytes().windows(12).step_by(7) {
        let w = std::str::from_utf8(w).unwrap();
        assert!(!e.to_string().contains(w) && !format!("{e:?}").contains(w));
    }
}

#[test]
fn app_public_key_configured_as_alipay_key_is_detected() {
    let app = PrivateKey::parse(&shared("app-private-key.pem")).unwrap();
    let app_pub = PublicKey::parse(&shared("app-public-key.pem")).unwrap();
    let alipay = PublicKey::parse(&shared("alipay-public-key.pem")).unwrap();
    let e = keys::check_not_app_key(&app, &app_pub).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyMismatch);
    keys::check_not_app_key(&app, &alipay).unwrap();
    // Works with small legacy keys too.
    let small = PrivateKey::parse(&data("rsa1024-private-pkcs1.pem")).unwrap();
    let small_pub = PublicKey::parse(&data("rsa1024-public.pem")).unwrap();
    assert_eq!(
        keys::check_not_app_key(&small, &small_pub)
            .unwrap_err()
            .code(),
        ErrorCode::KeyMismatch
    );
}

/// A deterministic test RNG (SHA-256 in counter mode) for key generation.
struct TestRng(u64);

impl rand_core::TryRng for TestRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        use sha2::Digest;
        for chunk in dst.chunks_mut(32) {
            self.0 += 1;
            let h = sha2::Sha256::digest(self.0.to_le_bytes());
            chunk.copy_from_slice(&h[..chunk.len()]);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for TestRng {}

#[test]
fn generate_from_injected_rng() {
    let k = PrivateKey::generate(2048, &mut TestRng(7)).unwrap();
    assert_eq!(k.bits(), 2048);
    let sig = k.sign(b"generated", SignType::Rsa2).unwrap();
    k.public_key()
        .verify(b"generated", &sig, SignType::Rsa2)
        .unwrap();
    // Same seed, same key: randomness comes only from the argument.
    let again = PrivateKey::generate(2048, &mut TestRng(7)).unwrap();
    assert_eq!(k.public_key(), again.public_key());
    let reparsed = PrivateKey::parse(&k.to_pkcs8_pem().unwrap()).unwrap();
    assert_eq!(reparsed.public_key(), k.public_key());
    assert_eq!(
        PrivateKey::generate(512, &mut TestRng(1))
            .unwrap_err()
            .code(),
        ErrorCode::KeySize
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn der_of(f: &str) -> Vec<u8> {
        let t: String = shared(f)
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(t.trim())
            .unwrap()
    }

    fn allowed(code: ErrorCode) -> bool {
        matches!(
            code,
            ErrorCode::KeyFormat | ErrorCode::KeyKind | ErrorCode::KeySize
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_text(text in "\\PC{0,200}") {
            if let Err(e) = PrivateKey::parse(&text) { prop_assert!(allowed(e.code())); }
            if let Err(e) = PublicKey::parse(&text) { prop_assert!(allowed(e.code())); }
        }

        #[test]
        fn arbitrary_der(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
            prop_assert!(PrivateKey::parse(&b64).is_err());
            prop_assert!(PublicKey::parse(&b64).is_err());
            prop_assert!(PrivateKey::from_der(&bytes).is_err());
            prop_assert!(PublicKey::from_der(&bytes).is_err());
        }

        /// One corrupted byte anywhere in a real key's DER: an error with a
        /// key code, or (if the change hits a field that does not matter) a
        /// key that still signs or reports an error, never a panic.
        #[test]
        fn mutated_real_keys(pos in any::<prop::sample::Index>(), flip in 1u8..=255, which in 0usize..3) {
            let f = ["app-private-key-no-wrapper.pem", "app-private-key-pkcs8-no-wrapper.pem", "app-public-key-no-wrapper.pem"][which];
            let mut der = der_of(f);
            let i = pos.index(der.len());
            der[i] ^= flip;
            if which < 2 {
                match PrivateKey::from_der(&der) {
                    Ok(k) => {
                        let sig = k.sign(b"probe", SignType::Rsa2);
                        if let Ok(sig) = sig {
                            let _ = k.public_key().verify(b"probe", &sig, SignType::Rsa2);
                        }
                    }
                    Err(e) => prop_assert!(allowed(e.code()), "{e}"),
                }
            } else {
                match PublicKey::from_der(&der) {
                    Ok(k) => { let _ = k.verify(b"probe", &[0u8; 256], SignType::Rsa2); }
                    Err(e) => prop_assert!(allowed(e.code()), "{e}"),
                }
            }
        }
    }
}
