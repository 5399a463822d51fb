//! The snapshot envelope: `{"version":1,"kind":"barcodePay","state":{...}}`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};

/// The snapshot format version written by this crate.
pub(crate) const SNAPSHOT_VERSION: u64 = 1;

/// The envelope as written.
#[derive(Serialize)]
struct Envelope<'a, T> {
    version: u64,
    kind: &'a str,
    state: &'a T,
}

/// The `state` member of an envelope (the other members are checked on a [`Value`]).
#[derive(Deserialize)]
struct StateOf<T> {
    state: T,
}

/// Serializes `state` in the envelope (`state` null if it cannot be serialized).
///
/// Straight to text, and [`read`] straight from text: the flow states are
/// (de)serialized by `serde_json`'s text (de)serializer only, not also through
/// a [`Value`] (which would link a second copy of all their serde code into the
/// wasm build).
pub(crate) fn write<T: Serialize>(kind: &str, state: &T) -> String {
    fn text<S: Serialize>(kind: &str, state: &S) -> serde_json::Result<String> {
        serde_json::to_string(&Envelope {
            version: SNAPSHOT_VERSION,
            kind,
            state,
        })
    }
    text(kind, state)
        .or_else(|_| text(kind, &()))
        .unwrap_or_default()
}

fn bad(msg: impl Into<String>) -> Error {
    Error::new(ErrorCode::Snapshot, msg)
}

/// Reads an envelope of `kind`. `ERR_SNAPSHOT` on anything unexpected.
pub(crate) fn read<T: DeserializeOwned>(kind: &str, text: &str) -> Result<T> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| bad(format!("snapshot is not JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad("snapshot is not a JSON object"))?;
    if obj.len() != 3 {
        return Err(bad("snapshot must have exactly version, kind and state"));
    }
    match obj.get("version").and_then(Value::as_u64) {
        Some(SNAPSHOT_VERSION) => {}
        Some(other) => {
            return Err(bad(format!(
            "snapshot version {other} is not supported (this SDK reads version {SNAPSHOT_VERSION})"
        )))
        }
        None => return Err(bad("snapshot has no version")),
    }
    match obj.get("kind").and_then(Value::as_str) {
        Some(k) if k == kind => {}
        Some(k) => return Err(bad(format!("snapshot is of a {k} flow, not {kind}"))),
        None => return Err(bad("snapshot has no kind")),
    }
    if !obj.contains_key("state") {
        return Err(bad("snapshot has no state"));
    }
    serde_json::from_str::<StateOf<T>>(text)
        .map(|s| s.state)
        .map_err(|e| bad(format!("snapshot state is invalid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trips_and_refuses_wrong_kind_and_version() {
        let s = write("x", &vec![1, 2]);
        assert_eq!(s, r#"{"version":1,"kind":"x","state":[1,2]}"#);
        let back: Vec<u32> = read("x", &s).unwrap();
        assert_eq!(back, vec![1, 2]);
        // the same bytes as the former `json!` envelope of `to_value(state)`
        let v = serde_json::json!({ "version": 1, "kind": "k\"", "state": serde_json::to_value(vec![Some("a"), None]).unwrap() });
        assert_eq!(write("k\"", &vec![Some("a"), None]), v.to_string());
        for bad in [
            "",
            "[]",
            r#"{"version":1,"kind":"y","state":[]}"#,
            r#"{"version":2,"kind":"x","state":[]}"#,
            r#"{"kind":"x","state":[]}"#,
            r#"{"version":1,"kind":"x","state":{}}"#,
            r#"{"version":1,"kind":"x","state":[],"more":1}"#,
            r#"{"version":1,"kind":"x","state":["a"]}"#,
            r#"{"version":1,"kind":"x","kind":"x","state":[1],"state":[2]}"#,
        ] {
            let e = read::<Vec<u32>>("x", bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::Snapshot, "{bad}");
        }
    }
}
