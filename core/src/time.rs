//! Gateway timestamps: `yyyy-MM-dd HH:mm:ss` in UTC+8 (Asia/Shanghai, no DST),
//! computed from an epoch-millisecond argument, whatever the host's time zone.

/// Formats `now_ms` (Unix epoch milliseconds) as a gateway timestamp in UTC+8.
pub fn format_timestamp(now_ms: u64) -> String {
    todo!("{now_ms}")
}

/// Parses a gateway timestamp (UTC+8) back into epoch milliseconds.
pub fn parse_timestamp(text: &str) -> Option<u64> {
    todo!("{text}")
}
