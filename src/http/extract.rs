//! The filters every page route is built from: what the browser sent (its cookies, the
//! languages it asks for), a query as its typed struct, and a form post as a [`Posted`]
//! whose fields come out only through the one CSRF check.
//!
//! Imports `AppState`, the session's CSRF check and the domain; the page modules use it,
//! it uses none of them.

use super::AppState;
use super::session::csrf_matches;
use crate::domain::locale::Locale;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::convert::Infallible;
use time::OffsetDateTime;
use warp::{Filter, Rejection};

/// What every page is handed first: the state, the time the request is answered at, and
/// what the browser sent (its cookies, the language it asks for).
#[derive(Clone)]
pub struct Visit {
    pub state: AppState,
    pub now: OffsetDateTime,
    /// `Accept-Language` by q-value (the default without one): the language of a page
    /// that knows nothing better.
    pub browser: Locale,
    cookies: Option<String>,
}

impl Visit {
    /// The value of our cookie `name`, if the browser sent it intact and unexpired.
    pub fn cookie<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.state
            .cookies
            .open(self.cookies.as_deref(), name, self.now)
    }
}

/// The [`Visit`] of a request.
pub fn visit(
    state: &AppState,
) -> impl Filter<Extract = (Visit,), Error = Rejection> + Clone + use<> {
    let state = state.clone();
    warp::header::optional::<String>("cookie")
        .and(super::accept_language())
        .map(move |cookies, language: Option<String>| Visit {
            now: state.services.clock.now(),
            state: state.clone(),
            browser: Locale::negotiate(language.as_deref()),
            cookies,
        })
}

/// The query as `T` (see [`parse_query`]).
pub fn query<T>() -> impl Filter<Extract = (T,), Error = Infallible> + Clone
where
    T: DeserializeOwned + Default + Send + 'static,
{
    super::raw_query().map(|query: String| parse_query(&query))
}

/// A query string as `T`, which never fails: the first value of a key counts (the
/// Functions host hands a repeated key over once, its values joined with commas), and a
/// query that does not fit `T` is `T`'s default. Give `T` `#[serde(default)]`.
pub fn parse_query<T: DeserializeOwned + Default>(query: &str) -> T {
    let mut seen = std::collections::BTreeSet::new();
    let first = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(key, _)| seen.insert(key.clone().into_owned())),
        )
        .finish();
    serde_urlencoded::from_str(&first).unwrap_or_default()
}

/// For `#[serde(deserialize_with)]`: a language parameter, `None` unless it names one of
/// ours (it never makes the rest of the query fail).
pub fn our_locale<'de, D: Deserializer<'de>>(value: D) -> Result<Option<Locale>, D::Error> {
    let value = String::deserialize(value)?;
    Ok(Locale::parse(&value).ok())
}

/// `?lang=`: the language a page is asked for, when it names one of ours.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LangQuery {
    #[serde(deserialize_with = "our_locale")]
    pub lang: Option<Locale>,
}

/// The query of the pages a provider's sign-out comes back to: the language, as the
/// provider hands it back (`state`: the locale, with [`SignedOutQuery::DELETED`] after
/// the account's deletion) or as a page asks for it (`lang`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignedOutQuery {
    state: Option<String>,
    #[serde(deserialize_with = "our_locale")]
    lang: Option<Locale>,
}

impl SignedOutQuery {
    /// The end of `state` after the person deleted their account (it only words the page).
    pub const DELETED: &str = ".deleted";

    pub fn locale(&self) -> Option<Locale> {
        let state = self.state.as_deref().unwrap_or_default();
        let asked = state.strip_suffix(Self::DELETED).unwrap_or(state);
        Locale::parse(asked).ok().or(self.lang)
    }

    /// Whether the sign-out followed the deletion of the account.
    pub fn deleted(&self) -> bool {
        self.state
            .as_deref()
            .is_some_and(|s| s.ends_with(Self::DELETED))
    }
}

/// A posted form (`application/x-www-form-urlencoded`): its CSRF token, the language of
/// the page it was on (back-office forms send it as `lang`), and its fields `T`, which
/// only [`Posted::check`] hands out.
#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "T: DeserializeOwned + Default"))]
pub struct Posted<T> {
    csrf: String,
    #[serde(deserialize_with = "our_locale")]
    lang: Option<Locale>,
    #[serde(flatten)]
    fields: T,
}

impl<T> Posted<T> {
    /// The `lang` the form sent, when it names one of ours.
    pub fn lang(&self) -> Option<Locale> {
        self.lang
    }

    /// The fields before the check, to decide which token to check them against (the
    /// MFA form's `action`); every handler then calls [`Posted::check`].
    pub fn before_check(&self) -> &T {
        &self.fields
    }

    /// The form's fields, when the token it sent is `expected` (the session's).
    pub fn check(self, expected: &str) -> Option<T> {
        csrf_matches(expected, &self.csrf).then_some(self.fields)
    }
}

impl<T: DeserializeOwned + Default> Posted<T> {
    /// A body as a form. One that does not fit (a field twice, a body too large or
    /// unreadable) is an empty form: its CSRF check then refuses it.
    pub fn parse(body: &[u8]) -> Self {
        serde_urlencoded::from_bytes(body).unwrap_or_default()
    }
}

/// The body of a form post (at most [`super::body::MAX_BODY`] bytes) as [`Posted`].
pub fn form<T>() -> impl Filter<Extract = (Posted<T>,), Error = Rejection> + Clone
where
    T: DeserializeOwned + Default + Send + 'static,
{
    super::limited_body()
        .map(|body: Result<bytes::Bytes, _>| body.map(|b| Posted::parse(&b)).unwrap_or_default())
}

/// A page `GET`: the [`Visit`] and the query as `Q`.
pub fn page<Q>(
    state: &AppState,
) -> impl Filter<Extract = (Visit, Q), Error = Rejection> + Clone + use<Q>
where
    Q: DeserializeOwned + Default + Send + 'static,
{
    warp::get().and(visit(state)).and(query::<Q>())
}

/// A form `POST`: the [`Visit`] and the form as [`Posted<T>`].
pub fn post<T>(
    state: &AppState,
) -> impl Filter<Extract = (Visit, Posted<T>), Error = Rejection> + Clone + use<T>
where
    T: DeserializeOwned + Default + Send + 'static,
{
    warp::post().and(visit(state)).and(form::<T>())
}

/// A handler's answer: `Ok` when it went its way, `Err` with the page shown instead when
/// it stopped early (no session, a form that does not check out, …). Both are sent.
pub fn either(
    result: Result<warp::reply::Response, warp::reply::Response>,
) -> warp::reply::Response {
    result.unwrap_or_else(|page| page)
}

/// A guarded route's answer: `handler`'s, once the route table's guard let the visitor in
/// (`Ok`: who it let in, and what the request carried), else the guard's page. The
/// handler's own early answer (`Err`) is sent as it is.
pub async fn guarded<W, T, F>(
    guard: Result<(W, T), warp::reply::Response>,
    handler: impl FnOnce(W, T) -> F,
) -> warp::reply::Response
where
    F: std::future::Future<Output = Result<warp::reply::Response, warp::reply::Response>>,
{
    match guard {
        Ok((who, value)) => either(handler(who, value).await),
        Err(page) => page,
    }
}

/// A form with no fields but its token (sign-out and the like).
#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Fields {
        provider: Option<String>,
        code: String,
    }

    #[test]
    fn a_form_hands_out_its_fields_only_with_the_sessions_token() {
        let posted = || Posted::<Fields>::parse(b"csrf=a%2Bb&provider=google&code=12&x=1");
        let fields = Fields {
            provider: Some("google".into()),
            code: "12".into(),
        };
        assert_eq!(posted().check("a+b"), Some(fields));
        assert_eq!(posted().check("a+c"), None);
        assert_eq!(posted().check(""), None);
        // No token, a token twice, a body that is no form: nothing comes out.
        assert_eq!(Posted::<Fields>::parse(b"code=12").check(""), None);
        assert_eq!(Posted::<Fields>::parse(b"csrf=t&csrf=t").check("t"), None);
        assert_eq!(Posted::<Fields>::parse(b"\xff\xfe").check("t"), None);
        assert!(Posted::<NoFields>::parse(b"csrf=t").check("t").is_some());
        // Absent fields stay empty.
        let empty = Posted::<Fields>::parse(b"csrf=t").check("t");
        assert_eq!(empty, Some(Fields::default()));
    }

    #[test]
    fn a_form_keeps_every_other_field_in_a_map() {
        let posted: Posted<std::collections::BTreeMap<String, String>> =
            Posted::parse(b"csrf=t&email=a%40b.example&role=member");
        let fields = posted.check("t").unwrap_or_default();
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["email", "role"]);
    }

    #[test]
    fn a_query_takes_the_first_value_of_a_key_and_never_fails() {
        let asked: LangQuery = parse_query("lang=de&lang=fr");
        assert_eq!(asked.lang, Some(Locale::De));
        // The host joins a repeated key: no language of ours.
        assert_eq!(parse_query::<LangQuery>("lang=de,fr").lang, None);
        assert_eq!(parse_query::<LangQuery>("lang=xx&other=%zz").lang, None);
        assert_eq!(parse_query::<LangQuery>("").lang, None);
        let fields: Fields = parse_query("code=1&provider=microsoft&code=2");
        assert_eq!(fields.code, "1");
    }
}
