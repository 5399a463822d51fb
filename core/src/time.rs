//! Gateway timestamps: `yyyy-MM-dd HH:mm:ss` in UTC+8 (Asia/Shanghai, no DST),
//! computed from an epoch-millisecond argument, whatever the host's time zone.

/// Offset of UTC+8 in seconds.
const OFFSET_SECS: i64 = 8 * 3600;

/// Civil date (year, month 1..=12, day 1..=31) of a day count since
/// 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Formats `now_ms` (Unix epoch milliseconds) as a gateway timestamp in UTC+8.
/// Milliseconds are truncated.
pub fn format_timestamp(now_ms: u64) -> String {
    let secs = (now_ms / 1000) as i64 + OFFSET_SECS;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// Parses a gateway timestamp (UTC+8, exactly `yyyy-MM-dd HH:mm:ss`) back
/// into epoch milliseconds. `None` if malformed, out of range (month 13,
/// Feb 30, hour 24, ...) or before the Unix epoch.
pub fn parse_timestamp(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = &b[r];
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(s.iter().fold(0u32, |a, d| a * 10 + (d - b'0') as u32))
    };
    let (y, mo, d) = (num(0..4)? as i64, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59
    {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + (h * 3600 + mi * 60 + s) as i64 - OFFSET_SECS;
    u64::try_from(secs).ok().map(|s| s * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(format_timestamp(0), "1970-01-01 08:00:00");
        // 2024-01-02T07:04:05Z
        assert_eq!(format_timestamp(1_704_179_045_000), "2024-01-02 15:04:05");
        assert_eq!(format_timestamp(1_704_179_045_999), "2024-01-02 15:04:05");
        // UTC day boundary: 2023-12-31T16:00:00Z is already Jan 1st in Shanghai.
        assert_eq!(format_timestamp(1_704_038_400_000), "2024-01-01 00:00:00");
        assert_eq!(format_timestamp(1_704_038_399_000), "2023-12-31 23:59:59");
        // Leap days.
        assert_eq!(format_timestamp(951_782_400_000), "2000-02-29 08:00:00");
        assert_eq!(format_timestamp(1_709_164_800_000), "2024-02-29 08:00:00");
        assert_eq!(format_timestamp(1_709_251_199_000), "2024-03-01 07:59:59");
        // 2100 is not a leap year: 2100-02-28T16:00:00Z → 2100-03-01 00:00 +8.
        assert_eq!(format_timestamp(4_107_513_600_000), "2100-03-01 00:00:00");
        // Far future: 9999-12-31 23:59:59 +8.
        assert_eq!(format_timestamp(253_402_271_999_000), "9999-12-31 23:59:59");
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let t = format_timestamp(u64::MAX);
        // 18446744073709551 s ≈ 584554049.3 Gregorian years after 1970.
        assert!(t.starts_with("584556019-") && t.ends_with(":51"), "{t}");
        assert_eq!(
            parse_timestamp("9999-12-31 23:59:59"),
            Some(253_402_271_999_000)
        );
        assert_eq!(parse_timestamp("0000-01-01 00:00:00"), None);
    }

    #[test]
    fn parse_known() {
        assert_eq!(
            parse_timestamp("2024-01-02 15:04:05"),
            Some(1_704_179_045_000)
        );
        assert_eq!(parse_timestamp("1970-01-01 08:00:00"), Some(0));
        assert_eq!(
            parse_timestamp("2000-02-29 08:00:00"),
            Some(951_782_400_000)
        );
        assert_eq!(parse_timestamp("1970-01-01 07:59:59"), None);
        for bad in [
            "",
            "2024-1-02 15:04:05",
            "2024-01-02T15:04:05",
            "2024-13-02 15:04:05",
            "2023-02-29 00:00:00",
            "2100-02-29 00:00:00",
            "2024-04-31 00:00:00",
            "2024-01-00 00:00:00",
            "2024-01-02 24:00:00",
            "2024-01-02 23:60:00",
            "2024-01-02 23:59:60",
            "2024-01-02 15:04:05 ",
            "+024-01-02 15:04:05",
            "２０２４-01-02 15:04:05",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn round_trip_every_day_for_500_years() {
        let mut ms: u64 = 0;
        while ms < 16_000_000_000_000 {
            let t = format_timestamp(ms);
            assert_eq!(parse_timestamp(&t), Some(ms - ms % 1000), "{t}");
            ms += 86_400_000 + 3_601_001;
        }
    }

    #[test]
    fn civil_algorithms_agree() {
        for days in -800_000..800_000i64 {
            if days % 997 != 0 {
                continue;
            }
            let (y, m, d) = civil_from_days(days);
            assert!(d <= days_in_month(y, m));
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
