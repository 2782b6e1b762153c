//! Files of a dossier as use cases see them: which components a procedure lists, how a
//! caller names one, which command attaches a file for whom, and the attach itself (the
//! event and the file row in one commit). Reading the upload is the edge's business.

use super::service::{Request, Target, execute_all};
use crate::{App, AppError};
use motcua_domain::access::{Action, Actor, units_for};
use motcua_domain::dossier::files::file_name_for;
use motcua_domain::dossier::{Command, Digitisation, Dossier, FileRef, Status};
use motcua_store::files::{NewFile, Purpose};

/// What a component number 0 stands for: papers the catalogue does not list.
pub const OTHER_COMPONENT: &str = "Giấy tờ khác";

/// The components a dossier's procedure lists (the version it was started under), each
/// with whether it is required.
pub async fn components(app: &App, d: &Dossier) -> Vec<(String, bool)> {
    let procedure = match app
        .store
        .procedure_version(&d.procedure, d.procedure_version)
        .await
    {
        Ok(p) => Some(p),
        Err(_) => app
            .store
            .procedure(&d.procedure)
            .await
            .ok()
            .map(|p| p.procedure),
    };
    procedure
        .map(|p| {
            p.components
                .iter()
                .map(|c| {
                    let c = c.component();
                    (c.name, c.required)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A component as a form or an API client names it: its number in the list (1-based; 0
/// for other papers) or its exact name.
pub fn component_named(list: &[(String, bool)], given: &str) -> Result<String, AppError> {
    let given = given.trim();
    let found = match given.parse::<usize>() {
        Ok(0) => Some(OTHER_COMPONENT.to_owned()),
        Ok(n) => list.get(n - 1).map(|c| c.0.clone()),
        Err(_) => list
            .iter()
            .map(|c| c.0.as_str())
            .chain([OTHER_COMPONENT])
            .find(|c| *c == given)
            .map(str::to_owned),
    };
    found.ok_or_else(|| {
        AppError::invalid(
            "component",
            "unknown_component",
            "Hãy chọn một thành phần hồ sơ trong danh sách.",
            "component must be a component's number (1-based, 0 for other papers) or exact name.",
        )
    })
}

/// The command that attaches a file for this actor: the applicant's (or helper's) upload,
/// the desk's scan while it checks a dossier, or a result.
pub fn attach_command(
    actor: &Actor,
    d: &Dossier,
    tree: &motcua_domain::unit::UnitTree,
    purpose: Purpose,
    component: Option<String>,
    file: FileRef,
) -> Command {
    if purpose == Purpose::Result {
        return Command::AttachResult { file };
    }
    let component = component.unwrap_or_default();
    let desks = units_for(actor, Action::ReceiveDossier, tree);
    let at_desk = actor.account_id != d.applicant
        && matches!(d.status, Status::Submitted | Status::SupplementRequested)
        && !desks.is_empty();
    if at_desk {
        let desk = d
            .desk
            .clone()
            .filter(|u| desks.contains(u))
            .or_else(|| desks.iter().find(|u| **u == d.unit).cloned())
            .or_else(|| desks.first().cloned())
            .unwrap_or_else(|| d.unit.clone());
        Command::Digitise {
            desk,
            component,
            how: Digitisation::Scanned { file },
        }
    } else {
        Command::AttachFile { component, file }
    }
}

/// Attaches one stored blob through the domain; returns the new file's id and the dossier
/// after.
pub async fn attach(
    app: &App,
    actor: &Actor,
    d: &Dossier,
    purpose: Purpose,
    component: Option<String>,
    file: FileRef,
    expected_version: Option<i64>,
) -> Result<(String, Dossier), AppError> {
    let tree = app.store.unit_tree().await?;
    let row = new_file(&file, &d.id, purpose, component.clone(), &actor.account_id);
    let file_id = row.file.id.clone();
    let cmd = attach_command(actor, d, &tree, purpose, component, file);
    let out = execute_all(
        app,
        actor,
        Target::Stored {
            id: &d.id,
            expected_version,
        },
        vec![Request::Other(cmd)],
        vec![row],
    )
    .await?;
    Ok((file_id, out.dossier))
}

/// The row of a file the same commit attaches. The name is cleaned as the event's is.
pub fn new_file(
    file: &FileRef,
    dossier: &str,
    purpose: Purpose,
    component: Option<String>,
    uploaded_by: &str,
) -> NewFile {
    let mut file = file.clone();
    file.name = file_name_for(&file.name, &file.media_type, &file.sha256);
    NewFile {
        file,
        dossier: dossier.to_owned(),
        purpose,
        component,
        uploaded_by: uploaded_by.to_owned(),
        created_at: chrono::Utc::now(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn components_by_number_or_name() {
        let list = vec![
            ("Tờ khai".to_owned(), true),
            ("Giấy chứng sinh".to_owned(), true),
        ];
        assert_eq!(component_named(&list, "2").unwrap(), "Giấy chứng sinh");
        assert_eq!(component_named(&list, "0").unwrap(), OTHER_COMPONENT);
        assert_eq!(component_named(&list, "Tờ khai").unwrap(), "Tờ khai");
        assert!(component_named(&list, "3").is_err());
        assert!(component_named(&list, "Hộ chiếu").is_err());
    }
}
