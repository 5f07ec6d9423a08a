//! The OpenAPI document describes the routes truthfully, so generated clients work:
//! every `{name}` in a path is a declared path parameter and every declared path
//! parameter is in its path; and the whole document validates with
//! `openapi-spec-validator` where that is installed (CI installs it and sets
//! `SHANTING_REQUIRE_OPENAPI_VALIDATOR=1`, making it mandatory there).

#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use axum::http::StatusCode;
use common::spawn_app;

#[tokio::test]
async fn path_parameters_match_their_paths() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/openapi.json", "").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 10, "{} paths", paths.len());
    for (path, item) in paths {
        let in_path: Vec<&str> = path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(n, _)| n)).collect();
        for (method, op) in item.as_object().unwrap() {
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for d in &declared {
                assert!(in_path.contains(d), "{method} {path}: path parameter `{d}` is not in the path");
            }
            for n in &in_path {
                assert!(declared.contains(n), "{method} {path}: `{{{n}}}` is not declared as a path parameter");
            }
        }
    }
}

#[tokio::test]
async fn the_document_validates() {
    let have =
        std::process::Command::new("python3").args(["-c", "import openapi_spec_validator"]).output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var_os("SHANTING_REQUIRE_OPENAPI_VALIDATOR").is_none(),
            "openapi-spec-validator is required here: python3 -m pip install openapi-spec-validator"
        );
        eprintln!("skipped: python3 -m pip install openapi-spec-validator to run this check");
        return;
    }
    let app = spawn_app().await;
    let body = app.get("/api/v1/openapi.json", "").await.body;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, body).unwrap();
    let out = std::process::Command::new("python3").args(["-m", "openapi_spec_validator"]).arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "openapi-spec-validator:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
