//! Deterministic jitter for plot points that would otherwise overlap.

/// Tiny xorshift64 generator: deterministic jitter without a `rand` dependency
/// (Marsaglia 2003, shifts 13/7/17).
pub(crate) struct XorShift(u64);

impl XorShift {
    /// Seeds the generator; a zero state would stay zero forever, so it is mixed first.
    pub fn new(seed: u64) -> Self {
        let s = seed ^ 0x9E37_79B9_7F4A_7C15;
        Self(if s == 0 { 0x2545_F491_4F6C_DD1D } else { s })
    }

    /// Next value uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Next value uniform in [-a, a).
    pub fn symmetric(&mut self, a: f64) -> f64 {
        (self.next_f64() * 2.0 - 1.0) * a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorshift_is_deterministic_and_bounded() {
        let (mut a, mut b) = (XorShift::new(7), XorShift::new(7));
        for _ in 0..1000 {
            let v = a.next_f64();
            assert_eq!(v, b.next_f64());
            assert!((0.0..1.0).contains(&v));
        }
        assert_ne!(XorShift::new(1).next_f64(), XorShift::new(2).next_f64());
    }
}
