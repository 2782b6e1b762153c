//! The pages' form extractor: axum's, with a NUL character refused before anything reads
//! the fields. PostgreSQL cannot store one in text (a storage error, so a 500) and no field
//! of ours has one; the API's JSON extractor refuses it the same way.

use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};

pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|_| ApiError::bad_request())?;
        if crate::has_nul(&bytes) {
            return Err(ApiError::invalid(
                "form",
                "invalid_character",
                "Nội dung gửi lên chứa ký tự không hợp lệ.",
                "The form contains a NUL character.",
            ));
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|axum::Form(v)| Form(v))
            .map_err(|rej| {
                if rej.status() == axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE {
                    ApiError::unsupported_media_type("application/x-www-form-urlencoded")
                } else {
                    ApiError::invalid(
                        "form",
                        "invalid_form",
                        "Biểu mẫu gửi lên không đúng.",
                        "The form is not as expected.",
                    )
                }
            })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nul_is_found_raw_and_encoded() {
        assert!(crate::has_nul(b"a=%00"));
        assert!(crate::has_nul(b"a=b\0"));
        // A literal "%000" typed by someone is sent as "%25000": no NUL.
        assert!(!crate::has_nul(b"a=%25000"));
        assert!(!crate::has_nul(b"name=Nguy%E1%BB%85n&x=100"));
    }
}
