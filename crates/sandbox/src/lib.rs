//! Protocol-faithful stand-ins ("sandboxes") for the national systems motcua talks to.
//!
//! The national systems cannot be reached from a developer's machine or from CI, so each
//! one gets a local server that speaks its wire protocol, validates requests the way the
//! real system would and answers with its error codes. A sandbox is never the real system:
//! every answer carries the header `X-Sandbox: <name>`, and the CLI says so when it starts.
//!
//! Every sandbox shares two things with the others: fault injection ([`faults`]: a gateway
//! that is down for a while, a share of failed requests, latency) and a request log
//! ([`log`], served at `GET /_sandbox/log`) so that tests can check what an adapter sent.
//!
//! For now: [`national_portal`], the DVCQG sync gateway (`docs/national-portal.md`).

pub mod faults;
pub mod log;
pub mod national_portal;
