//! The live engine's per-dossier and per-petition facts as bytes, so a server can start
//! from a saved image plus the changes since instead of re-reading every dossier.
//!
//! Only the facts are kept: the per-unit state is rebuilt from them by [`Engine::apply`],
//! which is what guarantees that a loaded engine equals one fed the same facts directly.
//! Unit and procedure ids index the catalogue the engine was built on, so an image is only
//! valid with that same catalogue: the caller keys images by a fingerprint of it.
//!
//! Layout (integers as LEB128 varints, signed ones zig-zagged): magic, format, the
//! dossiers sorted by code (each code as the length it shares with the previous one plus
//! the rest), unit, procedure, flags, a presence mask of the eight instants and the present
//! ones (the first absolute, the others relative to it); then the petitions the same way;
//! then an FNV-1a checksum of everything before it. About 40 bytes a dossier.

use crate::catalogue::Catalogue;
use crate::facts::{Dossier, Petition};
use crate::incremental::Engine;
use crate::instant::{Instant, NEVER};

const MAGIC: &[u8; 8] = b"MC766IMG";

/// Bump when the layout or the meaning of a fact changes (an image of another format is
/// refused, and the engine is rebuilt from the dossiers).
pub const FORMAT: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("not an engine image")]
    NotAnImage,
    #[error("image format {0} is not {FORMAT}")]
    Format(u32),
    #[error("image is truncated or corrupt")]
    Corrupt,
    #[error("image refers to units or procedures outside the catalogue")]
    OutOfCatalogue,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_code(out: &mut Vec<u8>, prev: &str, code: &str) {
    let shared = prev
        .bytes()
        .zip(code.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    put(out, shared as u64);
    put(out, (code.len() - shared) as u64);
    out.extend_from_slice(&code.as_bytes()[shared..]);
}

/// Present instants: a mask, then the first absolute and the rest relative to it.
fn put_instants(out: &mut Vec<u8>, ts: &[Instant]) {
    let mut mask = 0u8;
    for (i, &t) in ts.iter().enumerate() {
        if t != NEVER {
            mask |= 1 << i;
        }
    }
    out.push(mask);
    let mut base: Option<Instant> = None;
    for &t in ts.iter().filter(|&&t| t != NEVER) {
        match base {
            None => {
                put_signed(out, t);
                base = Some(t);
            }
            Some(b) => put_signed(out, t.wrapping_sub(b)),
        }
    }
}

/// The engine's facts as an image.
pub fn encode(engine: &Engine) -> Vec<u8> {
    let mut dossiers: Vec<(String, Dossier)> = engine.dossiers().collect();
    dossiers.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut petitions: Vec<(String, Petition)> = engine.petitions().collect();
    petitions.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::with_capacity(16 + dossiers.len() * 48 + petitions.len() * 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    put(&mut out, dossiers.len() as u64);
    let mut prev = "";
    for (code, d) in &dossiers {
        put_code(&mut out, prev, code);
        prev = code;
        put(&mut out, u64::from(d.unit));
        put(&mut out, u64::from(d.procedure));
        put(&mut out, u64::from(d.flags));
        put_instants(
            &mut out,
            &[
                d.received,
                d.due,
                d.req1,
                d.req2,
                d.supp_done,
                d.completed,
                d.returned,
                d.ended,
            ],
        );
    }
    put(&mut out, petitions.len() as u64);
    let mut prev = "";
    for (id, p) in &petitions {
        put_code(&mut out, prev, id);
        prev = id;
        put(&mut out, u64::from(p.unit));
        put(&mut out, u64::from(p.flags));
        put_instants(&mut out, &[p.received, p.deadline, p.resolved]);
    }
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, SnapshotError> {
        let x = *self.b.get(self.at).ok_or(SnapshotError::Corrupt)?;
        self.at += 1;
        Ok(x)
    }
    fn uint(&mut self) -> Result<u64, SnapshotError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let x = self.byte()?;
            v |= u64::from(x & 0x7f) << shift;
            if x & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(SnapshotError::Corrupt)
    }
    fn int(&mut self) -> Result<i64, SnapshotError> {
        let z = self.uint()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }
    fn small<T: TryFrom<u64>>(&mut self) -> Result<T, SnapshotError> {
        T::try_from(self.uint()?).map_err(|_| SnapshotError::Corrupt)
    }
    fn code(&mut self, prev: &mut String) -> Result<(), SnapshotError> {
        let shared: usize = self.small()?;
        let rest: usize = self.small()?;
        let end = self.at.checked_add(rest).ok_or(SnapshotError::Corrupt)?;
        let tail = self.b.get(self.at..end).ok_or(SnapshotError::Corrupt)?;
        self.at = end;
        if shared > prev.len() || !prev.is_char_boundary(shared) {
            return Err(SnapshotError::Corrupt);
        }
        prev.truncate(shared);
        prev.push_str(std::str::from_utf8(tail).map_err(|_| SnapshotError::Corrupt)?);
        Ok(())
    }
    fn instants<const N: usize>(&mut self) -> Result<[Instant; N], SnapshotError> {
        let mask = self.byte()?;
        let mut out = [NEVER; N];
        let mut base: Option<Instant> = None;
        for (i, slot) in out.iter_mut().enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            let v = self.int()?;
            *slot = match base {
                None => {
                    base = Some(v);
                    v
                }
                Some(b) => b.wrapping_add(v),
            };
        }
        if u32::from(mask) >> N != 0 {
            return Err(SnapshotError::Corrupt);
        }
        Ok(out)
    }
}

/// An engine over `cat` holding the image's facts. Fails on a foreign, truncated or
/// altered image, and on one made for a larger catalogue.
pub fn decode(bytes: &[u8], cat: Catalogue) -> Result<Engine, SnapshotError> {
    if bytes.len() < MAGIC.len() + 4 + 8 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::NotAnImage);
    }
    let (body, sum) = bytes.split_at(bytes.len() - 8);
    let mut format = [0u8; 4];
    format.copy_from_slice(&body[MAGIC.len()..MAGIC.len() + 4]);
    let format = u32::from_le_bytes(format);
    if format != FORMAT {
        return Err(SnapshotError::Format(format));
    }
    let mut expected = [0u8; 8];
    expected.copy_from_slice(sum);
    if fnv1a(body) != u64::from_le_bytes(expected) {
        return Err(SnapshotError::Corrupt);
    }
    let mut r = Reader {
        b: body,
        at: MAGIC.len() + 4,
    };
    let mut engine = Engine::new(cat);
    let n: usize = r.small()?;
    // A count larger than the bytes left cannot be honest; do not reserve for it.
    engine.reserve(n.min(body.len() / 4));
    let mut code = String::new();
    for _ in 0..n {
        r.code(&mut code)?;
        let unit = r.small()?;
        let procedure = r.small()?;
        let flags = r.small()?;
        let [
            received,
            due,
            req1,
            req2,
            supp_done,
            completed,
            returned,
            ended,
        ] = r.instants::<8>()?;
        let dossier = Dossier {
            received,
            due,
            req1,
            req2,
            supp_done,
            completed,
            returned,
            ended,
            unit,
            procedure,
            flags,
        };
        engine
            .record(&code, dossier)
            .map_err(|_| SnapshotError::OutOfCatalogue)?;
    }
    let n: usize = r.small()?;
    let mut id = String::new();
    for _ in 0..n {
        r.code(&mut id)?;
        let unit = r.small()?;
        let flags = r.small()?;
        let [received, deadline, resolved] = r.instants::<3>()?;
        engine
            .apply_petition(
                &id,
                Petition {
                    received,
                    deadline,
                    resolved,
                    unit,
                    flags,
                },
            )
            .map_err(|_| SnapshotError::OutOfCatalogue)?;
    }
    if r.at != body.len() {
        return Err(SnapshotError::Corrupt);
    }
    Ok(engine)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn varints_round_trip_at_the_edges() {
        for v in [0i64, 1, -1, 63, -64, 64, i64::MAX, i64::MIN, NEVER - 1] {
            let mut out = Vec::new();
            put_signed(&mut out, v);
            let mut r = Reader { b: &out, at: 0 };
            assert_eq!(r.int().unwrap(), v);
            assert_eq!(r.at, out.len());
        }
    }

    #[test]
    fn instants_keep_absence_and_order() {
        let ts = [5_000_000_000i64, NEVER, 4_000_000_000, NEVER, i64::MIN + 1];
        let mut out = Vec::new();
        put_instants(&mut out, &ts);
        let mut r = Reader { b: &out, at: 0 };
        assert_eq!(r.instants::<5>().unwrap(), ts);
    }
}
