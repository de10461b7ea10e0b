//! A small in-test HTTP responder: answers a connector's requests from canned bodies,
//! matching method, URL path and query parameters (an unordered multiset) and, for POSTs,
//! the JSON body. Records every request it answered.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use vigie_slots::connector::{Connector, Exchange, Method, Request, ScanTarget, Step};
use vigie_slots::discovery::{Discovered, Discovery, DiscoveryStep};
use vigie_slots::{ScanOutcome, SlotError};

/// A request made: method, `(path, sorted query)`, body.
pub type Call = (String, (String, Vec<String>), Option<Value>);

/// `(path, sorted query parameters)` of a URL.
pub fn url_key(url: &str) -> (String, Vec<String>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    params.sort();
    (path.to_string(), params)
}

/// How a rule matches a request.
pub enum Match {
    /// Same method, path, query multiset (and body when given).
    Exact(Method, String, Option<Value>),
    /// The URL (without query) starts with this prefix, any method and body.
    Prefix(String),
    /// Prefix, and the full URL contains this text.
    PrefixContaining(String, String),
}

pub struct Rule {
    pub on: Match,
    pub status: u16,
    pub body: Vec<u8>,
}

#[derive(Default)]
pub struct Responder {
    pub rules: Vec<Rule>,
    /// Answer for requests no rule matches (`None` = test failure).
    pub fallback: Option<(u16, Vec<u8>)>,
    pub log: Vec<Request>,
}

impl Responder {
    pub fn exact(
        mut self,
        method: Method,
        url: &str,
        body: Option<Value>,
        status: u16,
        answer: Vec<u8>,
    ) -> Self {
        self.rules.push(Rule {
            on: Match::Exact(method, url.to_string(), body),
            status,
            body: answer,
        });
        self
    }

    pub fn prefix(mut self, prefix: &str, status: u16, answer: Vec<u8>) -> Self {
        self.rules.push(Rule {
            on: Match::Prefix(prefix.to_string()),
            status,
            body: answer,
        });
        self
    }

    pub fn prefix_containing(
        mut self,
        prefix: &str,
        contains: &str,
        status: u16,
        answer: Vec<u8>,
    ) -> Self {
        self.rules.push(Rule {
            on: Match::PrefixContaining(prefix.to_string(), contains.to_string()),
            status,
            body: answer,
        });
        self
    }

    pub fn fallback(mut self, status: u16, answer: &[u8]) -> Self {
        self.fallback = Some((status, answer.to_vec()));
        self
    }

    pub fn answer(&mut self, r: &Request) -> Exchange {
        self.log.push(r.clone());
        let key = url_key(&r.url);
        for rule in &self.rules {
            let hit = match &rule.on {
                Match::Exact(m, url, body) => {
                    *m == r.method
                        && url_key(url) == key
                        && (body.is_none() || body.as_ref() == r.body.as_ref())
                }
                Match::Prefix(p) => key.0.starts_with(p.as_str()),
                Match::PrefixContaining(p, c) => {
                    key.0.starts_with(p.as_str()) && r.url.contains(c.as_str())
                }
            };
            if hit {
                return Exchange {
                    request: r.clone(),
                    status: rule.status,
                    body: rule.body.clone(),
                };
            }
        }
        let (status, body) = self
            .fallback
            .clone()
            .unwrap_or_else(|| panic!("no canned answer for {:?} {}", r.method, r.url));
        Exchange {
            request: r.clone(),
            status,
            body,
        }
    }

    /// Drives a connector to its outcome (at most 200 steps).
    pub fn drive(
        &mut self,
        c: &dyn Connector,
        target: &ScanTarget,
    ) -> Result<ScanOutcome, SlotError> {
        let mut exchanges = Vec::new();
        for _ in 0..200 {
            match c.step(target, &exchanges)? {
                Step::Done(o) => return Ok(o),
                Step::Send(reqs) => {
                    assert!(!reqs.is_empty(), "Send with no request");
                    for r in reqs {
                        let ex = self.answer(&r);
                        exchanges.push(ex);
                    }
                }
            }
        }
        panic!("connector did not finish in 200 steps");
    }

    /// Drives a discovery to its result.
    pub fn discover(&mut self, d: &dyn Discovery) -> Result<Discovered, SlotError> {
        let mut exchanges = Vec::new();
        for _ in 0..200 {
            match d.step(&exchanges)? {
                DiscoveryStep::Done(o) => return Ok(o),
                DiscoveryStep::Send(reqs) => {
                    for r in reqs {
                        let ex = self.answer(&r);
                        exchanges.push(ex);
                    }
                }
            }
        }
        panic!("discovery did not finish in 200 steps");
    }

    /// The requests made, as comparable `(method, path, sorted query, body)`.
    pub fn calls(&self) -> Vec<Call> {
        let mut v: Vec<_> = self
            .log
            .iter()
            .map(|r| {
                (
                    format!("{:?}", r.method).to_uppercase(),
                    url_key(&r.url),
                    r.body.clone(),
                )
            })
            .collect();
        v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        v
    }
}

/// The `http_calls` of an expected case, in the form of [`Responder::calls`].
pub fn expected_calls(case: &Value) -> Vec<Call> {
    let mut v: Vec<_> = case["output"]["http_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["method"].as_str().unwrap().to_string(),
                url_key(c["url"].as_str().unwrap()),
                c.get("body").cloned(),
            )
        })
        .collect();
    v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    v
}
