//! Dossiers: the event log, the projection beside it, outbox rows and issued documents,
//! all written in one transaction with optimistic concurrency on the dossier version.

use crate::{Result, Store, StoreError, from_micros, to_micros};
use motcua_domain::UnitCode;
use motcua_domain::dossier::{Dossier, Event, Status};
use sqlx::AnyConnection;

/// Something that must happen outside after commit (notification, national-portal sync,
/// inter-agency handover). `dedup_key` makes a retried command enqueue it once.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub topic: String,
    pub dedup_key: String,
    pub payload: serde_json::Value,
    /// The dossier it is about: its rows of one topic are delivered in the order written.
    pub dossier: Option<String>,
}

/// A document issued to the applicant (forms 01–05 and results).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Document {
    pub id: String,
    /// "01" receipt, "02" supplement request, "03" refusal, "04" apology and extension,
    /// "05" stop notice, "kq" result.
    pub form: String,
    pub title: String,
    pub body: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A dossier as stored: the projection plus what only the store keeps.
#[derive(Debug, Clone)]
pub struct Stored {
    pub state: Dossier,
    pub form_data: serde_json::Value,
}

/// One dossier's changes to commit.
pub struct Commit<'a> {
    /// The version the decision was made against (0 for a new dossier).
    pub expected_version: i64,
    pub state: &'a Dossier,
    pub events: &'a [Event],
    pub outbox: &'a [OutboxMessage],
    pub documents: &'a [Document],
    pub form_data: Option<&'a serde_json::Value>,
    pub lookup_secret_hash: Option<&'a str>,
    pub idempotency_key: Option<Idempotency<'a>>,
}

/// The key a client sent to make a create safe to retry, with the fingerprint of the
/// request it came with (so the same key with another request can be told apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    pub fingerprint: &'a str,
}

/// The dossier a key was first used for, with that request's fingerprint (`None` for
/// dossiers created before fingerprints were kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedDossier {
    pub id: String,
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// Units the caller may see (from `access::units_for`); empty = nothing.
    pub units: Vec<UnitCode>,
    /// Desks among them where the caller receives (`units_for` with `ReceiveDossier`): the
    /// dossiers they received for other units stay in their inbox, as results go back
    /// through them. A specialist's inbox holds only the dossiers their unit handles, so
    /// a dossier transferred away leaves it.
    pub desks: Vec<UnitCode>,
    pub status: Option<Status>,
    pub procedure: Option<String>,
    /// Only dossiers whose current appointment is before this instant (due soon/overdue).
    pub due_before: Option<chrono::DateTime<chrono::Utc>>,
    pub limit: usize,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct InboxCounts {
    pub new: i64,
    pub due_today: i64,
    pub overdue: i64,
    pub waiting_supplement: i64,
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn parse_state(s: &str) -> Result<Dossier> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("dossier state: {e}")))
}

pub(crate) fn sort_at(d: &Dossier) -> i64 {
    to_micros(d.current_due_at.unwrap_or(d.created_at))
}

pub(crate) async fn write_one(conn: &mut AnyConnection, c: &Commit<'_>) -> Result<()> {
    let d = c.state;
    let state = json(d)?;
    if c.expected_version == 0 {
        let form = c.form_data.cloned().unwrap_or(serde_json::json!({}));
        sqlx::query(
            "INSERT INTO dossiers (id, code, procedure, unit, desk, applicant, parent, status, version, channel, created_at_us, received_at_us, due_at_us, current_due_at_us, finished_at_us, sort_at_us, state, form_data, lookup_secret_hash, idempotency_key, idempotency_fingerprint) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        )
        .bind(&d.id)
        .bind(d.code.as_ref().map(|x| x.as_str().to_owned()))
        .bind(d.procedure.as_str())
        .bind(d.unit.as_str())
        .bind(d.desk.as_ref().map(|x| x.as_str().to_owned()))
        .bind(&d.applicant)
        .bind(d.parent.as_deref())
        .bind(d.status.as_str())
        .bind(d.version)
        .bind(d.channel.map(|ch| json(&ch)).transpose()?)
        .bind(to_micros(d.created_at))
        .bind(d.received_at.map(to_micros))
        .bind(d.due_at.map(to_micros))
        .bind(d.current_due_at.map(to_micros))
        .bind(d.finished_at.map(to_micros))
        .bind(sort_at(d))
        .bind(state)
        .bind(json(&form)?)
        .bind(c.lookup_secret_hash)
        .bind(c.idempotency_key.map(|k| k.key))
        .bind(c.idempotency_key.map(|k| k.fingerprint))
        .execute(&mut *conn)
        .await?;
    } else {
        let n = sqlx::query(
            "UPDATE dossiers SET code = $1, unit = $2, desk = $3, status = $4, version = $5, channel = $6, received_at_us = $7, due_at_us = $8, \
             current_due_at_us = $9, finished_at_us = $10, sort_at_us = $11, state = $12, form_data = COALESCE($13, form_data), \
             lookup_secret_hash = COALESCE($14, lookup_secret_hash) WHERE id = $15 AND version = $16",
        )
        .bind(d.code.as_ref().map(|x| x.as_str().to_owned()))
        .bind(d.unit.as_str())
        .bind(d.desk.as_ref().map(|x| x.as_str().to_owned()))
        .bind(d.status.as_str())
        .bind(d.version)
        .bind(d.channel.map(|ch| json(&ch)).transpose()?)
        .bind(d.received_at.map(to_micros))
        .bind(d.due_at.map(to_micros))
        .bind(d.current_due_at.map(to_micros))
        .bind(d.finished_at.map(to_micros))
        .bind(sort_at(d))
        .bind(state)
        .bind(c.form_data.map(json).transpose()?)
        .bind(c.lookup_secret_hash)
        .bind(&d.id)
        .bind(c.expected_version)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "dossier {} changed meanwhile",
                d.id
            )));
        }
    }
    for e in c.events {
        sqlx::query(
            "INSERT INTO dossier_events (dossier, version, at_us, account, role, unit, kind, change) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&e.dossier)
        .bind(e.version)
        .bind(to_micros(e.at))
        .bind(&e.by.account)
        .bind(e.by.role.as_str())
        .bind(e.by.unit.as_ref().map(|u| u.as_str().to_owned()))
        .bind(e.change.kind())
        .bind(json(&e.change)?)
        .execute(&mut *conn)
        .await?;
    }
    let now = to_micros(chrono::Utc::now());
    for m in c.outbox {
        sqlx::query(
            "INSERT INTO outbox (id, topic, dedup_key, payload, created_at_us, attempts, next_attempt_at_us, delivered_at_us, dossier) \
             VALUES ($1, $2, $3, $4, $5, 0, $5, NULL, $6) ON CONFLICT (dedup_key) DO NOTHING",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&m.topic)
        .bind(&m.dedup_key)
        .bind(m.payload.to_string())
        .bind(now)
        .bind(m.dossier.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    for doc in c.documents {
        sqlx::query("INSERT INTO documents (id, dossier, form, title, body, created_at_us) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&doc.id)
            .bind(&d.id)
            .bind(&doc.form)
            .bind(&doc.title)
            .bind(doc.body.to_string())
            .bind(to_micros(doc.created_at))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// dossier, version, instant, account, role, unit, change (JSON).
pub(crate) type EventRow = (String, i64, i64, String, String, Option<String>, String);

pub(crate) fn event_from_row(row: EventRow) -> Result<Event> {
    let (dossier, version, at, account, role, unit, change) = row;
    Ok(Event {
        dossier,
        version,
        at: from_micros(at),
        by: motcua_domain::dossier::By {
            account,
            role: motcua_domain::access::Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("event role {role}")))?,
            unit: unit
                .map(|u| UnitCode::parse(&u))
                .transpose()
                .map_err(|_| StoreError::Corrupt("event unit".into()))?,
        },
        change: serde_json::from_str(&change)
            .map_err(|e| StoreError::Corrupt(format!("event change: {e}")))?,
    })
}

/// A reception number taken in an open transaction; see [`Store::number_reception`].
pub struct Numbered {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    pub seq: u32,
}

impl Store {
    /// Commits the changes of one or more dossiers (a parent and the child it creates) in
    /// one transaction. A stale version is a `Conflict` and nothing is written.
    pub async fn commit_dossiers(&self, commits: &[Commit<'_>]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for c in commits {
            write_one(&mut tx, c).await?;
        }
        let ids: Vec<&str> = commits.iter().map(|c| c.state.id.as_str()).collect();
        crate::snapshots::stamp(&mut tx, self.backend(), &ids).await?;
        tx.commit().await.map_err(|e| match e {
            sqlx::Error::Database(db) => StoreError::Conflict(db.message().to_owned()),
            other => StoreError::Database(other),
        })?;
        Ok(())
    }

    /// The dossier an applicant already created with this idempotency key, if any.
    pub async fn dossier_by_idempotency_key(
        &self,
        applicant: &str,
        key: &str,
    ) -> Result<Option<KeyedDossier>> {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT id, idempotency_fingerprint FROM dossiers WHERE applicant = $1 AND idempotency_key = $2",
        )
        .bind(applicant)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(id, fingerprint)| KeyedDossier { id, fingerprint }))
    }

    /// How many drafts an applicant holds open.
    pub async fn open_drafts(&self, applicant: &str) -> Result<usize> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM dossiers WHERE applicant = $1 AND status = $2")
                .bind(applicant)
                .bind(Status::Draft.as_str())
                .fetch_one(self.pool())
                .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    pub async fn dossier(&self, id: &str) -> Result<Stored> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT state, form_data FROM dossiers WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let (state, form) = row.ok_or(StoreError::NotFound)?;
        Ok(Stored {
            state: parse_state(&state)?,
            form_data: serde_json::from_str(&form).unwrap_or(serde_json::Value::Null),
        })
    }

    /// Public lookup: the dossier with this code, if the secret's hash matches.
    pub async fn dossier_by_code(&self, code: &str, secret_hash: &str) -> Result<Dossier> {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT state, lookup_secret_hash FROM dossiers WHERE code = $1")
                .bind(code)
                .fetch_optional(self.pool())
                .await?;
        match row {
            Some((state, Some(h))) if h == secret_hash => parse_state(&state),
            _ => Err(StoreError::NotFound),
        }
    }

    /// The events of one dossier, in order.
    pub async fn dossier_events(&self, id: &str) -> Result<Vec<Event>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT dossier, version, at_us, account, role, unit, change FROM dossier_events WHERE dossier = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(event_from_row).collect()
    }

    /// Every event in commit order (start-up rebuild of the index, bundle export).
    pub async fn all_events(&self) -> Result<Vec<Event>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT dossier, version, at_us, account, role, unit, change FROM dossier_events ORDER BY at_us, dossier, version",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(event_from_row).collect()
    }

    pub async fn documents(&self, dossier: &str) -> Result<Vec<Document>> {
        let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, form, title, body, created_at_us FROM documents WHERE dossier = $1 ORDER BY created_at_us, id",
        )
        .bind(dossier)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, form, title, body, at)| Document {
                id,
                form,
                title,
                body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
                created_at: from_micros(at),
            })
            .collect())
    }

    /// The next number of the day's sequence for a receiving unit. Numbers are unique under
    /// concurrency (one upsert); a refused reception leaves a gap, which the form allows.
    pub async fn next_dossier_seq(&self, unit: &UnitCode, day: chrono::NaiveDate) -> Result<u32> {
        let (n,): (i64,) = sqlx::query_as(
            "INSERT INTO code_sequences (unit, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (unit, day) DO UPDATE SET last = code_sequences.last + 1 RETURNING last",
        )
        .bind(unit.as_str())
        .bind(day.to_string())
        .fetch_one(self.pool())
        .await?;
        u32::try_from(n).map_err(|_| StoreError::Corrupt("code sequence".into()))
    }

    /// Takes the next number of the day's sequence for a receiving unit inside a
    /// transaction that the reception's commit then completes ([`Store::commit_numbered`]):
    /// a reception the domain refused never asks, and a commit that fails gives its number
    /// back, so the day's numbers are used only by receptions that happened. Receptions at
    /// one desk wait for each other's commit, a few milliseconds.
    pub async fn number_reception(
        &self,
        unit: &UnitCode,
        day: chrono::NaiveDate,
    ) -> Result<Numbered> {
        let mut tx = self.pool().begin().await?;
        let (n,): (i64,) = sqlx::query_as(
            "INSERT INTO code_sequences (unit, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (unit, day) DO UPDATE SET last = code_sequences.last + 1 RETURNING last",
        )
        .bind(unit.as_str())
        .bind(day.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let seq = u32::try_from(n).map_err(|_| StoreError::Corrupt("code sequence".into()))?;
        Ok(Numbered { tx, seq })
    }

    /// Commits the dossiers (and files) in the transaction that took their number.
    pub async fn commit_numbered(
        &self,
        numbered: Numbered,
        commits: &[Commit<'_>],
        files: &[crate::files::NewFile],
    ) -> Result<()> {
        self.commit_in(numbered.tx, commits, files).await
    }

    /// An applicant's own dossiers, newest first.
    pub async fn applicant_dossiers(&self, applicant: &str) -> Result<Vec<Dossier>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT state FROM dossiers WHERE applicant = $1 ORDER BY created_at_us DESC, id",
        )
        .bind(applicant)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| parse_state(&r.0)).collect()
    }

    /// An officer's inbox: dossiers of the given units, filtered in the query, ordered by
    /// appointment, keyset-paginated by (appointment, id).
    pub async fn inbox(&self, f: &InboxFilter) -> Result<(Vec<Dossier>, Option<String>)> {
        if f.units.is_empty() {
            return Ok((Vec::new(), None));
        }
        let mut binds: Vec<String> = Vec::new();
        let mut sql = String::from("SELECT state, sort_at_us, id FROM dossiers WHERE (unit IN (");
        let list = |binds: &mut Vec<String>, units: &[UnitCode]| {
            units
                .iter()
                .map(|u| {
                    binds.push(u.to_string());
                    format!("${}", binds.len())
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let a = list(&mut binds, &f.units);
        sql.push_str(&a);
        if f.desks.is_empty() {
            sql.push_str("))");
        } else {
            sql.push_str(") OR desk IN (");
            let b = list(&mut binds, &f.desks);
            sql.push_str(&b);
            sql.push_str("))");
        }
        if let Some(s) = f.status {
            binds.push(s.as_str().to_owned());
            sql.push_str(&format!(" AND status = ${}", binds.len()));
        } else {
            sql.push_str(" AND status <> 'draft'");
        }
        if let Some(p) = &f.procedure {
            binds.push(p.clone());
            sql.push_str(&format!(" AND procedure = ${}", binds.len()));
        }
        let mut ints: Vec<i64> = Vec::new();
        let mut int_sql = String::new();
        if let Some(t) = f.due_before {
            ints.push(to_micros(t));
            int_sql.push_str(&format!(
                " AND current_due_at_us < ${}",
                binds.len() + ints.len()
            ));
            int_sql.push_str(" AND status IN ('received', 'processing', 'supplement_requested', 'payment_requested')");
        }
        if let Some((at, id)) = f
            .cursor
            .as_deref()
            .and_then(|c| c.split_once(':'))
            .and_then(|(a, i)| Some((a.parse::<i64>().ok()?, i.to_owned())))
        {
            ints.push(at);
            let n = binds.len() + ints.len();
            int_sql.push_str(&format!(
                " AND (sort_at_us > ${n} OR (sort_at_us = ${n} AND id > ${}))",
                n + 1
            ));
            ints.push(0);
            // The id is a string; it is bound last, after the integers.
            let limit = f.limit.clamp(1, 200);
            sql.push_str(&int_sql);
            sql.push_str(&format!(" ORDER BY sort_at_us, id LIMIT {}", limit + 1));
            let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql);
            for b in &binds {
                q = q.bind(b);
            }
            for v in &ints[..ints.len() - 1] {
                q = q.bind(*v);
            }
            q = q.bind(id);
            return page(q.fetch_all(self.pool()).await?, limit);
        }
        let limit = f.limit.clamp(1, 200);
        sql.push_str(&int_sql);
        sql.push_str(&format!(" ORDER BY sort_at_us, id LIMIT {}", limit + 1));
        let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        for v in &ints {
            q = q.bind(*v);
        }
        page(q.fetch_all(self.pool()).await?, limit)
    }

    /// The inbox counters: new (submitted), due today, overdue, waiting for a supplement,
    /// over the same dossiers as [`Store::inbox`] (`desks` as in [`InboxFilter`]).
    pub async fn inbox_counts(
        &self,
        units: &[UnitCode],
        desks: &[UnitCode],
        now: chrono::DateTime<chrono::Utc>,
        end_of_today: chrono::DateTime<chrono::Utc>,
    ) -> Result<InboxCounts> {
        if units.is_empty() {
            return Ok(InboxCounts::default());
        }
        let list = |from: usize, len: usize| {
            (from..from + len)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut scope = format!("unit IN ({})", list(1, units.len()));
        if !desks.is_empty() {
            scope.push_str(&format!(
                " OR desk IN ({})",
                list(units.len() + 1, desks.len())
            ));
        }
        let n = units.len() + desks.len();
        let sql = format!(
            "SELECT \
             SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN status IN ('received', 'processing', 'payment_requested') AND current_due_at_us >= ${a} AND current_due_at_us < ${b} THEN 1 ELSE 0 END), \
             SUM(CASE WHEN status IN ('received', 'processing', 'payment_requested') AND current_due_at_us < ${a} THEN 1 ELSE 0 END), \
             SUM(CASE WHEN status = 'supplement_requested' THEN 1 ELSE 0 END) \
             FROM dossiers WHERE {scope}",
            a = n + 1,
            b = n + 2,
        );
        let mut q = sqlx::query_as::<_, (Option<i64>, Option<i64>, Option<i64>, Option<i64>)>(&sql);
        for u in units.iter().chain(desks) {
            q = q.bind(u.as_str());
        }
        let (a, b, c, d) = q
            .bind(to_micros(now))
            .bind(to_micros(end_of_today))
            .fetch_one(self.pool())
            .await?;
        Ok(InboxCounts {
            new: a.unwrap_or(0),
            due_today: b.unwrap_or(0),
            overdue: c.unwrap_or(0),
            waiting_supplement: d.unwrap_or(0),
        })
    }

    /// `dossiers.jsonl` of every submitted dossier, derived from the event log, sorted by
    /// code. Facts this system does not establish yet (files, online payment, data store,
    /// national-portal delivery) are written as false.
    pub async fn export_dossiers(&self) -> Result<String> {
        use motcua_domain::dossier::export::bundle_line;
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT state FROM dossiers WHERE status <> 'draft'")
                .fetch_all(self.pool())
                .await?;
        let states: Vec<Dossier> = rows
            .iter()
            .map(|r| parse_state(&r.0))
            .collect::<Result<_>>()?;
        let mut events: std::collections::HashMap<String, Vec<Event>> =
            std::collections::HashMap::new();
        for e in self.all_events().await? {
            events.entry(e.dossier.clone()).or_default().push(e);
        }
        let codes: std::collections::HashMap<&str, String> = states
            .iter()
            .map(|d| {
                (
                    d.id.as_str(),
                    d.code
                        .as_ref()
                        .map_or_else(|| d.id.clone(), ToString::to_string),
                )
            })
            .collect();
        let mut lines: Vec<(String, String)> = Vec::new();
        for d in &states {
            let mut evs = events.remove(&d.id).unwrap_or_default();
            evs.sort_by_key(|e| e.version);
            let parent = d.parent.as_deref().and_then(|p| codes.get(p).cloned());
            if let Some(line) = bundle_line(d, &evs, parent) {
                lines.push((line.code.clone(), json(&line)?));
            }
        }
        lines.sort();
        let mut out = String::new();
        for (_, l) in lines {
            out.push_str(&l);
            out.push('\n');
        }
        Ok(out)
    }

    /// Saves and publishes a process version for a procedure; returns the version.
    pub async fn publish_process(&self, process: &motcua_domain::dossier::Process) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let (max,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(version) FROM processes WHERE procedure = $1")
                .bind(process.procedure.as_str())
                .fetch_one(&mut *tx)
                .await?;
        let v = max.unwrap_or(0) + 1;
        let now = to_micros(chrono::Utc::now());
        sqlx::query("INSERT INTO processes (procedure, version, status, definition, created_at_us, published_at_us) VALUES ($1, $2, 'published', $3, $4, $4)")
            .bind(process.procedure.as_str())
            .bind(v)
            .bind(json(process)?)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// A given version, or the latest published one when `version` is None.
    pub async fn process(
        &self,
        procedure: &str,
        version: Option<i64>,
    ) -> Result<Option<(i64, motcua_domain::dossier::Process)>> {
        if let Some(p) = version.and_then(|v| self.cache.process(procedure, v)) {
            return Ok(Some((version.unwrap_or_default(), (*p).clone())));
        }
        let row: Option<(i64, String, String)> = match version {
            Some(v) => sqlx::query_as("SELECT version, definition, status FROM processes WHERE procedure = $1 AND version = $2")
                .bind(procedure)
                .bind(v)
                .fetch_optional(self.pool())
                .await?,
            None => sqlx::query_as("SELECT version, definition, status FROM processes WHERE procedure = $1 AND status = 'published' ORDER BY version DESC LIMIT 1")
                .bind(procedure)
                .fetch_optional(self.pool())
                .await?,
        };
        let Some((v, definition, status)) = row else {
            return Ok(None);
        };
        let p: motcua_domain::dossier::Process = serde_json::from_str(&definition)
            .map_err(|e| StoreError::Corrupt(format!("process: {e}")))?;
        // A draft may still be edited; a published version never is.
        if status == "published" {
            self.cache
                .put_process(procedure, v, std::sync::Arc::new(p.clone()));
        }
        Ok(Some((v, p)))
    }
}

fn page(rows: Vec<(String, i64, String)>, limit: usize) -> Result<(Vec<Dossier>, Option<String>)> {
    let next = (rows.len() > limit)
        .then(|| rows.get(limit - 1).map(|(_, at, id)| format!("{at}:{id}")))
        .flatten();
    let items = rows
        .iter()
        .take(limit)
        .map(|r| parse_state(&r.0))
        .collect::<Result<Vec<_>>>()?;
    Ok((items, next))
}
