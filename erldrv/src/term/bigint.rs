//! Integers of any size: [`Integer`] as read, and [`BigInt`] for one beyond `i64`, with its
//! value as a Rust integer when it fits and its decimal form.
//!
//! The codecs ask a [`BigInt`] whether its value fits a smaller encoding; reading and
//! writing the big encodings (`SMALL_BIG_EXT`, `LARGE_BIG_EXT`) stays theirs.

/// An integer as read: small (fits `i64`) or big.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Integer<'a> {
    /// Fits in `i64`.
    Small(i64),
    /// Does not fit in `i64`.
    Big(BigInt<'a>),
}

/// An integer beyond `i64`, borrowed from the input: sign and magnitude.
///
/// Equality is by value (high zero bytes of a non-canonical encoding do not count).
#[derive(Clone, Copy)]
pub struct BigInt<'a> {
    negative: bool,
    digits: &'a [u8],
}

impl<'a> BigInt<'a> {
    /// A big integer from its sign and magnitude (bytes, least significant first).
    pub fn new(negative: bool, magnitude_le: &'a [u8]) -> BigInt<'a> {
        BigInt {
            negative,
            digits: magnitude_le,
        }
    }

    /// Whether it is negative.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The magnitude, least significant byte first.
    pub fn magnitude(&self) -> &'a [u8] {
        self.digits
    }

    /// The magnitude without high zero bytes.
    pub(super) fn trimmed(&self) -> &'a [u8] {
        let n = self
            .digits
            .iter()
            .rposition(|&b| b != 0)
            .map_or(0, |i| i + 1);
        &self.digits[..n]
    }

    /// The value, if it fits in `i128`.
    pub fn to_i128(&self) -> Option<i128> {
        let m = self.trimmed();
        if m.len() > 16 {
            return None;
        }
        let mut a = [0u8; 16];
        a[..m.len()].copy_from_slice(m);
        let u = u128::from_le_bytes(a);
        if self.negative {
            if u <= i128::MAX as u128 {
                Some(-(u as i128))
            } else if u == i128::MAX as u128 + 1 {
                Some(i128::MIN)
            } else {
                None
            }
        } else {
            i128::try_from(u).ok()
        }
    }

    /// The value, if it is non-negative and fits in `u128`.
    pub fn to_u128(&self) -> Option<u128> {
        let m = self.trimmed();
        if m.len() > 16 || (self.negative && !m.is_empty()) {
            return None;
        }
        let mut a = [0u8; 16];
        a[..m.len()].copy_from_slice(m);
        Some(u128::from_le_bytes(a))
    }

    /// The value, if it fits in `i64` (the codecs' small integers).
    pub(super) fn to_i64(self) -> Option<i64> {
        self.to_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The value, if it is non-negative and fits in `u64`.
    pub(super) fn to_u64(self) -> Option<u64> {
        self.to_u128().and_then(|v| u64::try_from(v).ok())
    }
}

impl PartialEq for BigInt<'_> {
    fn eq(&self, other: &BigInt<'_>) -> bool {
        let (a, b) = (self.trimmed(), other.trimmed());
        a == b && (self.negative == other.negative || a.is_empty())
    }
}

impl Eq for BigInt<'_> {}

impl BigInt<'_> {
    /// The number of significant bits of the magnitude.
    pub fn bits(&self) -> u64 {
        let m = self.trimmed();
        match m.last() {
            None => 0,
            Some(&top) => (m.len() as u64 - 1) * 8 + u64::from(8 - top.leading_zeros()),
        }
    }

    /// How error messages name the value: in decimal when that is cheap to compute (the
    /// conversion takes time quadratic in the size), else by its size.
    pub(crate) fn describe(&self) -> String {
        if self.trimmed().len() <= 64 {
            self.to_string()
        } else {
            format!("of {} bits", self.bits())
        }
    }
}

/// Magnitudes longer than this many bytes are displayed by size, not in decimal.
const DISPLAY_LIMIT: usize = 4096;

impl core::fmt::Display for BigInt<'_> {
    /// In decimal, as Erlang prints it; a value of more than 4096 bytes (about 9,800 digits)
    /// as `<integer of N bits>`, since the conversion takes time quadratic in the size.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.trimmed().len() > DISPLAY_LIMIT {
            let sign = if self.negative { "negative " } else { "" };
            return write!(f, "<{sign}integer of {} bits>", self.bits());
        }
        // Repeated division of the base-256 magnitude by 10^19.
        let mut limbs: Vec<u8> = self.trimmed().iter().rev().copied().collect();
        if limbs.is_empty() {
            return f.write_str("0");
        }
        let mut parts = Vec::new();
        const CHUNK: u128 = 10_000_000_000_000_000_000;
        while !limbs.is_empty() {
            let mut rem: u128 = 0;
            let mut next = Vec::with_capacity(limbs.len());
            for &b in &limbs {
                let cur = (rem << 8) | u128::from(b);
                let q = cur / CHUNK;
                rem = cur % CHUNK;
                if !(next.is_empty() && q == 0) {
                    next.push(q as u8);
                }
            }
            parts.push(rem as u64);
            limbs = next;
        }
        if self.negative {
            f.write_str("-")?;
        }
        let mut it = parts.iter().rev();
        if let Some(first) = it.next() {
            write!(f, "{first}")?;
        }
        for p in it {
            write!(f, "{p:019}")?;
        }
        Ok(())
    }
}

impl core::fmt::Debug for BigInt<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}
