//! Dossier and petition codes as 8-byte keys, so the live engine does not keep a string per
//! dossier.
//!
//! A code of the Thông tư 01/2018 form, `{prefix}-{6 digits}-{4 digits}`
//! (`000.00.31.H57-250107-0001`), packs into one `u64`: the prefix (a unit code, shared by
//! thousands of dossiers) as an interned number, and the two digit groups as numbers. It is
//! rendered back exactly, so only codes that render back to themselves are packed. Any
//! other code is copied once into an arena and its key is its position there: nothing is
//! lost, it only costs its bytes.

use crate::catalogue::{FastMap, FxHasher};
use hashbrown::HashTable;
use std::hash::Hasher;

/// A code, packed (top bit clear) or an arena position (top bit set).
pub type Key = u64;

const ARENA: u64 = 1 << 63;
const MID_BITS: u32 = 20; // 6 digits < 2^20
const TAIL_BITS: u32 = 14; // 4 digits < 2^14
const PREFIX_LIMIT: u32 = 1 << (63 - MID_BITS - TAIL_BITS);

/// A finaliser over the whole word (MurmurHash3's fmix64): packed keys differ mostly in
/// their low digits or only in their prefix bits, and a table indexes by the low bits.
pub fn mix(k: u64) -> u64 {
    let mut h = k;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

fn hash_str(s: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(s);
    mix(h.finish())
}

/// The interner: prefixes by number, other codes in an arena.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    prefixes: Vec<Box<str>>,
    prefix_ids: FastMap<Box<str>, u32>,
    /// Each code as a LEB128 length and its bytes.
    arena: Vec<u8>,
    /// Arena positions, hashed by the code they hold.
    arena_index: HashTable<u64>,
}

fn digits(b: &[u8]) -> Option<u64> {
    b.iter().try_fold(0u64, |v, &c| {
        c.is_ascii_digit().then(|| v * 10 + u64::from(c - b'0'))
    })
}

/// `(prefix, mid, tail)` of a code of the packed form.
fn split(code: &str) -> Option<(&str, u64, u64)> {
    let b = code.as_bytes();
    let n = b.len();
    if n < 13 || b[n - 5] != b'-' || b[n - 12] != b'-' {
        return None;
    }
    let tail = digits(&b[n - 4..])?;
    let mid = digits(&b[n - 11..n - 5])?;
    // Cut before an ASCII '-', so the prefix is valid UTF-8.
    Some((&code[..n - 12], mid, tail))
}

fn arena_str(arena: &[u8], at: usize) -> &[u8] {
    let (mut len, mut shift, mut i) = (0usize, 0, at);
    while let Some(&b) = arena.get(i) {
        len |= usize::from(b & 0x7f) << shift;
        shift += 7;
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
    }
    arena.get(i..i + len).unwrap_or_default()
}

impl Keys {
    /// The key `code` has, without adding anything: `None` if it has none yet (a code of
    /// the packed form has one as soon as its prefix is known).
    pub fn find(&self, code: &str) -> Option<Key> {
        if let Some((prefix, mid, tail)) = split(code) {
            let p = *self.prefix_ids.get(prefix)?;
            return Some(pack(p, mid, tail));
        }
        let b = code.as_bytes();
        self.arena_index
            .find(hash_str(b), |&at| arena_str(&self.arena, at as usize) == b)
            .map(|&at| at | ARENA)
    }

    /// The key of a code, adding it if new.
    pub fn intern(&mut self, code: &str) -> Key {
        if let Some((prefix, mid, tail)) = split(code) {
            let next = self.prefixes.len() as u32;
            let p = match self.prefix_ids.get(prefix) {
                Some(&p) => Some(p),
                None if next < PREFIX_LIMIT => {
                    self.prefixes.push(prefix.into());
                    self.prefix_ids.insert(prefix.into(), next);
                    Some(next)
                }
                // Past half a billion prefixes, further ones go to the arena.
                None => None,
            };
            if let Some(p) = p {
                return pack(p, mid, tail);
            }
        }
        let b = code.as_bytes();
        let h = hash_str(b);
        let Keys {
            arena, arena_index, ..
        } = self;
        if let Some(&at) = arena_index.find(h, |&at| arena_str(arena, at as usize) == b) {
            return at | ARENA;
        }
        let at = arena.len() as u64;
        let mut n = b.len();
        while n >= 0x80 {
            arena.push((n as u8) | 0x80);
            n >>= 7;
        }
        arena.push(n as u8);
        arena.extend_from_slice(b);
        arena_index.insert_unique(h, at, |&x| hash_str(arena_str(arena, x as usize)));
        at | ARENA
    }

    /// Appends the code of `key` to `out`.
    pub fn write(&self, key: Key, out: &mut String) {
        if key & ARENA != 0 {
            let b = arena_str(&self.arena, (key & !ARENA) as usize);
            // The arena holds only bytes copied from a `&str`, cut at their own length.
            out.push_str(std::str::from_utf8(b).unwrap_or_default());
            return;
        }
        let p = (key >> (MID_BITS + TAIL_BITS)) as usize;
        let mid = (key >> TAIL_BITS) & ((1 << MID_BITS) - 1);
        let tail = key & ((1 << TAIL_BITS) - 1);
        out.push_str(self.prefixes.get(p).map_or("", |s| s));
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(out, "-{mid:06}-{tail:04}");
    }

    pub fn string(&self, key: Key) -> String {
        let mut s = String::with_capacity(32);
        self.write(key, &mut s);
        s
    }

    /// Heap bytes held (estimated from capacities).
    pub fn heap_bytes(&self) -> usize {
        let prefixes: usize = self.prefixes.iter().map(|p| 2 * p.len() + 40).sum();
        self.arena.capacity() + table_bytes(self.arena_index.capacity(), 8) + prefixes
    }
}

fn pack(prefix: u32, mid: u64, tail: u64) -> Key {
    (u64::from(prefix) << (MID_BITS + TAIL_BITS)) | (mid << TAIL_BITS) | tail
}

/// Bytes of a hashbrown table of `cap` entries of `entry` bytes: a power-of-two number of
/// buckets, at most 7/8 of them full, and one control byte per bucket.
pub fn table_bytes(cap: usize, entry: usize) -> usize {
    if cap == 0 {
        return 0;
    }
    let buckets = (cap * 8 / 7).next_power_of_two();
    buckets * (entry + 1) + 16
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_code_comes_back_exactly() {
        let codes = [
            "000.00.31.H57-250107-0001",
            "000.00.31.H57-250107-9999",
            "000.00.31.H57-000000-0000",
            "H57-1-250107-0001",
            // Not the packed form: other widths, letters, no prefix, non-ASCII.
            "000.00.31.H57-250107-00001",
            "000.00.31.H57-25017-0001",
            "000.00.31.H57-2501a7-0001",
            "-250107-0001",
            "P-1",
            "",
            "Hồ sơ-250107-0001",
            "x-250107-0001-",
        ];
        let mut keys = Keys::default();
        let got: Vec<Key> = codes.iter().map(|c| keys.intern(c)).collect();
        for (c, &k) in codes.iter().zip(&got) {
            assert_eq!(keys.string(k), *c);
            assert_eq!(keys.find(c), Some(k), "{c}");
            assert_eq!(keys.intern(c), k, "interning twice gives the same key");
        }
        let mut distinct = got.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), codes.len());
        // The usual form is packed, with one prefix for the two codes of the same unit.
        assert_eq!(got[0] & ARENA, 0);
        assert_eq!(got[0] >> 34, got[1] >> 34);
        assert_ne!(got[4] & ARENA, 0);
        assert_eq!(
            keys.find("000.00.31.H57-250107-0002").map(|k| k & ARENA),
            Some(0)
        );
        assert_eq!(keys.find("000.00.99.H57-250107-0001"), None);
        assert_eq!(keys.find("Q-1"), None);
    }

    #[test]
    fn long_codes_use_a_longer_length() {
        let mut keys = Keys::default();
        let long = "x".repeat(300);
        let k = keys.intern(&long);
        let k2 = keys.intern("after");
        assert_eq!(keys.string(k), long);
        assert_eq!(keys.string(k2), "after");
    }
}
