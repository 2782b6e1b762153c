//! Whole-process benchmark driver (see `bench/calendar/run.sh`).
//!
//! - `working_day_pairs gen N OUT`: write N pairs `YYYY-MM-DD n` (start date uniform
//!   over 2000–2099, n uniform in 1..=30), from a fixed xorshift seed.
//! - `working_day_pairs run IN OUT`: read the pairs, write `add_working_days` of each,
//!   one date per line, and print the in-loop rate on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufWriter, Write};
use std::time::Instant;

use motcua_calendar::{Calendar, NaiveDate};

fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => {
            let n: usize = args[2].parse().expect("N");
            let mut out = BufWriter::new(std::fs::File::create(&args[3]).expect("OUT"));
            let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
            let mut state = 0x6d6f_7463_7561_u64;
            for _ in 0..n {
                let d = first + chrono::Duration::days((xorshift(&mut state) % 36_524) as i64);
                let k = 1 + xorshift(&mut state) % 30;
                writeln!(out, "{d} {k}").unwrap();
            }
        }
        Some("run") => {
            let text = std::fs::read_to_string(&args[2]).expect("IN");
            let pairs: Vec<(NaiveDate, u32)> = text
                .lines()
                .map(|l| {
                    let (d, k) = l.split_once(' ').expect("pair");
                    (d.parse().expect("date"), k.parse().expect("n"))
                })
                .collect();
            let cal = Calendar::vietnam();
            let t = Instant::now();
            let results: Vec<NaiveDate> = pairs
                .iter()
                .map(|&(d, k)| cal.add_working_days(d, k))
                .collect();
            let secs = t.elapsed().as_secs_f64();
            let mut out = BufWriter::new(std::fs::File::create(&args[3]).expect("OUT"));
            for r in &results {
                writeln!(out, "{r}").unwrap();
            }
            eprintln!(
                "rust in-loop: {} pairs in {secs:.4} s = {:.0}/s",
                pairs.len(),
                pairs.len() as f64 / secs
            );
        }
        _ => {
            eprintln!("usage: working_day_pairs gen N OUT | run IN OUT");
            std::process::exit(2);
        }
    }
}
