//! The OpenAPI document describes every answer: each response of each operation (success and
//! errors) has a content type with a schema, every schema reference resolves to a component,
//! errors are problem documents, and every response documents the `Vigie-Data-Status` header.

use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn doc() -> Result<Value, serde_json::Error> {
    serde_json::from_str(&vigie_web::api::openapi_json())
}

/// Every `$ref` in `v`, with where it was found.
fn refs<'a>(v: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref"
                    && let Some(r) = x.as_str()
                {
                    out.push((at.to_string(), r));
                }
                refs(x, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                refs(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// What is missing in the responses of `doc`, and the number of operations and of error
/// responses seen.
fn missing(doc: &Value) -> Result<(Vec<String>, usize, usize), &'static str> {
    let paths = doc["paths"].as_object().ok_or("no paths")?;
    let mut missing = Vec::new();
    let mut operations = 0;
    let mut errors = 0;
    for (path, item) in paths {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let Some(op) = item.get(method) else {
                continue;
            };
            operations += 1;
            let responses = op["responses"].as_object().ok_or("no responses")?;
            if responses.is_empty() {
                missing.push(format!("{method} {path}: no response"));
            }
            for (status, r) in responses {
                let at = format!("{method} {path} {status}");
                let content = r["content"].as_object();
                if content.is_none_or(|c| c.is_empty()) {
                    missing.push(format!("{at}: no content"));
                }
                for (ct, c) in content.into_iter().flatten() {
                    if !c["schema"].is_object() {
                        missing.push(format!("{at} {ct}: no schema"));
                    }
                }
                if !status.starts_with('2') {
                    errors += 1;
                    let problem = &r["content"]["application/problem+json"]["schema"]["$ref"];
                    // A problem document, or one naming the field that is wrong (RFC 9457
                    // extension member `field`).
                    if problem != "#/components/schemas/Problem"
                        && problem != "#/components/schemas/FieldProblem"
                    {
                        missing.push(format!("{at}: not a problem document"));
                    }
                }
                if !r["headers"]["Vigie-Data-Status"]["schema"].is_object() {
                    missing.push(format!("{at}: no Vigie-Data-Status header"));
                }
            }
        }
    }
    Ok((missing, operations, errors))
}

#[test]
fn every_response_has_a_schema() -> TestResult {
    let doc = doc()?;
    let (missing, operations, errors) = missing(&doc)?;
    assert!(missing.is_empty(), "{missing:#?}");
    assert!(operations >= 16, "{operations} operations");
    assert!(errors >= 10, "{errors} error responses");
    Ok(())
}

#[test]
fn every_reference_resolves() -> TestResult {
    let doc = doc()?;
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(found.len() > 20, "{} references", found.len());
    let unresolved: Vec<_> = found
        .iter()
        .filter(|(_, r)| {
            r.strip_prefix("#/components/schemas/")
                .is_none_or(|name| !doc["components"]["schemas"][name].is_object())
        })
        .collect();
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    Ok(())
}

/// The check can fail: a response without content, a content without schema and an error
/// that is not a problem document are reported.
#[test]
fn a_response_without_schema_is_caught() -> TestResult {
    let mut doc = doc()?;
    let responses = &mut doc["paths"]["/api/v1/territories/{territory}"]["get"]["responses"];
    responses["200"]["content"] = serde_json::json!({});
    responses["404"]["content"] = serde_json::json!({"text/plain": {}});
    let (missing, _, _) = missing(&doc)?;
    assert_eq!(
        missing,
        [
            "get /api/v1/territories/{territory} 200: no content",
            "get /api/v1/territories/{territory} 404 text/plain: no schema",
            "get /api/v1/territories/{territory} 404: not a problem document",
        ]
    );
    Ok(())
}
