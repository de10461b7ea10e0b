//! Canned answers for the step flows ([`Connector`] flows, [`Discovery`]), without any network:
//! [`Canned`] answers a request from rules matching its method, its URL (the query parameters
//! compared as an unordered multiset) and, when the rule gives one, its JSON body; it logs
//! every request it is asked and runs a flow to its end ([`Canned::drive`],
//! [`Canned::discover`]). Pure: for tests, the demo and offline conformance checks (the
//! recordings on disk are `vigie-scan`'s replay).

use serde_json::Value;

use crate::connector::{Connector, Exchange, Flow, Method, Request, ScanTarget, Step};
use crate::discovery::{Discovered, Discovery, DiscoveryStep};
use crate::error::SlotError;
use crate::model::ScanOutcome;

/// Steps a flow may take over canned answers before it is said not to end (by default).
pub const MAX_STEPS: usize = 200;

/// `(URL without its query, query parameters sorted)`: two URLs with the same key differ at
/// most in the order of their query parameters.
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

/// A request as [`Canned::calls`] lists it: method name, [`url_key`], JSON body.
pub type Call = (String, (String, Vec<String>), Option<Value>);

/// How a rule matches a request.
#[derive(Debug, Clone)]
enum Match {
    /// Same method, path and query multiset, and the same body when one is given.
    Exact(Method, (String, Vec<String>), Option<Value>),
    /// The URL without its query starts with this prefix (any method and body) …
    Prefix(String),
    /// … and the whole URL contains this text.
    PrefixContaining(String, String),
}

impl Match {
    fn hit(&self, r: &Request, key: &(String, Vec<String>)) -> bool {
        match self {
            Match::Exact(m, k, body) => {
                *m == r.method && k == key && (body.is_none() || body.as_ref() == r.body.as_ref())
            }
            Match::Prefix(p) => key.0.starts_with(p.as_str()),
            Match::PrefixContaining(p, c) => {
                key.0.starts_with(p.as_str()) && r.url.contains(c.as_str())
            }
        }
    }
}

/// Why a flow did not end over canned answers.
#[derive(Debug, thiserror::Error)]
pub enum CannedError {
    /// The flow itself failed (a typed error of the connector or discovery).
    #[error(transparent)]
    Flow(#[from] SlotError),
    #[error("no canned answer for {} {url}", .method.name())]
    Unanswered { method: Method, url: String },
    #[error("the flow asked to send no request")]
    EmptySend,
    #[error("the flow did not end in {0} steps")]
    TooManySteps(usize),
}

/// Canned answers: rules tried in order, then the fallback answer if any.
#[derive(Debug, Clone)]
pub struct Canned {
    rules: Vec<(Match, u16, Vec<u8>)>,
    fallback: Option<(u16, Vec<u8>)>,
    log: Vec<Request>,
    max_steps: usize,
}

impl Default for Canned {
    fn default() -> Self {
        Canned {
            rules: Vec::new(),
            fallback: None,
            log: Vec::new(),
            max_steps: MAX_STEPS,
        }
    }
}

impl Canned {
    /// At most `n` steps per flow ([`MAX_STEPS`] by default).
    pub fn max_steps(mut self, n: usize) -> Self {
        self.max_steps = n;
        self
    }

    /// Answers `status` and `answer` to `method url` (query in any order), and only to
    /// `body` when one is given.
    pub fn exact(
        mut self,
        method: Method,
        url: &str,
        body: Option<Value>,
        status: u16,
        answer: Vec<u8>,
    ) -> Self {
        let on = Match::Exact(method, url_key(url), body);
        self.rules.push((on, status, answer));
        self
    }

    /// Answers `200` and `answer` to a GET of `url` (query in any order).
    pub fn get(self, url: &str, answer: Vec<u8>) -> Self {
        self.exact(Method::Get, url, None, 200, answer)
    }

    /// Answers every request whose URL without its query starts with `prefix`.
    pub fn prefix(mut self, prefix: &str, status: u16, answer: Vec<u8>) -> Self {
        self.rules
            .push((Match::Prefix(prefix.to_string()), status, answer));
        self
    }

    /// As [`Canned::prefix`], for URLs containing `contains` too.
    pub fn prefix_containing(
        mut self,
        prefix: &str,
        contains: &str,
        status: u16,
        answer: Vec<u8>,
    ) -> Self {
        let on = Match::PrefixContaining(prefix.to_string(), contains.to_string());
        self.rules.push((on, status, answer));
        self
    }

    /// The answer to requests no rule matches (without one, they are [`CannedError::Unanswered`]).
    pub fn fallback(mut self, status: u16, answer: &[u8]) -> Self {
        self.fallback = Some((status, answer.to_vec()));
        self
    }

    /// Every request asked so far, in order.
    pub fn log(&self) -> &[Request] {
        &self.log
    }

    /// The answer to `r` (logged), or `None` when nothing matches.
    pub fn answer(&mut self, r: &Request) -> Option<Exchange> {
        self.log.push(r.clone());
        let key = url_key(&r.url);
        let (status, body) = self
            .rules
            .iter()
            .find(|(on, _, _)| on.hit(r, &key))
            .map(|(_, status, body)| (*status, body))
            .or_else(|| self.fallback.as_ref().map(|(s, b)| (*s, b)))?;
        Some(Exchange {
            request: r.clone(),
            status,
            body: body.clone(),
        })
    }

    /// Runs a flow: `step` gives `Ok(done)` or `Err(requests to send)` for the exchanges so
    /// far.
    fn run<T>(
        &mut self,
        mut step: impl FnMut(&[Exchange]) -> Result<Result<T, Vec<Request>>, SlotError>,
    ) -> Result<T, CannedError> {
        let mut exchanges = Vec::new();
        for _ in 0..self.max_steps {
            let requests = match step(&exchanges)? {
                Ok(done) => return Ok(done),
                Err(requests) if requests.is_empty() => return Err(CannedError::EmptySend),
                Err(requests) => requests,
            };
            for r in requests {
                exchanges.push(self.exchange(r)?);
            }
        }
        Err(CannedError::TooManySteps(self.max_steps))
    }

    fn exchange(&mut self, r: Request) -> Result<Exchange, CannedError> {
        self.answer(&r).ok_or(CannedError::Unanswered {
            method: r.method,
            url: r.url,
        })
    }

    /// Runs a connector on `target` to its outcome: each step's answers are handed to the
    /// flow once, in the order of its requests.
    pub fn drive(
        &mut self,
        connector: &dyn Connector,
        target: &ScanTarget,
    ) -> Result<ScanOutcome, CannedError> {
        let flow = connector.start(target)?;
        self.run_flow(flow)
    }

    /// Runs the connector's preparation for `targets` ([`Connector::prepare`]), if it has
    /// one, as the scanner does before the centres' flows.
    pub fn prepare(
        &mut self,
        connector: &dyn Connector,
        targets: &[&ScanTarget],
    ) -> Result<(), CannedError> {
        match connector.prepare(targets) {
            Some(flow) => self.run_flow(flow),
            None => Ok(()),
        }
    }

    /// Runs any flow to its result.
    pub fn run_flow<T>(&mut self, mut flow: Box<dyn Flow<T>>) -> Result<T, CannedError> {
        let mut answers = Vec::new();
        for _ in 0..self.max_steps {
            let requests = match flow.step(std::mem::take(&mut answers))? {
                Step::Done(outcome) => return Ok(outcome),
                Step::Send(requests) if requests.is_empty() => return Err(CannedError::EmptySend),
                Step::Send(requests) => requests,
            };
            for r in requests {
                answers.push(self.exchange(r)?);
            }
        }
        Err(CannedError::TooManySteps(self.max_steps))
    }

    /// Runs a discovery flow to its result.
    pub fn discover(&mut self, discovery: &dyn Discovery) -> Result<Discovered, CannedError> {
        self.run(|ex| {
            Ok(match discovery.step(ex)? {
                DiscoveryStep::Done(found) => Ok(found),
                DiscoveryStep::Send(requests) => Err(requests),
            })
        })
    }

    /// The requests asked so far as comparable [`Call`]s, sorted.
    pub fn calls(&self) -> Vec<Call> {
        let mut v: Vec<Call> = self
            .log
            .iter()
            .map(|r| (r.method.name().to_string(), url_key(&r.url), r.body.clone()))
            .collect();
        v.sort_by_cached_key(|c| format!("{c:?}"));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_match_whatever_the_order_of_their_parameters() {
        assert_eq!(
            url_key("https://x/a?b=2&a=1"),
            url_key("https://x/a?a=1&b=2")
        );
        assert_ne!(url_key("https://x/a?a=1"), url_key("https://x/a?a=1&a=1"));
        assert_eq!(url_key("https://x/a"), ("https://x/a".to_string(), vec![]));
    }

    /// Asks `https://x/<n>` at its step `n`, forever.
    struct Endless;

    struct EndlessFlow(usize);

    impl crate::connector::Flow for EndlessFlow {
        fn step(&mut self, _: Vec<Exchange>) -> Result<Step, SlotError> {
            self.0 += 1;
            Ok(Step::Send(vec![Request::get(
                format!("https://x/{}", self.0 - 1),
                "t",
            )]))
        }
    }

    impl Connector for Endless {
        fn platform(&self) -> crate::Platform {
            crate::Platform::Bimedoc
        }

        fn start(&self, _: &ScanTarget) -> Result<Box<dyn crate::connector::Flow>, SlotError> {
            Ok(Box::new(EndlessFlow(0)))
        }
    }

    #[test]
    fn flows_that_do_not_end_are_errors() {
        let target = ScanTarget {
            booking_url: "https://x/".into(),
            platform_id: "1".into(),
            department: None,
            address: None,
            start: jiff::civil::date(2021, 4, 3),
            days: 11,
            platform_data: None,
        };
        let mut c = Canned::default().get("https://x/0", b"{}".to_vec());
        let err = c.drive(&Endless, &target);
        assert!(
            matches!(&err, Err(CannedError::Unanswered { url, .. }) if url == "https://x/1"),
            "{err:?}"
        );
        let mut c = Canned::default().fallback(200, b"").max_steps(3);
        assert!(matches!(
            c.drive(&Endless, &target),
            Err(CannedError::TooManySteps(3))
        ));
        assert_eq!(c.log().len(), 3);
    }

    #[test]
    fn rules_match_method_url_and_body_in_order() {
        let body = serde_json::json!({"k": 1});
        let mut c = Canned::default()
            .exact(
                Method::Post,
                "https://x/p?b=2&a=1",
                Some(body.clone()),
                201,
                b"post".to_vec(),
            )
            .prefix("https://x/p", 200, b"prefix".to_vec());
        let post = Request::post("https://x/p?a=1&b=2".into(), body, "t");
        let other = Request::post("https://x/p?a=1&b=2".into(), serde_json::json!({}), "t");
        let answer = |c: &mut Canned, r: &Request| c.answer(r).map(|e| (e.status, e.body));
        assert_eq!(answer(&mut c, &post), Some((201, b"post".to_vec())));
        assert_eq!(answer(&mut c, &other), Some((200, b"prefix".to_vec())));
        let missing = Request::get("https://y/".into(), "t");
        assert_eq!(answer(&mut c, &missing), None);
        assert_eq!(c.log().len(), 3);
        let mut c = c.fallback(404, b"");
        assert_eq!(answer(&mut c, &missing), Some((404, vec![])));
        assert_eq!(c.calls()[0].0, "GET");
    }
}
