//! The account flows of issue 13 against the real binary: email codes and
//! the email inbox, bind / update email and phone through verify tokens,
//! delete account, social bind, decryptData, loginByPhone; with their error
//! paths (wrong code, expired or reused token, conflict, deleted account,
//! bad input answered with the envelope).

mod common;

use common::*;
use serde_json::{json, Value};

const UP: (&str, &str) = ("x-authing-userpool-id", POOL_ID);

struct Session<'a> {
    emu: &'a Emulator,
    access: String,
}

impl Session<'_> {
    fn post(&self, path: &str, body: &Value) -> Value {
        self.emu.post_json(path, &[UP, ("authorization", &self.access)], body).json()
    }

    fn profile(&self) -> Value {
        self.emu.get("/api/v3/get-profile?withIdentities=true", &[UP, ("authorization", &self.access)]).json()
    }
}

fn login<'a>(emu: &'a Emulator, username: &str, password: &str) -> (Session<'a>, Value) {
    let r = emu.password_login(username, password, "openid profile offline_access");
    assert_eq!(r["statusCode"], json!(200), "{r}");
    let access = r["data"]["access_token"].as_str().unwrap().to_string();
    (Session { emu, access }, r["data"].clone())
}

fn user<'a>(emu: &'a Emulator, fields: Value) -> Session<'a> {
    let username = fields["username"].as_str().unwrap().to_string();
    let mut body = fields;
    body["password"] = json!("Passw0rd!");
    emu.admin_user(body);
    login(emu, &username, "Passw0rd!").0
}

fn send_email(emu: &Emulator, email: &str, channel: &str) -> String {
    let r = emu.post_json("/api/v3/send-email", &[UP], &json!({"email": email, "channel": channel})).json();
    assert_eq!(r["statusCode"], json!(200), "{r}");
    let inbox = emu.get(&format!("/__admin/email?email={email}"), &[]).json();
    assert_eq!(inbox[0]["channel"], json!(channel), "{inbox}");
    inbox[0]["code"].as_str().unwrap().to_string()
}

fn send_sms(emu: &Emulator, phone: &str, channel: &str) -> String {
    let r = emu.post_json("/api/v3/send-sms", &[UP], &json!({"phoneNumber": phone, "channel": channel})).json();
    assert_eq!(r["statusCode"], json!(200), "{r}");
    emu.latest_sms(phone)
}

fn ok(v: &Value) {
    assert_eq!(v["statusCode"], json!(200), "{v}");
}

fn fast() -> Emulator {
    Emulator::start_with(&["--sms-interval-secs", "0"])
}

#[test]
fn email_codes_inbox_throttle_and_passcode_login() {
    let emu = Emulator::start();
    let send = |email: &str, channel: &str| {
        emu.post_json("/api/v3/send-email", &[UP], &json!({"email": email, "channel": channel})).json()
    };
    let first = send("mail@example.com", "CHANNEL_LOGIN");
    ok(&first);
    assert_authing_error(&send("mail@example.com", "CHANNEL_LOGIN"), 429);
    ok(&send("mail@example.com", "CHANNEL_BIND_EMAIL"));
    assert_authing_error(&send("not-an-email", "CHANNEL_LOGIN"), 400);
    assert_authing_error(&send("mail@example.com", "CHANNEL_NOPE"), 400);
    let no_pool = emu.post_json("/api/v3/send-email", &[], &json!({"email": "a@b.co", "channel": "CHANNEL_LOGIN"}));
    assert_authing_error(&no_pool.json(), 400);

    let inbox = emu.get("/__admin/email", &[]).json();
    let inbox = inbox.as_array().unwrap();
    assert_eq!(inbox.len(), 2);
    assert_eq!(inbox[0]["channel"], json!("CHANNEL_BIND_EMAIL"), "newest first");
    for k in ["email", "channel", "code", "sentAt"] {
        assert!(inbox[0].get(k).is_some(), "{k}");
    }
    assert_eq!(inbox[0]["email"], json!("mail@example.com"));
    let code = inbox[1]["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);

    let login = |code: &str, auto: bool| {
        emu.signin(json!({
            "passCodePayload": {"passCode": code, "email": "mail@example.com"},
            "options": {"autoRegister": auto},
            "connection": "PASSCODE"
        }))
    };
    assert_authing_error(&login("123", true), 400);
    let r = login(&code, true);
    ok(&r);
    assert_authing_error(&login(&code, true), 400);
    let users = emu.get("/__admin/users", &[]).json();
    assert_eq!(users[0]["email"], json!("mail@example.com"), "{users}");
    assert_eq!(emu.get("/__admin/email", &[]).json()[1]["used"], json!(true));

    // five wrong tries burn the code, as with SMS; no user and no autoRegister: 2004
    let emu = fast();
    let code = send_email(&emu, "none@example.com", "CHANNEL_LOGIN");
    let r = emu
        .signin(json!({"connection": "PASSCODE", "passCodePayload": {"passCode": code, "email": "none@example.com"}}));
    assert_authing_error(&r, 403);
    assert_eq!(r["apiCode"], json!(2004));
    let code = send_email(&emu, "burn@example.com", "CHANNEL_LOGIN");
    for _ in 0..5 {
        let r = emu.signin(json!({"connection": "PASSCODE", "passCodePayload": {"passCode": "999999x", "email": "burn@example.com"}, "options": {"autoRegister": true}}));
        assert_authing_error(&r, 400);
    }
    let r = emu.signin(json!({"connection": "PASSCODE", "passCodePayload": {"passCode": code, "email": "burn@example.com"}, "options": {"autoRegister": true}}));
    assert_authing_error(&r, 400);
}

#[test]
fn email_codes_expire() {
    let emu = Emulator::start_with(&["--code-ttl-secs", "1"]);
    let code = send_email(&emu, "late@example.com", "CHANNEL_LOGIN");
    emu.advance_clock(1300);
    let r = emu.signin(json!({"connection": "PASSCODE", "passCodePayload": {"passCode": code, "email": "late@example.com"}, "options": {"autoRegister": true}}));
    assert_authing_error(&r, 400);
}

#[test]
fn bind_email_and_phone_with_conflicts() {
    let emu = fast();
    let alice = user(&emu, json!({"username": "alice"}));
    let _bob = user(&emu, json!({"username": "bob", "email": "bob@example.com", "phone": "13900000002"}));

    // not logged in
    let anon = emu.post_json("/api/v3/bind-email", &[UP], &json!({"email": "a@example.com", "passCode": "1"})).json();
    assert_authing_error(&anon, 401);

    // wrong code, then the right one
    let code = send_email(&emu, "alice@example.com", "CHANNEL_BIND_EMAIL");
    assert_authing_error(
        &alice.post("/api/v3/bind-email", &json!({"email": "alice@example.com", "passCode": "000000x"})),
        400,
    );
    let login_code = send_email(&emu, "alice@example.com", "CHANNEL_LOGIN");
    assert_authing_error(
        &alice.post("/api/v3/bind-email", &json!({"email": "alice@example.com", "passCode": login_code})),
        400,
    );
    let code = if code == login_code { code } else { send_email(&emu, "alice@example.com", "CHANNEL_BIND_EMAIL") };
    let r = alice.post("/api/v3/bind-email", &json!({"email": "alice@example.com", "passCode": code}));
    ok(&r);
    assert_eq!(r["data"]["success"], json!(true));
    assert_eq!(alice.profile()["data"]["email"], json!("alice@example.com"));
    // already bound: change it through the update flow instead
    let again = send_email(&emu, "alice2@example.com", "CHANNEL_BIND_EMAIL");
    assert_authing_error(
        &alice.post("/api/v3/bind-email", &json!({"email": "alice2@example.com", "passCode": again})),
        400,
    );

    // phone: conflict with bob's number, then a free one
    let carol = user(&emu, json!({"username": "carol"}));
    let code = send_sms(&emu, "13900000002", "CHANNEL_BIND_PHONE");
    let conflict = carol.post("/api/v3/bind-phone", &json!({"phoneNumber": "13900000002", "passCode": code}));
    assert_authing_error(&conflict, 409);
    let code = send_sms(&emu, "13900000003", "CHANNEL_BIND_PHONE");
    assert_authing_error(
        &carol.post("/api/v3/bind-phone", &json!({"phoneNumber": "13900000003", "passCode": "x"})),
        400,
    );
    ok(&carol.post(
        "/api/v3/bind-phone",
        &json!({"phoneNumber": "13900000003", "passCode": code, "phoneCountryCode": "+86"}),
    ));
    let p = carol.profile();
    assert_eq!(p["data"]["phone"], json!("13900000003"));
    assert_eq!(p["data"]["phoneCountryCode"], json!("+86"));
    // the code was single use
    let dave = user(&emu, json!({"username": "dave"}));
    assert_authing_error(
        &dave.post("/api/v3/bind-phone", &json!({"phoneNumber": "13900000003", "passCode": code})),
        409,
    );

    // email conflict
    let code = send_email(&emu, "bob@example.com", "CHANNEL_BIND_EMAIL");
    assert_authing_error(&dave.post("/api/v3/bind-email", &json!({"email": "bob@example.com", "passCode": code})), 409);
}

#[test]
fn update_email_through_a_single_use_verify_token() {
    let emu = fast();
    let erin = user(&emu, json!({"username": "erin", "email": "erin@example.com"}));
    let request = |new_code: &str, old_code: Option<&str>| {
        let mut p = json!({"newEmail": "erin.new@example.com", "newEmailPassCode": new_code});
        if let Some(c) = old_code {
            p["oldEmail"] = json!("erin@example.com");
            p["oldEmailPassCode"] = json!(c);
        }
        erin.post(
            "/api/v3/verify-update-email-request",
            &json!({"verifyMethod": "EMAIL_PASSCODE", "emailPassCodePayload": p}),
        )
    };
    let new_code = send_email(&emu, "erin.new@example.com", "CHANNEL_UPDATE_EMAIL");
    // the old address must be proven too
    assert_authing_error(&request(&new_code, None), 400);
    let old_code = send_email(&emu, "erin@example.com", "CHANNEL_UPDATE_EMAIL");
    assert_authing_error(&request(&new_code, Some("000000x")), 400);
    // the failed old code did not use up the new one
    let r = request(&new_code, Some(&old_code));
    ok(&r);
    let token = r["data"]["updateEmailToken"].as_str().unwrap().to_string();
    assert_eq!(r["data"]["tokenExpiresIn"], json!(60));
    assert_eq!(erin.profile()["data"]["email"], json!("erin@example.com"), "nothing changes before update-email");

    assert_authing_error(&erin.post("/api/v3/update-email", &json!({"updateEmailToken": "bogus"})), 400);
    // another user cannot redeem erin's token
    let frank = user(&emu, json!({"username": "frank"}));
    assert_authing_error(&frank.post("/api/v3/update-email", &json!({"updateEmailToken": token})), 400);
    let r = erin.post("/api/v3/update-email", &json!({"updateEmailToken": token}));
    ok(&r);
    assert_eq!(erin.profile()["data"]["email"], json!("erin.new@example.com"));
    let reused = erin.post("/api/v3/update-email", &json!({"updateEmailToken": token}));
    assert_authing_error(&reused, 400);
    assert!(reused["message"].as_str().unwrap().contains("used"), "{reused}");

    // conflict: the new address is taken between the request and the update
    let code = send_email(&emu, "taken@example.com", "CHANNEL_UPDATE_EMAIL");
    let r = frank.post(
        "/api/v3/verify-update-email-request",
        &json!({"verifyMethod": "EMAIL_PASSCODE", "emailPassCodePayload": {"newEmail": "taken@example.com", "newEmailPassCode": code}}),
    );
    ok(&r);
    let token = r["data"]["updateEmailToken"].as_str().unwrap().to_string();
    let gina = user(&emu, json!({"username": "gina"}));
    let code = send_email(&emu, "taken@example.com", "CHANNEL_BIND_EMAIL");
    ok(&gina.post("/api/v3/bind-email", &json!({"email": "taken@example.com", "passCode": code})));
    assert_authing_error(&frank.post("/api/v3/update-email", &json!({"updateEmailToken": token})), 409);
    // and at request time
    let code = send_email(&emu, "taken@example.com", "CHANNEL_UPDATE_EMAIL");
    let r = frank.post(
        "/api/v3/verify-update-email-request",
        &json!({"verifyMethod": "EMAIL_PASSCODE", "emailPassCodePayload": {"newEmail": "taken@example.com", "newEmailPassCode": code}}),
    );
    assert_authing_error(&r, 409);
    // wrong verifyMethod
    let r = frank.post(
        "/api/v3/verify-update-email-request",
        &json!({"verifyMethod": "PHONE_PASSCODE", "emailPassCodePayload": {}}),
    );
    assert_authing_error(&r, 400);
}

#[test]
fn verify_tokens_expire() {
    let emu = Emulator::start_with(&["--sms-interval-secs", "0", "--verify-token-ttl-secs", "1"]);
    let hal = user(&emu, json!({"username": "hal"}));
    let code = send_sms(&emu, "13900000010", "CHANNEL_BIND_PHONE");
    let r = hal.post(
        "/api/v3/verify-update-phone-request",
        &json!({"verifyMethod": "PHONE_PASSCODE", "phonePassCodePayload": {"newPhoneNumber": "13900000010", "newPhonePassCode": code}}),
    );
    ok(&r);
    assert_eq!(r["data"]["tokenExpiresIn"], json!(1));
    let token = r["data"]["updatePhoneToken"].as_str().unwrap().to_string();
    emu.advance_clock(1300);
    let late = hal.post("/api/v3/update-phone", &json!({"updatePhoneToken": token}));
    assert_authing_error(&late, 400);
    assert!(late["message"].as_str().unwrap().contains("expired"), "{late}");
    assert_eq!(hal.profile()["data"]["phone"], Value::Null);
}

#[test]
fn update_phone_proves_old_and_new_numbers() {
    let emu = fast();
    let ivy = user(&emu, json!({"username": "ivy", "phone": "13900000020"}));
    let req = |payload: Value| {
        ivy.post(
            "/api/v3/verify-update-phone-request",
            &json!({"verifyMethod": "PHONE_PASSCODE", "phonePassCodePayload": payload}),
        )
    };
    let new_code = send_sms(&emu, "13900000021", "CHANNEL_BIND_PHONE");
    assert_authing_error(&req(json!({"newPhoneNumber": "13900000021", "newPhonePassCode": new_code})), 400);
    let old_code = send_sms(&emu, "13900000020", "CHANNEL_UNBIND_PHONE");
    let wrong_old = json!({"newPhoneNumber": "13900000021", "newPhonePassCode": new_code, "oldPhoneNumber": "13900000029", "oldPhonePassCode": old_code});
    assert_authing_error(&req(wrong_old), 400);
    let r = req(json!({
        "newPhoneNumber": "13900000021", "newPhonePassCode": new_code, "newPhoneCountryCode": "+86",
        "oldPhoneNumber": "13900000020", "oldPhonePassCode": old_code, "oldPhoneCountryCode": "+86"
    }));
    ok(&r);
    let token = r["data"]["updatePhoneToken"].as_str().unwrap().to_string();
    ok(&ivy.post("/api/v3/update-phone", &json!({"updatePhoneToken": token})));
    assert_eq!(ivy.profile()["data"]["phone"], json!("13900000021"));
    assert_authing_error(&ivy.post("/api/v3/update-phone", &json!({"updatePhoneToken": token})), 400);
    // the new number signs in with an SMS code
    let code = send_sms(&emu, "13900000021", "CHANNEL_LOGIN");
    ok(&emu.signin(json!({"connection": "PASSCODE", "passCodePayload": {"passCode": code, "phone": "13900000021"}})));
}

#[test]
fn delete_account_removes_user_identities_and_tokens() {
    let emu = fast();
    emu.admin_user(
        json!({"username": "jack", "password": "Passw0rd!", "phone": "13900000030", "email": "jack@example.com"}),
    );
    let (jack, tokens) = login(&emu, "jack", "Passw0rd!");
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    // a wx identity too
    ok(&jack.post("/connections/social/wechat-miniprogram/bind", &json!({"code": emu.wx_code("jack-wx")})));

    let req = |body: Value| jack.post("/api/v3/verify-delete-account-request", &body);
    assert_authing_error(&req(json!({"verifyMethod": "PASSWORD", "passwordPayload": {"password": "wrong"}})), 403);
    assert_authing_error(&req(json!({"verifyMethod": "FACE"})), 400);
    let code = send_sms(&emu, "13900000031", "CHANNEL_DELETE_ACCOUNT");
    let r = req(
        json!({"verifyMethod": "PHONE_PASSCODE", "phonePassCodePayload": {"phoneNumber": "13900000031", "passCode": code}}),
    );
    assert_authing_error(&r, 400);
    let code = send_email(&emu, "jack@example.com", "CHANNEL_DELETE_ACCOUNT");
    ok(&req(
        json!({"verifyMethod": "EMAIL_PASSCODE", "emailPassCodePayload": {"email": "jack@example.com", "passCode": code}}),
    ));
    let code = send_sms(&emu, "13900000030", "CHANNEL_DELETE_ACCOUNT");
    ok(&req(
        json!({"verifyMethod": "PHONE_PASSCODE", "phonePassCodePayload": {"phoneNumber": "13900000030", "passCode": code}}),
    ));
    // the password, RSA-encrypted as our SDK sends it
    let system = emu.get("/api/v3/system", &[]).json();
    let pem = system["rsa"]["publicKey"].as_str().unwrap();
    let enc = {
        use rsa::pkcs8::DecodePublicKey;
        base64_encrypt(&rsa::RsaPublicKey::from_public_key_pem(pem).unwrap(), "Passw0rd!")
    };
    let r =
        req(json!({"verifyMethod": "PASSWORD", "passwordPayload": {"password": enc, "passwordEncryptType": "rsa"}}));
    ok(&r);
    let token = r["data"]["deleteAccountToken"].as_str().unwrap().to_string();
    assert!(r["data"]["tokenExpiresIn"].as_i64().unwrap() > 0);

    assert_authing_error(&jack.post("/api/v3/delete-account", &json!({"deleteAccountToken": "nope"})), 400);
    let r = jack.post("/api/v3/delete-account", &json!({"deleteAccountToken": token}));
    ok(&r);
    // gone: profile, further calls, refresh, password login, the user list, the identity
    assert_authing_error(&jack.profile(), 401);
    assert_authing_error(&jack.post("/api/v3/delete-account", &json!({"deleteAccountToken": token})), 401);
    let refreshed = emu.post_form(
        "/oidc/token",
        &[("x-authing-app-id", APP_ID)],
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    );
    assert_eq!(refreshed.status, 400);
    assert_authing_error(&emu.password_login("jack", "Passw0rd!", "openid"), 403);
    assert_eq!(emu.get("/__admin/users", &[]).json(), json!([]));
    // the wx user is a new account now
    let r = emu.post_json(
        "/api/v3/signin-by-mobile",
        &[("x-authing-app-id", APP_ID)],
        &json!({"connection": "wechat_mini_program_code", "extIdpConnidentifier": WECHAT_IDP, "wechatMiniProgramCodePayload": {"code": emu.wx_code("jack-wx")}}),
    );
    ok(&r.json());
    let users = emu.get("/__admin/users", &[]).json();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(users[0]["username"], Value::Null);
}

fn base64_encrypt(key: &rsa::RsaPublicKey, plain: &str) -> String {
    use base64::Engine;
    let mut rng = rand::rngs::OsRng;
    let ct = key.encrypt(&mut rng, rsa::Pkcs1v15Encrypt, plain.as_bytes()).unwrap();
    base64::engine::general_purpose::STANDARD.encode(ct)
}

#[test]
fn social_bind_links_wx_and_tt_identities() {
    let emu = fast();
    let kim = user(&emu, json!({"username": "kim"}));
    let lee = user(&emu, json!({"username": "lee"}));
    let tt_code = |u: &str| {
        emu.post_json("/__platform/tt/login", &[], &json!({"user": u})).json()["code"].as_str().unwrap().to_string()
    };
    // not logged in
    let anon =
        emu.post_json("/connections/social/wechat-miniprogram/bind", &[UP], &json!({"code": emu.wx_code("kim-wx")}));
    assert_authing_error(&anon.json(), 401);

    let code = emu.wx_code("kim-wx");
    let r = kim.post(
        "/connections/social/wechat-miniprogram/bind",
        &json!({"code": code, "iv": "", "encryptedData": "", "extIdpConnidentifier": WECHAT_IDP}),
    );
    ok(&r);
    let openid = emu.get("/__platform/identity?platform=wx&user=kim-wx", &[]).json()["openid"].clone();
    assert!(r["data"]["identities"].as_array().unwrap().iter().any(|i| i["userIdInIdp"] == openid), "{r}");
    // code reuse
    let reused = kim.post("/connections/social/wechat-miniprogram/bind", &json!({"code": code}));
    assert_authing_error(&reused, 400);
    assert!(reused["message"].as_str().unwrap().contains("40163"));
    // binding the same identity again is fine; another user cannot take it
    ok(&kim.post("/connections/social/wechat-miniprogram/bind", &json!({"code": emu.wx_code("kim-wx")})));
    assert_authing_error(
        &lee.post("/connections/social/wechat-miniprogram/bind", &json!({"code": emu.wx_code("kim-wx")})),
        409,
    );
    // kim cannot bind a second WeChat account
    assert_authing_error(
        &kim.post("/connections/social/wechat-miniprogram/bind", &json!({"code": emu.wx_code("other-wx")})),
        409,
    );
    // unknown identity source
    assert_authing_error(
        &lee.post(
            "/connections/social/wechat-miniprogram/bind",
            &json!({"code": emu.wx_code("x"), "extIdpConnidentifier": "nope"}),
        ),
        404,
    );
    // Douyin
    ok(&lee.post("/connections/social/douyin-miniprogram/bind", &json!({"code": tt_code("lee-tt")})));
    assert_authing_error(
        &lee.post("/connections/social/douyin-miniprogram/bind", &json!({"code": emu.wx_code("lee-tt")})),
        400,
    );
    let p = lee.profile();
    assert_eq!(p["data"]["identities"][0]["provider"], json!("douyin"), "{p}");

    // wx.login as kim-wx now signs in as kim
    let r = emu.post_json(
        "/api/v3/signin-by-mobile",
        &[("x-authing-app-id", APP_ID)],
        &json!({"connection": "wechat_mini_program_code", "extIdpConnidentifier": WECHAT_IDP, "wechatMiniProgramCodePayload": {"code": emu.wx_code("kim-wx")}}),
    ).json();
    ok(&r);
    let s = Session { emu: &emu, access: r["data"]["access_token"].as_str().unwrap().to_string() };
    assert_eq!(s.profile()["data"]["username"], json!("kim"));
}

#[test]
fn decrypt_data_with_the_session_key_of_the_login_code() {
    let emu = fast();
    for (platform, path, idp) in [
        ("wx", "/api/v3/decrypt-wechat-miniprogram-data", WECHAT_IDP),
        ("tt", "/api/v3/decrypt-douyin-miniprogram-data", DOUYIN_IDP),
    ] {
        let code = || {
            emu.post_json(&format!("/__platform/{platform}/login"), &[], &json!({"user": "mia"})).json()["code"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let c1 = code();
        let enc = emu
            .post_json(
                &format!("/__platform/{platform}/encrypted-data"),
                &[],
                &json!({"code": c1, "data": {"nickName": "Mia"}}),
            )
            .json();
        let (data, iv) = (enc["encryptedData"].as_str().unwrap().to_string(), enc["iv"].as_str().unwrap().to_string());
        let decrypt = |body: Value| emu.post_json(path, &[UP], &body).json();
        let body = |code: &str, data: &str, iv: &str| json!({"extIdpConnidentifier": idp, "encryptedData": data, "iv": iv, "code": code});
        // another login code's session key does not open it (and that code is spent)
        let r = decrypt(body(&code(), &data, &iv));
        assert_authing_error(&r, 400);
        assert!(r["message"].as_str().unwrap().contains("-41003"), "{r}");
        // tampered iv
        assert_authing_error(&decrypt(body(&c1, &data, "AAAA")), 400);
        // a malformed iv is refused before the code is spent: c1 is still good
        let r = decrypt(body(&c1, &data, &iv));
        ok(&r);
        assert_eq!(r["data"]["nickName"], json!("Mia"));
        let subject =
            emu.get(&format!("/__platform/identity?platform={platform}&user=mia"), &[]).json()["openid"].clone();
        assert_eq!(r["data"]["openId"], subject);
        assert!(r["data"]["watermark"]["timestamp"].is_i64());
        // single use
        let r = decrypt(body(&c1, &data, &iv));
        assert_authing_error(&r, 400);
        assert!(r["message"].as_str().unwrap().contains("40163"), "{r}");
        // wrong identity source, missing fields
        assert_authing_error(
            &decrypt(json!({"extIdpConnidentifier": "nope", "encryptedData": data, "iv": iv, "code": code()})),
            404,
        );
        assert_authing_error(&decrypt(json!({"extIdpConnidentifier": idp, "iv": iv, "code": code()})), 400);
        // the stand-in refuses unknown codes
        let r = emu.post_json(&format!("/__platform/{platform}/encrypted-data"), &[], &json!({"code": "nope"}));
        assert_eq!(r.status, 400, "{}", r.text());
    }
}

#[test]
fn login_by_phone_finds_or_creates_the_user_of_the_vouched_phone() {
    let emu = fast();
    emu.admin_user(json!({"username": "nia", "phone": "13900000040", "password": "Passw0rd!"}));
    let app = [("x-authing-app-id", APP_ID)];
    let wx = |user: &str, phone: &str| {
        let pc = emu.post_json("/__platform/wx/phone-code", &[], &json!({"user": user, "phoneNumber": phone})).json();
        emu.post_json("/api/v3/signin-by-mobile", &app, &json!({
            "connection": "wechat_mini_program_code_and_phone",
            "extIdpConnidentifier": WECHAT_IDP,
            "wechatMiniProgramCodeAndPhonePayload": {"wxPhoneInfo": {"code": pc["code"]}, "wxLoginInfo": {"encryptedData": "", "iv": "", "code": emu.wx_code(user)}},
            "options": {"scope": "openid profile"}
        })).json()
    };
    let r = wx("nia-wx", "13900000040");
    ok(&r);
    let s = Session { emu: &emu, access: r["data"]["access_token"].as_str().unwrap().to_string() };
    assert_eq!(s.profile()["data"]["username"], json!("nia"), "found by phone");
    let r = wx("new-wx", "13900000041");
    ok(&r);
    let s = Session { emu: &emu, access: r["data"]["access_token"].as_str().unwrap().to_string() };
    assert_eq!(s.profile()["data"]["phone"], json!("13900000041"), "created with the phone");

    let tt = |user: &str, phone: &str| {
        let pc = emu.post_json("/__platform/tt/phone-code", &[], &json!({"user": user, "phoneNumber": phone})).json();
        let login = emu.post_json("/__platform/tt/login", &[], &json!({"user": user})).json();
        emu.post_json("/api/v3/signin-by-mobile", &app, &json!({
            "connection": "douyin_mini_program_code_and_phone",
            "extIdpConnidentifier": DOUYIN_IDP,
            "douyinMiniProgramCodeAndPhonePayload": {"loginParams": {"encryptedData": "", "iv": "", "code": login["code"]}, "phoneParams": {"encryptedData": pc["encryptedData"], "iv": pc["iv"]}}
        })).json()
    };
    let r = tt("nia-tt", "13900000040");
    ok(&r);
    let s = Session { emu: &emu, access: r["data"]["access_token"].as_str().unwrap().to_string() };
    assert_eq!(s.profile()["data"]["username"], json!("nia"));
    assert_eq!(emu.get("/__admin/users", &[]).json().as_array().unwrap().len(), 2);
}

#[test]
fn new_endpoints_answer_bad_input_with_the_envelope() {
    let emu = fast();
    let s = user(&emu, json!({"username": "olga"}));
    let paths = [
        "/api/v3/send-email",
        "/api/v3/bind-email",
        "/api/v3/verify-update-email-request",
        "/api/v3/update-email",
        "/api/v3/bind-phone",
        "/api/v3/verify-update-phone-request",
        "/api/v3/update-phone",
        "/api/v3/verify-delete-account-request",
        "/api/v3/delete-account",
        "/api/v3/decrypt-wechat-miniprogram-data",
        "/api/v3/decrypt-douyin-miniprogram-data",
        "/connections/social/wechat-miniprogram/bind",
        "/connections/social/douyin-miniprogram/bind",
    ];
    let h = [UP, ("authorization", s.access.as_str())];
    for path in paths {
        for body in [&b"{not json"[..], b"", b"[1]", b"null", b"\xff\xfe"] {
            let r = emu.request("POST", path, &h, Some(body));
            assert_eq!(r.status, 200, "{path}");
            assert_authing_error(&r.json(), 400);
        }
        for body in [
            json!({}),
            json!({"email": 1, "passCode": [], "phoneNumber": {}, "code": 5, "verifyMethod": 3}),
            json!({"verifyMethod": "PASSWORD", "passwordPayload": "x", "emailPassCodePayload": 1, "phonePassCodePayload": []}),
            json!({"updateEmailToken": 1, "updatePhoneToken": {}, "deleteAccountToken": [], "extIdpConnidentifier": 2}),
        ] {
            let r = emu.post_json(path, &h, &body);
            assert_eq!(r.status, 200, "{path} {body}");
            let v = r.json();
            assert!(v["statusCode"].as_u64().is_some_and(|c| (400..500).contains(&c)), "{path} {body}: {v}");
            assert!(v["message"].is_string() && v["requestId"].is_string(), "{path}: {v}");
        }
        // a GET is answered in the same envelope
        let r = emu.get(path, &h);
        assert_eq!(r.status, 405, "{path}");
        assert_authing_error(&r.json(), 405);
    }
    // the stand-in and the inbox
    for path in ["/__platform/wx/encrypted-data", "/__platform/tt/encrypted-data"] {
        for body in [&b"{x"[..], b"[]", b"{\"code\":1}", b"{\"code\":\"c\",\"data\":5}"] {
            let r = emu.request("POST", path, &[("content-type", "application/json")], Some(body));
            assert_eq!(r.status, 400, "{path}: {}", r.text());
            assert!(r.json()["error"]["message"].is_string());
        }
    }
    assert_eq!(emu.get("/__admin/email?email=nobody@example.com", &[]).json(), json!([]));
}
