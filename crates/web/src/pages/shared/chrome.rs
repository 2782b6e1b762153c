//! What every page's frame (base.html) needs: the reader's language, the language switch
//! that brings them back to the same page, and the signed-in person's links.
//!
//! Pages for signed-in people carry `user: Option<Nav>` (the `Nav` holds the reader);
//! pages anyone may see carry `user: Visitor`. base.html reads either through [`Header`].

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::encode;
use crate::pages::shared::auth::Nav;
use crate::pages::shared::auth::safe_next;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// Who reads the page: their language and the page itself, to come back to.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub lang: Lang,
    /// The path and query of a page fetched with GET; a page rendered in answer to a form
    /// has no address to come back to.
    here: Option<String>,
}

impl Reader {
    pub fn of(method: &Method, uri: &Uri, headers: &HeaderMap) -> Self {
        Self {
            lang: Lang::of_reader(headers),
            here: (*method == Method::GET)
                .then(|| uri.path_and_query().map(|p| p.as_str().to_owned()))
                .flatten(),
        }
    }

    /// A reader whose page is at `here` (a path on this site).
    pub fn at(lang: Lang, here: String) -> Self {
        Self {
            lang,
            here: Some(here),
        }
    }

    /// The switch's link: the other language, then back here.
    pub fn switch_href(&self) -> String {
        let to = self.lang.other();
        match &self.here {
            Some(here) => format!("/ngon-ngu?lang={to}&next={}", encode(here)),
            None => format!("/ngon-ngu?lang={to}"),
        }
    }
}

/// The frame of a page anyone may see, signed in or not.
pub struct Visitor {
    pub reader: Reader,
    pub nav: Option<Nav>,
}

impl Visitor {
    pub fn lang(&self) -> Lang {
        self.reader.lang
    }
}

/// base.html's view of either kind of page.
pub struct Header<'a> {
    pub lang: Lang,
    pub switch_href: String,
    pub nav: Option<&'a Nav>,
}

impl<'a> From<&'a Option<Nav>> for Header<'a> {
    fn from(nav: &'a Option<Nav>) -> Self {
        let reader = nav.as_ref().map(|n| n.reader.clone()).unwrap_or_default();
        Self {
            lang: reader.lang,
            switch_href: reader.switch_href(),
            nav: nav.as_ref(),
        }
    }
}

impl<'a> From<&'a Visitor> for Header<'a> {
    fn from(v: &'a Visitor) -> Self {
        Self {
            lang: v.reader.lang,
            switch_href: v.reader.switch_href(),
            nav: v.nav.as_ref(),
        }
    }
}

#[derive(Deserialize)]
pub struct SwitchQuery {
    lang: String,
    next: Option<String>,
}

/// `GET /ngon-ngu?lang=en&next=/thu-tuc`: records the choice in the `lang` cookie and goes
/// back to `next`, a path on this site (anything else goes home). A plain link, so it works
/// without JavaScript; choosing a language changes nothing but the reader's own pages.
pub async fn switch(
    State(state): State<AppState>,
    Query(q): Query<SwitchQuery>,
) -> Result<Response, ApiError> {
    let lang = Lang::parse(&q.lang).ok_or_else(|| {
        ApiError::invalid(
            "lang",
            "invalid",
            Lang::Vi.t("error.bad_lang"),
            Lang::En.t("error.bad_lang"),
        )
    })?;
    Ok((
        [(header::SET_COOKIE, lang.cookie(state.config.secure_cookies))],
        Redirect::to(&safe_next(q.next.as_deref())),
    )
        .into_response())
}
