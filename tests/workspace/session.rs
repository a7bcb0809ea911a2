//! Signing in to the workspace over real HTTP (no browser needed): the
//! session cookie's attributes, CSRF on every form, one-time links,
//! revoked keys, and every page route walked with each role's session.

use crate::common::{TestApp, TestDb};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::Value;
use staffcast::auth::{Access, Role};

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// `name=value` of the Set-Cookie named `name`, with its attributes.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<(String, String)> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| {
            let value = c[name.len() + 1..].split(';').next().unwrap().to_string();
            (value, c)
        })
}

/// The hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// Signs in with `key` through the login form; returns the session cookie.
pub async fn sign_in(app: &TestApp, key: &str) -> String {
    let client = no_redirects();
    let form = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let (login_cookie, _) = set_cookie(&form, "staffcast_login").expect("login csrf cookie");
    let html = form.text().await.unwrap();
    let token = csrf_of(&html);
    assert_eq!(token, login_cookie, "double-submit: the same value in both");
    let resp = client
        .post(app.url("/login"))
        .header(COOKIE, format!("staffcast_login={login_cookie}"))
        .form(&[("key", key), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    assert_eq!(resp.headers()[LOCATION], "/");
    let (session, attributes) = set_cookie(&resp, "staffcast_session").expect("session cookie");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=",
    ] {
        assert!(attributes.contains(attribute), "{attributes}");
    }
    assert!(
        session.starts_with("scs_") && session.len() == 47,
        "{session}"
    );
    session
}

pub async fn get_page(app: &TestApp, session: &str, path: &str) -> reqwest::Response {
    no_redirects()
        .get(app.url(path))
        .header(COOKIE, format!("staffcast_session={session}"))
        .send()
        .await
        .unwrap()
}

pub async fn post_page(
    app: &TestApp,
    session: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    no_redirects()
        .post(app.url(path))
        .header(COOKIE, format!("staffcast_session={session}"))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn code_of(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}

async fn a_session_is_opened_by_a_key_and_ends_with_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let client = no_redirects();
    // No session: every page sends the browser to sign in, keeping where it was going.
    let resp = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        (resp.status().as_u16(), &resp.headers()[LOCATION]),
        (303, &"/login".parse().unwrap())
    );
    let resp = client.get(app.url("/?queue=3")).send().await.unwrap();
    assert_eq!(resp.headers()[LOCATION], "/login?next=%2F%3Fqueue%3D3");
    // A bearer key is not a session.
    let resp = client
        .get(app.url("/"))
        .bearer_auth(&app.planner_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);

    let key = app.new_key("planner in a browser", Role::Planner);
    let session = sign_in(&app, &key).await;
    let page = get_page(&app, &session, "/").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("planner in a browser"), "{html}");
    assert!(!html.contains("<script>"), "no inline script");

    // A wrong key is refused on the form, and opens nothing.
    let form = client.get(app.url("/login")).send().await.unwrap();
    let (login_cookie, _) = set_cookie(&form, "staffcast_login").unwrap();
    let resp = client
        .post(app.url("/login"))
        .header(COOKIE, format!("staffcast_login={login_cookie}"))
        .form(&[("key", "sc_not-a-key"), ("csrf", login_cookie.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(set_cookie(&resp, "staffcast_session").is_none());
    // The sign-in form without its cookie (another site's form) is refused.
    let resp = client
        .post(app.url("/login"))
        .form(&[("key", key.as_str()), ("csrf", login_cookie.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(set_cookie(&resp, "staffcast_session").is_none());

    // Forms need the session's CSRF token, and this server's origin.
    let csrf = csrf_of(&html);
    let resp = post_page(&app, &session, "/logout", &[]).await;
    assert_eq!(code_of(resp).await, (403, "csrf_rejected".into()));
    let resp = post_page(&app, &session, "/logout", &[("csrf", "forged")]).await;
    assert_eq!(code_of(resp).await, (403, "csrf_rejected".into()));
    let resp = no_redirects()
        .post(app.url("/logout"))
        .header(COOKIE, format!("staffcast_session={session}"))
        .header("origin", "http://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(resp).await, (403, "csrf_rejected".into()));
    assert_eq!(
        get_page(&app, &session, "/").await.status(),
        200,
        "still signed in"
    );

    // Revoking the key ends its sessions at once.
    let other = sign_in(&app, &key).await;
    assert_ne!(other, session);
    let id = staffcast::app::access::keys(app.database())
        .unwrap()
        .into_iter()
        .find(|k| k.name == "planner in a browser")
        .unwrap()
        .id;
    staffcast::app::access::revoke_key(app.database(), id).unwrap();
    for s in [&session, &other] {
        let resp = get_page(&app, s, "/").await;
        assert_eq!(resp.status(), 303);
    }

    // Signing out ends the session (the cookie alone no longer opens a page).
    let key = app.new_key("second", Role::Planner);
    let session = sign_in(&app, &key).await;
    let csrf = csrf_of(&get_page(&app, &session, "/").await.text().await.unwrap());
    let resp = post_page(&app, &session, "/logout", &[("csrf", &csrf)]).await;
    assert_eq!(resp.status(), 303);
    let (cleared, _) = set_cookie(&resp, "staffcast_session").unwrap();
    assert_eq!(cleared, "");
    assert_eq!(get_page(&app, &session, "/").await.status(), 303);
}

async fn a_login_link_works_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let key = app.new_key("demo", Role::Planner);
    let stored = staffcast::app::access::authenticate(
        app.database(),
        &staffcast::auth::ApiKey::parse(&key).unwrap(),
    )
    .unwrap()
    .unwrap();
    let link = staffcast::app::workspace::login_link(app.database(), &stored).unwrap();
    let url = app.url(&format!("/login?token={}", link.reveal()));
    let resp = no_redirects().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()[LOCATION], "/");
    let (session, _) = set_cookie(&resp, "staffcast_session").unwrap();
    assert_eq!(get_page(&app, &session, "/").await.status(), 200);
    // The token then expires: a second use opens nothing.
    let again = no_redirects().get(&url).send().await.unwrap();
    assert_eq!(again.status(), 401);
    assert!(set_cookie(&again, "staffcast_session").is_none());
    let made_up = no_redirects()
        .get(app.url("/login?token=scl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(made_up.status(), 401);
}

/// Every page route, with a session of each role: what the role may read
/// over the API it may open here; anything else is 403 (forms: the CSRF
/// token is checked only once the role may post at all).
async fn every_page_asks_for_its_role(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let pages: Vec<_> = staffcast::api::endpoints()
        .into_iter()
        .filter_map(|e| match e.access {
            Access::Page(p) => Some((e.method, e.path, p)),
            _ => None,
        })
        .collect();
    assert!(pages.len() >= 2, "{pages:?}");
    for role in Role::ALL {
        let key = app.new_key(&format!("{role} browser"), role);
        let session = sign_in(&app, &key).await;
        let csrf = csrf_of(&get_page(&app, &session, "/").await.text().await.unwrap());
        for (method, path, needs) in &pages {
            if *path == "/logout" {
                continue; // it would end the session; tested above
            }
            let path = path.replace("{id}", "999999");
            let what = format!("{method} {path} as {role}");
            let resp = if method == "GET" {
                get_page(&app, &session, &path).await
            } else {
                let bare = post_page(&app, &session, &path, &[]).await;
                if role.allows(*needs) {
                    assert_eq!(code_of(bare).await, (403, "csrf_rejected".into()), "{what}");
                } else {
                    assert_eq!(code_of(bare).await, (403, "forbidden".into()), "{what}");
                }
                post_page(&app, &session, &path, &[("csrf", &csrf)]).await
            };
            let status = resp.status().as_u16();
            if role.allows(*needs) {
                assert!(
                    ![303, 401, 403].contains(&status) && status < 500,
                    "{what}: {status}"
                );
            } else {
                assert_eq!(code_of(resp).await, (403, "forbidden".into()), "{what}");
            }
        }
    }
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(crate::common::TestDb::sqlite()).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(crate::common::TestDb::postgres()).await })*
        }
    };
}

both_backends!(
    a_session_is_opened_by_a_key_and_ends_with_it,
    a_login_link_works_once,
    every_page_asks_for_its_role,
);
