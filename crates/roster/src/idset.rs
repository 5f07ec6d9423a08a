//! The duplicate check over a whole roster: a person appears once.

/// Duplicate check: open addressing over the 17-digit ID body (it fits in a
/// u64), remembering the line of the first occurrence.
pub(crate) struct IdSet {
    /// (key + 1 as two halves, line): 12 bytes, so a million residents take
    /// about 18 MiB at the 0.7 load factor. Key 0 marks an empty slot. Lines
    /// past u32::MAX (no district's list) would be reported as u32::MAX.
    slots: Vec<[u32; 3]>,
    len: usize,
}

impl IdSet {
    pub fn with_capacity(n: usize) -> IdSet {
        IdSet { slots: Self::empty(n.max(1024) * 10 / 7 + 1), len: 0 }
    }

    /// Written, not `vec![..]`'s zeroed allocation: pages first read as the
    /// shared zero page would each be copied on the first insert, with a TLB
    /// shootdown across the workers' cores every time.
    fn empty(cap: usize) -> Vec<[u32; 3]> {
        let mut slots = Vec::with_capacity(cap);
        slots.resize(cap, [0, 0, 0]);
        slots
    }

    /// The first slot to probe: the hash scaled onto the table (any size, no power of two needed).
    fn slot(&self, k: u64) -> usize {
        let h = k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((u128::from(h) * self.slots.len() as u128) >> 64) as usize
    }

    /// Load the slots these keys start probing at, all at once: the loads do
    /// not depend on each other, so their cache misses overlap instead of
    /// being paid one by one by the in-order inserts that follow.
    pub fn warm(&self, keys: impl Iterator<Item = u64>) {
        let mut acc = 0u32;
        for k in keys {
            acc ^= self.slots[self.slot(k + 1)][0];
        }
        std::hint::black_box(acc);
    }

    /// Insert; on a duplicate, the first line it was seen on.
    pub fn insert(&mut self, key: u64, line: u64) -> Option<u64> {
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let k = key + 1;
        let (lo, hi) = (k as u32, (k >> 32) as u32);
        let mut i = self.slot(k);
        loop {
            match self.slots[i] {
                [0, 0, _] => {
                    self.slots[i] = [lo, hi, u32::try_from(line).unwrap_or(u32::MAX)];
                    self.len += 1;
                    return None;
                }
                [l, h, first] if l == lo && h == hi => return Some(u64::from(first)),
                _ => i = if i + 1 == self.slots.len() { 0 } else { i + 1 },
            }
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = Self::empty(old.len() * 2);
        self.len = 0;
        for [lo, hi, line] in old {
            let k = u64::from(lo) | u64::from(hi) << 32;
            if k != 0 {
                self.insert(k - 1, u64::from(line));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_set_finds_the_first_line() {
        let mut s = IdSet::with_capacity(0);
        for i in 0..5000u64 {
            assert_eq!(s.insert(i * 7919, i + 2), None);
        }
        assert_eq!(s.insert(7919 * 3, 99), Some(5));
        assert_eq!(s.insert(0, 100), Some(2));
        // The largest 17-digit bodies (both key halves used) and keys that
        // differ only in their high half.
        let big = 99_999_999_999_999_999u64;
        assert_eq!(s.insert(big, 7), None);
        assert_eq!(s.insert(big - (1 << 32), 8), None);
        assert_eq!(s.insert(big, 9), Some(7));
        assert_eq!(s.insert(big - (1 << 32), 10), Some(8));
        assert_eq!(s.len, 5002);
    }
}
