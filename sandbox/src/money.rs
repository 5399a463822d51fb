//! Amounts in yuan with at most two decimals, kept as integer fen (cents).

use std::fmt;

/// The largest amount the gateway accepts: 100 000 000.00 yuan.
pub const MAX_FEN: u64 = 100_000_000 * 100;

/// An amount of money in fen (1/100 yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub u64);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);

    /// Parses a gateway amount (`"88.88"`, `"1"`, `"0.5"`): digits, an optional
    /// dot and at most two decimals, within `[0.01, 100000000]`.
    pub fn parse(text: &str) -> Option<Amount> {
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        if int.is_empty() || int.len() > 9 || frac.len() > 2 {
            return None;
        }
        if text.contains('.') && frac.is_empty() {
            return None;
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let int: u64 = int.parse().ok()?;
        let mut fen = 0u64;
        for (i, b) in frac.bytes().enumerate() {
            let d = u64::from(b - b'0');
            fen += if i == 0 { d * 10 } else { d };
        }
        let total = int.checked_mul(100)?.checked_add(fen)?;
        if total == 0 || total > MAX_FEN {
            return None;
        }
        Some(Amount(total))
    }

    /// Saturating subtraction.
    pub fn saturating_sub(self, other: Amount) -> Amount {
        Amount(self.0.saturating_sub(other.0))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(Amount::parse("88.88"), Some(Amount(8888)));
        assert_eq!(Amount::parse("1"), Some(Amount(100)));
        assert_eq!(Amount::parse("0.5"), Some(Amount(50)));
        assert_eq!(Amount::parse("0.01"), Some(Amount(1)));
        assert_eq!(Amount::parse("100000000"), Some(Amount(MAX_FEN)));
        assert_eq!(Amount(8888).to_string(), "88.88");
        assert_eq!(Amount(50).to_string(), "0.50");
        assert_eq!(Amount(0).to_string(), "0.00");
    }

    #[test]
    fn rejects_bad_amounts() {
        for bad in [
            "",
            "0",
            "0.00",
            "1.234",
            "-1",
            "1.",
            ".5",
            "1e3",
            "abc",
            "100000000.01",
            " 1",
            "1,00",
            "９",
        ] {
            assert_eq!(Amount::parse(bad), None, "{bad:?}");
        }
    }
}
