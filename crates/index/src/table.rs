//! The live engine's per-dossier facts: 48 bytes a dossier (68 with microseconds) plus
//! its share of a 4-byte index, instead of a hash map of owned codes to 80-byte [`Dossier`]s.
//!
//! A dossier is an [`Entry`] in pages of 4,096 (so the table never over-allocates by more
//! than a page, and growing never copies what is there): its key (see `keys`), its eight
//! instants as whole seconds since 1970 in a `u32` (through 2106), unit and procedure as
//! `u16`. The engine needs every instant exactly (the on-time rule compares them to the
//! nanosecond), so nothing is rounded away:
//! - the microseconds within the second go to a side page of 20 bytes a dossier, made only
//!   for pages where some dossier has them (timestamps written by the live system carry
//!   microseconds, and so do some imported ones);
//! - a dossier that fits none of this (an instant finer than a microsecond, which only a
//!   bundle can carry, or outside 1970–2106; more than 65,535 units or procedures) is
//!   kept whole in a map beside, and its entry only says so.
//!
//! Dossiers are never removed (a replaced one keeps its slot), so slots are dense and the
//! index is a hashbrown table of slot numbers, hashed through the entries' keys.

use crate::catalogue::FastMap;
use crate::facts::Dossier;
use crate::instant::{Instant, NEVER};
use crate::keys::{Key, mix, table_bytes};
use hashbrown::HashTable;

/// A dossier's position in the table.
pub type Slot = u32;

const PAGE_BITS: u32 = 12;
const PAGE: usize = 1 << PAGE_BITS;
const MASK: usize = PAGE - 1;
const NANOS: i64 = 1_000_000_000;
/// "No such instant" in the compact form.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The key as two halves, so the entry needs 4-byte alignment only.
    key: [u32; 2],
    /// Whole seconds since 1970 (rounded down) of the instants, in [`instants`] order.
    secs: [u32; 8],
    unit: u16,
    procedure: u16,
    flags: u16,
    /// The dossier is kept whole in [`DossierTable::wide`]; the fields above but the key
    /// mean nothing.
    wide: bool,
}

/// Microseconds within the second (< 2^20) of the eight instants: the low 16 bits, and
/// the high 4 bits two to a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Micros {
    lo: [u16; 8],
    hi: [u8; 4],
}

impl Micros {
    const ZERO: Micros = Micros {
        lo: [0; 8],
        hi: [0; 4],
    };

    fn set(&mut self, i: usize, us: u32) {
        self.lo[i] = us as u16;
        let shift = (i % 2) * 4;
        let nibble = ((us >> 16) & 0xf) as u8;
        self.hi[i / 2] = (self.hi[i / 2] & !(0xf << shift)) | (nibble << shift);
    }

    fn get(&self, i: usize) -> u32 {
        u32::from(self.lo[i]) | (u32::from((self.hi[i / 2] >> ((i % 2) * 4)) & 0xf) << 16)
    }
}

#[derive(Debug, Clone, Default)]
pub struct DossierTable {
    pages: Vec<Vec<Entry>>,
    /// Per page: microseconds within the second of each instant, once needed.
    fracs: Vec<Option<Box<[Micros]>>>,
    wide: FastMap<Slot, Dossier>,
    index: HashTable<Slot>,
}

fn instants(d: &Dossier) -> [Instant; 8] {
    [
        d.received,
        d.due,
        d.req1,
        d.req2,
        d.supp_done,
        d.completed,
        d.returned,
        d.ended,
    ]
}

/// The compact form of a dossier, or `None` if it does not fit.
fn compact(key: Key, d: &Dossier) -> Option<(Entry, Micros)> {
    let mut secs = [NONE; 8];
    let mut micros = Micros::ZERO;
    for (i, t) in instants(d).into_iter().enumerate() {
        if t != NEVER {
            secs[i] = u32::try_from(t.div_euclid(NANOS))
                .ok()
                .filter(|&s| s != NONE)?;
            // In 0..1e9, so it fits.
            let ns = t.rem_euclid(NANOS) as u32;
            if !ns.is_multiple_of(1000) {
                return None;
            }
            micros.set(i, ns / 1000);
        }
    }
    let e = Entry {
        key: split_key(key),
        secs,
        unit: u16::try_from(d.unit).ok()?,
        procedure: u16::try_from(d.procedure).ok()?,
        flags: d.flags,
        wide: false,
    };
    Some((e, micros))
}

fn expand(e: &Entry, micros: &Micros) -> Dossier {
    let t = |i: usize| {
        if e.secs[i] == NONE {
            NEVER
        } else {
            i64::from(e.secs[i]) * NANOS + i64::from(micros.get(i)) * 1000
        }
    };
    Dossier {
        received: t(0),
        due: t(1),
        req1: t(2),
        req2: t(3),
        supp_done: t(4),
        completed: t(5),
        returned: t(6),
        ended: t(7),
        unit: u32::from(e.unit),
        procedure: u32::from(e.procedure),
        flags: e.flags,
    }
}

fn split_key(k: Key) -> [u32; 2] {
    [k as u32, (k >> 32) as u32]
}

fn join_key(k: [u32; 2]) -> Key {
    u64::from(k[0]) | (u64::from(k[1]) << 32)
}

fn entry_at(pages: &[Vec<Entry>], slot: Slot) -> &Entry {
    let s = slot as usize;
    &pages[s >> PAGE_BITS][s & MASK]
}

impl DossierTable {
    /// Bytes of one entry (the per-dossier cost before the index and side pages).
    pub const ENTRY_BYTES: usize = std::mem::size_of::<Entry>();

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Room for `n` more dossiers in the index (avoids rehashing while they arrive).
    pub fn reserve(&mut self, n: usize) {
        let pages = &self.pages;
        self.index
            .reserve(n, |&s| mix(join_key(entry_at(pages, s).key)));
        self.pages.reserve(n.div_ceil(PAGE));
    }

    pub fn find(&self, key: Key) -> Option<Slot> {
        let pages = &self.pages;
        self.index
            .find(mix(key), |&s| join_key(entry_at(pages, s).key) == key)
            .copied()
    }

    pub fn key(&self, slot: Slot) -> Key {
        join_key(entry_at(&self.pages, slot).key)
    }

    /// The dossier in `slot` (a slot this table handed out).
    pub fn get(&self, slot: Slot) -> Dossier {
        let e = entry_at(&self.pages, slot);
        if e.wide {
            // `put` inserts into `wide` whenever it marks an entry wide.
            return self
                .wide
                .get(&slot)
                .copied()
                .unwrap_or(Dossier::new(0, 0, NEVER, NEVER, 0));
        }
        let s = slot as usize;
        match &self.fracs[s >> PAGE_BITS] {
            Some(page) => expand(e, &page[s & MASK]),
            None => expand(e, &Micros::ZERO),
        }
    }

    /// Inserts or replaces the dossier of `key`: its slot, and the dossier it replaced.
    pub fn insert(&mut self, key: Key, d: Dossier) -> (Slot, Option<Dossier>) {
        if let Some(slot) = self.find(key) {
            return (slot, Some(self.replace(slot, d)));
        }
        let slot = self.index.len() as Slot;
        if self.pages.last().is_none_or(|p| p.len() == PAGE) {
            self.pages.push(Vec::with_capacity(PAGE));
            self.fracs.push(None);
        }
        if let Some(page) = self.pages.last_mut() {
            page.push(Entry {
                key: split_key(key),
                secs: [NONE; 8],
                unit: 0,
                procedure: 0,
                flags: 0,
                wide: false,
            });
        }
        let pages = &self.pages;
        self.index
            .insert_unique(mix(key), slot, |&s| mix(join_key(entry_at(pages, s).key)));
        self.put(slot, key, &d);
        (slot, None)
    }

    /// Replaces the dossier in `slot`, returning the one it held.
    pub fn replace(&mut self, slot: Slot, d: Dossier) -> Dossier {
        let old = self.get(slot);
        if old != d {
            self.put(slot, self.key(slot), &d);
        }
        old
    }

    fn put(&mut self, slot: Slot, key: Key, d: &Dossier) {
        let s = slot as usize;
        let (p, i) = (s >> PAGE_BITS, s & MASK);
        let was_wide = self.pages[p][i].wide;
        match compact(key, d) {
            Some((e, fr)) => {
                if was_wide {
                    self.wide.remove(&slot);
                }
                self.pages[p][i] = e;
                let side = &mut self.fracs[p];
                if fr != Micros::ZERO {
                    side.get_or_insert_with(|| vec![Micros::ZERO; PAGE].into_boxed_slice())[i] = fr;
                } else if let Some(page) = side {
                    page[i] = Micros::ZERO;
                }
            }
            None => {
                self.pages[p][i].wide = true;
                self.wide.insert(slot, *d);
            }
        }
    }

    /// Every dossier with its key, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (Key, Dossier)> + '_ {
        (0..self.len() as Slot).map(|s| (self.key(s), self.get(s)))
    }

    /// Heap bytes held, from capacities.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let side = self.fracs.iter().flatten().count();
        self.pages.len() * PAGE * Self::ENTRY_BYTES
            + side * PAGE * size_of::<Micros>()
            + self.pages.capacity() * size_of::<Vec<Entry>>()
            + self.fracs.capacity() * size_of::<Option<Box<[Micros]>>>()
            + table_bytes(self.index.capacity(), size_of::<Slot>())
            + table_bytes(self.wide.capacity(), size_of::<(Slot, Dossier)>())
    }

    /// How many dossiers need the side pages and the whole-dossier map (for tests).
    pub fn spill(&self) -> (usize, usize) {
        (self.fracs.iter().flatten().count(), self.wide.len())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn edge_instant() -> impl Strategy<Value = Instant> {
        prop_oneof![
            Just(NEVER),
            Just(0),
            Just(-1),
            Just(i64::MIN),
            Just(NEVER - 1),
            Just(i64::from(u32::MAX - 1) * NANOS + NANOS - 1),
            Just(i64::from(u32::MAX) * NANOS),
            (1_700_000_000i64..1_800_000_000).prop_map(|s| s * NANOS),
            (1_700_000_000i64..1_800_000_000, 1i64..NANOS).prop_map(|(s, f)| s * NANOS + f),
            (1_700_000_000i64..1_800_000_000, 0i64..1_000_000)
                .prop_map(|(s, us)| s * NANOS + us * 1000),
            Just(1_750_000_000 * NANOS + 999_999_000),
            any::<i64>(),
        ]
    }

    fn dossier() -> impl Strategy<Value = Dossier> {
        (
            prop::array::uniform8(edge_instant()),
            prop_oneof![0u32..70_000, Just(u32::MAX)],
            prop_oneof![0u32..70_000, Just(u32::MAX)],
            any::<u16>(),
        )
            .prop_map(|(t, unit, procedure, flags)| Dossier {
                received: t[0],
                due: t[1],
                req1: t[2],
                req2: t[3],
                supp_done: t[4],
                completed: t[5],
                returned: t[6],
                ended: t[7],
                unit,
                procedure,
                flags,
            })
    }

    proptest! {
        /// Whatever a dossier holds, and however often it is replaced, it comes back as
        /// it went in.
        #[test]
        fn dossiers_come_back_exactly(
            writes in prop::collection::vec((0u64..3000, dossier()), 1..300),
        ) {
            let mut t = DossierTable::default();
            let mut want: std::collections::HashMap<Key, Dossier> = Default::default();
            for (k, d) in writes {
                // Spread keys over pages and over both kinds of key.
                let key = if k.is_multiple_of(2) { k * 7919 } else { k | (1 << 63) };
                let (slot, old) = t.insert(key, d);
                prop_assert_eq!(old, want.insert(key, d));
                prop_assert_eq!(t.get(slot), d);
                prop_assert_eq!(t.key(slot), key);
            }
            prop_assert_eq!(t.len(), want.len());
            for (k, d) in t.iter() {
                prop_assert_eq!(want.get(&k), Some(&d));
                prop_assert_eq!(t.find(k).map(|s| t.get(s)), Some(d));
            }
        }
    }

    #[test]
    fn whole_seconds_need_no_side_pages() {
        let mut t = DossierTable::default();
        let at = 1_735_000_000 * NANOS;
        for k in 0..10_000u64 {
            t.insert(
                k,
                Dossier::new(1, 2, at + k as i64 * NANOS, at + 86_400 * NANOS, 0),
            );
        }
        assert_eq!(t.spill(), (0, 0));
        // One dossier with microseconds makes its page's side page, and only that one.
        let (slot, _) = t.insert(5000, Dossier::new(1, 2, at + 999_999_000, at + 1_000, 0));
        assert_eq!(t.spill(), (1, 0));
        assert_eq!(t.get(slot).received, at + 999_999_000);
        assert_eq!(t.get(slot).due, at + 1_000);
        // A nanosecond is kept too, in the whole-dossier map.
        t.insert(5000, Dossier::new(1, 2, at + 1, NEVER, 0));
        assert_eq!((t.spill().1, t.get(slot).received), (1, at + 1));
        // Back to whole seconds: the fraction is cleared, not left behind.
        t.insert(5000, Dossier::new(1, 2, at, NEVER, 0));
        assert_eq!(t.get(slot).received, at);
        // Before 1970: kept whole, then compact again.
        t.insert(5000, Dossier::new(1, 2, -5, NEVER, 0));
        assert_eq!((t.spill().1, t.get(slot).received), (1, -5));
        t.insert(5000, Dossier::new(1, 2, at, NEVER, 0));
        assert_eq!((t.spill().1, t.get(slot).received), (0, at));
        assert!(t.heap_bytes() < 10_000 * 60 + 3 * PAGE * 32);
    }
}
