//! E-forms (biểu mẫu điện tử): the structured declarations of a dossier.
//!
//! Each dossier component of a procedure is either a file upload or an e-form. An e-form is
//! defined as data ([`FormDefinition`], JSON), checked once when it is published
//! ([`FormDefinition::check`] → [`CheckedForm`]), and then used for every submission:
//! [`CheckedForm::prefill`] proposes values from the applicant's [`Profile`], and
//! [`CheckedForm::validate`] decides on the server what was submitted, returning either
//! the data in one normal form ([`NormalisedData`]) or every problem at once
//! ([`FieldError`], with a Vietnamese message).
//!
//! Like the rest of the crate this is pure: the day of filling is passed in.

mod builtin;
mod check;
mod compiled;
mod conditions;
mod definition;
mod errors;
mod kinds;
mod profile;
mod validate;
mod values;

#[cfg(test)]
mod tests;

pub use builtin::{BUILTIN_PROCEDURES, builtin, builtin_example, builtin_source};
pub use definition::{Bound, Choice, Condition, Field, FieldKind, FormDefinition, Section};
pub use errors::{DefinitionError, DefinitionErrorCode, FieldError, FieldErrorCode};
pub use profile::{Gender, Profile, ProfilePath};
pub use validate::NormalisedData;

/// A definition that passed [`FormDefinition::check`]: holding one means its rules are sound,
/// and validation can rely on them (regexes compiled, bounds read, references resolved).
#[derive(Debug, Clone)]
pub struct CheckedForm {
    definition: FormDefinition,
    nodes: Vec<compiled::Node>,
}

impl CheckedForm {
    /// The definition as written, for rendering the form.
    pub fn definition(&self) -> &FormDefinition {
        &self.definition
    }
    pub fn id(&self) -> &str {
        &self.definition.id
    }
    pub fn title(&self) -> &str {
        &self.definition.title
    }

    /// The component a holding declaration stands in for, if the form names one.
    pub fn component(&self) -> Option<&str> {
        self.definition.component.as_deref()
    }

    /// The form against its procedure's components (names as the catalogue lists them):
    /// a form that names a component the procedure does not have would leave a citizen
    /// asked for a file the form was meant to replace.
    pub fn check_component<'a>(
        &self,
        components: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), DefinitionError> {
        let Some(named) = self.component() else {
            return Ok(());
        };
        let names: Vec<&str> = components.into_iter().collect();
        if names.contains(&named) {
            return Ok(());
        }
        Err(DefinitionError {
            path: "component".into(),
            code: DefinitionErrorCode::UnknownComponent,
            detail: format!(
                "{named:?} is not a component of the procedure (it has: {})",
                names
                    .iter()
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}
