//! The contribution desk: contributions, decisions, moderators and sessions in one SQLite
//! file of the data directory (`contributions/contributions.sqlite`).
//!
//! The file is in WAL mode with `synchronous = FULL`: a contribution is acknowledged (`202`)
//! only after its transaction is on disk, so nothing acknowledged is lost on `kill -9` or a
//! power cut. The schema is migrated at open (`rusqlite_migration`, `user_version`), so a newer
//! Vigie opens an older file. E-mail addresses live in their own table, are never published,
//! and are deleted after the retention ([`Desk::purge`]). Client addresses are never stored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use serde::{Deserialize, Serialize};

use crate::ContribError;
use crate::auth;
use crate::model::{Decision, Incoming, Kind, Outcome, Status, Submission};
use crate::overlay::{AddedCentre, Blocked, Correction, Overlay, Provenance, rfc3339};

/// The schema, one migration per version (never edit a published one: add the next).
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(include_str!("../migrations/001_init.sql"))])
}

/// Settings of the desk (`[contributions]` of `vigie.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Days an e-mail address is kept after its contribution was submitted.
    pub email_retention_days: u32,
    /// Whether accepting a change to live data (a missing centre, a centre correction, an
    /// erratum) needs a second moderator.
    pub second_approval: bool,
    /// Hours a moderator's session lasts.
    pub session_hours: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            email_retention_days: 90,
            second_approval: false,
            session_hours: 8,
        }
    }
}

/// What the contributor gets back: the id and the private token of the status link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: String,
    pub token: String,
    /// The thread the contribution joined (submissions about the same thing).
    pub thread_size: u32,
}

/// A contribution as the moderators see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub submission: Submission,
    pub object: String,
    pub thread: String,
    /// Contributions in the same thread (this one included).
    pub thread_size: u32,
    pub department: Option<String>,
    pub status: Status,
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    pub moderator: Option<String>,
    pub reason: Option<String>,
    pub duplicate_of: Option<String>,
    /// The first approval, when a second one is awaited.
    pub first_approval_by: Option<String>,
    /// Whether an e-mail address is held for it (the address itself is not shown).
    pub has_email: bool,
}

impl Item {
    /// Where a change made by this (accepted) contribution comes from.
    pub fn provenance(&self) -> Provenance {
        Provenance {
            contribution_id: self.id.clone(),
            decided_at: self.decided_at.unwrap_or(self.submitted_at),
            moderator: self.moderator.clone().unwrap_or_default(),
        }
    }
}

/// One entry of the public register: a decided contribution, without personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegisterEntry {
    /// `C-000042`.
    pub id: String,
    pub kind: Kind,
    /// What it is about (centre id and field, territory and indicator, place name, site).
    pub object: String,
    /// Department code, when known.
    pub department: Option<String>,
    pub status: Status,
    /// The moderator's reason.
    pub reason: Option<String>,
    /// The thread's first contribution, for a duplicate.
    pub duplicate_of: Option<String>,
    /// Submission time (RFC 3339, UTC).
    pub submitted_at: String,
    /// Decision time (RFC 3339, UTC).
    pub decided_at: String,
    /// The moderator who decided.
    pub moderator: String,
}

/// The moderation queue's filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub kind: Option<Kind>,
    pub department: Option<String>,
    /// Only contributions at least this many hours old.
    pub older_than_hours: Option<u32>,
    /// Also decided ones (default: the open ones — pending, awaiting a second approval, need
    /// info).
    pub all: bool,
}

/// A moderator as listed (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeratorInfo {
    pub name: String,
    pub created_at: i64,
}

/// The secrets of a new moderator, given once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewModerator {
    pub password: String,
    pub token: String,
}

/// A moderator's open session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub moderator: String,
    /// The CSRF token every form of the session carries.
    pub csrf: String,
}

/// Availability reports of one centre within a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Signal {
    /// « Créneaux affichés mais impossibles à réserver ».
    pub not_bookable: u32,
    /// « J’ai pu réserver ».
    pub booked: u32,
    /// The latest report (seconds since the epoch).
    pub last_at: i64,
}

/// An accepted figure error, shown beside the figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Erratum {
    pub territory: String,
    pub indicator: String,
    /// The date the figure is of, when the report named one.
    pub date: Option<String>,
    /// The moderator's public reason (what is wrong).
    pub text: Option<String>,
    pub provenance: Provenance,
}

/// The contribution desk over its SQLite file.
pub struct Desk {
    conn: Mutex<Connection>,
    path: PathBuf,
    settings: Settings,
    form_key: [u8; 32],
    /// An argon2id hash of a random secret, verified when a login names no moderator.
    dummy_hash: String,
}

/// The desk's file in a data directory.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join("contributions").join("contributions.sqlite")
}

fn db(e: rusqlite::Error) -> ContribError {
    ContribError::Db(e.to_string())
}

impl Desk {
    /// Opens (creating and migrating) the desk of a data directory.
    pub fn open(data_dir: &Path, settings: Settings) -> Result<Desk, ContribError> {
        let path = path_in(data_dir);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ContribError::Io {
                path: dir.to_path_buf(),
                error: e.to_string(),
            })?;
        }
        Desk::open_file(&path, settings)
    }

    /// Opens (creating and migrating) a desk file.
    pub fn open_file(path: &Path, settings: Settings) -> Result<Desk, ContribError> {
        let mut conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| ContribError::Db(format!("migration: {e}")))?;
        let key: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM secrets WHERE name = 'form_key'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let form_key = match key.and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok()) {
            Some(k) => k,
            None => {
                let k = auth::random_bytes::<32>()?;
                conn.execute(
                    "INSERT OR REPLACE INTO secrets(name, value) VALUES ('form_key', ?1)",
                    params![k.to_vec()],
                )
                .map_err(db)?;
                k
            }
        };
        Ok(Desk {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            settings,
            form_key,
            dummy_hash: auth::hash_secret(&auth::random_token()?)?,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The key of the forms' tokens ([`auth::form_token`]).
    pub fn form_key(&self) -> &[u8] {
        &self.form_key
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Records a checked submission at `now` (`department`: the centre's, when the caller
    /// knows it); returns once it is on disk.
    pub fn submit(
        &self,
        incoming: &Incoming,
        department: Option<String>,
        now: i64,
    ) -> Result<Receipt, ContribError> {
        let s = &incoming.submission;
        // The caller knows a centre's department; the others are read from the submission.
        let department = department.or_else(|| s.department(&|_| None));
        let json = serde_json::to_string(s).map_err(|e| ContribError::Db(e.to_string()))?;
        let token = auth::random_token()?;
        let thread = s.thread();
        let seen_at = match s {
            Submission::AvailabilityReport { seen_at, .. } => Some(*seen_at),
            _ => None,
        };
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO contributions(id, kind, submission, object, thread, department, centre_id,
                status, token_hash, submitted_at, seen_at)
             VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9)",
            params![
                s.kind().as_str(),
                json,
                s.object(incoming.centre_name.as_deref()),
                thread,
                department,
                s.centre_id(),
                auth::sha256_hex(token.as_bytes()),
                now,
                seen_at
            ],
        )
        .map_err(db)?;
        let seq = tx.last_insert_rowid();
        let id = format!("C-{seq:06}");
        tx.execute(
            "UPDATE contributions SET id = ?1 WHERE seq = ?2",
            params![id, seq],
        )
        .map_err(db)?;
        if let Some(email) = &incoming.email {
            tx.execute(
                "INSERT INTO emails(contribution_id, email, stored_at) VALUES (?1, ?2, ?3)",
                params![id, email, now],
            )
            .map_err(db)?;
        }
        let thread_size: u32 = tx
            .query_row(
                "SELECT count(*) FROM contributions WHERE thread = ?1",
                params![thread],
                |r| r.get(0),
            )
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(Receipt {
            id,
            token,
            thread_size,
        })
    }

    /// A contribution, for its contributor: only with the token of its status link.
    pub fn follow(&self, id: &str, token: &str) -> Result<Option<Item>, ContribError> {
        let hash: Option<String> = self
            .conn()
            .query_row(
                "SELECT token_hash FROM contributions WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        match hash {
            Some(h) if auth::same(h.as_bytes(), auth::sha256_hex(token.as_bytes()).as_bytes()) => {
                self.get(id)
            }
            _ => Ok(None),
        }
    }

    /// A contribution by id (moderators).
    pub fn get(&self, id: &str) -> Result<Option<Item>, ContribError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("{ITEM_COLUMNS} WHERE c.id = ?1"))
            .map_err(db)?;
        let mut rows = stmt.query(params![id]).map_err(db)?;
        match rows.next().map_err(db)? {
            Some(row) => Ok(Some(item_of(row)?)),
            None => Ok(None),
        }
    }

    /// The moderation queue at `now`, oldest first.
    pub fn queue(&self, f: &QueueFilter, now: i64) -> Result<Vec<Item>, ContribError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("{ITEM_COLUMNS} ORDER BY c.seq"))
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db)? {
            let item = item_of(row)?;
            let open = matches!(
                item.status,
                Status::Pending | Status::AwaitingSecondApproval | Status::NeedInfo
            );
            if (!f.all && !open)
                || f.kind.is_some_and(|k| k != item.submission.kind())
                || f.department
                    .as_deref()
                    .is_some_and(|d| item.department.as_deref() != Some(d))
                || f.older_than_hours
                    .is_some_and(|h| now - item.submitted_at < i64::from(h) * 3600)
            {
                continue;
            }
            out.push(item);
        }
        Ok(out)
    }

    /// A moderator's decision on a contribution at `now`. A reason is required except to
    /// accept. `duplicate` groups it with the first contribution of its thread. With second
    /// approvals, a first `accept` of a change to live data waits for another moderator.
    pub fn decide(
        &self,
        id: &str,
        moderator: &str,
        decision: Decision,
        reason: Option<&str>,
        now: i64,
    ) -> Result<Item, ContribError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason
            && r.chars().count() > 1000
        {
            return Err(ContribError::Decision(
                "reason: at most 1000 characters".into(),
            ));
        }
        if decision != Decision::Accept && reason.is_none() {
            return Err(ContribError::Decision(
                "reason: a reason is required to reject, group or ask for information".into(),
            ));
        }
        let item = self.get(id)?.ok_or(ContribError::NotFound)?;
        let mut duplicate_of = None;
        let status = match decision {
            Decision::Accept => {
                let two = self.settings.second_approval && item.submission.changes_live_data();
                match (two, item.status, item.first_approval_by.as_deref()) {
                    (false, _, _) => Status::Accepted,
                    (true, Status::AwaitingSecondApproval, Some(first)) if first == moderator => {
                        return Err(ContribError::Decision(
                            "a second approval must come from another moderator".into(),
                        ));
                    }
                    (true, Status::AwaitingSecondApproval, _) => Status::Accepted,
                    (true, _, _) => Status::AwaitingSecondApproval,
                }
            }
            Decision::Reject => Status::Rejected,
            Decision::NeedInfo => Status::NeedInfo,
            Decision::Duplicate => {
                let first: Option<String> = self
                    .conn()
                    .query_row(
                        "SELECT id FROM contributions WHERE thread = ?1 AND id <> ?2
                         ORDER BY seq LIMIT 1",
                        params![item.thread, id],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(db)?;
                duplicate_of = Some(first.ok_or_else(|| {
                    ContribError::Decision(
                        "no other contribution in its thread: not a duplicate".into(),
                    )
                })?);
                Status::Duplicate
            }
        };
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        if status == Status::AwaitingSecondApproval {
            tx.execute(
                "UPDATE contributions SET status = ?1, first_approval_by = ?2, first_approval_at = ?3
                 WHERE id = ?4",
                params![status.as_str(), moderator, now, id],
            )
            .map_err(db)?;
        } else {
            tx.execute(
                "UPDATE contributions SET status = ?1, decided_at = ?2, moderator = ?3, reason = ?4,
                    duplicate_of = ?5 WHERE id = ?6",
                params![status.as_str(), now, moderator, reason, duplicate_of, id],
            )
            .map_err(db)?;
        }
        tx.execute(
            "INSERT INTO decisions(contribution_id, decision, status, reason, moderator, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, decision.as_str(), status.as_str(), reason, moderator, now],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        drop(conn);
        self.get(id)?.ok_or(ContribError::NotFound)
    }

    /// The public register: every decided contribution, newest decision first.
    pub fn register(&self) -> Result<Vec<RegisterEntry>, ContribError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, kind, object, department, status, reason, duplicate_of, submitted_at,
                    decided_at, moderator
                 FROM contributions WHERE decided_at IS NOT NULL AND status IN
                    ('accepted', 'rejected', 'duplicate', 'need_info')
                 ORDER BY decided_at DESC, seq DESC",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, object, department, status, reason, dup, sub, dec, moderator) =
                row.map_err(db)?;
            out.push(RegisterEntry {
                kind: Kind::parse(&kind).ok_or_else(|| bad_row(&id, "kind"))?,
                status: Status::parse(&status).ok_or_else(|| bad_row(&id, "status"))?,
                id,
                object,
                department,
                reason,
                duplicate_of: dup,
                submitted_at: rfc3339(sub),
                decided_at: rfc3339(dec),
                moderator: moderator.unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// What the accepted contributions change, in decision order.
    pub fn overlay(&self) -> Result<Overlay, ContribError> {
        let mut o = Overlay::default();
        for item in self.accepted()? {
            let provenance = item.provenance();
            match item.submission {
                Submission::MissingCentre {
                    name,
                    address,
                    commune,
                    booking_url,
                    phone,
                    platform,
                    ..
                } => o.added.push(AddedCentre {
                    provenance,
                    name,
                    address,
                    commune,
                    booking_url,
                    phone,
                    platform,
                }),
                Submission::CentreCorrection {
                    centre_id,
                    field,
                    value,
                    ..
                } => {
                    if field.needs_value() {
                        o.corrections.push(Correction {
                            provenance,
                            centre_id,
                            field,
                            value: value.unwrap_or_default(),
                        });
                    } else {
                        o.blocklist.push(Blocked {
                            provenance,
                            centre_id,
                            cause: field.as_str().to_string(),
                            reason: item.reason.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(o)
    }

    /// The accepted figure errors.
    pub fn errata(&self) -> Result<Vec<Erratum>, ContribError> {
        Ok(self
            .accepted()?
            .into_iter()
            .filter_map(|item| {
                let provenance = item.provenance();
                match item.submission {
                    Submission::FigureError {
                        territory,
                        indicator,
                        date,
                        ..
                    } => Some(Erratum {
                        territory,
                        indicator,
                        date,
                        text: item.reason,
                        provenance,
                    }),
                    _ => None,
                }
            })
            .collect())
    }

    fn accepted(&self) -> Result<Vec<Item>, ContribError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "{ITEM_COLUMNS} WHERE c.status = 'accepted' ORDER BY c.decided_at, c.seq"
            ))
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db)? {
            out.push(item_of(row)?);
        }
        Ok(out)
    }

    /// Availability reports per centre seen since `since` (seconds), rejected and duplicate
    /// ones left out. They never change the slot counts: they are shown beside them.
    pub fn signals(&self, since: i64) -> Result<BTreeMap<String, Signal>, ContribError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT centre_id, submission, seen_at FROM contributions
                 WHERE kind = 'availability_report' AND seen_at >= ?1
                   AND status NOT IN ('rejected', 'duplicate')",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![since], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(db)?;
        let mut out: BTreeMap<String, Signal> = BTreeMap::new();
        for row in rows {
            let (centre, json, seen) = row.map_err(db)?;
            let Ok(Submission::AvailabilityReport { outcome, .. }) = serde_json::from_str(&json)
            else {
                continue;
            };
            let s = out.entry(centre).or_default();
            match outcome {
                Outcome::NotBookable => s.not_bookable += 1,
                Outcome::Booked => s.booked += 1,
            }
            s.last_at = s.last_at.max(seen);
        }
        Ok(out)
    }

    /// Deletes the e-mail addresses older than the retention and the expired sessions;
    /// returns the addresses deleted.
    pub fn purge(&self, now: i64) -> Result<usize, ContribError> {
        let conn = self.conn();
        let limit = now - i64::from(self.settings.email_retention_days) * 86_400;
        let n = conn
            .execute("DELETE FROM emails WHERE stored_at < ?1", params![limit])
            .map_err(db)?;
        conn.execute("DELETE FROM sessions WHERE expires_at < ?1", params![now])
            .map_err(db)?;
        Ok(n)
    }

    /// The contributors to tell of a decision: (id, status, decision time, e-mail address) of
    /// every decided contribution whose address is still held, oldest decision first.
    pub fn to_notify(&self) -> Result<Vec<(String, Status, i64, String)>, ContribError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT c.id, c.status, c.decided_at, e.email FROM contributions c
                 JOIN emails e ON e.contribution_id = c.id
                 WHERE c.decided_at IS NOT NULL ORDER BY c.decided_at, c.seq",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, status, at, email) = row.map_err(db)?;
            let status = Status::parse(&status).ok_or_else(|| bad_row(&id, "status"))?;
            out.push((id, status, at, email));
        }
        Ok(out)
    }

    /// The e-mail address held for a contribution (to tell its contributor of the decision).
    pub fn email_of(&self, id: &str) -> Result<Option<String>, ContribError> {
        self.conn()
            .query_row(
                "SELECT email FROM emails WHERE contribution_id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }

    /// Creates a moderator; its password and token are returned once and stored hashed
    /// (argon2id). The token reads `<id>.<secret>`.
    pub fn add_moderator(&self, name: &str, now: i64) -> Result<NewModerator, ContribError> {
        let name = name.trim();
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.".contains(c))
        {
            return Err(ContribError::Moderator(
                "a moderator's name is 1 to 64 letters, digits, '-', '_' or '.'".into(),
            ));
        }
        let password = auth::hex(&auth::random_bytes::<12>()?);
        let secret = auth::random_token()?;
        let conn = self.conn();
        let exists: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM moderators WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .map_err(db)?;
        if exists {
            return Err(ContribError::Moderator(format!(
                "moderator {name} already exists"
            )));
        }
        conn.execute(
            "INSERT INTO moderators(name, password_hash, token_hash, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                name,
                auth::hash_secret(&password)?,
                auth::hash_secret(&secret)?,
                now
            ],
        )
        .map_err(db)?;
        let id = conn.last_insert_rowid();
        Ok(NewModerator {
            password,
            token: format!("{id}.{secret}"),
        })
    }

    /// The moderators, by name.
    pub fn moderators(&self) -> Result<Vec<ModeratorInfo>, ContribError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT name, created_at FROM moderators ORDER BY name")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ModeratorInfo {
                    name: r.get(0)?,
                    created_at: r.get(1)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    /// Removes a moderator and closes their sessions; false when there was none.
    pub fn remove_moderator(&self, name: &str) -> Result<bool, ContribError> {
        let conn = self.conn();
        let n = conn
            .execute("DELETE FROM moderators WHERE name = ?1", params![name])
            .map_err(db)?;
        conn.execute("DELETE FROM sessions WHERE moderator = ?1", params![name])
            .map_err(db)?;
        Ok(n > 0)
    }

    /// The moderator a bearer token belongs to.
    pub fn bearer(&self, token: &str) -> Result<Option<String>, ContribError> {
        let Some((id, secret)) = token.trim().split_once('.') else {
            return Ok(None);
        };
        let Ok(id) = id.parse::<i64>() else {
            return Ok(None);
        };
        let row: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT name, token_hash FROM moderators WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)?;
        Ok(row.and_then(|(name, hash)| auth::verify_secret(secret, &hash).then_some(name)))
    }

    /// Opens a session when the password is right: the session cookie and its CSRF token.
    pub fn login(
        &self,
        name: &str,
        password: &str,
        now: i64,
    ) -> Result<Option<(String, Session)>, ContribError> {
        let hash: Option<String> = self
            .conn()
            .query_row(
                "SELECT password_hash FROM moderators WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        // The same work whether the name exists or not (no timing oracle on names).
        let ok = match &hash {
            Some(h) => auth::verify_secret(password, h),
            None => {
                let _ = auth::verify_secret(password, &self.dummy_hash);
                false
            }
        };
        if !ok {
            return Ok(None);
        }
        let cookie = auth::random_token()?;
        let csrf = auth::random_token()?;
        let expires = now + i64::from(self.settings.session_hours.max(1)) * 3600;
        self.conn()
            .execute(
                "INSERT INTO sessions(id_hash, moderator, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    auth::sha256_hex(cookie.as_bytes()),
                    name,
                    csrf,
                    now,
                    expires
                ],
            )
            .map_err(db)?;
        Ok(Some((
            cookie,
            Session {
                moderator: name.to_string(),
                csrf,
            },
        )))
    }

    /// The open session of a cookie at `now`.
    pub fn session(&self, cookie: &str, now: i64) -> Result<Option<Session>, ContribError> {
        self.conn()
            .query_row(
                "SELECT moderator, csrf FROM sessions WHERE id_hash = ?1 AND expires_at >= ?2",
                params![auth::sha256_hex(cookie.as_bytes()), now],
                |r| {
                    Ok(Session {
                        moderator: r.get(0)?,
                        csrf: r.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(db)
    }

    /// Closes a session.
    pub fn logout(&self, cookie: &str) -> Result<(), ContribError> {
        self.conn()
            .execute(
                "DELETE FROM sessions WHERE id_hash = ?1",
                params![auth::sha256_hex(cookie.as_bytes())],
            )
            .map_err(db)?;
        Ok(())
    }

    /// The decisions taken on a contribution, oldest first: (decision, status, moderator,
    /// time, reason).
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, ContribError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT decision, status, moderator, decided_at, reason FROM decisions
                 WHERE contribution_id = ?1 ORDER BY seq",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![id], |r| {
                Ok(HistoryEntry {
                    decision: r.get(0)?,
                    status: r.get(1)?,
                    moderator: r.get(2)?,
                    decided_at: r.get(3)?,
                    reason: r.get(4)?,
                })
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }
}

/// One decision of a contribution's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub decision: String,
    pub status: String,
    pub moderator: String,
    pub decided_at: i64,
    pub reason: Option<String>,
}

const ITEM_COLUMNS: &str = "SELECT c.id, c.submission, c.object, c.thread,
        (SELECT count(*) FROM contributions t WHERE t.thread = c.thread),
        c.department, c.status, c.submitted_at, c.decided_at, c.moderator, c.reason,
        c.duplicate_of, c.first_approval_by,
        EXISTS (SELECT 1 FROM emails e WHERE e.contribution_id = c.id)
    FROM contributions c";
fn bad_row(id: &str, field: &str) -> ContribError {
    ContribError::Db(format!("contribution {id}: unreadable {field}"))
}

fn item_of(row: &rusqlite::Row<'_>) -> Result<Item, ContribError> {
    let id: String = row.get(0).map_err(db)?;
    let json: String = row.get(1).map_err(db)?;
    let submission: Submission =
        serde_json::from_str(&json).map_err(|_| bad_row(&id, "submission"))?;
    let status: String = row.get(6).map_err(db)?;
    Ok(Item {
        submission,
        object: row.get(2).map_err(db)?,
        thread: row.get(3).map_err(db)?,
        thread_size: row.get(4).map_err(db)?,
        department: row.get(5).map_err(db)?,
        status: Status::parse(&status).ok_or_else(|| bad_row(&id, "status"))?,
        submitted_at: row.get(7).map_err(db)?,
        decided_at: row.get(8).map_err(db)?,
        moderator: row.get(9).map_err(db)?,
        reason: row.get(10).map_err(db)?,
        duplicate_of: row.get(11).map_err(db)?,
        first_approval_by: row.get(12).map_err(db)?,
        has_email: row.get(13).map_err(db)?,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AnyKnown, RawFields};

    const NOW: i64 = 1_796_000_000;

    fn incoming(pairs: &[(&str, &str)]) -> Incoming {
        let raw: RawFields = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Submission::parse(&raw, NOW, &AnyKnown).unwrap()
    }

    fn missing(url: &str) -> Incoming {
        incoming(&[
            ("kind", "missing_centre"),
            ("name", "Centre <script>alert(1)</script>"),
            ("commune", "07186"),
            ("booking_url", url),
            ("evidence", "vu sur le site de la mairie"),
            ("email", "moi@example.org"),
        ])
    }

    #[test]
    fn submissions_are_pending_until_decided_and_the_register_has_no_email() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path(), Settings::default()).unwrap();
        let r = desk
            .submit(
                &missing("https://www.doctolib.fr/centre-de-sante/privas/a"),
                Some("07".into()),
                NOW,
            )
            .unwrap();
        assert_eq!(r.id, "C-000001");
        assert!(desk.register().unwrap().is_empty());
        assert!(desk.follow(&r.id, "wrong").unwrap().is_none());
        let followed = desk.follow(&r.id, &r.token).unwrap().unwrap();
        assert_eq!(followed.status, Status::Pending);
        assert!(followed.has_email);
        assert!(
            desk.decide(&r.id, "alice", Decision::Reject, None, NOW + 1)
                .is_err()
        );
        let d = desk
            .decide(
                &r.id,
                "alice",
                Decision::Accept,
                Some("vérifié par téléphone"),
                NOW + 60,
            )
            .unwrap();
        assert_eq!(d.status, Status::Accepted);
        let reg = desk.register().unwrap();
        assert_eq!(reg.len(), 1);
        let json = serde_json::to_string(&reg).unwrap();
        assert!(!json.contains("moi@example.org"));
        assert!(json.contains("vérifié par téléphone"));
        let o = desk.overlay().unwrap();
        assert_eq!(o.added.len(), 1);
        assert_eq!(o.added[0].provenance.moderator, "alice");
        assert_eq!(desk.history(&r.id).unwrap().len(), 1);
    }

    #[test]
    fn duplicates_join_the_first_of_their_thread() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path(), Settings::default()).unwrap();
        let url = "https://www.doctolib.fr/centre-de-sante/privas/a";
        let a = desk.submit(&missing(url), None, NOW).unwrap();
        let b = desk.submit(&missing(url), None, NOW + 5).unwrap();
        assert_eq!(b.thread_size, 2);
        assert!(
            desk.decide(&a.id, "m", Decision::Duplicate, Some("x"), NOW)
                .is_ok()
        );
        let d = desk
            .decide(
                &b.id,
                "m",
                Decision::Duplicate,
                Some("déjà signalé"),
                NOW + 10,
            )
            .unwrap();
        assert_eq!(d.duplicate_of.as_deref(), Some(a.id.as_str()));
    }

    #[test]
    fn second_approval_needs_another_moderator() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            second_approval: true,
            ..Settings::default()
        };
        let desk = Desk::open(dir.path(), settings).unwrap();
        let a = desk
            .submit(
                &missing("https://www.doctolib.fr/centre-de-sante/privas/a"),
                None,
                NOW,
            )
            .unwrap();
        let first = desk
            .decide(&a.id, "alice", Decision::Accept, None, NOW)
            .unwrap();
        assert_eq!(first.status, Status::AwaitingSecondApproval);
        assert!(desk.register().unwrap().is_empty());
        assert!(desk.overlay().unwrap().added.is_empty());
        assert!(
            desk.decide(&a.id, "alice", Decision::Accept, None, NOW)
                .is_err()
        );
        let second = desk
            .decide(&a.id, "bob", Decision::Accept, None, NOW)
            .unwrap();
        assert_eq!(second.status, Status::Accepted);
        assert_eq!(desk.overlay().unwrap().added.len(), 1);
    }

    #[test]
    fn moderators_log_in_with_their_password_and_script_with_their_token() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path(), Settings::default()).unwrap();
        let m = desk.add_moderator("alice", NOW).unwrap();
        assert!(desk.add_moderator("alice", NOW).is_err());
        assert_eq!(desk.bearer(&m.token).unwrap().as_deref(), Some("alice"));
        assert_eq!(desk.bearer("1.nope").unwrap(), None);
        assert!(desk.login("alice", "nope", NOW).unwrap().is_none());
        assert!(desk.login("bob", &m.password, NOW).unwrap().is_none());
        let (cookie, s) = desk.login("alice", &m.password, NOW).unwrap().unwrap();
        assert_eq!(desk.session(&cookie, NOW + 10).unwrap(), Some(s));
        assert_eq!(desk.session(&cookie, NOW + 9 * 3600).unwrap(), None);
        desk.logout(&cookie).unwrap();
        assert_eq!(desk.session(&cookie, NOW + 10).unwrap(), None);
        assert!(desk.remove_moderator("alice").unwrap());
        assert_eq!(desk.bearer(&m.token).unwrap(), None);
        // The stored hashes are argon2id, never the secrets.
        let raw = std::fs::read(desk.path()).unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(!text.contains(&m.password));
    }

    #[test]
    fn emails_go_after_the_retention_and_everything_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let desk = Desk::open(dir.path(), Settings::default()).unwrap();
            let r = desk
                .submit(
                    &missing("https://www.doctolib.fr/centre-de-sante/privas/a"),
                    None,
                    NOW,
                )
                .unwrap();
            assert_eq!(desk.purge(NOW + 89 * 86_400).unwrap(), 0);
            r.id
        };
        let desk = Desk::open(dir.path(), Settings::default()).unwrap();
        assert!(desk.get(&id).unwrap().is_some());
        // Undecided: nobody to tell yet; decided: its address, until the retention.
        assert!(desk.to_notify().unwrap().is_empty());
        desk.decide(&id, "m", Decision::Accept, None, NOW + 10)
            .unwrap();
        let n = desk.to_notify().unwrap();
        assert_eq!(
            n,
            vec![(
                id.clone(),
                Status::Accepted,
                NOW + 10,
                "moi@example.org".to_string()
            )]
        );
        assert_eq!(
            desk.email_of(&id).unwrap().as_deref(),
            Some("moi@example.org")
        );
        assert_eq!(desk.purge(NOW + 91 * 86_400).unwrap(), 1);
        assert_eq!(desk.email_of(&id).unwrap(), None);
    }

    #[test]
    fn availability_reports_make_a_signal_without_moderation() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path(), Settings::default()).unwrap();
        for (outcome, at) in [
            ("not_bookable", NOW - 60),
            ("not_bookable", NOW - 120),
            ("booked", NOW - 30),
            ("not_bookable", NOW - 5 * 3600),
        ] {
            let t = rfc3339(at);
            desk.submit(
                &incoming(&[
                    ("kind", "availability_report"),
                    ("centre_id", "doctolib:1"),
                    ("outcome", outcome),
                    ("seen_at", &t),
                ]),
                None,
                NOW,
            )
            .unwrap();
        }
        let s = desk.signals(NOW - 2 * 3600).unwrap();
        let one = s["doctolib:1"];
        assert_eq!(
            (one.not_bookable, one.booked, one.last_at),
            (2, 1, NOW - 30)
        );
        desk.decide("C-000001", "m", Decision::Reject, Some("faux"), NOW)
            .unwrap();
        assert_eq!(
            desk.signals(NOW - 2 * 3600).unwrap()["doctolib:1"].not_bookable,
            1
        );
    }
}
