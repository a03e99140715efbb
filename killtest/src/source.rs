//! Where the daemon's records come from: a seeded generator that is bursty, as real traffic
//! is. Half the bursts are busy (up to 150 records back to back, so batches fill to
//! [`BATCH_RECORDS`](crate::journal::BATCH_RECORDS)), half are a trickle of a few records (so
//! batches also age out at [`BATCH_AGE`](crate::journal::BATCH_AGE)).

use std::time::Duration;

use crate::journal::Record;

/// The generator.
///
/// ```
/// use std::time::Duration;
/// let mut s = killtest::source::Source::new(7, Duration::from_millis(2));
/// let _ = s.gap();
/// assert_eq!(s.next_record().seq, 1);
/// assert_eq!(s.next_record().seq, 2);
/// ```
#[derive(Debug, Clone)]
pub struct Source {
    rng: Rng,
    pace: Duration,
    next_seq: i64,
    left_in_burst: u64,
}

impl Source {
    /// A generator seeded with `seed`, with a mean gap of `pace` between bursts.
    pub fn new(seed: u64, pace: Duration) -> Source {
        Source {
            rng: Rng::new(seed),
            pace,
            next_seq: 1,
            left_in_burst: 0,
        }
    }

    /// How long until the next record arrives: nothing inside a burst; between bursts, a
    /// random gap up to twice the pace.
    pub fn gap(&mut self) -> Duration {
        if self.left_in_burst > 0 {
            return Duration::ZERO;
        }
        self.left_in_burst = if self.rng.below(2) == 0 {
            1 + self.rng.below(150)
        } else {
            1 + self.rng.below(4)
        };
        let max = u64::try_from(self.pace.as_micros()).unwrap_or(u64::MAX / 2) * 2;
        Duration::from_micros(self.rng.below(max.max(1)))
    }

    /// The next record.
    pub fn next_record(&mut self) -> Record {
        self.left_in_burst = self.left_in_burst.saturating_sub(1);
        let seq = self.next_seq;
        self.next_seq += 1;
        let user = self.rng.below(10_000);
        let bytes = self.rng.below(1 << 20);
        Record {
            seq,
            body: format!("GET /api/v1/items/{seq} user={user} bytes={bytes} status=200"),
        }
    }
}

/// splitmix64: small, fast and good enough to spread timings and payloads. Not for secrets.
///
/// ```
/// let mut r = killtest::source::Rng::new(1);
/// assert!(r.below(10) < 10);
/// ```
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}
