//! A tiny seeded pseudo-random generator, so the benchmark data are the same on every run
//! and every machine.
//!
//! SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
//! OOPSLA; constants from Vigna's reference C code, <https://prng.di.unimi.it/splitmix64.c>).
//! Normals by the Box–Muller transform (Box & Muller 1958).

/// SplitMix64: 64 bits of state, one add and a mixing function per draw.
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw from [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw (Box–Muller; the second value of the pair is discarded).
    pub fn normal(&mut self) -> f64 {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// An index in 0..n drawn with probability proportional to `weights[i]` (n = weights.len()).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.uniform() * total;
        for (i, &w) in weights.iter().enumerate() {
            if u < w {
                return i;
            }
            u -= w;
        }
        weights.len().saturating_sub(1)
    }
}

/// Checks the generator against the first outputs of Vigna's `splitmix64.c` seeded with
/// 1234567, so a broken generator stops the benchmark instead of silently changing its data.
pub fn self_check() -> Result<(), String> {
    let mut r = SplitMix64::new(1_234_567);
    let got = [r.next_u64(), r.next_u64(), r.next_u64()];
    let want = [
        6_457_827_717_110_365_317,
        3_203_168_211_198_807_973,
        9_817_491_932_198_370_423,
    ];
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "SplitMix64 self-check failed: got {got:?}, want {want:?}"
        ))
    }
}
