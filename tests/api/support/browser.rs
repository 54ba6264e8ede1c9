//! Signing in as a customer over plain HTTP: following the email link, the local B2C
//! stand-in's login form and the redirects back, with a cookie jar like a browser's.

use reqwest::Client;
use url::Url;

/// A client that keeps cookies and does not follow redirects (the tests look at each).
pub fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// A browser whose cookies can be copied: the same person in several places at once
/// (the crash harness starts each case from the cookies its setup left).
#[derive(Clone)]
pub struct Browser {
    pub client: Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub fn new() -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .unwrap();
        Self { client, jar }
    }

    /// A fresh browser holding the cookies this one holds now for `host` (every port:
    /// cookies ignore ports), the handler's (`Path=/api`) and the providers' alike.
    pub fn copy(&self, host: &str) -> Self {
        use reqwest::cookie::CookieStore as _;
        let copy = Self::new();
        let cookies = |path: &str| -> Vec<String> {
            let url = Url::parse(&format!("http://{host}{path}")).unwrap();
            self.jar
                .cookies(&url)
                .map(|header| {
                    header
                        .to_str()
                        .unwrap()
                        .split("; ")
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let everywhere = cookies("/");
        for (path, cookie) in cookies("/api/")
            .into_iter()
            .map(|c| (if everywhere.contains(&c) { "/" } else { "/api" }, c))
        {
            let url = Url::parse(&format!("http://{host}{path}")).unwrap();
            copy.jar
                .add_cookie_str(&format!("{cookie}; Path={path}"), &url);
        }
        copy
    }
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Query parameter `name` of `url`.
pub fn param(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// From the provider's authorize address to the redirect back to the handler, signing in
/// at the local B2C stand-in as `email` with identity provider `idp` (`local`,
/// `google.com`, `live.com`). Returns the callback address (with `code` and `state`):
/// `/api/AcceptInvite` or `/api/AuthCallback`.
pub async fn sign_in_at_b2c(client: &Client, authorize: &str, email: &str, idp: &str) -> String {
    let mut url = Url::parse(authorize).unwrap();
    for _ in 0..10 {
        let response = client.get(url.clone()).send().await.unwrap();
        if response.status().is_redirection() {
            let next = url.join(&location(&response)).unwrap();
            if next.path().ends_with("/api/AcceptInvite")
                || next.path().ends_with("/api/AuthCallback")
            {
                return next.to_string();
            }
            url = next;
            continue;
        }
        assert_eq!(response.status(), 200, "the login page at {url}");
        if url.path().contains("/authorize/") {
            // Signing in as another account than the provider's current session: the
            // provider ends that session first with a self-submitting form.
            let html = response.text().await.unwrap();
            url = end_provider_session(client, &url, &html).await;
            continue;
        }
        // The login form: POST {page}/login with email, password, idp.
        let login = Url::parse(&format!(
            "{}/login",
            url.as_str().split('?').next().unwrap()
        ))
        .unwrap();
        let response = client
            .post(login.clone())
            .form(&[
                ("email", email),
                ("password", "correct horse"),
                ("idp", idp),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "login accepted at {login}: {}",
            response.status()
        );
        url = login.join(&location(&response)).unwrap();
    }
    panic!("never came back to the handler");
}

/// The text of the page at `url`.
pub async fn page(client: &Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// Posts a form to `url`.
pub async fn post_form(
    client: &Client,
    url: &str,
    form: &[(&'static str, String)],
) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

/// The `value` of the hidden `csrf` input in a page.
pub fn csrf_in(page: &str) -> String {
    let start = page
        .find("name=\"csrf\" value=\"")
        .expect("the form carries a CSRF token")
        + 19;
    page[start..].split('"').next().unwrap().to_owned()
}

/// The company form, filled with the contract's example company.
pub fn company_form(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "URS Machining SA".into()),
        ("vatNumber", "BE0123456749".into()),
        ("street", "Rue de l'Industrie 12".into()),
        ("postalCode", "1400".into()),
        ("city", "Nivelles".into()),
        ("country", "BE".into()),
        ("csrf", csrf.to_owned()),
    ]
}

/// Opens the company form at `url` and posts it filled with `company_form`: the answer.
pub async fn create_company(client: &Client, url: &str) -> reqwest::Response {
    let form = page(client, url).await;
    post_form(client, url, &company_form(&csrf_in(&form))).await
}

/// Answers the local provider's "end your session" form on the page at `page` (the page
/// posts it to itself, as the browser would): where the provider then sends the browser.
pub async fn end_provider_session(client: &Client, page: &Url, html: &str) -> Url {
    let value_after = |marker: &str| {
        html.split(marker)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    let action = page.join(&value_after("action=\"")).unwrap();
    let xsrf = value_after("name=\"xsrf\" value=\"");
    let response = client
        .post(action.clone())
        .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_redirection(),
        "the provider's sign-out form: {}",
        response.status()
    );
    action.join(&location(&response)).unwrap()
}
