//! Authing v3 endpoints against the real binary.

mod common;

use base64::Engine;
use common::*;
use serde_json::{json, Value};

fn rsa_encrypt(pem: &str, plain: &str) -> String {
    use rsa::pkcs8::DecodePublicKey;
    let key = rsa::RsaPublicKey::from_public_key_pem(pem).expect("SPKI PEM");
    let ct = key.encrypt(&mut rand::rngs::OsRng, rsa::Pkcs1v15Encrypt, plain.as_bytes()).expect("encrypt");
    base64::engine::general_purpose::STANDARD.encode(ct)
}

/// What `@authing/miniapp-sm2encrypt` sends: C1C3C2 hex without the `04`.
fn sm2_encrypt(pub_hex: &str, plain: &str) -> String {
    use rand_chacha10::rand_core::SeedableRng;
    let bytes = hex::decode(pub_hex).expect("hex");
    let key = sm2::pke::EncryptingKey::from_sec1_bytes(&bytes).expect("sm2 key");
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&now_ms().to_le_bytes());
    let mut rng = rand_chacha10::ChaCha20Rng::from_seed(seed);
    let ct = key.encrypt(&mut rng, plain.as_bytes()).expect("encrypt");
    assert_eq!(ct[0], 0x04);
    hex::encode(&ct[1..])
}

#[test]
fn system_publishes_stable_keys() {
    let mut emu = Emulator::start();
    let a = emu.get("/api/v3/system", &[]).json();
    let pem = a["rsa"]["publicKey"].as_str().unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    let sm2 = a["sm2"]["publicKey"].as_str().unwrap();
    assert_eq!(sm2.len(), 130);
    assert!(sm2.starts_with("04"));
    assert!(a.get("statusCode").is_none(), "keys are top level, not enveloped");
    emu.restart();
    let b = emu.get("/api/v3/system", &[]).json();
    assert_eq!(a["rsa"], b["rsa"]);
    assert_eq!(a["sm2"], b["sm2"]);
}

#[test]
fn password_login_none_rsa_sm2_and_failures() {
    let emu = Emulator::start();
    emu.admin_user(
        json!({"username": "alice", "email": "alice@example.com", "phone": "13900000001", "password": "Secret-1"}),
    );
    let ok = emu.password_login("alice", "Secret-1", "openid profile");
    assert_eq!(ok["statusCode"], json!(200), "{ok}");
    let data = &ok["data"];
    assert!(data["access_token"].as_str().unwrap().split('.').count() == 3);
    assert!(data["id_token"].is_string());
    assert!(data.get("refresh_token").is_none(), "no offline_access, no refresh token");
    assert_eq!(data["expires_in"], json!(1209600));
    assert_eq!(data["token_type"], json!("Bearer"));

    // account matches email and phone too
    for account in ["alice@example.com", "13900000001", "alice"] {
        let r = emu
            .signin(json!({"passwordPayload": {"password": "Secret-1", "account": account}, "connection": "PASSWORD"}));
        assert_eq!(r["statusCode"], json!(200), "{account}: {r}");
    }

    let keys = emu.get("/api/v3/system", &[]).json();
    let rsa_ct = rsa_encrypt(keys["rsa"]["publicKey"].as_str().unwrap(), "Secret-1");
    let r = emu.signin(json!({"passwordPayload": {"password": rsa_ct, "username": "alice"}, "options": {"passwordEncryptType": "rsa"}, "connection": "PASSWORD"}));
    assert_eq!(r["statusCode"], json!(200), "rsa: {r}");
    let sm2_ct = sm2_encrypt(keys["sm2"]["publicKey"].as_str().unwrap(), "Secret-1");
    assert_eq!(sm2_ct.len(), 128 + 64 + 16);
    let r = emu.signin(json!({"passwordPayload": {"password": sm2_ct, "username": "alice"}, "options": {"passwordEncryptType": "sm2"}, "connection": "PASSWORD"}));
    assert_eq!(r["statusCode"], json!(200), "sm2: {r}");

    let bad = emu.password_login("alice", "wrong", "openid");
    assert_authing_error(&bad, 403);
    assert_eq!(bad["apiCode"], json!(2333));
    let unknown = emu.password_login("nobody", "x", "openid");
    assert_eq!(unknown["apiCode"], json!(2333));
    let garbage = emu.signin(json!({"passwordPayload": {"password": "zz", "username": "alice"}, "options": {"passwordEncryptType": "sm2"}, "connection": "PASSWORD"}));
    assert_authing_error(&garbage, 400);
}

#[test]
fn auto_register_creates_user() {
    let emu = Emulator::start();
    let r = emu.signin(json!({
        "passwordPayload": {"password": "pw-auto", "username": "newbie"},
        "options": {"autoRegister": true}, "connection": "PASSWORD"
    }));
    assert_eq!(r["statusCode"], json!(200), "{r}");
    let again = emu.password_login("newbie", "pw-auto", "openid");
    assert_eq!(again["statusCode"], json!(200));
    let users = emu.get("/__admin/users", &[]).json();
    assert_eq!(users.as_array().unwrap().len(), 1);
}

#[test]
fn passcode_login_with_sms_inbox_and_throttle() {
    let emu = Emulator::start();
    let up = [("x-authing-userpool-id", POOL_ID)];
    let send = emu
        .post_json(
            "/api/v3/send-sms",
            &up,
            &json!({"phoneNumber": "13800000009", "channel": "CHANNEL_LOGIN", "phoneCountryCode": "+86"}),
        )
        .json();
    assert_eq!(send["statusCode"], json!(200), "{send}");
    assert!(send.get("data").is_none());
    let again = emu
        .post_json("/api/v3/send-sms", &up, &json!({"phoneNumber": "13800000009", "channel": "CHANNEL_LOGIN"}))
        .json();
    assert_authing_error(&again, 429);
    let other_channel = emu
        .post_json("/api/v3/send-sms", &up, &json!({"phoneNumber": "13800000009", "channel": "CHANNEL_REGISTER"}))
        .json();
    assert_eq!(other_channel["statusCode"], json!(200));

    let inbox = emu.get("/__admin/sms", &[]).json();
    let first = &inbox[0];
    assert_eq!(first["channel"], json!("CHANNEL_REGISTER"), "newest first");
    for k in ["phone", "phoneCountryCode", "channel", "code", "sentAt"] {
        assert!(first.get(k).is_some(), "{k}");
    }
    let code = inbox.as_array().unwrap().iter().find(|m| m["channel"] == json!("CHANNEL_LOGIN")).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();

    let login = |code: &str, auto: bool| {
        emu.signin(json!({
            "passCodePayload": {"passCode": code, "phone": "13800000009", "phoneCountryCode": "+86"},
            "options": {"autoRegister": auto, "scope": "openid profile offline_access"},
            "connection": "PASSCODE"
        }))
    };
    let wrong = login("000000x", true);
    assert_authing_error(&wrong, 400);
    let ok = login(&code, true);
    assert_eq!(ok["statusCode"], json!(200), "{ok}");
    assert!(ok["data"]["refresh_token"].is_string());
    let reused = login(&code, true);
    assert_authing_error(&reused, 400);
}

#[test]
fn mini_program_codes_login_stable_users() {
    let emu = Emulator::start_with(&["--code-ttl-secs", "2"]);
    let app = [("x-authing-app-id", APP_ID)];
    let by_code = |code: &str| {
        emu.post_json(
            "/api/v3/signin-by-mobile",
            &app,
            &json!({
                "connection": "wechat_mini_program_code",
                "extIdpConnidentifier": WECHAT_IDP,
                "wechatMiniProgramCodePayload": {"encryptedData": "", "iv": "", "code": code},
                "options": {"scope": "openid profile offline_access"}
            }),
        )
        .json()
    };
    let c1 = emu.wx_code("u1");
    let first = by_code(&c1);
    assert_eq!(first["statusCode"], json!(200), "{first}");
    let reused = by_code(&c1);
    assert_authing_error(&reused, 400);
    assert!(reused["message"].as_str().unwrap().contains("40163"), "{reused}");
    let invalid = by_code("not-a-code");
    assert!(invalid["message"].as_str().unwrap().contains("40029"), "{invalid}");
    let second = by_code(&emu.wx_code("u1"));
    assert_eq!(second["statusCode"], json!(200));
    let other = by_code(&emu.wx_code("u2"));
    assert_eq!(other["statusCode"], json!(200));
    let users = emu.get("/__admin/users", &[]).json();
    assert_eq!(users.as_array().unwrap().len(), 2, "same wx user maps to one account");

    // expiry
    let stale = emu.wx_code("u1");
    emu.advance_clock(2300);
    let expired = by_code(&stale);
    assert_authing_error(&expired, 400);

    // code + phone
    let phone_code = emu
        .post_json("/__platform/wx/phone-code", &[], &json!({"user": "u3", "phoneNumber": "13700000003"}))
        .json()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let r = emu.post_json("/api/v3/signin-by-mobile", &app, &json!({
        "connection": "wechat_mini_program_code_and_phone",
        "extIdpConnidentifier": WECHAT_IDP,
        "wechatMiniProgramCodeAndPhonePayload": {"wxPhoneInfo": {"code": phone_code}, "wxLoginInfo": {"encryptedData": "", "iv": "", "code": emu.wx_code("u3")}},
        "options": {"scope": "openid profile"}
    })).json();
    assert_eq!(r["statusCode"], json!(200), "{r}");
    let tok = r["data"]["access_token"].as_str().unwrap().to_string();
    let me = emu
        .get("/api/v3/get-profile?withIdentities=true", &[("x-authing-userpool-id", POOL_ID), ("authorization", &tok)])
        .json();
    assert_eq!(me["data"]["phone"], json!("13700000003"));
    assert_eq!(me["data"]["identities"][0]["provider"], json!("wechat"));

    // douyin
    let tt = emu.post_json("/__platform/tt/login", &[], &json!({"user": "d1"})).json();
    let r = emu
        .post_json(
            "/api/v3/signin-by-mobile",
            &app,
            &json!({
                "connection": "douyin_mini_program_code",
                "extIdpConnidentifier": DOUYIN_IDP,
                "douyinMiniProgramCodePayload": {"encryptedData": "", "iv": "", "code": tt["code"]}
            }),
        )
        .json();
    assert_eq!(r["statusCode"], json!(200), "{r}");
    // wrong identity source
    let r = emu
        .post_json(
            "/api/v3/signin-by-mobile",
            &app,
            &json!({
                "connection": "wechat_mini_program_code",
                "extIdpConnidentifier": "nope",
                "wechatMiniProgramCodePayload": {"code": emu.wx_code("u1")}
            }),
        )
        .json();
    assert_authing_error(&r, 404);
}

#[test]
fn refresh_rotation_reuse_detection_and_revocation() {
    let emu = Emulator::start();
    emu.admin_user(json!({"username": "rt", "password": "pw"}));
    let login = emu.password_login("rt", "pw", "openid profile offline_access");
    let rt1 = login["data"]["refresh_token"].as_str().unwrap().to_string();
    let app = [("x-authing-app-id", APP_ID)];
    let refresh = |rt: &str| {
        emu.post_form("/oidc/token", &app, &format!("grant_type=refresh_token&redirect_uri=&refresh_token={rt}"))
    };
    let r = refresh(&rt1);
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    let rt2 = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    assert!(body["access_token"].is_string() && body["expires_in"].is_number());
    // reuse of rt1 is rejected and revokes the family (rt2 too)
    let reuse = refresh(&rt1);
    assert_eq!(reuse.status, 400);
    assert_eq!(reuse.json(), json!({"error": "invalid_grant", "error_description": "grant request is invalid"}));
    assert_eq!(refresh(&rt2).status, 400);
    assert_eq!(
        emu.post_form("/oidc/token", &[], "grant_type=refresh_token&refresh_token=x").json()["error"],
        json!("invalid_client")
    );
    assert_eq!(
        emu.post_form("/oidc/token", &app, "grant_type=password").json()["error"],
        json!("unsupported_grant_type")
    );

    // revocation of the access token
    let at = login["data"]["access_token"].as_str().unwrap().to_string();
    let h = [("x-authing-userpool-id", POOL_ID), ("authorization", at.as_str())];
    assert_eq!(emu.get("/api/v3/get-profile", &h).json()["statusCode"], json!(200));
    let rv = emu.post_form("/oidc/token/revocation", &[], &format!("client_id={APP_ID}&token={at}"));
    assert_eq!(rv.status, 200);
    let after = emu.get("/api/v3/get-profile", &h).json();
    assert_authing_error(&after, 401);
    assert_eq!(after["apiCode"], json!(2020));
}

#[test]
fn profile_password_phone_and_upload() {
    let emu = Emulator::start();
    emu.admin_user(json!({"username": "carol", "password": "old-pw"}));
    let tok = emu.password_login("carol", "old-pw", "openid")["data"]["access_token"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {tok}");
    let h = [("x-authing-userpool-id", POOL_ID), ("authorization", tok.as_str())];

    let p = emu.get("/api/v3/get-profile?withCustomData=false&withDepartmentIds=false&withIdentities=false", &h).json();
    assert_eq!(p["statusCode"], json!(200));
    assert_eq!(p["data"]["username"], json!("carol"));
    assert!(p["data"].get("identities").is_none());
    let p = emu
        .get(
            "/api/v3/get-profile?withCustomData=true&withDepartmentIds=true",
            &[("x-authing-userpool-id", POOL_ID), ("authorization", bearer.as_str())],
        )
        .json();
    assert_eq!(p["data"]["customData"], json!({}));
    assert_eq!(p["data"]["departmentIds"], json!([]));

    let u = emu
        .post_json("/api/v3/update-profile", &h, &json!({"nickname": "Caz", "gender": "F", "customData": {"level": 3}}))
        .json();
    assert_eq!(u["statusCode"], json!(200), "{u}");
    assert_eq!(u["data"]["nickname"], json!("Caz"));
    assert_eq!(u["data"]["customData"]["level"], json!(3));
    let bad = emu.post_json("/api/v3/update-profile", &h, &json!({"gender": "X"})).json();
    assert_authing_error(&bad, 400);
    let bad = emu.post_json("/api/v3/update-profile", &h, &json!({"isAdmin": true})).json();
    assert_authing_error(&bad, 400);

    // update-password: newPassword RSA-encrypted, oldPassword plaintext
    let keys = emu.get("/api/v3/system", &[]).json();
    let ct = rsa_encrypt(keys["rsa"]["publicKey"].as_str().unwrap(), "new-pw");
    let wrong_old = emu
        .post_json(
            "/api/v3/update-password",
            &h,
            &json!({"newPassword": ct, "oldPassword": "nope", "passwordEncryptType": "rsa"}),
        )
        .json();
    assert_authing_error(&wrong_old, 403);
    let ok = emu
        .post_json(
            "/api/v3/update-password",
            &h,
            &json!({"newPassword": ct, "oldPassword": "old-pw", "passwordEncryptType": "rsa"}),
        )
        .json();
    assert_eq!(ok["statusCode"], json!(200), "{ok}");
    assert!(ok.get("data").is_none());
    assert_eq!(emu.password_login("carol", "new-pw", "openid")["statusCode"], json!(200));
    assert_eq!(emu.password_login("carol", "old-pw", "openid")["statusCode"], json!(403));

    // phone number button code
    let code = emu.post_json("/__platform/wx/phone-code", &[], &json!({"phoneNumber": "13512345678"})).json()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let up = [("x-authing-userpool-id", POOL_ID)];
    let ph = emu
        .post_json(
            "/api/v3/get-wechat-miniprogram-phone",
            &up,
            &json!({"extIdpConnidentifier": WECHAT_IDP, "code": code}),
        )
        .json();
    assert_eq!(ph["statusCode"], json!(200), "{ph}");
    assert_eq!(ph["data"]["phone_info"]["purePhoneNumber"], json!("13512345678"));
    assert_eq!(ph["data"]["phone_info"]["phoneNumber"], json!("+8613512345678"));
    assert_eq!(ph["data"]["phone_info"]["countryCode"], json!("86"));
    let again = emu
        .post_json(
            "/api/v3/get-wechat-miniprogram-phone",
            &up,
            &json!({"extIdpConnidentifier": WECHAT_IDP, "code": code}),
        )
        .json();
    assert_authing_error(&again, 400);

    // avatar upload, served back
    let png: Vec<u8> = (0u8..=255).collect();
    let r = emu.post_multipart("/api/v2/upload?folder=avatar", &[], Some(("me.png", &png)));
    let up = r.json();
    assert_eq!(up["code"], json!(200), "{up}");
    let url = up["data"]["url"].as_str().unwrap();
    assert!(up["data"]["key"].as_str().unwrap().starts_with("avatar/"));
    let path = url.strip_prefix(&emu.base).expect("served by the emulator");
    let back = emu.get(path, &[]);
    assert_eq!(back.status, 200);
    assert_eq!(back.bytes, png);
    assert_eq!(back.ctype, "image/png");
    let set = emu.post_json("/api/v3/update-profile", &h, &json!({"photo": url})).json();
    assert_eq!(set["data"]["photo"], json!(url));
}

#[test]
fn tokens_are_signed_jwts_with_expiry() {
    let emu = Emulator::start_with(&["--access-token-ttl-secs", "1"]);
    emu.admin_user(json!({"username": "exp", "password": "pw"}));
    let r = emu.password_login("exp", "pw", "openid");
    assert_eq!(r["data"]["expires_in"], json!(1));
    let tok = r["data"]["access_token"].as_str().unwrap().to_string();
    let payload = tok.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["aud"], json!(APP_ID));
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
    // tampered signature
    let mut forged = tok.clone();
    forged.pop();
    forged.push(if tok.ends_with('A') { 'B' } else { 'A' });
    let h = [("x-authing-userpool-id", POOL_ID), ("authorization", forged.as_str())];
    assert_authing_error(&emu.get("/api/v3/get-profile", &h).json(), 401);
    emu.advance_clock(2100);
    let h = [("x-authing-userpool-id", POOL_ID), ("authorization", tok.as_str())];
    assert_authing_error(&emu.get("/api/v3/get-profile", &h).json(), 401);
}

#[test]
fn repeated_wrong_passwords_lock_password_logins_until_the_window_passes() {
    let emu = Emulator::start_with(&["--login-fail-limit", "3", "--login-lock-secs", "2"]);
    emu.admin_user(json!({"username": "bob", "password": "Right-pw-1"}));
    for _ in 0..3 {
        assert_eq!(emu.password_login("bob", "guess", "openid")["apiCode"], json!(2333));
    }
    let locked = emu.password_login("bob", "Right-pw-1", "openid");
    assert_authing_error(&locked, 403);
    assert_eq!(locked["apiCode"], json!(2005), "{locked}");
    // Other accounts are unaffected, and the lock lifts when the failures leave the window.
    emu.admin_user(json!({"username": "carol", "password": "Right-pw-2"}));
    assert_eq!(emu.password_login("carol", "Right-pw-2", "openid")["statusCode"], json!(200));
    emu.advance_clock(2_200);
    assert_eq!(emu.password_login("bob", "Right-pw-1", "openid")["statusCode"], json!(200));
}
