//! Logging in through the app: the password, the attempt limits counted in the database.

use crate::support::*;
use motcua_app::login::{LoginLimits, log_in};
use motcua_app::{AppError, Settings};
use std::net::IpAddr;
use std::time::Duration;

fn settings(per_user: i64, per_address: i64) -> Settings {
    Settings {
        login: LoginLimits {
            window: Duration::from_secs(600),
            per_user,
            per_address,
            ..LoginLimits::default()
        },
        ..Settings::default()
    }
}

const HOME: [u8; 4] = [203, 0, 113, 7];

#[tokio::test]
async fn a_right_password_opens_a_session_and_a_wrong_one_says_nothing_more() {
    let f = fixture().await;
    let ip: IpAddr = HOME.into();
    let (account, secret) = log_in(&f.app, ip, "CongDan ", PASSWORD).await.unwrap();
    assert_eq!(account.id, f.citizen.account_id);
    let session = f.db.store.session(&secret).await.unwrap().unwrap();
    assert_eq!(session.account.id, account.id);

    let wrong = log_in(&f.app, ip, "congdan", "mat-khau-sai-roi").await;
    assert!(
        matches!(wrong, Err(AppError::InvalidCredentials)),
        "{:?}",
        wrong.err()
    );
    let unknown = log_in(&f.app, ip, "khong-ai-ca", PASSWORD).await;
    assert!(
        matches!(unknown, Err(AppError::InvalidCredentials)),
        "{:?}",
        unknown.err()
    );
}

#[tokio::test]
async fn past_the_attempt_limit_even_the_right_password_waits() {
    let f = fixture_with(settings(2, 30)).await;
    let ip: IpAddr = HOME.into();
    for _ in 0..2 {
        let r = log_in(&f.app, ip, "congdan", "mat-khau-sai-roi").await;
        assert!(
            matches!(r, Err(AppError::InvalidCredentials)),
            "{:?}",
            r.err()
        );
    }
    let r = log_in(&f.app, ip, "congdan", PASSWORD).await;
    let Err(AppError::RateLimited { retry_after }) = r else {
        panic!("{:?}", r.err());
    };
    assert!(retry_after > 500 && retry_after <= 600, "{retry_after}");
    // The limit is per user name and address: another address, or another user from the
    // same one, still gets in.
    log_in(&f.app, [198, 51, 100, 1].into(), "congdan", PASSWORD)
        .await
        .unwrap();
    log_in(&f.app, ip, "tiepnhan", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_success_forgets_the_failures_before_it() {
    let f = fixture_with(settings(2, 30)).await;
    let ip: IpAddr = HOME.into();
    let r = log_in(&f.app, ip, "congdan", "mat-khau-sai-roi").await;
    assert!(matches!(r, Err(AppError::InvalidCredentials)));
    log_in(&f.app, ip, "congdan", PASSWORD).await.unwrap();
    // Two more attempts are allowed again.
    for _ in 0..2 {
        let r = log_in(&f.app, ip, "congdan", "mat-khau-sai-roi").await;
        assert!(
            matches!(r, Err(AppError::InvalidCredentials)),
            "{:?}",
            r.err()
        );
    }
}

#[tokio::test]
async fn one_address_guessing_many_user_names_is_stopped_too() {
    let f = fixture_with(settings(5, 3)).await;
    let ip: IpAddr = HOME.into();
    for user in ["a.nguyen", "b.tran", "c.le"] {
        let r = log_in(&f.app, ip, user, "mat-khau-sai-roi").await;
        assert!(
            matches!(r, Err(AppError::InvalidCredentials)),
            "{:?}",
            r.err()
        );
    }
    let r = log_in(&f.app, ip, "congdan", PASSWORD).await;
    assert!(
        matches!(r, Err(AppError::RateLimited { .. })),
        "{:?}",
        r.err()
    );
}
