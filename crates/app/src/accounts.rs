//! Accounts and their roles: creating one, giving and taking back a role in a unit,
//! locking. Whether an administrator may touch a given role in a given unit is the domain's
//! answer (`motcua_domain::admin`); the store writes the change with its audit row.

use crate::{App, AppError, Missing};
use motcua_domain::access::{Actor, Grant};
use motcua_domain::admin::{admin_units, may_manage_account, may_manage_grant};
use motcua_store::StoreError;
use motcua_store::accounts::Account;

/// The account, if the administrator has any business with it: it holds a role in one of
/// their units, or they may lock it. Otherwise "not found", as for dossiers.
pub async fn visible(app: &App, actor: &Actor, id: &str) -> Result<Account, AppError> {
    let x = app
        .store
        .account(id)
        .await
        .map_err(|_| AppError::NotFound(Missing::Account))?;
    let tree = app.store.unit_tree().await?;
    let units = admin_units(actor, &tree);
    let related = x.grants.iter().any(|g| units.contains(&g.unit))
        || may_manage_account(actor, &x.id, &x.grants, &tree).is_ok();
    if related {
        Ok(x)
    } else {
        Err(AppError::NotFound(Missing::Account))
    }
}

/// A new account with its first role, which the administrator must be allowed to give.
/// The user name and the password follow the store's rules (`check_username`,
/// `check_password_policy`).
pub async fn create(
    app: &App,
    actor: &Actor,
    username: &str,
    display_name: &str,
    password: &str,
    grant: Grant,
) -> Result<Account, AppError> {
    let tree = app.store.unit_tree().await?;
    may_manage_grant(actor, "", &grant, &tree).map_err(|_| AppError::Forbidden)?;
    match app
        .store
        .create_account(
            username,
            display_name,
            password,
            &[grant],
            Some(&actor.account_id),
        )
        .await
    {
        Ok(account) => Ok(account),
        Err(StoreError::Conflict(_)) => Err(AppError::UsernameTaken),
        Err(e) => Err(e.into()),
    }
}

/// Gives `grant` to the account; `GrantExists` if it already holds it.
pub async fn give_role(
    app: &App,
    actor: &Actor,
    account: &Account,
    grant: &Grant,
) -> Result<(), AppError> {
    let tree = app.store.unit_tree().await?;
    may_manage_grant(actor, &account.id, grant, &tree).map_err(|_| AppError::Forbidden)?;
    match app
        .store
        .add_grant(&account.id, grant, Some(&actor.account_id))
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(AppError::GrantExists),
        Err(e) => Err(e.into()),
    }
}

/// Takes `grant` back; `NotFound(Grant)` if the account does not hold it.
pub async fn take_role(
    app: &App,
    actor: &Actor,
    account: &Account,
    grant: &Grant,
) -> Result<(), AppError> {
    let tree = app.store.unit_tree().await?;
    may_manage_grant(actor, &account.id, grant, &tree).map_err(|_| AppError::Forbidden)?;
    app.store
        .remove_grant(&account.id, grant, Some(&actor.account_id))
        .await
        .map_err(AppError::missing(Missing::Grant))
}

/// Locks or unlocks the account (a locked one can neither log in nor use its tokens).
pub async fn set_locked(
    app: &App,
    actor: &Actor,
    account: &Account,
    locked: bool,
) -> Result<(), AppError> {
    let tree = app.store.unit_tree().await?;
    may_manage_account(actor, &account.id, &account.grants, &tree)
        .map_err(|_| AppError::Forbidden)?;
    Ok(app
        .store
        .set_account_locked(&account.id, locked, Some(&actor.account_id))
        .await?)
}
