//! An applicant's consent to be filed for: a short code the applicant creates and tells
//! the community digital helper sitting with them (spec: a helper submits "on behalf of an
//! applicant who is present or has consented"). It holds for an hour, for whoever has it;
//! only its SHA-256 is stored.

use crate::{Result, Store, to_micros};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

/// Letters and digits nobody confuses when reading them aloud (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// 31⁸ ≈ 8.5 × 10¹¹ codes: not guessable within an hour, and short enough to say.
const LENGTH: usize = 8;
/// How long a consent holds.
pub const VALID_FOR_MINUTES: i64 = 60;

fn digest(code: &str) -> String {
    hex::encode(Sha256::digest(normalised(code).as_bytes()))
}

/// What a person types: spaces, dashes and case do not matter.
fn normalised(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Store {
    /// A new consent code of `applicant`, shown as `ABCD-EFGH`, and when it ends.
    pub async fn create_assistance_code(
        &self,
        applicant: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>)> {
        let raw: String = {
            let mut rng = rand::thread_rng();
            (0..LENGTH)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect()
        };
        let expires = now + Duration::minutes(VALID_FOR_MINUTES);
        sqlx::query("DELETE FROM assistance_codes WHERE expires_at_us <= $1")
            .bind(to_micros(now))
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO assistance_codes (code_hash, applicant, created_at_us, expires_at_us) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(digest(&raw))
        .bind(applicant)
        .bind(to_micros(now))
        .bind(to_micros(expires))
        .execute(self.pool())
        .await?;
        Ok((format!("{}-{}", &raw[..4], &raw[4..]), expires))
    }

    /// Whether `code` is a live consent of `applicant`.
    pub async fn assistance_consented(
        &self,
        applicant: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if normalised(code).len() != LENGTH {
            return Ok(false);
        }
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT expires_at_us FROM assistance_codes \
             WHERE code_hash = $1 AND applicant = $2 AND expires_at_us > $3",
        )
        .bind(digest(code))
        .bind(applicant)
        .bind(to_micros(now))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::testing::TestDb;
    use chrono::{Duration, Utc};

    #[tokio::test]
    async fn a_code_holds_for_its_applicant_for_an_hour() {
        let db = TestDb::new().await.unwrap();
        let s = &db.store;
        let a = s
            .create_account("congdan", "Công dân", "mat-khau-thu-nghiem", &[], None)
            .await
            .unwrap();
        let b = s
            .create_account("congdan2", "Công dân 2", "mat-khau-thu-nghiem", &[], None)
            .await
            .unwrap();
        let t0 = Utc::now();
        let (code, until) = s.create_assistance_code(&a.id, t0).await.unwrap();
        assert_eq!(code.len(), 9);
        assert_eq!((until - t0).num_minutes(), 60);
        assert!(s.assistance_consented(&a.id, &code, t0).await.unwrap());
        // Typed without the dash, in lower case.
        let typed = code.replace('-', "").to_lowercase();
        assert!(s.assistance_consented(&a.id, &typed, t0).await.unwrap());
        // Not another applicant's, not a wrong one, not after the hour.
        assert!(!s.assistance_consented(&b.id, &code, t0).await.unwrap());
        assert!(
            !s.assistance_consented(&a.id, "AAAA-AAAA", t0)
                .await
                .unwrap()
        );
        let later = t0 + Duration::minutes(61);
        assert!(!s.assistance_consented(&a.id, &code, later).await.unwrap());
    }
}
