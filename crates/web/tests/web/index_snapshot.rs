//! The live index starts from its saved image plus the dossiers changed since, and that
//! equals a rebuild from every dossier (and the offline computation); an image that does
//! not fit (corrupt, other calendar) is ignored and the index rebuilt from scratch.

use chrono::NaiveDate;
use motcua_app::live::{Built, LiveIndex};
use motcua_domain::access::Role;
use motcua_domain::dossier::By;
use motcua_domain::dossier::import::{Surroundings, history, parse_record};
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::{BundleText, compute_bundle};
use motcua_store::Store;
use serde_json::{Value, json};
use std::time::Duration;

const UNIT: &str = "000.01.99.H57";

/// `n` dossiers of another system's history, imported through the store.
async fn import_history(store: &Store, n: usize) {
    let calendar = store.calendar().await.unwrap();
    let by = By {
        account: "import".into(),
        role: Role::Operator,
        unit: None,
    };
    let versions = store.published_versions().await.unwrap();
    let mut batch = Vec::new();
    for i in 0..n {
        let day = 2 + i % 25;
        let events = match i % 5 {
            0 => String::new(),
            1 => format!(
                r#"{{"kind":"completed","at":"2025-03-{:02}T10:00:00+07:00"}}"#,
                day + 1
            ),
            2 => format!(
                r#"{{"kind":"supplement_requested","at":"2025-03-{day:02}T14:00:00+07:00"}},{{"kind":"supplement_completed","at":"2025-03-{:02}T09:00:00+07:00"}},{{"kind":"completed","at":"2025-03-{:02}T16:30:00+07:00"}}"#,
                day + 1,
                day + 3
            ),
            3 => format!(r#"{{"kind":"withdrawn","at":"2025-03-{day:02}T11:00:00+07:00"}}"#),
            _ => format!(
                r#"{{"kind":"completed","at":"2025-03-{day:02}T15:00:00+07:00"}},{{"kind":"returned","at":"2025-03-{:02}T08:30:00+07:00"}}"#,
                day + 1
            ),
        };
        let due = if i % 7 == 0 {
            "null".to_owned()
        } else {
            format!(r#""2025-03-{:02}T17:00:00+07:00""#, day + 2)
        };
        let line = format!(
            r#"{{"code":"{UNIT}-2503{day:02}-{:04}","procedure":"1.001193","unit":"{UNIT}","parent":null,"channel":"{}","applicant_kind":"citizen","submitted_at":"2025-03-{day:02}T07:30:00+07:00","received_at":"2025-03-{day:02}T08:00:00+07:00","due_at":{due},"events":[{events}],"fee_due":0,"paid_online":false,"synced":{},"component_files":true,"reused_component":false,"from_data_store":false,"result_file":{},"result_to_data_store":false,"citizen_data":true,"rating":{},"complained":false}}"#,
            i + 1,
            if i % 3 == 0 { "direct" } else { "online" },
            i % 4 != 0,
            i % 5 == 1,
            if i % 5 == 4 {
                r#""unsatisfied""#
            } else {
                "null"
            },
        );
        let r = parse_record(&line).unwrap();
        let s = Surroundings {
            procedure_version: versions["1.001193"],
            process_version: 0,
            time_limit: Some(
                motcua_calendar::TimeLimit::whole(1, motcua_calendar::DurationUnit::WorkingDays)
                    .unwrap(),
            ),
            parent_id: None,
            calendar: &calendar,
            by: &by,
        };
        let events = history(&r, &s).unwrap();
        let d = motcua_domain::dossier::Dossier::replay(&events).unwrap();
        batch.push((d, events));
    }
    let mut import = store.begin_bundle_import().await.unwrap();
    import.insert(&batch).await.unwrap();
    import.commit().await.unwrap();
}

async fn build(store: &Store) -> (LiveIndex, Built) {
    let live = LiveIndex::new(std::sync::Arc::new(motcua_app::WorkingCalendar::new(
        store.calendar().await.unwrap(),
    )));
    live.rebuild(store).await.unwrap();
    let b = live.built().unwrap();
    (live, b)
}

/// The image is written in the background: wait until it covers `seq`.
async fn image_covering(store: &Store, seq: i64) -> motcua_store::snapshots::Snapshot {
    for _ in 0..200 {
        if let Some(s) = store.snapshot("live_index").await.unwrap()
            && s.covers_seq == seq
        {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no image covering change {seq}");
}

fn output(live: &LiveIndex, period: Period) -> Value {
    serde_json::to_value(live.output(period, None).unwrap().unwrap()).unwrap()
}

async fn offline(store: &Store, period: Period) -> Value {
    let (units, procedures) = store.export_catalogue().await.unwrap();
    let dossiers = store.export_dossiers().await.unwrap();
    let calendar = store.calendar().await.unwrap();
    let text = BundleText {
        units: &units,
        procedures: &procedures,
        dossiers: &dossiers,
        petitions: "",
    };
    serde_json::to_value(
        compute_bundle(text, &Definition::default_766(), &calendar, period, None).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn image_plus_changes_equals_a_rebuild_from_every_dossier() {
    let app = crate::common::spawn().await;
    let store = app.db.store.clone();
    // The server saved an image of its (empty) engine at start-up.
    let first = image_covering(&store, store.change_seq().await.unwrap()).await;

    import_history(&store, 300).await;
    let seq = store.change_seq().await.unwrap();
    let (_, b) = build(&store).await;
    assert_eq!(
        (b.from_image, b.replayed, b.dossiers),
        (true, 300, 300),
        "the empty image plus the imported history"
    );
    let image = image_covering(&store, seq).await;
    assert_eq!(image.fingerprint, first.fingerprint);

    // One native dossier changes after the image.
    let citizen = app.login("congdan").await;
    let desk = app.login("tiepnhan").await;
    let r = citizen
        .0
        .post(app.url("/api/v1/dossiers"))
        .header("x-csrf-token", &citizen.1)
        .json(&json!({"procedure": "1.004194", "unit": UNIT}))
        .send()
        .await
        .unwrap();
    let d: Value = r.json().await.unwrap();
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    app.post_ok(
        &citizen,
        &format!("/api/v1/dossiers/{id}/submit"),
        json!({"channel": "online", "form_data": {}}),
    )
    .await;
    app.post_ok(
        &desk,
        &format!("/api/v1/dossiers/{id}/receive"),
        json!({"desk": UNIT}),
    )
    .await;

    let (from_image, b) = build(&store).await;
    assert_eq!(
        (b.from_image, b.replayed, b.dossiers),
        (true, 1, 301),
        "only the change is read"
    );
    image_covering(&store, b.covers_seq).await;

    // The lines the index reads are the export's, native and imported alike.
    let mut lines = Vec::new();
    store
        .for_each_dossier_line(-1, |l| {
            lines.push(format!("{l}\n"));
            Ok(())
        })
        .await
        .unwrap();
    lines.sort_by_key(|l| l.split('"').nth(3).unwrap_or_default().to_owned());
    assert_eq!(lines.concat(), store.export_dossiers().await.unwrap());

    store.drop_snapshot("live_index").await.unwrap();
    let (full, b) = build(&store).await;
    assert_eq!((b.from_image, b.replayed, b.dossiers), (false, 301, 301));

    let today = chrono::Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    for period in [
        Period::new(
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
        )
        .unwrap(),
        Period::new(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), today).unwrap(),
    ] {
        let want = offline(&store, period).await;
        assert_eq!(output(&from_image, period), want, "{period:?}");
        assert_eq!(output(&full, period), want, "{period:?}");
    }

    // A damaged image under the right fingerprint is ignored: rebuilt from every dossier.
    let saved = image_covering(&store, b.covers_seq).await;
    let mut body = saved.body.clone();
    let mid = body.len() / 2;
    body[mid] ^= 0xff;
    store
        .save_snapshot("live_index", &saved.fingerprint, saved.covers_seq, &body)
        .await
        .unwrap();
    let (after_damage, b) = build(&store).await;
    assert_eq!((b.from_image, b.replayed), (false, 301));
    let march = Period::new(
        NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
    )
    .unwrap();
    assert_eq!(output(&after_damage, march), output(&full, march));

    // Another calendar changes computed appointments: the image no longer fits.
    image_covering(&store, b.covers_seq).await;
    let (_, b) = build(&store).await;
    assert!(b.from_image);
    let mut rows = store.calendar_rows().await.unwrap();
    let last = rows.last_mut().unwrap();
    last.reason.push_str(" (đã sửa)");
    store
        .put_calendar_rows(&rows[rows.len() - 1..], None)
        .await
        .unwrap();
    let (_, b) = build(&store).await;
    assert_eq!((b.from_image, b.replayed), (false, 301));
}
