//! The petitions of `motcua gen`.

use super::*;

// ---------------------------------------------------------------------------------------
// Petitions.

pub(super) fn write_petitions(
    path: &std::path::Path,
    n: u64,
    units: &[Unit],
    work: &Work,
    days: &[i64],
    asof: i64,
    rng: &mut Rng,
) -> anyhow::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let pick = Weighted::new(units.iter().map(|u| u.weight));
    let mut line = Vec::with_capacity(256);
    let mut per_year: std::collections::BTreeMap<i64, u64> = Default::default();
    for _ in 0..n {
        let day = *rng.pick(days);
        let received = work.office_time(rng, day);
        let year = civil_from_days(day).0;
        let seq = per_year.entry(year).or_insert(0);
        *seq += 1;
        let explicit = rng.chance(0.3);
        // The default deadline (15 working days, end of day), reproduced for our own
        // choice of resolution time; an explicit one is 10 working days.
        let deadline = work.end_of_working_days(day, if explicit { 10 } else { 15 });
        let x = rng.f64();
        let resolved = if x < 0.85 {
            let t = received + rng.range(HOUR, (deadline - received).max(2 * HOUR));
            Some(work.snap(t).min(deadline))
        } else if x < 0.93 {
            let t = deadline + rng.range(HOUR, 20 * DAY);
            Some(work.snap_jitter(rng, t))
        } else {
            None
        }
        .filter(|&t| t < asof);
        let satisfaction = match resolved {
            Some(_) if rng.chance(0.7) => Some(if rng.chance(0.88) {
                "satisfied"
            } else {
                "unsatisfied"
            }),
            _ => None,
        };
        line.clear();
        line.extend_from_slice(b"{\"id\":\"PA-");
        push_num(&mut line, year as u64);
        line.push(b'-');
        let s = format!("{:06}", *seq);
        line.extend_from_slice(s.as_bytes());
        line.extend_from_slice(b"\",\"unit\":");
        push_str(&mut line, &units[pick.draw(rng)].code);
        line.extend_from_slice(b",\"received_at\":");
        push_ts(&mut line, received);
        line.extend_from_slice(b",\"deadline_at\":");
        push_opt_ts(&mut line, explicit.then_some(deadline));
        line.extend_from_slice(b",\"resolved_at\":");
        push_opt_ts(&mut line, resolved);
        line.extend_from_slice(b",\"satisfaction\":");
        match satisfaction {
            Some(s) => push_str(&mut line, s),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"repeated\":");
        push_bool(&mut line, rng.chance(0.04));
        line.extend_from_slice(b"}\n");
        w.write_all(&line)?;
    }
    w.flush()?;
    Ok(())
}
