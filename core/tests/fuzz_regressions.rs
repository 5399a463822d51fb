//! Inputs found by fuzzing (`scripts/fuzz.sh`), replayed as normal tests.
//! Each file in `tests/data/fuzz/` is named `<target>-<what>.<ext>`:
//! - `notify-*`: raw notification form bodies for `notify::verify_form`.
//!
//! `notify-crash-3ef19108.form` (the fuzzer's input) and its hand-minimized
//! forms `notify-long-charset.form` / `notify-long-sign-type.form`: a
//! `charset` / `sign_type` value of thousands of characters was echoed in
//! full in the error message (log flooding with attacker text); messages
//! now quote at most 64 characters of it, like every other message.

use alipay_f2f_core::{notify, PublicKey, SignType, Verifier};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fuzz/");
const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/keys/alipay-public-key.pem"
);

fn inputs(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    v.sort();
    v
}

#[test]
fn notify_inputs_fail_with_short_messages() {
    let key = PublicKey::parse(&std::fs::read_to_string(KEY).unwrap()).unwrap();
    let verifier = Verifier::new(key.clone(), SignType::Rsa2);
    let files = inputs("notify-");
    assert!(files.len() >= 3, "regression inputs missing: {files:?}");
    for (name, body) in files {
        for r in [
            notify::verify_form(&body, &key, SignType::Rsa2),
            notify::verify_form_v2(&body, &key, SignType::Rsa),
            notify::verify_form_with(&body, &verifier),
        ] {
            let e = r.expect_err(&name);
            assert!(
                e.message().len() < 300,
                "{name}: {} bytes of message: {}…",
                e.message().len(),
                &e.message()[..120.min(e.message().len())]
            );
        }
    }
}
