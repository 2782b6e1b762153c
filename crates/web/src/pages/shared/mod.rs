//! What every audience's pages share: the page frame (chrome), login, the posted-form
//! wrapper and the rendering of e-forms.

pub mod auth;
pub(crate) mod chrome;
pub(crate) mod files;
pub(crate) mod form;
pub(crate) mod forms_render;
